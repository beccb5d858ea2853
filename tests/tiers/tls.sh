# tests/tiers/tls.sh - TLS refusals against gnutls-serv on loopback.  Sourced
# by run-tests.sh (ok/bad/skipped, note, top_srcdir, top_builddir, logdir).
# For each case it starts gnutls-serv --echo presenting one certificate from
# tests/data/tls (or offering only TLS 1.0), runs tests/tools/tlsprobe, which
# sends one SIP OPTIONS through siptty's transport, and stops the server by
# its PID.  A refusal must carry its own sentence, and no SIP byte may have
# been sent: the probe counts the bytes the transport wrote after the
# handshake (must be 0) and the server's log must hold no "OPTIONS" (the
# accepted cases show that the log does record what arrives).

tls_prog=$top_builddir/tests/tools/tlsprobe
tls_data=$top_srcdir/tests/data/tls
tls_serv=$(command -v gnutls-serv 2>/dev/null)

# tls_start CERT KEY [PRIORITY]: gnutls-serv on the first free port from
# 35061; sets tls_pid (the timeout wrapper's; killing it stops the server),
# tls_port and tls_slog.
tls_start() {
	tls_pid='' tls_port=''
	for tls_p in 35061 35071 35081 35091 45061 45071 45081 45091; do
		tls_slog=$tls_dir/serv-$tls_case-$tls_p.log
		: > "$tls_slog"
		if [ -n "${3:-}" ]; then
			timeout 120 "$tls_serv" -p "$tls_p" --echo -a \
				--x509certfile "$tls_data/$1" --x509keyfile "$tls_data/$2" \
				--priority "$3" > "$tls_slog" 2>&1 &
		else
			timeout 120 "$tls_serv" -p "$tls_p" --echo -a \
				--x509certfile "$tls_data/$1" --x509keyfile "$tls_data/$2" \
				> "$tls_slog" 2>&1 &
		fi
		tls_pid=$!
		tls_n=50
		while [ $tls_n -gt 0 ] && kill -0 "$tls_pid" 2>/dev/null &&
		      ! grep -q 'IPv4.*\.\.\.\(done\|bind() failed\)' "$tls_slog"; do
			sleep 0.1
			tls_n=$((tls_n - 1))
		done
		if grep -q 'IPv4.*\.\.\.done' "$tls_slog" && kill -0 "$tls_pid" 2>/dev/null; then
			tls_port=$tls_p
			return 0
		fi
		tls_stop
		# Another program holds the port: try the next one.
		grep -q 'bind() failed' "$tls_slog" || return 1
	done
	return 1
}

tls_stop() {
	[ -n "$tls_pid" ] || return 0
	kill "$tls_pid" 2>/dev/null
	tls_n=50
	while [ $tls_n -gt 0 ] && kill -0 "$tls_pid" 2>/dev/null; do
		sleep 0.1
		tls_n=$((tls_n - 1))
	done
	kill -9 "$tls_pid" 2>/dev/null
	wait "$tls_pid" 2>/dev/null
	tls_pid=
}

# tls_run NAME CERT KEY DOMAIN PRIORITY EXPECT [ERR SENTENCE-PART]
# EXPECT is "accept" or "refuse".
tls_run() {
	tls_case=$1
	tls_out=$tls_dir/probe-$1.out
	if ! tls_start "$2" "$3" "$5"; then
		bad "tls: $1: gnutls-serv did not start (see $tls_dir)"
		return
	fi
	timeout 30 "$tls_prog" 127.0.0.1 "$tls_port" "$4" "$tls_data/ca.pem" 10000 \
		> "$tls_out" 2>&1
	tls_rc=$?
	# Give the server time to log what reached it (the accepted cases
	# prove it does); a refused flow is closed already.
	if [ "$6" = accept ]; then
		tls_n=30
		while [ $tls_n -gt 0 ] && ! grep -q OPTIONS "$tls_slog"; do
			sleep 0.1
			tls_n=$((tls_n - 1))
		done
	else
		sleep 0.5
	fi
	tls_stop
	tls_sent=$(sed -n 's/^sip-bytes-sent //p' "$tls_out")
	tls_text=$(sed -n 's/^text //p' "$tls_out")
	if [ "$6" = accept ]; then
		if [ $tls_rc -eq 0 ] && grep -q '^verified' "$tls_out" &&
		   [ "${tls_sent:-0}" -gt 0 ] && grep -q '^received cmd: OPTIONS' "$tls_slog"; then
			ok "tls: $1: accepted, the OPTIONS reached the server"
		else
			bad "tls: $1: expected the server to be accepted (probe status $tls_rc, $tls_sent bytes; see $tls_out, $tls_slog)"
		fi
		return
	fi
	if [ $tls_rc -ne 3 ] || ! grep -q "^refused $7\$" "$tls_out"; then
		bad "tls: $1: expected a refusal with $7 (probe status $tls_rc; see $tls_out)"
	elif [ "$tls_sent" != 0 ]; then
		bad "tls: $1: the transport wrote $tls_sent SIP bytes to a refused server"
	elif grep -q OPTIONS "$tls_slog"; then
		bad "tls: $1: SIP reached the refused server (see $tls_slog)"
	else
		case $tls_text in
		*"$8"*)
			printf '%s\n' "$tls_text" >> "$tls_dir/sentences"
			ok "tls: $1: refused before any SIP byte: $tls_text" ;;
		*)
			bad "tls: $1: sentence \"$tls_text\" lacks \"$8\"" ;;
		esac
	fi
}

if [ -z "$tls_serv" ]; then
	bad "tls: gnutls-serv is not installed: apt-get install gnutls-bin (the TLS refusal tests need it)"
elif [ ! -x "$tls_prog" ]; then
	bad "tls: $tls_prog was not built"
elif [ ! -f "$tls_data/ca.pem" ]; then
	bad "tls: no test certificates in $tls_data"
else
	tls_dir=$(mktemp -d "$logdir/tls.XXXXXX")
	tls_fails=$fail
	: > "$tls_dir/sentences"
	tls_key=server-key.pem
	tls_run good uri.pem $tls_key example.com "" accept
	tls_run expired expired.pem $tls_key example.com "" refuse EACCES \
		"certificate of example.com expired on 2020-01-01"
	tls_run otherhost otherhost.pem $tls_key example.com "" refuse EACCES \
		"presented for example.com names another host"
	# The CN (sip.example.com) would match, but a subjectAltName exists,
	# so only the wildcard *.example.com is left to judge.
	tls_run wildcard wildcard.pem $tls_key sip.example.com "" refuse EACCES \
		"only by a wildcard"
	tls_run selfsigned selfsigned.pem selfsigned-key.pem example.com "" refuse EACCES \
		"self-signed and not trusted"
	tls_run cnonly-mismatch cnonly.pem $tls_key other.example.org "" refuse EACCES \
		"no subjectAltName and its common name is another host"
	# SPECS 1.5: with no subjectAltName at all, the CN is the identity.
	tls_run cnonly-match cnonly.pem $tls_key example.com "" accept
	tls_run tls10 uri.pem $tls_key example.com "NORMAL:-VERS-ALL:+VERS-TLS1.0" refuse EPROTO \
		"TLS 1.2 or later is required"
	tls_dups=$(sort "$tls_dir/sentences" | uniq -d)
	if [ "$(wc -l < "$tls_dir/sentences")" -eq 6 ] && [ -z "$tls_dups" ]; then
		ok "tls: each of the 6 refusals has its own sentence"
	else
		bad "tls: refusal sentences are missing or shared (see $tls_dir/sentences)"
	fi
	[ "$fail" -eq "$tls_fails" ] && rm -rf "$tls_dir"
fi
