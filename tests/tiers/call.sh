# tests/tiers/call.sh - call tier: siptty places and receives calls with SDP
# offer/answer through a real Kamailio over TLS to a real phone (baresip),
# driven by keystroke scripts; SIPp UASs and UACs for 486, 488 and CANCEL.
# Sourced by run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir,
# logdir); every process is bounded by timeout and stopped by PID.
#
#  (a) siptty dials baresip bob (auto-answer) through kamailio: answered,
#      hold (re-INVITE sendonly), resume, hang up; each state in the event
#      log, the call and the hold re-INVITE in baresip's SIP trace
#  (b) baresip bob calls siptty (--auto-answer): answered, bob hangs up
#  (c) a SIPp UAS answers 486: the call fails with code 486
#  (d) a SIPp UAC offers only G.722/G.729: siptty answers 488
#  (e) a SIPp UAS rings for ever: siptty hangs up, CANCEL, 487, ACK

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
cl_siptty=$top_builddir/src/siptty
cl_sc=$io_src/call

cl_step() {
	if [ "$2" -eq 0 ]; then ok "call: $1"; else bad "call: $1 (${3:-see $io_dir})"; fi
}

# cl_siptty NAME CONF SCRIPT [OPTION]...: siptty headless, bounded, in the
# foreground; events in $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
cl_siptty() { io_siptty 40 "$@"; }

# cl_states FILE: the call states in order, space-separated.
cl_states() { io_states call "$1"; }

# cl_udp_conf FILE PORT: a sip: account that does not register, over UDP,
# listening on PORT (for SIPp peers that talk to siptty directly).
cl_udp_conf() { io_udp_conf "$@"; }

cl_run() {
	io_workdir "$logdir" call || { bad "call: cannot make a work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "call: certtool could not make the test certificates"; return; }
	cl_ports=$(io_free_ports 6) || { bad "call: no free ports on 127.0.0.1"; return; }
	# shellcheck disable=SC2086
	set -- $cl_ports
	cl_kp=$1 cl_bp=$2 cl_bc=$3 cl_up=$4 cl_sp=$5 cl_rp=$6

	if ! io_kamailio_start kamailio "$cl_kp" "$((cl_kp + 1))" -A WITH_QOP; then
		bad "call: kamailio did not start (see $io_kam_log)"
		return
	fi
	cl_kl=$io_kam_log
	io_baresip_setup bob "$cl_bp" "$cl_bc" $((cl_bp + 200)) \
		"<sips:bob@localhost;transport=tls>;auth_pass=bobpw;answermode=auto;audio_codecs=pcmu,pcma;outbound=\"sip:127.0.0.1:$((cl_kp + 1));transport=tls\";regint=600"
	io_baresip_start bob 90
	cl_bob=$io_pid
	cl_bl=$io_dir/logs/bob.log
	if ! io_wait_log "$cl_bl" 'bob@localhost: .*200 OK' 10; then
		bad "call: baresip bob did not register over TLS (see $cl_bl)"
		io_stop_all
		return
	fi

	printf '%s\n' alicepw > "$io_dir/alice.pw"
	chmod 600 "$io_dir/alice.pw"
	cat > "$io_dir/alice.conf" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$((cl_kp + 1))
	password_file = $io_dir/alice.pw
	expires = 120
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC

	# (a) siptty calls bob: answered, hold, resume, hang up.
	cat > "$io_dir/a.script" <<-'EOS'
	# call tier (a): dial, hold, resume, hang up
	wait reg state=registered 10
	key d
	type sips:bob@localhost
	key Enter
	wait call state=answered 10
	expect "answered" 3
	sleep 0.5
	key H
	wait call state=held 10
	expect "on hold" 3
	key H
	wait call state=answered 10
	sleep 0.3
	key h
	wait call state=ended 10
	sleep 0.5
	EOS
	cl_siptty a "$io_dir/alice.conf" "$io_dir/a.script"
	cl_rc=$?
	[ "$(cl_states "$io_dir/a.events")" = "calling ringing answered held answered ended " ] ||
		[ "$(cl_states "$io_dir/a.events")" = "calling answered held answered ended " ] || cl_rc=1
	grep -q '"type":"call".*"dir":"out","peer":"sips:bob@localhost","state":"answered","code":200' \
		"$io_dir/a.events" || cl_rc=1
	grep -q '407 challenge for INVITE' "$cl_kl" || cl_rc=1
	grep -q 'INVITE auth OK for alice' "$cl_kl" || cl_rc=1
	grep -q 'REQ INVITE sips:bob@localhost .*/tls' "$cl_kl" || cl_rc=1
	grep -q 'a=sendonly' "$cl_bl" || cl_rc=1
	grep -q 'BYE sip' "$cl_bl" || cl_rc=1
	cl_step "(a) siptty calls baresip over TLS via kamailio (407): answered, held, resumed, ended" \
		$cl_rc "events $io_dir/a.events, log $io_dir/logs/a.log, kamailio $cl_kl, baresip $cl_bl"

	# (b) bob calls siptty, which answers by itself; bob hangs up.
	cat > "$io_dir/b.script" <<-'EOS'
	# call tier (b): an incoming call, auto-answered, ended by the far end
	wait reg state=registered 10
	wait call state=incoming 15
	wait call state=answered 10
	wait call state=ended 15
	sleep 0.3
	EOS
	cl_siptty b "$io_dir/alice.conf" "$io_dir/b.script" --auto-answer &
	cl_sip_pid=$!
	io_wait_log "$io_dir/b.events" '"state":"registered"' 10
	io_bctl "$cl_bc" "$io_dir/logs/bob-ctl-b.log" 'cmd:dial sip:alice@localhost' \
		wait:CALL_ESTABLISHED:10 sleep:1 cmd:hangup wait:CALL_CLOSED:5
	cl_rc=$?
	wait "$cl_sip_pid" || cl_rc=1
	[ "$(cl_states "$io_dir/b.events")" = "incoming answered ended " ] || cl_rc=1
	grep -q '"dir":"in",.*"state":"answered"' "$io_dir/b.events" || cl_rc=1
	grep -q '"state":"ended","code":0,"reason":"the far end hung up"' "$io_dir/b.events" || cl_rc=1
	cl_step "(b) baresip calls siptty via kamailio: auto-answered, ended by baresip's BYE" \
		$cl_rc "events $io_dir/b.events, log $io_dir/logs/b.log, bctl $io_dir/logs/bob-ctl-b.log"

	# (c) a SIPp UAS that is busy.
	io_sipp_bg "$io_dir/logs/c.sipp" 30 -sf "$cl_sc/uas-486.xml" -t u1 -i 127.0.0.1 \
		-p "$cl_up" -m 1 -trace_msg -message_file "$io_dir/logs/c.msg"
	cl_uas=$io_pid
	io_wait_port udp "$cl_up" 5
	cl_udp_conf "$io_dir/c.conf" "$cl_sp"
	cat > "$io_dir/c.script" <<-EOS
	# call tier (c): 486 from the far end
	key d
	type sip:sipp@127.0.0.1:$cl_up
	key Enter
	wait call state=failed 10
	expect "failed" 3
	EOS
	cl_siptty c "$io_dir/c.conf" "$io_dir/c.script"
	cl_rc=$?
	cl_k=50
	while [ $cl_k -gt 0 ] && kill -0 "$cl_uas" 2>/dev/null; do sleep 0.1; cl_k=$((cl_k - 1)); done
	kill -0 "$cl_uas" 2>/dev/null && cl_rc=1
	io_stop_pid "$cl_uas"
	grep -q '"state":"failed","code":486' "$io_dir/c.events" || cl_rc=1
	grep -q '^m=audio [0-9]* RTP/AVP 111 0 8 101' "$io_dir/logs/c.msg" || cl_rc=1
	cl_step "(c) a SIPp UAS answers 486: the call fails with code 486" $cl_rc \
		"events $io_dir/c.events, sipp $io_dir/logs/c.*"

	# (d) a SIPp UAC with no codec in common: 488.
	cl_udp_conf "$io_dir/d.conf" "$cl_sp"
	printf '# call tier (d): wait while SIPp calls\nsleep 4\n' > "$io_dir/d.script"
	cl_siptty d "$io_dir/d.conf" "$io_dir/d.script" &
	cl_sip_pid=$!
	io_wait_port udp "$cl_sp" 5
	io_sipp "$io_dir/logs/d.sipp" 20 "127.0.0.1:$cl_sp" -sf "$cl_sc/uac-g722.xml" -t u1 \
		-i 127.0.0.1 -p "$cl_rp" -s alice -m 1 -trace_msg -message_file "$io_dir/logs/d.msg"
	cl_rc=$?
	wait "$cl_sip_pid" || cl_rc=1
	grep -q 'SIP/2.0 488' "$io_dir/logs/d.msg" || cl_rc=1
	grep -q '"type":"call"' "$io_dir/d.events" && cl_rc=1
	cl_step "(d) an offer with no common codec (G.722, G.729 only) gets 488" $cl_rc \
		"sipp $io_dir/logs/d.*, log $io_dir/logs/d.log"

	# (e) CANCEL: the UAS rings for ever, siptty hangs up.
	io_sipp_bg "$io_dir/logs/e.sipp" 30 -sf "$cl_sc/uas-ring.xml" -t u1 -i 127.0.0.1 \
		-p "$cl_up" -m 1 -trace_msg -message_file "$io_dir/logs/e.msg"
	cl_uas=$io_pid
	io_wait_port udp "$cl_up" 5
	cl_udp_conf "$io_dir/e.conf" "$cl_sp"
	cat > "$io_dir/e.script" <<-EOS
	# call tier (e): hang up while it rings
	key d
	type sip:sipp@127.0.0.1:$cl_up
	key Enter
	wait call state=ringing 10
	key h
	wait call state=ended 10
	sleep 0.3
	EOS
	cl_siptty e "$io_dir/e.conf" "$io_dir/e.script"
	cl_rc=$?
	cl_k=50
	while [ $cl_k -gt 0 ] && kill -0 "$cl_uas" 2>/dev/null; do sleep 0.1; cl_k=$((cl_k - 1)); done
	kill -0 "$cl_uas" 2>/dev/null && cl_rc=1
	io_stop_pid "$cl_uas"
	grep -q '"state":"ended","code":487' "$io_dir/e.events" || cl_rc=1
	grep -q '^CANCEL sip:sipp@' "$io_dir/logs/e.msg" || cl_rc=1
	cl_step "(e) hanging up while it rings: CANCEL, 487, ACK; the call ends" $cl_rc \
		"events $io_dir/e.events, sipp $io_dir/logs/e.*"

	io_stop_all
}

io_missing=
io_need kamailio kamailio
io_need baresip baresip
io_need sipp sip-tester
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "call: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$cl_siptty" ]; then
	bad "call: $cl_siptty was not built"
else
	cl_run
fi
