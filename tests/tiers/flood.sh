# tests/tiers/flood.sh - flood tier: hostile peers cost bounded connections,
# memory and log lines.  A running siptty --headless (a sip: account that
# does not register; [sip] listen on a free loopback port; t1_ms 50,
# tcp_first_message_s 5, tcp_idle_s 5, tcp_max_connections 40,
# tcp_max_per_address 16) meets, from tests/interop/flood/flood.py and
# tests/interop/badin/sipsend.py:
#  (a) 300 idle TCP connections from 127.0.0.1-3 and one that only pings:
#      exactly as many kept as the caps allow (16, 16, 7 and the pinger),
#      the rest accepted and closed at once, with at most 2 log lines about
#      them; an OPTIONS over UDP answered meanwhile, one over a fresh TCP
#      connection refused while the total is full; VmRSS within 4 MiB of
#      before;
#  (b) the kept ones, pinger included (pings are no SIP message), closed by
#      siptty 5 s (the first-message bound) after they opened, then an
#      OPTIONS over a fresh TCP connection answered;
#  (c) a TCP connection that sends an OPTIONS and falls silent: closed
#      after tcp_idle_s (5 s, checked every 5 s: within 12 s);
#  (d) 20000 malformed datagrams in 4 s: at most 300 log lines meanwhile
#      (every receive-path line is rate-limited), every OPTIONS probe during
#      the burst and one after it answered;
#  and then stops cleanly on TERM with no sanitizer report.
# Sourced by run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir,
# logdir); every process is bounded by timeout and stopped by PID.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
fl_siptty=$top_builddir/src/siptty
fl_py=$io_src/flood/flood.py
fl_send=$io_src/badin/sipsend.py
fl_rss_slack_kb=4096

fl_step() {
	if [ "$2" -eq 0 ]; then ok "flood: $1"; else bad "flood: $1 (${3:-see $io_dir})"; fi
}

fl_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

fl_lines() {
	wc -l < "$fl_log" 2>/dev/null || echo 0
}

fl_run() {
	io_workdir "$logdir" flood || { bad "flood: cannot make a work directory"; return; }
	fl_port=$(io_free_ports 1) || { bad "flood: no free port on 127.0.0.1"; return; }
	io_udp_conf "$io_dir/flood.conf" "$fl_port" "t1_ms = 50" \
		"tcp_first_message_s = 5" "tcp_idle_s = 5" \
		"tcp_max_connections = 40" "tcp_max_per_address = 16"
	fl_log=$io_dir/logs/flood.log
	# Under AddressSanitizer freed memory sits in a quarantine RSS counts.
	fl_asan=${ASAN_OPTIONS:-}
	export ASAN_OPTIONS="${fl_asan:+$fl_asan:}quarantine_size_mb=1"
	io_spawn "$io_dir/logs/flood.out" 120 "$fl_siptty" --headless --null-audio \
		-c "$io_dir/flood.conf" --events "$io_dir/flood.events" --log "$fl_log"
	fl_pid=$io_pid
	export ASAN_OPTIONS="$fl_asan"
	if ! io_wait_port udp "$fl_port" 10 || ! io_wait_port tcp "$fl_port" 5; then
		bad "flood: siptty did not listen on UDP and TCP port $fl_port (see $io_dir/logs)"
		io_stop_all
		return
	fi
	fl_spid=$(pgrep -P "$fl_pid" | head -n 1)

	# (a) and (b)
	fl_rss0=$(fl_rss "$fl_spid")
	timeout 60 python3 "$fl_py" conns "$fl_port" 127.0.0.1,127.0.0.2,127.0.0.3 100 5 40 16 \
		> "$io_dir/logs/conns.res" 2>&1
	fl_rc=$?
	fl_rss1=$(fl_rss "$fl_spid")
	fl_refused=$(grep -c 'connection from .* refused' "$fl_log")
	[ "$fl_refused" -ge 1 ] && [ "$fl_refused" -le 2 ] || fl_rc=1
	[ -n "$fl_rss0" ] && [ -n "$fl_rss1" ] &&
		[ "$fl_rss1" -le $((fl_rss0 + fl_rss_slack_kb)) ] || fl_rc=1
	grep -q 'sent no SIP message within 5 s' "$fl_log" || fl_rc=1
	fl_step "(a, b) 301 connections against caps 40 and 16: $(cat "$io_dir/logs/conns.res"); $fl_refused log lines about refusals; VmRSS ${fl_rss0:-?} -> ${fl_rss1:-?} kB" \
		$fl_rc "see $io_dir/logs/conns.res, $fl_log"

	# (c)
	timeout 30 python3 "$fl_py" quiet "$fl_port" 4.5 12 > "$io_dir/logs/quiet.res" 2>&1
	fl_rc=$?
	grep -q 'closing an incoming connection unused for' "$fl_log" || fl_rc=1
	fl_step "(c) a connection silent after its OPTIONS, closed after tcp_idle_s: $(cat "$io_dir/logs/quiet.res")" \
		$fl_rc "see $io_dir/logs/quiet.res, $fl_log"

	# (d)
	fl_l0=$(fl_lines)
	timeout 60 python3 "$fl_send" burst "$fl_port" 20000 4 "${SIPTTY_BADIN_SEED:-4475}" \
		> "$io_dir/logs/burst.res" 2>&1
	fl_rc=$?
	sleep 0.5
	fl_l1=$(fl_lines)
	python3 "$fl_send" options "$fl_port" udp 2 > "$io_dir/logs/after.res" 2>&1 || fl_rc=1
	[ $((fl_l1 - fl_l0)) -le 300 ] || fl_rc=1
	grep -q 'similar messages suppressed' "$fl_log" || fl_rc=1
	fl_step "(d) 20000 malformed datagrams: $(cat "$io_dir/logs/burst.res"); $((fl_l1 - fl_l0)) log lines meanwhile; OPTIONS after: $(cat "$io_dir/logs/after.res")" \
		$fl_rc "see $io_dir/logs/burst.res, $fl_log"

	fl_rc=0
	kill -0 "$fl_spid" 2>/dev/null || fl_rc=1
	io_stop_pid "$fl_pid"
	grep -q '"type":"stop"' "$io_dir/flood.events" || fl_rc=1
	! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer|Segmentation|Aborted' \
		"$io_dir/logs/flood.out" || fl_rc=1
	fl_step "alive after the floods, stopped cleanly on TERM, no sanitizer report" $fl_rc \
		"see $io_dir/logs/flood.out"
	io_stop_all
}

io_missing=
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "flood: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$fl_siptty" ]; then
	bad "flood: $fl_siptty was not built"
else
	fl_run
fi
