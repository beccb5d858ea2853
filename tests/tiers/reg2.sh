# tests/tiers/reg2.sh - the rest of the signalling issue: registration
# refresh before a short expiry (SIPp), registration redone after its TLS
# flow dies (Kamailio restarted), SIPS never downgraded by a 3xx, a 416 or
# a 480 with Warning 380 (SIPp behind stunnel), a require_tls account that
# sends nothing to the UDP target of a 3xx, two accounts at once (TLS to
# Kamailio, UDP to SIPp; the call leaves from the account of the target's
# domain), OPTIONS pings, and Timers B and F with T1 = 50 ms against a UDP
# port that never answers.  Sourced by run-tests.sh (ok/bad, top_srcdir,
# top_builddir, logdir); every process is bounded by timeout and stopped by
# PID.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
r2_siptty=$top_builddir/src/siptty
r2_sc=$io_src/reg2

r2_step() {
	if [ "$2" -eq 0 ]; then ok "reg2: $1"; else bad "reg2: $1 (${3:-see $io_dir})"; fi
}

# r2_run_siptty NAME CONF SCRIPT [ARGS]: siptty headless, bounded; events in
# $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
r2_run_siptty() { io_siptty 45 "$@"; }

# r2_states FILE [ACCOUNT]: the reg states in order, space-separated.
r2_states() {
	grep '"type":"reg"' "$1" | grep "\"account\":\"${2:-[a-z]*}\"" |
		sed -n 's/.*"state":"\([a-z]*\)".*/\1/p' | tr '\n' ' '
}

# r2_mono FILE TYPE STATE [N]: mono_ms of the Nth (default 1st) event of
# TYPE in STATE.
r2_mono() {
	grep "\"type\":\"$2\".*\"state\":\"$3\"" "$1" | sed -n "${4:-1}p" |
		sed -n 's/.*"mono_ms":\([0-9]*\).*/\1/p'
}

# r2_wait_gone PID: lets a SIPp that should finish by itself end (5 s).
r2_wait_gone() {
	r2_k=50
	while [ $r2_k -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1; r2_k=$((r2_k - 1))
	done
	! kill -0 "$1" 2>/dev/null
}

# 1a. Refresh before expiry: SIPp grants 10 s.
r2_refresh() {
	r2_up=$(io_free_ports 1)
	io_sipp_bg "$io_dir/logs/refresh.sipp" 40 -sf "$r2_sc/uas-reg-short.xml" -t u1 \
		-i 127.0.0.1 -p "$r2_up" -key expires 10 -m 1 \
		-trace_msg -message_file "$io_dir/logs/refresh.msg"
	r2_uas=$io_pid
	io_wait_port udp "$r2_up" 5
	cat > "$io_dir/refresh.conf" <<-EOC
	[account alice]
	aor = sip:alice@127.0.0.1
	registrar = sip:127.0.0.1:$r2_up;transport=udp
	password = alicepw
	transport = udp
	require_tls = no
	expires = 3600
	EOC
	# 9 s after the first 200: the refresh must come before 10 s.
	printf 'wait reg state=registered 10\nsleep 9\n' > "$io_dir/refresh.script"
	r2_run_siptty refresh "$io_dir/refresh.conf" "$io_dir/refresh.script"
	r2_rc=$?
	r2_wait_gone "$r2_uas" || r2_rc=1
	io_stop_pid "$r2_uas"
	r2_ev=$io_dir/refresh.events
	[ "$(r2_states "$r2_ev")" = "registering registered unregistered " ] || r2_rc=1
	r2_nreg=$(grep -c '^Expires: 3600' "$io_dir/logs/refresh.msg")
	[ "$r2_nreg" -eq 2 ] || r2_rc=1
	grep -q '^Expires: 0' "$io_dir/logs/refresh.msg" || r2_rc=1
	r2_t=$(grep -c 'registered for 10 s' "$io_dir/logs/refresh.log")
	[ "$r2_t" -ge 2 ] || r2_rc=1
	r2_step "a registrar granting 10 s gets a refresh before they run out ($r2_nreg REGISTERs, then the unregister)" \
		$r2_rc "events $r2_ev, sipp $io_dir/logs/refresh.*, log $io_dir/logs/refresh.log"
}

# 1b. Kamailio restarted under a TLS registration: the flow is closed,
# siptty registers again on a new one.
r2_flow() {
	# shellcheck disable=SC2046
	set -- $(io_free_ports 1)
	r2_kp=$1
	if ! io_kamailio_start kam-flow1 "$r2_kp" "$((r2_kp + 1))" -A WITH_QOP; then
		bad "reg2: kamailio did not start (see $io_kam_log)"
		return
	fi
	r2_k1=$io_kam_pid
	cat > "$io_dir/flow.conf" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$((r2_kp + 1))
	password = alicepw
	expires = 120
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
	cat > "$io_dir/flow.script" <<-'EOS'
	# reg2: registered, the flow dies, registered again
	wait reg state=registered 10
	wait reg state=registering 20
	wait reg state=registered 30
	sleep 0.3
	EOS
	r2_run_siptty flow "$io_dir/flow.conf" "$io_dir/flow.script" &
	r2_sp=$!
	r2_rc=0
	io_wait_log "$io_dir/flow.events" '"state":"registered"' 10 || r2_rc=1
	io_stop_pid "$r2_k1"
	io_kamailio_start kam-flow2 "$r2_kp" "$((r2_kp + 1))" -A WITH_QOP || r2_rc=1
	r2_k2=$io_kam_pid
	wait "$r2_sp" || r2_rc=1
	io_stop_pid "$r2_k2"
	r2_ev=$io_dir/flow.events
	case "$(r2_states "$r2_ev")" in
	"registering registered registering registered unregistered ") ;;
	"registering registered registering failed registering registered unregistered ") ;;
	*) r2_rc=1 ;;
	esac
	grep -q 'flow closed' "$io_dir/logs/flow.log" || r2_rc=1
	grep -q "REGISTER auth OK for alice" "$io_dir/logs/kam-flow2.log" || r2_rc=1
	grep -q "REQ REGISTER sips:localhost:.*/tls" "$io_dir/logs/kam-flow2.log" || r2_rc=1
	r2_step "kamailio restarted: the closed TLS flow is noticed and alice registers again on a new one" \
		$r2_rc "events $r2_ev, log $io_dir/logs/flow.log, kamailio $io_dir/logs/kam-flow2.log"
}

# 2. SIPS never downgraded: SIPp (TCP) behind stunnel (TLS).
r2_sips() {
	# shellcheck disable=SC2046
	set -- $(io_free_ports 3)
	r2_tp=$1 r2_tls=$2 r2_bh=$3
	cat > "$io_dir/stunnel.conf" <<-EOC
	foreground = yes
	output = $io_dir/logs/stunnel.log
	debug = 5
	syslog = no
	[sip-tls]
	accept = 127.0.0.1:$r2_tls
	connect = 127.0.0.1:$r2_tp
	cert = $io_dir/certs/server.pem
	key = $io_dir/certs/server-key.pem
	EOC
	io_spawn "$io_dir/logs/stunnel.out" 120 stunnel4 "$io_dir/stunnel.conf"
	r2_stunnel=$io_pid
	if ! io_wait_port tcp "$r2_tls" 10; then
		bad "reg2: stunnel4 did not listen (see $io_dir/logs/stunnel.*)"
		io_stop_pid "$r2_stunnel"
		return
	fi
	# A UDP port that records whatever reaches it: nothing may.
	io_spawn "$io_dir/logs/sips-udp.bh" 120 python3 "$r2_sc/blackhole.py" "$r2_bh"
	r2_bhp=$io_pid
	io_wait_port udp "$r2_bh" 5
	cat > "$io_dir/sips.conf" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	register = no
	[account carol]
	aor = sip:carol@carol.invalid
	require_tls = yes
	register = no
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
	for r2_case in 302 416 480 302tls; do
		r2_target=sips:bob@127.0.0.1:$r2_tls
		case $r2_case in
		302) r2_st="302 Moved Temporarily"
			set -- -key hdr "Contact: <sip:bob@127.0.0.1:$r2_bh;transport=udp>"
			r2_why='redirected to sip:bob@127.0.0.1:[0-9]*;transport=udp, which is not a sips: or TLS address: the call was not retried, since a secure call is never downgraded' ;;
		416) r2_st="416 Unsupported URI Scheme"
			set -- -key hdr "X-Nothing: 1"
			r2_why='the far end does not take sips: addresses (416): the call was not retried with sip:' ;;
		480) r2_st="480 Temporarily Unavailable"
			set -- -key hdr 'Warning: 380 sipp "SIPS Not Allowed"'
			r2_why='the far end does not allow SIPS (480 with Warning 380): the call was not retried with sip:' ;;
		302tls) r2_st="302 Moved Temporarily"
			set -- -key hdr "Contact: <sip:bob@127.0.0.1:$r2_bh;transport=udp>"
			r2_target="sip:bob@carol.invalid" ;;
		esac
		r2_n=sips-$r2_case
		sed "s|@STATUS@|$r2_st|" "$r2_sc/uas-final.xml.in" > "$io_dir/uas-$r2_case.xml"
		io_sipp_bg "$io_dir/logs/$r2_n.sipp" 30 -sf "$io_dir/uas-$r2_case.xml" -t t1 \
			-i 127.0.0.1 -p "$r2_tp" "$@" -m 1 \
			-trace_msg -message_file "$io_dir/logs/$r2_n.msg"
		r2_uas=$io_pid
		io_wait_port tcp "$r2_tp" 5
		if [ "$r2_case" = 302tls ]; then
			# carol's target goes over TLS by its outbound proxy.
			sed -i "/^\[tls\]/i outbound_proxy = sip:localhost:$r2_tls;transport=tls" "$io_dir/sips.conf"
			r2_why='redirected to sip:bob@127.0.0.1:[0-9]*;transport=udp, which is not a sips: or TLS address'
		fi
		cat > "$io_dir/$r2_n.script" <<-EOS
		# reg2: SIPS never downgraded ($r2_case)
		key d
		type $r2_target
		key Enter
		wait call state=failed 10
		sleep 1
		EOS
		r2_run_siptty "$r2_n" "$io_dir/sips.conf" "$io_dir/$r2_n.script"
		r2_rc=$?
		r2_wait_gone "$r2_uas" || r2_rc=1
		io_stop_pid "$r2_uas"
		r2_ev=$io_dir/$r2_n.events
		grep -q "\"state\":\"failed\",\"code\":${r2_case%tls},\"reason\":\"$r2_why" "$r2_ev" || r2_rc=1
		[ "$(grep -c '"type":"call"' "$r2_ev")" -eq 2 ] || r2_rc=1
		[ "$(grep -c '^INVITE ' "$io_dir/logs/$r2_n.msg")" -eq 1 ] || r2_rc=1
		grep -q '^ACK ' "$io_dir/logs/$r2_n.msg" || r2_rc=1
		[ -s "$io_dir/logs/sips-udp.bh" ] && r2_rc=1
		case $r2_case in
		302tls) r2_what="a require_tls sip: account's call redirected (302) to a UDP target: nothing sent over UDP, failed with a reason" ;;
		*) r2_what="a sips: call over TLS answered $r2_case is not retried with sip: and fails with a reason naming the downgrade" ;;
		esac
		r2_step "$r2_what" $r2_rc "events $r2_ev, sipp $io_dir/logs/$r2_n.*, udp $io_dir/logs/sips-udp.bh"
	done
	io_stop_pid "$r2_bhp"
	io_stop_pid "$r2_stunnel"
}

# 3. Two accounts at once: alice over TLS to Kamailio, carol over UDP to a
# SIPp registrar; a call to carol's domain leaves from carol.
r2_multi() {
	# shellcheck disable=SC2046
	set -- $(io_free_ports 2)
	r2_kp=$1 r2_up=$2
	if ! io_kamailio_start kam-multi "$r2_kp" "$((r2_kp + 1))" -A WITH_QOP; then
		bad "reg2: kamailio did not start (see $io_kam_log)"
		return
	fi
	r2_k1=$io_kam_pid
	io_sipp_bg "$io_dir/logs/multi.sipp" 40 -sf "$r2_sc/uas-multi.xml" -t u1 \
		-i 127.0.0.1 -p "$r2_up" -m 2 \
		-trace_msg -message_file "$io_dir/logs/multi.msg"
	r2_uas=$io_pid
	io_wait_port udp "$r2_up" 5
	cat > "$io_dir/multi.conf" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$((r2_kp + 1))
	password = alicepw
	expires = 120
	[account carol]
	aor = sip:carol@127.0.0.1
	registrar = sip:127.0.0.1:$r2_up;transport=udp
	password = carolpw
	transport = udp
	require_tls = no
	expires = 60
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
	cat > "$io_dir/multi.script" <<-'EOS'
	# reg2: two accounts; a call from carol
	wait reg account=alice state=registered 10
	sleep 1
	key d
	type sip:bob@127.0.0.1
	key Enter
	wait call state=failed 10
	sleep 0.5
	EOS
	r2_run_siptty multi "$io_dir/multi.conf" "$io_dir/multi.script"
	r2_rc=$?
	r2_wait_gone "$r2_uas" || r2_rc=1
	io_stop_pid "$r2_uas"
	io_stop_pid "$r2_k1"
	r2_ev=$io_dir/multi.events
	[ "$(r2_states "$r2_ev" alice)" = "registering registered unregistered " ] || r2_rc=1
	[ "$(r2_states "$r2_ev" carol)" = "registering registered unregistered " ] || r2_rc=1
	grep -q '"account":"alice","state":"registered".*"transport":"TLS","verified":true' "$r2_ev" || r2_rc=1
	grep -q '"account":"carol","state":"registered".*"transport":"UDP"' "$r2_ev" || r2_rc=1
	grep -q '"type":"call".*"account":"carol".*"state":"failed","code":486' "$r2_ev" || r2_rc=1
	grep -q '^From: <sip:carol@127.0.0.1>' "$io_dir/logs/multi.msg" || r2_rc=1
	grep -q 'REQ INVITE' "$io_dir/logs/kam-multi.log" && r2_rc=1
	r2_step "two accounts registered at once (alice TLS at kamailio, carol UDP at SIPp); the call to 127.0.0.1 leaves from carol" \
		$r2_rc "events $r2_ev, sipp $io_dir/logs/multi.*, kamailio $io_dir/logs/kam-multi.log"
}

# 4. OPTIONS pings every second, answered by SIPp.
r2_ping() {
	r2_up=$(io_free_ports 1)
	io_sipp_bg "$io_dir/logs/ping.sipp" 30 -sf "$r2_sc/uas-options.xml" -t u1 \
		-i 127.0.0.1 -p "$r2_up" -m 3 \
		-trace_msg -message_file "$io_dir/logs/ping.msg"
	r2_uas=$io_pid
	io_wait_port udp "$r2_up" 5
	cat > "$io_dir/ping.conf" <<-EOC
	[account erin]
	aor = sip:erin@127.0.0.1
	registrar = sip:127.0.0.1:$r2_up
	transport = udp
	require_tls = no
	register = no
	options_ping = 1
	EOC
	printf '# reg2: pings\nsleep 3.6\n' > "$io_dir/ping.script"
	r2_run_siptty ping "$io_dir/ping.conf" "$io_dir/ping.script"
	r2_rc=$?
	r2_wait_gone "$r2_uas" || r2_rc=1
	io_stop_pid "$r2_uas"
	r2_np=$(grep -c '^OPTIONS sip:127.0.0.1' "$io_dir/logs/ping.msg")
	[ "$r2_np" -eq 3 ] || r2_rc=1
	grep -q 'OPTIONS ping .* failed' "$io_dir/logs/ping.log" && r2_rc=1
	r2_step "options_ping = 1: SIPp sees $r2_np OPTIONS in 3.6 s and answers each" $r2_rc \
		"sipp $io_dir/logs/ping.*, log $io_dir/logs/ping.log"
}

# 5. Timers F (REGISTER), B (INVITE) and a failed ping, T1 = 50 ms,
# against a UDP port that never answers: 64*T1 = 3.2 s.
r2_timers() {
	r2_bh=$(io_free_ports 1)
	io_spawn "$io_dir/logs/timers.bh" 60 python3 "$r2_sc/blackhole.py" "$r2_bh"
	r2_bhp=$io_pid
	io_wait_port udp "$r2_bh" 5
	cat > "$io_dir/timers.conf" <<-EOC
	[sip]
	t1_ms = 50
	[account dave]
	aor = sip:dave@127.0.0.1
	registrar = sip:127.0.0.1:$r2_bh
	password = davepw
	transport = udp
	require_tls = no
	expires = 60
	options_ping = 4
	EOC
	cat > "$io_dir/timers.script" <<-EOS
	# reg2: timers B and F
	wait reg state=failed 8
	key d
	type sip:bob@127.0.0.1:$r2_bh
	key Enter
	wait call state=failed 8
	sleep 1.5
	EOS
	r2_run_siptty timers "$io_dir/timers.conf" "$io_dir/timers.script"
	r2_rc=$?
	io_stop_pid "$r2_bhp"
	r2_ev=$io_dir/timers.events
	grep -q '"state":"failed","code":408,"reason":"the registrar did not answer"' "$r2_ev" || r2_rc=1
	r2_t0=$(r2_mono "$r2_ev" reg registering)
	r2_t1=$(r2_mono "$r2_ev" reg failed)
	r2_f=$(( ${r2_t1:-0} - ${r2_t0:-0} ))
	[ "$r2_f" -ge 3100 ] && [ "$r2_f" -le 4500 ] || r2_rc=1
	r2_nr=$(grep -c ' REGISTER sip:' "$io_dir/logs/timers.bh")
	[ "$r2_nr" -ge 6 ] || r2_rc=1
	r2_step "Timer F: REGISTER to a silent UDP port fails with 408 after ${r2_f} ms (64*T1 = 3200), $r2_nr transmissions" \
		$r2_rc "events $r2_ev, datagrams $io_dir/logs/timers.bh"
	r2_rc=0
	grep -q '"type":"call".*"state":"failed","code":408,"reason":"no answer from the network"' "$r2_ev" || r2_rc=1
	r2_t0=$(r2_mono "$r2_ev" call calling)
	r2_t1=$(r2_mono "$r2_ev" call failed)
	r2_b=$(( ${r2_t1:-0} - ${r2_t0:-0} ))
	[ "$r2_b" -ge 3100 ] && [ "$r2_b" -le 4500 ] || r2_rc=1
	r2_ni=$(grep -c ' INVITE sip:bob' "$io_dir/logs/timers.bh")
	[ "$r2_ni" -ge 6 ] || r2_rc=1
	r2_step "Timer B: INVITE to a silent UDP port fails with 408 after ${r2_b} ms (64*T1 = 3200), $r2_ni transmissions" \
		$r2_rc "events $r2_ev, datagrams $io_dir/logs/timers.bh"
	r2_rc=0
	grep -q ' OPTIONS sip:127.0.0.1' "$io_dir/logs/timers.bh" || r2_rc=1
	grep -q 'OPTIONS ping to sip:127.0.0.1:[0-9]* failed: no answer' "$io_dir/logs/timers.log" || r2_rc=1
	r2_step "an OPTIONS ping nobody answers is logged as failed" $r2_rc \
		"log $io_dir/logs/timers.log, datagrams $io_dir/logs/timers.bh"
}

r2_all() {
	io_workdir "$logdir" reg2 || { bad "reg2: cannot make a work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "reg2: certtool could not make the test certificates"; return; }
	r2_refresh
	r2_flow
	r2_sips
	r2_multi
	r2_ping
	r2_timers
	io_stop_all
}

io_missing=
io_need kamailio kamailio
io_need sipp sip-tester
io_need stunnel4 stunnel4
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "reg2: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$r2_siptty" ]; then
	bad "reg2: $r2_siptty was not built"
else
	r2_all
fi
