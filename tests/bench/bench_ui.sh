#!/bin/sh
# bench_ui.sh - the terminal UI: keystroke-to-screen latency and idle CPU.
#
# 1. Latency: siptty draws with curses in a tmux pane (80x24) and runs a
#    keystroke script (help, log pane, dialler, contacts) with
#    SIPTTY_SCRIPT_TIMING: for each key step, the time from the keys
#    going in to the redraw the following expect matched (script.c).
#    Prints median, p95 and max; target < 16 ms (one 60 Hz frame).
# 2. Idle CPU: siptty with a UDP account and the UI open in tmux, and
#    baresip (the peer, no UI) started at the same moment, both left
#    alone BENCH_UI_SECONDS (default 60); utime+stime from /proc/PID/stat.
#    Prints each as % of one core, the target (< 0.5 %) and
#    "ratio siptty/baresip: R".
# A benchmark, not a test: exits 0 unless something could not run.
# Every process is bounded in time and stopped by its PID.
#
# Environment: top_srcdir, top_builddir (set by `make bench`), optionally
# BENCH_UI_SECONDS, BENCH_UI_KEYS (latency rounds, default 100), BENCH_DIR.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
secs=${BENCH_UI_SECONDS:-60}
rounds=${BENCH_UI_KEYS:-100}
io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
siptty=$top_builddir/src/siptty

io_missing=
io_need tmux tmux
io_need baresip baresip
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	echo "bench-ui: needs$io_missing" >&2
	exit 1
fi
[ -x "$siptty" ] || { echo "bench-ui: $siptty was not built" >&2; exit 1; }

logs=${BENCH_DIR:-$top_builddir/tests/logs}
mkdir -p "$logs"
io_workdir "$logs" bench-ui || exit 1
bu_sock=$io_dir/tmux.sock
bu_tm() { tmux -S "$bu_sock" "$@"; }
bu_cleanup() {
	bu_tm kill-server 2>/dev/null
	io_stop_all
}
trap 'bu_cleanup' EXIT
trap 'exit 1' INT TERM
# shellcheck disable=SC2046
set -- $(io_free_ports 4) || { echo "bench-ui: no free ports" >&2; exit 1; }
bu_sp=$1 bu_bp=$2 bu_bc=$3 bu_rtp=$4

io_udp_conf "$io_dir/siptty.conf" "$bu_sp"
mkdir -p "$io_dir/home/.local/share/siptty"
printf 'Alice <sip:alice@example.com>\nBob <tel:+358401234567>\n' \
	> "$io_dir/home/.local/share/siptty/contacts"

# bu_run NAME SECONDS ARGS...: siptty in a fresh 80x24 tmux session with
# the peers' environment; its PID (the pane's: exec) in bu_pid.
bu_run() {
	bu_name=$1 bu_secs=$2
	shift 2
	# exec all the way: the pane's PID is siptty's (timeout -f: no fork).
	bu_tm -f /dev/null new-session -d -s "$bu_name" -x 80 -y 24 \
		"exec env $(io_env) TERM=screen LC_ALL=C.UTF-8 ${bu_env:-} $siptty -c $io_dir/siptty.conf --log $io_dir/logs/$bu_name.log $* 2> $io_dir/logs/$bu_name.err" ||
		return 1
	bu_pid=$(bu_tm display-message -p -t "$bu_name" '#{pane_pid}')
}

# --- 1. latency ---------------------------------------------------------
bu_script=$io_dir/keys.script
{
	echo "expect \"alice: not registered\""
	i=0
	while [ $i -lt "$rounds" ]; do
		echo 'key ?'; echo 'expect "-- Keys --"'
		echo 'key Esc'; echo 'expect "^- Log -"'
		echo 'key l'; echo 'expect "^- Calls -"'
		echo 'key l'; echo 'expect "^- Log -"'
		echo 'key d'; echo 'expect "^Dial:$"'
		echo 'type sip:x'; echo 'expect "^Dial: sip:x$"'
		echo 'key Esc'; echo 'expect "d dial"'
		echo 'key c'; echo 'expect "Contacts \(2\)"'
		echo 'key Down'; echo 'expect "> Bob"'
		echo 'key Esc'; echo 'expect "^- Calls -"'
		i=$((i + 1))
	done
	echo quit
} > "$bu_script"
bu_timing=$io_dir/timing.txt
: > "$bu_timing"
bu_env="SIPTTY_SCRIPT_TIMING=$bu_timing"
bu_run lat 300 "--script $bu_script" || { echo "bench-ui: tmux did not start" >&2; exit 1; }
bu_env=
bu_n=3000
while [ $bu_n -gt 0 ] && kill -0 "$bu_pid" 2>/dev/null; do sleep 0.1; bu_n=$((bu_n - 1)); done
if kill -0 "$bu_pid" 2>/dev/null; then
	kill -TERM "$bu_pid" 2>/dev/null
	echo "bench-ui: the keystroke script did not finish in 300 s (see $io_dir)" >&2
	exit 1
fi
bu_want=$((rounds * 10))
bu_got=$(wc -l < "$bu_timing")
if [ "$bu_got" -ne "$bu_want" ]; then
	echo "bench-ui: $bu_got of $bu_want key steps were timed; the script failed (see $io_dir/logs/lat.err)" >&2
	exit 1
fi
sort -n -k3 "$bu_timing" | awk -v n="$bu_got" '
	{ v[NR] = $3 }
	END {
		med = v[int((n + 1) / 2)] / 1000; p95 = v[int(n * 0.95)] / 1000
		max = v[n] / 1000
		printf "bench-ui: keystroke to screen (curses in tmux, 80x24, %d keys): median %.2f ms, p95 %.2f ms, max %.2f ms (target < 16 ms: %s)\n", n, med, p95, max, p95 < 16 ? "met" : "NOT met"
	}'

# --- 2. idle CPU -------------------------------------------------------
# bu_ticks PID: utime + stime of PID in clock ticks.
bu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
io_mkcerts "$io_dir/certs" || { echo "bench-ui: certtool failed" >&2; exit 1; }
io_baresip_setup idle "$bu_bp" "$bu_bc" "$bu_rtp" "<sip:idle@127.0.0.1>;regint=0"
io_baresip_start idle $((secs + 30))
bu_bwrap=$io_pid
bu_run idle $((secs + 30)) "" || { echo "bench-ui: tmux did not start" >&2; exit 1; }
bu_spid=$bu_pid
sleep 2   # both past their start
# baresip runs under timeout: its PID is the wrapper's child.
bu_bpid=$(awk -v pp="$bu_bwrap" 'FNR == 1 { p = "" } /^Pid:/ { p = $2 }
	/^PPid:/ && $2 == pp { print p }' /proc/[0-9]*/status 2>/dev/null | head -n 1)
if [ -z "$bu_bpid" ] || ! kill -0 "$bu_spid" 2>/dev/null; then
	echo "bench-ui: siptty or baresip did not start (see $io_dir/logs)" >&2
	exit 1
fi
bu_s0=$(bu_ticks "$bu_spid") bu_b0=$(bu_ticks "$bu_bpid") bu_t0=$(io_now_ms)
sleep "$secs"
bu_s1=$(bu_ticks "$bu_spid") bu_b1=$(bu_ticks "$bu_bpid") bu_t1=$(io_now_ms)
bu_hz=$(getconf CLK_TCK)
awk -v s=$((bu_s1 - bu_s0)) -v b=$((bu_b1 - bu_b0)) -v ms=$((bu_t1 - bu_t0)) -v hz="$bu_hz" 'BEGIN {
	sp = s / hz * 1000 / ms * 100; bp = b / hz * 1000 / ms * 100
	tick = 1 / hz * 1000 / ms * 100   # one tick, in % of a core
	printf "bench-ui: idle CPU over %.0f s: siptty with the UI open %s%.3f %% of a core (%d ticks; target < 0.5 %%: %s), baresip %s%.3f %% (%d ticks)\n", ms / 1000, s ? "" : "< ", s ? sp : tick, s, sp < 0.5 ? "met" : "NOT met", b ? "" : "< ", b ? bp : tick, b
	if (b > 0) printf "ratio siptty/baresip: %.2f\n", s / b
	else printf "ratio siptty/baresip: n/a (baresip used no measurable CPU: %d ticks to %d)\n", b, s
}'
bu_tm kill-session -t idle 2>/dev/null
exit 0
