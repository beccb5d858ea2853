# tests/tiers/reg3.sh - the last gaps of the signalling issue: RFC 3263
# failover to the next SRV target with a new branch (dnsmasq serving SRV,
# SIPp answering 503 at priority 10 and 200 at priority 20), and
# Service-Route (RFC 3608) pre-loaded on the next INVITE, with Supported:
# path on REGISTER.  Sourced by run-tests.sh (ok/bad, top_srcdir,
# top_builddir, logdir); every process is bounded by timeout and stopped
# by PID.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
r3_siptty=$top_builddir/src/siptty
r3_sc=$io_src/reg3
r3_dnsmasq=
for r3_b in /usr/sbin/dnsmasq "$(command -v dnsmasq 2>/dev/null)"; do
	[ -n "$r3_b" ] && [ -x "$r3_b" ] && { r3_dnsmasq=$r3_b; break; }
done

r3_step() {
	if [ "$2" -eq 0 ]; then ok "reg3: $1"; else bad "reg3: $1 (${3:-see $io_dir})"; fi
}

# r3_run_siptty NAME CONF SCRIPT: siptty headless, bounded; events in
# $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
r3_run_siptty() { io_siptty 45 "$@"; }

# r3_states FILE: the reg states in order, space-separated.
r3_states() { io_states reg "$1"; }

# r3_dns_start CONF: dnsmasq with CONF on a free port, like tests/tiers/dns.sh;
# sets r3_dns_pid (the timeout wrapper, stopped with io_stop_pid) and r3_dns_port.
r3_dns_start() {
	r3_dns_pid= r3_dns_port=
	for r3_try in 1 2 3 4; do
		r3_dns_port=$(io_free_ports 1) || return 1
		rm -f "$io_dir/dnsmasq.pid"
		io_spawn "$io_dir/logs/dnsmasq-$r3_try.log" 120 "$r3_dnsmasq" \
			--keep-in-foreground --no-resolv --no-hosts \
			--conf-file="$1" --port="$r3_dns_port" \
			--listen-address=127.0.0.1 --bind-interfaces \
			--pid-file="$io_dir/dnsmasq.pid" --log-queries --log-facility=-
		r3_dns_pid=$io_pid
		r3_n=50
		while [ $r3_n -gt 0 ] && [ ! -s "$io_dir/dnsmasq.pid" ] &&
		      kill -0 "$r3_dns_pid" 2>/dev/null; do
			sleep 0.1
			r3_n=$((r3_n - 1))
		done
		[ -s "$io_dir/dnsmasq.pid" ] && kill -0 "$r3_dns_pid" 2>/dev/null &&
			return 0
		io_stop_pid "$r3_dns_pid"
		r3_dns_pid=
	done
	return 1
}

# 1. RFC 3263 section 4.3: a 503 from the first SRV target sends the
# REGISTER to the next one, as a new transaction (new Via branch).
r3_failover() {
	# shellcheck disable=SC2046
	set -- $(io_free_ports 2)
	r3_p1=$1 r3_p2=$2
	cat > "$io_dir/failover.dnsmasq" <<-EOC
	local=/test/
	srv-host=_sip._udp.fo.test,a1.fo.test,$r3_p1,10,0
	srv-host=_sip._udp.fo.test,a2.fo.test,$r3_p2,20,0
	host-record=a1.fo.test,127.0.0.1
	host-record=a2.fo.test,127.0.0.1
	host-record=fo.test,127.0.0.1
	EOC
	if ! r3_dns_start "$io_dir/failover.dnsmasq"; then
		bad "reg3: dnsmasq did not start (see $io_dir/logs/dnsmasq-*.log)"
		return
	fi
	io_sipp_bg "$io_dir/logs/fo503.sipp" 40 -sf "$r3_sc/uas-503.xml" -t u1 \
		-i 127.0.0.1 -p "$r3_p1" -m 1 \
		-trace_msg -message_file "$io_dir/logs/fo503.msg"
	r3_u1=$io_pid
	io_sipp_bg "$io_dir/logs/fo200.sipp" 40 -sf "$r3_sc/uas-reg-sr.xml" -t u1 \
		-i 127.0.0.1 -p "$r3_p2" -key sr "X-Reg3: none" -m 1 \
		-trace_msg -message_file "$io_dir/logs/fo200.msg"
	r3_u2=$io_pid
	r3_rc=0
	io_wait_port udp "$r3_p1" 5 || r3_rc=1
	io_wait_port udp "$r3_p2" 5 || r3_rc=1
	cat > "$io_dir/failover.conf" <<-EOC
	[sip]
	dns_servers = 127.0.0.1:$r3_dns_port
	[account alice]
	aor = sip:alice@fo.test
	registrar = sip:fo.test
	password = alicepw
	transport = udp
	require_tls = no
	expires = 60
	EOC
	printf '# reg3: failover\nwait reg state=registered 10\nsleep 0.3\n' \
		> "$io_dir/failover.script"
	r3_run_siptty failover "$io_dir/failover.conf" "$io_dir/failover.script" ||
		r3_rc=1
	io_stop_pid "$r3_u1"
	io_stop_pid "$r3_u2"
	io_stop_pid "$r3_dns_pid"
	r3_ev=$io_dir/failover.events
	[ "$(r3_states "$r3_ev")" = "registering registered unregistered " ] || r3_rc=1
	grep -q '_sip._udp.fo.test' "$io_dir"/logs/dnsmasq-*.log || r3_rc=1
	r3_b1=$(sed -n 's/^Via: .*;branch=\([^;[:space:]]*\).*/\1/p' \
		"$io_dir/logs/fo503.msg" | head -n 1)
	r3_b2=$(sed -n 's/^Via: .*;branch=\([^;[:space:]]*\).*/\1/p' \
		"$io_dir/logs/fo200.msg" | head -n 1)
	r3_n1=$(grep -c '^REGISTER sip:fo.test' "$io_dir/logs/fo503.msg")
	r3_n2=$(grep -c '^REGISTER sip:fo.test' "$io_dir/logs/fo200.msg")
	[ "$r3_n1" -eq 1 ] && [ "$r3_n2" -eq 2 ] || r3_rc=1
	case $r3_b1 in z9hG4bK?*) ;; *) r3_rc=1 ;; esac
	case $r3_b2 in z9hG4bK?*) ;; *) r3_rc=1 ;; esac
	[ "$r3_b1" != "$r3_b2" ] || r3_rc=1
	r3_step "RFC 3263: 503 from the priority-10 SRV target, registered at the priority-20 one with a new branch ($r3_b1 then $r3_b2)" \
		$r3_rc "events $r3_ev, sipp $io_dir/logs/fo*.msg, dnsmasq $io_dir/logs/dnsmasq-*.log"
}

# 2. RFC 3608: the Service-Route of the 200 is the pre-loaded Route set of
# the next INVITE, and it is where the INVITE goes (a sink that never
# answers; the call is hung up).  RFC 3327: Supported: path on REGISTER.
r3_sroute() {
	# shellcheck disable=SC2046
	set -- $(io_free_ports 2)
	r3_rp=$1 r3_sk=$2
	io_spawn "$io_dir/logs/sroute.sink" 60 python3 "$r3_sc/sink.py" "$r3_sk"
	r3_sink=$io_pid
	io_sipp_bg "$io_dir/logs/sroute.sipp" 40 -sf "$r3_sc/uas-reg-sr.xml" -t u1 \
		-i 127.0.0.1 -p "$r3_rp" -m 1 \
		-key sr "Service-Route: <sip:127.0.0.1:$r3_sk;lr>, <sip:orig@edge.test;lr>" \
		-trace_msg -message_file "$io_dir/logs/sroute.msg"
	r3_uas=$io_pid
	r3_rc=0
	io_wait_port udp "$r3_rp" 5 || r3_rc=1
	io_wait_port udp "$r3_sk" 5 || r3_rc=1
	cat > "$io_dir/sroute.conf" <<-EOC
	[account alice]
	aor = sip:alice@127.0.0.1
	registrar = sip:127.0.0.1:$r3_rp
	password = alicepw
	transport = udp
	require_tls = no
	expires = 60
	EOC
	cat > "$io_dir/sroute.script" <<-EOS
	# reg3: Service-Route
	wait reg state=registered 10
	key d
	type sip:bob@127.0.0.1:$r3_rp
	key Enter
	wait call state=calling 5
	sleep 0.5
	key h
	sleep 0.3
	EOS
	r3_run_siptty sroute "$io_dir/sroute.conf" "$io_dir/sroute.script" ||
		r3_rc=1
	io_stop_pid "$r3_uas"
	io_stop_pid "$r3_sink"
	r3_inv=$(awk '/^INVITE /{f=1} f{print} /^----$/{if (f) exit}' \
		"$io_dir/logs/sroute.sink")
	printf '%s\n' "$r3_inv" > "$io_dir/sroute.invite"
	printf '%s\n' "$r3_inv" | grep -q "^INVITE sip:bob@127.0.0.1:$r3_rp" || r3_rc=1
	r3_routes=$(printf '%s\n' "$r3_inv" | sed -n 's/^Route: *//p' | tr '\n' ',' |
		sed 's/, */,/g; s/,$//')
	[ "$r3_routes" = "<sip:127.0.0.1:$r3_sk;lr>,<sip:orig@edge.test;lr>" ] || r3_rc=1
	r3_step "RFC 3608: the INVITE after the REGISTER carries the Service-Route as its Route set and goes to its first hop (Route: $r3_routes)" \
		$r3_rc "INVITE seen $io_dir/sroute.invite, log $io_dir/logs/sroute.log"
	r3_rc=0
	r3_np=$(grep -ci '^Supported:.*\bpath\b' "$io_dir/logs/sroute.msg")
	r3_nr=$(grep -c '^REGISTER sip:' "$io_dir/logs/sroute.msg")
	[ "$r3_nr" -ge 1 ] && [ "$r3_np" -eq "$r3_nr" ] || r3_rc=1
	r3_step "RFC 3327: every REGISTER advertises Supported: path ($r3_np of $r3_nr)" \
		$r3_rc "sipp $io_dir/logs/sroute.msg"
}

# r3_calls FILE CALL: the states of call CALL in order, space-separated.
r3_calls() {
	grep "\"type\":\"call\",\"call\":$2," "$1" |
		sed -n 's/.*"state":"\([a-z-]*\)".*/\1/p' | tr '\n' ' '
}

# 3. A second call while one is up: SIPp calls twice, 2 s apart; siptty
# answers the first, then answers the second, which puts the first on
# hold (re-INVITE sendonly); then both are hung up.
r3_second() {
	# shellcheck disable=SC2046
	set -- $(io_free_ports 2)
	r3_sp=$1 r3_cp=$2
	cat > "$io_dir/second.conf" <<-EOC
	[sip]
	listen = 127.0.0.1:$r3_sp
	[account alice]
	aor = sip:alice@127.0.0.1
	password = alicepw
	transport = udp
	require_tls = no
	register = no
	EOC
	cat > "$io_dir/second.script" <<-'EOS'
	# reg3: answer one call, then a second: the first goes on hold
	# (answering is immediate, the hold waits for SIPp's 200)
	wait call call=1 state=incoming 10
	key a
	wait call call=1 state=answered 5
	wait call call=2 state=incoming 10
	key a
	wait call call=2 state=answered 5
	wait call call=1 state=held 5
	sleep 0.5
	key h
	wait call call=2 state=ended 5
	key Tab
	key h
	wait call call=1 state=ended 5
	sleep 0.3
	EOS
	r3_rc=0
	r3_run_siptty second "$io_dir/second.conf" "$io_dir/second.script" &
	r3_sip=$!
	io_wait_port udp "$r3_sp" 5 || r3_rc=1
	io_sipp "$io_dir/logs/second.sipp" 30 "127.0.0.1:$r3_sp" -sf "$r3_sc/uac-two.xml" \
		-t u1 -i 127.0.0.1 -p "$r3_cp" -s alice -m 2 -l 2 -r 1 -rp 2000 \
		-trace_msg -message_file "$io_dir/logs/second.msg" || r3_rc=1
	wait "$r3_sip" || r3_rc=1
	r3_ev=$io_dir/second.events
	r3_s1=$(r3_calls "$r3_ev" 1) r3_s2=$(r3_calls "$r3_ev" 2)
	[ "$r3_s1" = "incoming answered held ended " ] || r3_rc=1
	[ "$r3_s2" = "incoming answered ended " ] || r3_rc=1
	# SIPp received exactly one re-INVITE, for the first call, sendonly.
	r3_ri=$(awk '/^INVITE sip:sipp@/ { f = 1; n++ } f && /^Call-ID:/ { id = $2 }
		f && /^a=sendonly/ { s++ } /^-----/ { f = 0 }
		END { print n + 0, s + 0, id }' "$io_dir/logs/second.msg")
	case $r3_ri in "1 1 1-"*) ;; *) r3_rc=1 ;; esac
	[ "$(grep -c '^BYE sip:sipp@' "$io_dir/logs/second.msg")" -eq 2 ] || r3_rc=1
	r3_step "a second call while one is up: answering it holds the first (re-INVITE sendonly), both hung up (call 1: $r3_s1; call 2: $r3_s2)" \
		$r3_rc "events $r3_ev, sipp $io_dir/logs/second.*, log $io_dir/logs/second.log"
}

# 4. RFC 3261 22: an OPTIONS ping challenged with 401 is sent again with
# credentials (same Call-ID, next CSeq); SIPp checks the digest.
r3_ping() {
	r3_up=$(io_free_ports 1)
	io_sipp_bg "$io_dir/logs/ping.sipp" 30 -sf "$r3_sc/uas-options-401.xml" -t u1 \
		-i 127.0.0.1 -p "$r3_up" -m 1 \
		-trace_msg -message_file "$io_dir/logs/ping.msg"
	r3_uas=$io_pid
	r3_rc=0
	io_wait_port udp "$r3_up" 5 || r3_rc=1
	cat > "$io_dir/ping.conf" <<-EOC
	[account alice]
	aor = sip:alice@127.0.0.1
	registrar = sip:127.0.0.1:$r3_up
	password = alicepw
	transport = udp
	require_tls = no
	register = no
	options_ping = 1
	EOC
	printf '# reg3: a challenged ping\nsleep 1.8\n' > "$io_dir/ping.script"
	r3_run_siptty ping "$io_dir/ping.conf" "$io_dir/ping.script" || r3_rc=1
	r3_k=50
	while [ $r3_k -gt 0 ] && kill -0 "$r3_uas" 2>/dev/null; do
		sleep 0.1; r3_k=$((r3_k - 1))
	done
	kill -0 "$r3_uas" 2>/dev/null && r3_rc=1
	io_stop_pid "$r3_uas"
	r3_m=$io_dir/logs/ping.msg
	[ "$(grep -c '^OPTIONS sip:127.0.0.1' "$r3_m")" -eq 2 ] || r3_rc=1
	[ "$(grep -c '^CSeq: 1 OPTIONS' "$r3_m")" -ge 2 ] || r3_rc=1
	[ "$(grep -c '^CSeq: 2 OPTIONS' "$r3_m")" -ge 2 ] || r3_rc=1
	grep -q '^Authorization: Digest .*username="alice"' "$r3_m" || r3_rc=1
	grep -q '^SIP/2.0 200 OK' "$r3_m" || r3_rc=1
	grep -q '^SIP/2.0 403' "$r3_m" && r3_rc=1
	grep -q 'OPTIONS .*\(failed\|challenge\|refuses\)' "$io_dir/logs/ping.log" && r3_rc=1
	r3_step "an OPTIONS ping challenged with 401 is sent again with a digest SIPp verifies (CSeq 2, 200)" \
		$r3_rc "sipp $io_dir/logs/ping.*, log $io_dir/logs/ping.log"
}

r3_all() {
	io_workdir "$logdir" reg3 || { bad "reg3: cannot make a work directory"; return; }
	r3_failover
	r3_sroute
	r3_second
	r3_ping
	io_stop_all
}

io_missing=
io_need sipp sip-tester
io_need python3 python3
[ -n "$r3_dnsmasq" ] || io_missing="$io_missing dnsmasq-base"
if [ -n "$io_missing" ]; then
	bad "reg3: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$r3_siptty" ]; then
	bad "reg3: $r3_siptty was not built"
else
	r3_all
fi
