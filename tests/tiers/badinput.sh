# tests/tiers/badinput.sh - bad-input tier: malformed input from the network
# never crashes, blocks or leaks.  A running siptty --headless (a sip:
# account that does not register, [sip] listen on a free loopback port for
# UDP and TCP) is sent, by tests/interop/badin/sipsend.py:
#  (a) each RFC 4475 message over UDP, and over TCP to a second instance (the
#      same message twice within Timer J would rightly be a retransmission):
#      the answer must be the one SPECS.md section 9 names (rfc4475.expect
#      for the invalid ones, badin/ua.expect for what a UA answers to the
#      valid ones; "drop" is no answer within 1 s), one check per file and
#      transport; then siptty must still answer an OPTIONS and be alive;
#  (b) a TCP peer that sends half a message and stalls: OPTIONS over UDP
#      and over another TCP connection answered within 1 s meanwhile, the
#      stalled connection closed within the idle bound (32 s, transport.h);
#  (c) 20000 garbage datagrams in 8 s: every OPTIONS probe during the burst
#      answered, VmRSS after the burst within 8 MiB of before, and the UI
#      redrawing all along (a keystroke script opens and closes the help
#      overlay and checks the screen during the burst; its screen dump at
#      exit is whole).
# Sourced by run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir,
# logdir); every process is bounded by timeout and stopped by PID.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
bi_siptty=$top_builddir/src/siptty
bi_send=$io_src/badin/sipsend.py
bi_rss_slack_kb=8192

bi_step() {
	if [ "$2" -eq 0 ]; then ok "badin: $1"; else bad "badin: $1 (${3:-see $io_dir})"; fi
}

# bi_conf FILE PORT: a sip: account that does not register; listen on PORT.
bi_conf() {
	cat > "$1" <<-EOC
	[sip]
	listen = 127.0.0.1:$2
	[account alice]
	aor = sip:alice@127.0.0.1
	password = alicepw
	transport = udp
	require_tls = no
	register = no
	EOC
}

# bi_start NAME PORT [OPTION]...: siptty headless in the background, for at
# most 150 s; waits for its UDP and TCP sockets.  Sets bi_pid (the timeout
# wrapper) and bi_spid (siptty itself, for /proc).
bi_start() {
	bi_n=$1 bi_p=$2
	shift 2
	bi_conf "$io_dir/$bi_n.conf" "$bi_p"
	io_spawn "$io_dir/logs/$bi_n.out" 150 "$bi_siptty" --headless --null-audio -d \
		-c "$io_dir/$bi_n.conf" --events "$io_dir/$bi_n.events" \
		--log "$io_dir/logs/$bi_n.log" "$@"
	bi_pid=$io_pid
	io_wait_port udp "$bi_p" 10 && io_wait_port tcp "$bi_p" 5 || return 1
	# The wrapper's child, by parent PID (pgrep -P: no /proc race).
	bi_spid=$(pgrep -P "$bi_pid" | head -n 1)
	[ -n "$bi_spid" ]
}

bi_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# bi_clean NAME: no sanitizer report and no crash message in its output.
bi_clean() {
	! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer|Segmentation|Aborted' \
		"$io_dir/logs/$1.out"
}

bi_torture() {
	# bi_torture TP PORT: (a) over one transport, on its own instance.
	bi_tp=$1 bi_tport=$2
	if ! bi_start "torture-$bi_tp" "$bi_tport"; then
		bad "badin: (a) siptty did not listen on UDP and TCP port $bi_tport (see $io_dir/logs)"
		io_stop_pid "$bi_pid"
		return 1
	fi
	timeout 300 python3 "$bi_send" torture "$bi_tport" "$bi_tp" \
		"$SIPTTY_TESTDATA/rfc4475" "$SIPTTY_TESTDATA/rfc4475.expect" \
		"$io_src/badin/ua.expect" > "$io_dir/logs/torture-$bi_tp.res" 2>&1
	bi_nres=0
	while read -r bi_v bi_f bi_t bi_rest; do
		case $bi_v in
		ok) bi_nres=$((bi_nres + 1)); ok "badin: (a) $bi_f over $bi_t: $bi_rest" ;;
		FAIL) bi_nres=$((bi_nres + 1)); bad "badin: (a) $bi_f over $bi_t: $bi_rest" ;;
		esac
	done < "$io_dir/logs/torture-$bi_tp.res"
	bi_rc=0
	bi_want=$(ls "$SIPTTY_TESTDATA"/rfc4475/*.dat | wc -l)
	[ "$bi_nres" -eq "$bi_want" ] || bi_rc=1
	python3 "$bi_send" options "$bi_tport" "$bi_tp" 2 > "$io_dir/logs/torture-$bi_tp.opt" 2>&1 ||
		bi_rc=1
	kill -0 "$bi_spid" 2>/dev/null || bi_rc=1
	bi_step "(a) after $bi_nres of $bi_want RFC 4475 messages over $bi_tp, siptty is alive and answers OPTIONS" \
		$bi_rc "results $io_dir/logs/torture-$bi_tp.res, log $io_dir/logs/torture-$bi_tp.log"
}

bi_run() {
	io_workdir "$logdir" badin || { bad "badin: cannot make a work directory"; return; }
	bi_ports=$(io_free_ports 3) || { bad "badin: no free ports on 127.0.0.1"; return; }
	# shellcheck disable=SC2086
	set -- $bi_ports
	bi_up=$1 bi_tcp=$2 bi_uip=$3

	# (a) over UDP.
	bi_torture udp "$bi_up"
	bi_up_pid=$bi_pid
	# (a) over TCP, then (b) on the same instance.
	bi_torture tcp "$bi_tcp"
	bi_tcp_pid=$bi_pid
	python3 "$bi_send" stall "$bi_tcp" 40 > "$io_dir/logs/stall.res" 2>&1
	bi_rc=$?
	kill -0 "$bi_spid" 2>/dev/null || bi_rc=1
	grep -q 'sent an incomplete message and stopped' "$io_dir/logs/torture-tcp.log" || bi_rc=1
	bi_step "(b) half a message on TCP, stalled: others answered at once, closed after the idle bound ($(cat "$io_dir/logs/stall.res"))" \
		$bi_rc "see $io_dir/logs/stall.res, $io_dir/logs/torture-tcp.log"
	for bi_p in $bi_up_pid $bi_tcp_pid; do
		io_stop_pid "$bi_p"
	done
	bi_rc=0
	bi_clean torture-udp && bi_clean torture-tcp || bi_rc=1
	grep -q '"type":"stop"' "$io_dir/torture-udp.events" || bi_rc=1
	grep -q '"type":"stop"' "$io_dir/torture-tcp.events" || bi_rc=1
	bi_step "(a, b) both instances stopped cleanly on TERM, no sanitizer report" $bi_rc \
		"see $io_dir/logs/torture-*.out"

	# (c) a garbage burst while a script works the UI.
	{
		echo '# badinput tier (c): the UI keeps redrawing during a garbage burst'
		echo 'wait call state=incoming peer=sip:start@127.0.0.1 20'
		echo 'key h'
		echo 'wait call state=ended 5'
		bi_k=0
		while [ $bi_k -lt 30 ]; do
			echo 'key ?'
			echo 'wait ui view=help open=true 2'
			echo 'expect "q +quit" 2'
			echo 'key Esc'
			echo 'wait ui view=help open=false 2'
			echo 'sleep 0.2'
			bi_k=$((bi_k + 1))
		done
		echo 'wait call state=incoming peer=sip:sync@127.0.0.1 40'
		echo 'key h'
		echo 'wait call state=ended 5'
		echo 'expect "alice: not registered" 2'
	} > "$io_dir/burst.script"
	# Under AddressSanitizer freed memory sits in a 256 MiB quarantine,
	# which RSS would count; a small one keeps the comparison meaningful.
	bi_asan=${ASAN_OPTIONS:-}
	export ASAN_OPTIONS="${bi_asan:+$bi_asan:}quarantine_size_mb=1"
	bi_start burst "$bi_uip" --script "$io_dir/burst.script" \
		--screen-dump "$io_dir/burst.screen"
	bi_rc=$?
	export ASAN_OPTIONS="$bi_asan"
	if [ $bi_rc -ne 0 ]; then
		bad "badin: (c) siptty did not listen on port $bi_uip (see $io_dir/logs)"
		io_stop_all
		return
	fi
	bi_rc=0
	python3 "$bi_send" invite "$bi_uip" start 10 > "$io_dir/logs/burst-start.res" 2>&1 || bi_rc=1
	bi_rss0=$(bi_rss "$bi_spid")
	python3 "$bi_send" burst "$bi_uip" 20000 8 "${SIPTTY_BADIN_SEED:-4475}" \
		> "$io_dir/logs/burst.res" 2>&1 || bi_rc=1
	sleep 1
	bi_rss1=$(bi_rss "$bi_spid")
	python3 "$bi_send" options "$bi_uip" udp 2 > "$io_dir/logs/burst-after.res" 2>&1 || bi_rc=1
	python3 "$bi_send" invite "$bi_uip" sync 10 >> "$io_dir/logs/burst-start.res" 2>&1 || bi_rc=1
	bi_k=100
	while [ $bi_k -gt 0 ] && kill -0 "$bi_pid" 2>/dev/null; do sleep 0.1; bi_k=$((bi_k - 1)); done
	kill -0 "$bi_pid" 2>/dev/null && bi_rc=1
	wait "$bi_pid" || bi_rc=1
	io_stop_pid "$bi_pid"
	bi_res=$(cat "$io_dir/logs/burst.res")
	[ -n "$bi_rss0" ] && [ -n "$bi_rss1" ] &&
		[ "$bi_rss1" -le $((bi_rss0 + bi_rss_slack_kb)) ] || bi_rc=1
	# Help-overlay rounds whose events fall inside the burst: the loop and
	# the screen kept going while the garbage came in.
	bi_m0=$(printf '%s\n' "$bi_res" | sed -n 's/.*mono_start=\([0-9]*\).*/\1/p')
	bi_m1=$(printf '%s\n' "$bi_res" | sed -n 's/.*mono_end=\([0-9]*\).*/\1/p')
	bi_rounds=$(sed -n 's/.*"mono_ms":\([0-9]*\),"type":"ui","view":"help","open":true.*/\1/p' \
		"$io_dir/burst.events" | awk -v a="${bi_m0:-0}" -v b="${bi_m1:-0}" \
		'$1 >= a && $1 <= b { n++ } END { print n + 0 }')
	[ "$bi_rounds" -ge 5 ] || bi_rc=1
	[ "$(wc -l < "$io_dir/burst.screen" 2>/dev/null)" -eq 24 ] || bi_rc=1
	head -n 1 "$io_dir/burst.screen" 2>/dev/null | grep -q '^ siptty | alice: not registered' || bi_rc=1
	tail -n 1 "$io_dir/burst.screen" 2>/dev/null | grep -q '? help' || bi_rc=1
	bi_clean burst || bi_rc=1
	bi_step "(c) 20000 garbage datagrams: $bi_res; VmRSS ${bi_rss0:-?} -> ${bi_rss1:-?} kB; $bi_rounds UI rounds during the burst; screen dump whole" \
		$bi_rc "see $io_dir/logs/burst*, $io_dir/burst.screen, $io_dir/logs/burst.out"
	io_stop_all
}

io_missing=
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "badin: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$bi_siptty" ]; then
	bad "badin: $bi_siptty was not built"
else
	bi_run
fi
