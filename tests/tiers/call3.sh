# tests/tiers/call3.sh - call tier 3: incoming calls rejected (486 with h,
# 603 with ":reject decline"), 183 with early media, and the optional TLS
# client certificate.  Sourced by run-tests.sh (ok/bad, top_srcdir,
# top_builddir, logdir); every process is bounded by timeout and stopped
# by PID; a missing peer is a failure.
#
#  (a) a SIPp UAC calls siptty, which rings; key h: SIPp gets 486 Busy
#      Here (once) and ACKs it; the call goes incoming -> ended (486)
#  (b) the same, rejected with ":reject decline": 603 Decline
#  (c) siptty calls a SIPp UAS that answers 183 with SDP, then 200 a
#      second later: the call goes calling -> early (183) -> answered
#  (d) gnutls-serv on loopback requires a client certificate issued by the
#      test CA: siptty with [tls] cert_file/key_file completes the handshake,
#      the server logs the certificate and the REGISTER arrives
#  (e) the same server, siptty without a client certificate: the handshake
#      fails and no REGISTER reaches the server

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
c3_siptty=$top_builddir/src/siptty
c3_sc=$io_src/call3
c3_tlsdata=$top_srcdir/tests/data/tls

c3_step() {
	if [ "$2" -eq 0 ]; then ok "call3: $1"; else bad "call3: $1 (${3:-see $io_dir})"; fi
}

# c3_run_siptty NAME CONF SCRIPT [OPTION]...: siptty headless, bounded, in
# the foreground; events in $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
c3_run_siptty() { io_siptty 30 "$@"; }

# c3_states FILE: the call states in order.
c3_states() { io_states call "$1"; }

# c3_udp_conf FILE PORT: a sip: account that does not register, over UDP.
c3_udp_conf() { io_udp_conf "$@"; }

# c3_wait_gone PID: waits up to 5 s for a SIPp run to finish by itself,
# then stops it; fails when it had to be stopped or failed.
c3_wait_gone() { io_wait_gone "$@"; }

# c3_reject NAME CODE REASON KEYS...: a SIPp UAC calls siptty, which
# rejects the ringing call with the script lines KEYS.
c3_reject() {
	c3_n=$1 c3_code=$2 c3_reason=$3
	shift 3
	c3_udp_conf "$io_dir/$c3_n.conf" "$c3_sp"
	{
		printf '# call3 tier (%s): reject the ringing call with %s\n' "$c3_n" "$c3_code"
		printf 'wait call state=incoming 10\nsleep 0.3\n'
		printf '%s\n' "$@"
		printf 'wait call state=ended 5\nsleep 2.5\n'
	} > "$io_dir/$c3_n.script"
	c3_run_siptty "$c3_n" "$io_dir/$c3_n.conf" "$io_dir/$c3_n.script" &
	c3_sip_pid=$!
	c3_rc=0
	io_wait_port udp "$c3_sp" 5 || c3_rc=1
	io_sipp "$io_dir/logs/$c3_n.sipp" 20 "127.0.0.1:$c3_sp" -sf "$c3_sc/uac-reject-$c3_code.xml" \
		-t u1 -i 127.0.0.1 -p "$c3_rp" -s alice -m 1 \
		-trace_msg -message_file "$io_dir/logs/$c3_n.msg" || c3_rc=1
	wait "$c3_sip_pid" || c3_rc=1
	c3_st=$(c3_states "$io_dir/$c3_n.events")
	[ "$c3_st" = "incoming ended " ] || c3_rc=1
	grep -q '"state":"incoming"' "$io_dir/$c3_n.events" || c3_rc=1
	grep -q "\"state\":\"ended\",\"code\":$c3_code,\"reason\":\"$c3_reason\"" \
		"$io_dir/$c3_n.events" || c3_rc=1
	# SIPp's view: exactly one final response (an unmatched ACK would
	# leave siptty retransmitting it for the 2 s SIPp waits), and the ACK.
	[ "$(grep -c "^SIP/2.0 $c3_code " "$io_dir/logs/$c3_n.msg")" -eq 1 ] || c3_rc=1
	grep -q '^ACK sip:alice@127.0.0.1' "$io_dir/logs/$c3_n.msg" || c3_rc=1
	grep -q '^SIP/2.0 200 ' "$io_dir/logs/$c3_n.msg" && c3_rc=1
}

c3_run_calls() {
	# (a) h while it rings: 486.
	c3_reject a 486 rejected 'key h'
	c3_step "(a) an incoming call rejected with h: SIPp gets one 486 and ACKs it [$c3_st]" \
		$c3_rc "events $io_dir/a.events, log $io_dir/logs/a.log, sipp $io_dir/logs/a.*"

	# (b) :reject decline: 603.
	c3_reject b 603 declined 'key :' 'type reject decline' 'key Enter'
	c3_step "(b) an incoming call rejected with :reject decline: SIPp gets one 603 and ACKs it [$c3_st]" \
		$c3_rc "events $io_dir/b.events, log $io_dir/logs/b.log, sipp $io_dir/logs/b.*"

	# (c) 183 with SDP, then 200.
	io_sipp_bg "$io_dir/logs/c.sipp" 30 -sf "$c3_sc/uas-early.xml" -t u1 -i 127.0.0.1 \
		-p "$c3_up" -m 1 -trace_msg -message_file "$io_dir/logs/c.msg"
	c3_uas=$io_pid
	io_wait_port udp "$c3_up" 5
	c3_udp_conf "$io_dir/c.conf" "$c3_sp"
	cat > "$io_dir/c.script" <<-EOS
	# call3 tier (c): early media, then the answer
	key d
	type sip:sipp@127.0.0.1:$c3_up
	key Enter
	wait call state=early 10
	wait call state=answered 10
	sleep 0.5
	key h
	wait call state=ended 10
	sleep 0.3
	EOS
	c3_run_siptty c "$io_dir/c.conf" "$io_dir/c.script"
	c3_rc=$?
	c3_wait_gone "$c3_uas" || c3_rc=1
	c3_st=$(c3_states "$io_dir/c.events")
	[ "$c3_st" = "calling early answered ended " ] || c3_rc=1
	grep -q '"state":"early","code":183' "$io_dir/c.events" || c3_rc=1
	grep -q '"state":"answered","code":200' "$io_dir/c.events" || c3_rc=1
	grep -q 'early media' "$io_dir/logs/c.log" || c3_rc=1
	# The answer came a second after the 183 (SIPp's pause): the early
	# state was held, not skipped.
	c3_t1=$(sed -n 's/.*"mono_ms":\([0-9]*\),.*"state":"early".*/\1/p' "$io_dir/c.events" | head -n 1)
	c3_t2=$(sed -n 's/.*"mono_ms":\([0-9]*\),.*"state":"answered".*/\1/p' "$io_dir/c.events" | head -n 1)
	c3_dt=$(( ${c3_t2:-0} - ${c3_t1:-0} ))
	[ -n "$c3_t1" ] && [ "$c3_dt" -ge 800 ] || c3_rc=1
	grep -q '^ACK sip:sipp@' "$io_dir/logs/c.msg" || c3_rc=1
	grep -q '^BYE sip:sipp@' "$io_dir/logs/c.msg" || c3_rc=1
	c3_step "(c) 183 with SDP then 200: calling, early (183), answered [$c3_st] [early for $c3_dt ms]" \
		$c3_rc "events $io_dir/c.events, log $io_dir/logs/c.log, sipp $io_dir/logs/c.*"
}

# c3_serv LOG CAFILE: gnutls-serv --echo on $c3_tp presenting the run's
# localhost certificate and requiring a client certificate issued by
# CAFILE; sets c3_serv_pid.
c3_serv() {
	: > "$1"
	io_spawn "$1" 40 gnutls-serv -p "$c3_tp" --echo --require-client-cert \
		--verify-client-cert --x509cafile "$2" \
		--x509certfile "$io_dir/certs/server.pem" --x509keyfile "$io_dir/certs/server-key.pem"
	c3_serv_pid=$io_pid
	io_wait_log "$1" 'IPv4.*\.\.\.done' 5
}

# c3_tls_conf FILE [CERT KEY]: a sips: account registering at gnutls-serv.
c3_tls_conf() {
	cat > "$1" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$c3_tp
	password = alicepw
	expires = 120
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
	if [ -n "${2:-}" ]; then
		printf 'cert_file = %s\nkey_file = %s\n' "$2" "$3" >> "$1"
	fi
}

c3_run_tls() {
	printf '# call3 tier (d, e): one REGISTER goes out, or the handshake fails\nsleep 3\n' \
		> "$io_dir/tls.script"

	# (d) with the client certificate (clientonly.pem: tls_www_client,
	# issued by the test CA in tests/data/tls).
	c3_rc=0
	if ! c3_serv "$io_dir/logs/d.serv" "$c3_tlsdata/ca.pem"; then
		bad "call3: (d) gnutls-serv did not start (see $io_dir/logs/d.serv)"
	else
		c3_tls_conf "$io_dir/d.conf" "$io_dir/certs/clientonly.pem" "$io_dir/certs/client-key.pem"
		c3_run_siptty d "$io_dir/d.conf" "$io_dir/tls.script" || c3_rc=1
		io_wait_log "$io_dir/logs/d.serv" '^received cmd: REGISTER sips:localhost' 3 || c3_rc=1
		io_stop_pid "$c3_serv_pid"
		grep -q 'Subject: CN=example.com' "$io_dir/logs/d.serv" || c3_rc=1
		grep -q 'The certificate is trusted' "$io_dir/logs/d.serv" || c3_rc=1
		c3_step "(d) a server that requires a client certificate gets siptty's ([tls] cert_file) and the REGISTER" \
			$c3_rc "server $io_dir/logs/d.serv, log $io_dir/logs/d.log"
	fi

	# (e) the same server, no client certificate configured.
	if ! c3_serv "$io_dir/logs/e.serv" "$c3_tlsdata/ca.pem"; then
		bad "call3: (e) gnutls-serv did not start (see $io_dir/logs/e.serv)"
	else
		c3_tls_conf "$io_dir/e.conf"
		c3_run_siptty e "$io_dir/e.conf" "$io_dir/tls.script"
		c3_rc=0
		sleep 0.3
		io_stop_pid "$c3_serv_pid"
		grep -qi 'error in handshake' "$io_dir/logs/e.serv" || c3_rc=1
		grep -q 'REGISTER' "$io_dir/logs/e.serv" && c3_rc=1
		grep -q '"state":"registered"' "$io_dir/e.events" && c3_rc=1
		grep -q 'reg: alice: flow closed' "$io_dir/logs/e.log" || c3_rc=1
		c3_step "(e) without a client certificate the handshake fails and no REGISTER arrives" \
			$c3_rc "server $io_dir/logs/e.serv, log $io_dir/logs/e.log"
	fi
}

c3_run() {
	io_workdir "$logdir" call3 || { bad "call3: cannot make a work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "call3: certtool could not make the test certificates"; return; }
	cp "$c3_tlsdata/clientonly.pem" "$io_dir/certs/" &&
		cp "$c3_tlsdata/server-key.pem" "$io_dir/certs/client-key.pem" &&
		chmod 600 "$io_dir/certs/client-key.pem" ||
		{ bad "call3: cannot copy the client certificate"; return; }
	c3_ports=$(io_free_ports 4) || { bad "call3: no free ports on 127.0.0.1"; return; }
	# shellcheck disable=SC2086
	set -- $c3_ports
	c3_sp=$1 c3_rp=$2 c3_up=$3 c3_tp=$4
	c3_run_calls
	c3_run_tls
	io_stop_all
}

io_missing=
io_need sipp sip-tester
io_need certtool gnutls-bin
io_need gnutls-serv gnutls-bin
if [ -n "$io_missing" ]; then
	bad "call3: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$c3_siptty" ]; then
	bad "call3: $c3_siptty was not built"
else
	c3_run
fi
