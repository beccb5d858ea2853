# tests/interop/identity/idlib.sh - shared set-up for the identity tier
# (tests/tiers/identity.sh) and its self-check against the real tools only (selfcheck.sh).
#
# Sourced after tests/interop/lib.sh (io_* helpers), with io_dir made.
# Every name starts with idt_: tiers share one shell with run-tests.sh.
#
#   idt_setup            certificates (io_mkcerts + mkstir.sh), the
#                        directory the certificate server serves, ports;
#                        starts the secsipidx HTTPS server and the slow one
#   idt_tokens DIR       every case's Identity header (mktokens.sh), now
#   idt_secsipidx_check NAME DIR   secsipidx's own verdict on a case
#   idt_kamailio_start   Kamailio signing with secsipid (kamailio-identity.cfg.in)
#
# After idt_setup: idt_stir (STIR certificates), idt_base (the HTTPS
# server's URL prefix), idt_down_url, idt_slow_url, idt_srv_log,
# idt_slow_log; ports idt_hp (HTTPS), idt_sp (slow), idt_dp (down).

idt_src=$io_src/identity

# idt_setup: returns non-zero with idt_err set to what went wrong.
idt_setup() {
	idt_err=
	io_mkcerts "$io_dir/certs" || { idt_err="certtool could not make the TLS certificates"; return 1; }
	idt_stir=$io_dir/stir
	sh "$idt_src/mkstir.sh" "$idt_stir" > "$io_dir/logs/mkstir.log" 2>&1 ||
		{ idt_err="mkstir.sh could not make the STIR certificates (see $io_dir/logs/mkstir.log)"; return 1; }
	mkdir -p "$io_dir/www"
	for idt_c in good expired other notn; do
		cp "$idt_stir/$idt_c.pem" "$io_dir/www/" || return 1
	done
	cp "$idt_stir/good.pem" "$io_dir/www/good-copy.pem"
	idt_pp=$(io_free_ports 3) || { idt_err="no free ports on 127.0.0.1"; return 1; }
	# shellcheck disable=SC2086
	set -- $idt_pp
	idt_hp=$1 idt_sp=$2 idt_dp=$3
	idt_base=https://127.0.0.1:$idt_hp/v1/pub
	idt_down_url=https://127.0.0.1:$idt_dp/v1/pub/good.pem
	idt_slow_url=https://127.0.0.1:$idt_sp/v1/pub/good.pem
	idt_srv_log=$io_dir/logs/certsrv.log
	idt_slow_log=$io_dir/logs/slowsrv.log
	# secsipidx serves -http-dir under /v1/pub/ (its HTTPS server mode).
	io_spawn "$idt_srv_log" 170 secsipidx -https-srv "127.0.0.1:$idt_hp" \
		-https-pubkey "$io_dir/certs/server.pem" -https-prvkey "$io_dir/certs/server-key.pem" \
		-http-dir "$io_dir/www"
	idt_srv_pid=$io_pid
	io_spawn "$idt_slow_log" 170 python3 "$idt_src/slowsrv.py" "$idt_sp" \
		"$io_dir/certs/server.pem" "$io_dir/certs/server-key.pem" "$idt_stir/good.pem" 30
	idt_slow_pid=$io_pid
	io_wait_port tcp "$idt_hp" 10 ||
		{ idt_err="the secsipidx HTTPS server did not listen (see $idt_srv_log)"; return 1; }
	io_wait_port tcp "$idt_sp" 10 ||
		{ idt_err="slowsrv.py did not listen (see $idt_slow_log)"; return 1; }
	return 0
}

# idt_fetch URL FILE: fetches over HTTPS, trusting only the test CA.
idt_fetch() {
	curl -sS --max-time 5 --cacert "$io_dir/certs/ca.pem" -o "$2" "$1"
}

# idt_tokens DIR: every case's header line in DIR/NAME.hdr, info URL in
# DIR/NAME.url, iat = now.
idt_tokens() {
	sh "$idt_src/mktokens.sh" "$idt_stir" "$1" "$idt_base" "$idt_down_url" \
		"$idt_slow_url" > "$io_dir/logs/mktokens.log" 2>&1
}

# idt_secsipidx_check NAME DIR: secsipidx's check of the case's Identity
# header, fetching the certificate from the info URL over HTTPS (the test
# CA as SSL_CERT_FILE), verifying it chains to the STIR CA and is in its
# validity (cert-verify 1|4), token at most 60 s old, 2 s fetch timeout.
# Prints secsipidx's one-line answer ("ok" or the error message).
idt_secsipidx_check() {
	idt_v=$(sed -n 's/^Identity: //p' "$2/$1.hdr")
	idt_u=$(cat "$2/$1.url")
	SSL_CERT_FILE=$io_dir/certs/ca.pem timeout 10 secsipidx -c -expire 60 -timeout 2 \
		-cert-verify 5 -ca-file "$idt_stir/stir-ca.pem" -identity "$idt_v" -p "$idt_u" 2>&1 |
		sed -e 's/^error message: //' | grep -v '^not-ok$' | tr '\n' ' ' | sed 's/ *$//'
}

# idt_kamailio_start NAME PORT TLSPORT: the interop proxy plus the
# authentication service (kamailio-identity.cfg.in), signing with the
# good leaf's key, x5u = the HTTPS server's good.pem.  Sets io_kam_pid,
# io_kam_log (as io_kamailio_start does).
idt_kamailio_start() {
	idt_kd=$io_dir/$1
	mkdir -p "$idt_kd/run"
	sed -e "s|@DIR@|$idt_kd|g" -e "s|@PORT@|$2|g" -e "s|@TLSPORT@|$3|g" \
		-e "s|@REALM@|$io_realm|g" -e "s|@X5U@|$idt_base/good.pem|g" \
		-e "s|@KEY@|$idt_stir/good-key.pem|g" \
		"$idt_src/kamailio-identity.cfg.in" > "$idt_kd/kamailio.cfg"
	sed -e "s|@CERTS@|$io_dir/certs|g" "$io_src/tls.cfg.in" > "$idt_kd/tls.cfg"
	io_kam_log=$io_dir/logs/$1.log
	io_spawn "$io_kam_log" 170 kamailio -DD -E -f "$idt_kd/kamailio.cfg" \
		-Y "$idt_kd/run" -P "$idt_kd/run/kamailio.pid" -m 64 -M 8
	io_kam_pid=$io_pid
	io_wait_port udp "$2" 10 && io_wait_port tcp "$2" 5 &&
		io_wait_port tcp "$3" 5 && kill -0 "$io_kam_pid" 2>/dev/null
}

# idt_sipp_call LOG CASE-DIR CASE TARGET LOCALPORT [SIPP-OPTION]...: one
# INVITE from SIPp (uac-ident.xml) carrying CASE's header line, From
# +12155550121 To +12155550131 (user=phone); "vector" goes To alice.
# Message trace in LOG.msg.  At most 12 s (the slow case takes ~6 s).
# Returns SIPp's status.
idt_sipp_call() {
	idt_l=$1 idt_cd=$2 idt_n=$3 idt_t=$4 idt_lp=$5
	shift 5
	idt_to=+12155550131 idt_tp=";user=phone"
	[ "$idt_n" = vector ] && idt_to=alice idt_tp=
	io_sipp "$idt_l" 12 "$idt_t" -sf "$idt_src/uac-ident.xml" -t u1 -i 127.0.0.1 \
		-p "$idt_lp" -s "$idt_to" -key caller +12155550121 -key dom 127.0.0.1 \
		-key tp "$idt_tp" -key hdr "$(cat "$idt_cd/$idt_n.hdr")" -d 200 -m 1 -trace_msg \
		-message_file "$idt_l.msg" "$@"
}
