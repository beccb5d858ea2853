#!/bin/sh
# bench_media.sh - media benchmarks, siptty against baresip in the same run,
# both on paced audio (WAV sources; baresip plays into a private PulseAudio
# null sink, siptty writes --audio-out):
#  (a) a BENCH_MEDIA_SECS (default 30) s Opus call to baresip bob: CPU
#      seconds and peak RSS of the caller, baresip alice vs siptty
#      (targets: siptty <= 0.8x CPU, <= 1.0x RSS);
#  (b, WAV files) audio round trip: the caller plays an irregular click
#      train into baresip's echo module and records what comes back; the
#      delay is xcorr's lag.  baresip records what it decodes before its
#      player, so its figure leaves its player buffer out: a diagnostic,
#      with siptty's own share through the demo's immediate echo;
#  (b, PulseAudio stereo sink) the same round trip the issue's way
#      (target: siptty <= 0.5x baresip), on
#      paced devices with one time base: a private PulseAudio's stereo
#      null sink whose left channel is the microphone and right the
#      speaker (tests/interop/pulse/lib.sh); each phone calls the same
#      echo bot in turn, clicks go into its microphone, and the lag of
#      right against left is its whole round trip, its capture and
#      playback buffers included: baresip 1.0 through ALSA's pulse PCM
#      (alsa,mic / alsa,spk), siptty with driver = pulse (its defaults), then
#      siptty again with jitter_min_ms = 0, and with ptime = 10.  BENCH_SIPTTY_AUDIO_EXTRA: lines
#      added to siptty's [audio] there (e.g. "ptime = 10");
#  (c) idle CPU of a registered siptty over BENCH_IDLE_SECS (default 60)
#      s, baresip beside it (target: < 0.5 % of a core).
# A benchmark, not a test: prints figures and ratios, exits 0 unless a
# peer could not be set up.  Parts that need siptty's media engine print
# "siptty: n/a" until it is there.  Every process is bounded, stopped by PID.
# Environment: top_srcdir, top_builddir (set by `make bench`), BENCH_DIR.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
top_srcdir=$(cd "$top_srcdir" && pwd) top_builddir=$(cd "$top_builddir" && pwd)
secs=${BENCH_MEDIA_SECS:-30}
idle=${BENCH_IDLE_SECS:-60}
io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
. "$io_src/media/lib.sh"
. "$io_src/pulse/lib.sh"
md_xcorr=$top_builddir/tests/tools/xcorr
siptty=$top_builddir/src/siptty
io_missing=
for p in kamailio baresip certtool sox pulseaudio python3; do io_need $p $p; done
if [ -n "$io_missing" ]; then echo "bench-media: needs$io_missing" >&2; exit 1; fi
[ -x "$md_xcorr" ] || { echo "bench-media: build tests/tools/xcorr first (make check)" >&2; exit 1; }
logs=${BENCH_DIR:-$top_builddir/tests/logs}
mkdir -p "$logs"
io_workdir "$logs" bench-media || exit 1
trap 'io_stop_all' EXIT
trap 'exit 1' INT TERM
io_mkcerts "$io_dir/certs" || { echo "bench-media: certtool failed" >&2; exit 1; }
md_pulse_start $((secs * 3 + idle + 300)) || { echo "bench-media: pulseaudio did not start" >&2; exit 1; }
md_signal "$io_dir/a.wav" $((secs + 10)) && md_signal2 "$io_dir/b.wav" $((secs + 10)) &&
	md_clicks "$io_dir/clicks.wav" 20 || { echo "bench-media: sox failed" >&2; exit 1; }
# shellcheck disable=SC2046
set -- $(io_free_ports 8) || { echo "bench-media: no free ports" >&2; exit 1; }
kp=$1 bp=$2 bc=$3 br=$4 ap=$5 ac=$6 ar=$7 ep=$8
md_kamailio_start kamailio "$kp" "$((kp + 1))" -- -A WITH_QOP ||
	{ echo "bench-media: kamailio did not start (see $io_kam_log)" >&2; exit 1; }
ob="outbound=\"sip:127.0.0.1:$((kp + 1));transport=tls\";regint=600"
md_baresip_setup bob "$bp" "$bc" "$br" \
	"<sips:bob@localhost;transport=tls>;auth_pass=bobpw;answermode=auto;audio_codecs=opus/48000/1;$ob" "$io_dir/b.wav"
md_baresip_start bob $((secs * 3 + idle + 100))
# the echo bot: baresip's echo module answers and sends back what it hears
md_baresip_setup carol "$ep" "$((ep + 1))" "$((ep + 2))" \
	"<sips:carol@localhost;transport=tls>;auth_pass=carolpw;audio_codecs=opus/48000/1;$ob" "$io_dir/b.wav"
printf 'module_app\t\techo.so\n' >> "$io_dir/carol/config"
# echo.so names the call's devices after it; they must be aubridge's
sed -i "s|^ctrl_tcp_listen.*|ctrl_tcp_listen\t\t127.0.0.1:$((ep + 4))|; s|^rtp_ports.*|rtp_ports\t\t$((ep + 2))-$((ep + 3))|; s|^audio_source.*|audio_source\t\taubridge,echo|; s|^audio_player.*|audio_player\t\taubridge,echo|" "$io_dir/carol/config"
md_baresip_start carol $((secs * 3 + idle + 100))
carol=$io_pid
md_baresip_setup alice "$ap" "$ac" "$ar" \
	"<sips:alice@localhost;transport=tls>;auth_pass=alicepw;audio_codecs=opus/48000/1;$ob" "$io_dir/a.wav"
md_baresip_start alice $((secs * 3 + idle + 100))
alice=$io_pid
for u in bob carol alice; do
	io_wait_log "$io_dir/logs/$u.log" "$u@localhost: .*200 OK" 10 ||
		{ echo "bench-media: baresip $u did not register (see $io_dir/logs/$u.log)" >&2; exit 1; }
done

# md_child PID: the program a timeout wrapper runs.
md_child() { awk -v pp="$1" 'FNR == 1 { p = "" } /^Pid:/ { p = $2 } /^PPid:/ && $2 == pp { print p }' /proc/[0-9]*/status 2>/dev/null | head -n 1; }
# md_cpu PID: CPU seconds used so far (user + system).
md_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"; }
# md_rss PID: peak RSS in KiB.
md_rss() { sed -n "s/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "") printf "%.2f", a / b; else print "n/a" }'; }

# (a) baresip alice calls bob for $secs s
apid=$(md_child "$alice")
c0=$(md_cpu "$apid")
timeout $((secs + 30)) python3 "$io_src/bctl.py" "$ac" 'cmd:dial sip:bob@localhost;transport=tls' \
	wait:CALL_ESTABLISHED:10 sleep:"$secs" cmd:hangup wait:CALL_CLOSED:5 > "$io_dir/logs/a-ctl.log" 2>&1 ||
	echo "bench-media: baresip's call failed (see $io_dir/logs/a-ctl.log)" >&2
b_cpu=$(awk -v a="$(md_cpu "$apid")" -v b="$c0" 'BEGIN { printf "%.2f", a - b }')
b_rss=$(md_rss "$apid")
# (b) baresip alice (a second instance, same account) calls the echo bot
io_stop_pid "$alice"
md_baresip_setup alice2 "$ap" "$ac" "$ar" \
	"<sips:alice@localhost;transport=tls>;auth_pass=alicepw;audio_codecs=opus/48000/1;$ob" "$io_dir/clicks.wav"
md_baresip_start alice2 120
alice=$io_pid
io_wait_log "$io_dir/logs/alice2.log" "alice@localhost: .*200 OK" 10
io_bctl "$ac" "$io_dir/logs/b-ctl.log" 'cmd:dial sip:carol@localhost;transport=tls' \
	wait:CALL_ESTABLISHED:10 sleep:15 cmd:hangup wait:CALL_CLOSED:5 ||
	echo "bench-media: the call to the echo bot failed (see $io_dir/logs/b-ctl.log)" >&2
md_xc "$io_dir/clicks.wav" "$(md_dec alice2)" -l 1500
b_rt=$md_lag
echo "bench-media: round trip baresip -> echo: $md_xline"

# siptty, when its media engine is there
s_cpu= s_rss= s_rt= s_idle=
printf '%s\n' alicepw > "$io_dir/alice.pw"
chmod 600 "$io_dir/alice.pw"
cat > "$io_dir/siptty.conf" <<-EOC
[account alice]
aor = sips:alice@localhost
registrar = sips:localhost:$((kp + 1))
password_file = $io_dir/alice.pw
expires = 600
srtp = off
[tls]
ca_file = $io_dir/certs/ca.pem
[audio]
codecs = opus
EOC
io_stop_pid "$alice"
# md_siptty_call NAME WHO WAV SECS: siptty calls WHO for SECS s playing WAV.
md_siptty_call() {
	printf 'wait reg state=registered 10\nkey d\ntype sips:%s@localhost\nkey Enter\nwait call state=answered 10\nsleep %s\nkey h\nwait call state=ended 10\n' \
		"$2" "$4" > "$io_dir/$1.script"
	io_spawn "$io_dir/logs/$1.out" $(($4 + 40)) "$siptty" --headless -c "$io_dir/siptty.conf" \
		--script "$io_dir/$1.script" --events "$io_dir/$1.events" --log "$io_dir/logs/$1.log" \
		--audio-in "$3" --audio-out "$io_dir/$1-heard.wav"
	md_sw=$io_pid
	sleep 0.3
	md_sp=$(md_child "$md_sw")
	md_s0=$(md_cpu "$md_sp" 2>/dev/null || echo 0)
	md_s1=$md_s0 md_srss=
	while kill -0 "$md_sw" 2>/dev/null; do
		md_s1=$(md_cpu "$md_sp" 2>/dev/null || echo "$md_s1")
		md_srss=$(md_rss "$md_sp" 2>/dev/null || echo "$md_srss")
		sleep 0.5
	done
	wait "$md_sw"
}
md_siptty_call s-call bob "$io_dir/a.wav" "$secs"
if grep -q '"type":"media".*"state":"started"' "$io_dir/s-call.events" 2>/dev/null; then
	s_cpu=$(awk -v a="$md_s1" -v b="$md_s0" 'BEGIN { printf "%.2f", a - b }')
	s_rss=$md_srss
	md_siptty_call s-echo carol "$io_dir/clicks.wav" 15
	md_xc "$io_dir/clicks.wav" "$io_dir/s-echo-heard.wav" -l 1500 && s_rt=$md_lag
	echo "bench-media: round trip siptty -> echo: $md_xline"
else
	echo "bench-media: siptty has no media yet (no media event; see $io_dir/logs/s-call.out)"
fi

# (b2) siptty alone: its demo's echo sends each packet straight back (no
# jitter buffer, no device of its own), so the lag is siptty's own share
# of a round trip: both directions' framing and codec delay, its jitter
# buffer and its device periods.  What the echo bot adds to a round trip
# is then the rest of siptty's figure in (b).
s_own=
mkdir -p "$io_dir/demo/run" "$io_dir/demo/config"
chmod 700 "$io_dir/demo/run"
printf 'wait reg state=registered 10\nwait call state=incoming 10\nkey a\nwait call state=answered 5\nkey h\nwait call state=ended 5\nkey d\ntype echo\nkey Enter\nwait call state=answered 10\nsleep 15\nkey h\nwait call state=ended 5\n' > "$io_dir/demo.script"
(cd "$io_dir/demo" && env XDG_CONFIG_HOME="$io_dir/demo/config" XDG_RUNTIME_DIR="$io_dir/demo/run" \
	XDG_STATE_HOME="$io_dir/demo/state" timeout -k 3 60 "$siptty" --demo --headless \
	--audio-in "$io_dir/clicks.wav" --audio-out "$io_dir/demo-heard.wav" --script "$io_dir/demo.script" \
	--events "$io_dir/demo.events" --log "$io_dir/logs/demo.log" < /dev/null > "$io_dir/logs/demo.out" 2>&1) &&
	md_xc "$io_dir/clicks.wav" "$io_dir/demo-heard.wav" -l 1500 && s_own=$md_lag
echo "bench-media: round trip siptty -> demo's immediate echo: ${md_xline:-failed (see $io_dir/logs/demo.out)}"

# (b, PulseAudio stereo sink): see the top.  md_rtcall NAME LOG PATTERN
# [SETTLE]: waits (15 s) for LOG to show the call up, lets the remap
# source settle (its first period comes about 1.5 s late) for SETTLE
# seconds (2), measures; sets md_rtlag.
md_rtcall() {
	md_rtlag=
	if io_wait_log "$2" "$3" 15; then
		sleep "${4:-2}"
		pu_rt_measure "$1" "$io_dir/clicks10.wav" && md_rtlag=$md_lag
	else
		io_stop_pid "$pu_rec"
		md_xline="the call did not start (see $2)"
	fi
	echo "bench-media: (b, PulseAudio stereo sink) $1: $md_xline"
}
b_prt= s_prt= s_prt0= s_prt10= s_prtpa= s_pown=
# Kamailio lives 120 s (io_kamailio_start): a fresh one for the five
# calls below, and carol registered with it again
io_stop_pid "$io_kam_pid"
io_stop_pid "$carol"
IO_KAM_SECS=240 md_kamailio_start kamailio2 "$kp" "$((kp + 1))" -- -A WITH_QOP ||
	echo "bench-media: kamailio did not start again (see $io_kam_log)" >&2
md_baresip_start carol 300
carol=$io_pid
io_wait_log "$io_dir/logs/carol.log" "carol@localhost: .*200 OK" 10 ||
	echo "bench-media: baresip carol did not register again (see $io_dir/logs/carol.log)" >&2
if pu_rt_load && md_clicks "$io_dir/clicks10.wav" 10; then
	pu_rt_asoundrc "$io_dir/home/.asoundrc"
	md_baresip_setup alice4 "$ap" "$ac" "$ar" \
		"<sips:alice@localhost;transport=tls>;auth_pass=alicepw;audio_codecs=opus/48000/1;$ob" "$io_dir/clicks10.wav"
	sed -i "s|^audio_source.*|audio_source\t\talsa,mic|; s|^audio_player.*|audio_player\t\talsa,spk|" "$io_dir/alice4/config"
	md_baresip_start alice4 120
	alice=$io_pid
	if io_wait_log "$io_dir/logs/alice4.log" "alice@localhost: .*200 OK" 10; then
		pu_rt_rec_start b-rt
		sleep 0.3
		io_bctl "$ac" "$io_dir/logs/b-rt-ctl.log" 'cmd:dial sip:carol@localhost;transport=tls' \
			wait:CALL_ESTABLISHED:10 sleep:16 cmd:hangup wait:CALL_CLOSED:5 &
		md_bc=$!
		md_rtcall b-rt "$io_dir/logs/b-rt-ctl.log" CALL_ESTABLISHED
		b_prt=$md_rtlag
		wait "$md_bc" || echo "bench-media: baresip's call to the echo bot failed (see $io_dir/logs/b-rt-ctl.log)" >&2
	else
		echo "bench-media: baresip alice4 did not register (see $io_dir/logs/alice4.log)" >&2
	fi
	io_stop_pid "$alice"
	# md_siptty_rt NAME EXTRA [DRIVER SETTLE]: siptty with driver = pulse
	# (or DRIVER) on mic / spk calls the echo bot and is measured SETTLE
	# seconds (2) after the answer; EXTRA: more [audio] lines.  PortAudio
	# finds mic and spk as the ALSA pulse PCMs of the .asoundrc in
	# io_dir/home, the path baresip takes.
	md_siptty_rt() {
		{ cat "$io_dir/siptty.conf"
		printf 'driver = %s\ninput_device = mic\noutput_device = spk\n%s\n%s\n' \
			"${3:-pulse}" "$2" "${BENCH_SIPTTY_AUDIO_EXTRA:-}"; } > "$io_dir/$1.conf"
		printf 'wait reg state=registered 10\nkey d\ntype sips:carol@localhost\nkey Enter\nwait call state=answered 10\nsleep %s\nkey h\nwait call state=ended 10\n' \
			$((${4:-2} + 14)) > "$io_dir/$1.script"
		pu_rt_rec_start "$1"
		sleep 0.3
		io_spawn "$io_dir/logs/$1.out" 60 env PULSE_SERVER="$md_pulse_server" "$siptty" --headless \
			-c "$io_dir/$1.conf" --script "$io_dir/$1.script" --events "$io_dir/$1.events" \
			--log "$io_dir/logs/$1.log"
		md_sw=$io_pid
		md_rtcall "$1" "$io_dir/$1.events" '"type":"media".*"state":"started"' "${4:-2}"
		grep -q '"fallback"' "$io_dir/$1.events" &&
			{ echo "bench-media: $1: siptty fell back to the null device (see $io_dir/$1.events)" >&2; md_rtlag=; }
		wait "$md_sw" || echo "bench-media: siptty's call $1 failed (see $io_dir/logs/$1.out)" >&2
	}
	md_siptty_rt s-rt ""
	s_prt=$md_rtlag
	md_siptty_rt s-rt0 "jitter_min_ms = 0"
	s_prt0=$md_rtlag
	md_siptty_rt s-rt10 "ptime = 10"
	s_prt10=$md_rtlag
	# PortAudio's duplex callback waits for the remap source's late first
	# period, and the jitter buffer then sheds that backlog over 3-4 s
	md_siptty_rt s-rtpa "" portaudio 6
	s_prtpa=$md_rtlag
	# siptty's own share: the demo's echo sends each packet straight back
	pu_siptty=$siptty
	pu_rt_rec_start s-own
	sleep 0.3
	pu_demo s-own 16
	md_rtcall s-own "$io_dir/s-own.events" '"type":"media","call":2,"state":"started"'
	s_pown=$md_rtlag
	wait "$pu_pid" || echo "bench-media: siptty --demo failed (see $io_dir/logs/s-own.out)" >&2
else
	echo "bench-media: the stereo sink could not be set up (see $io_dir/logs/pulseaudio.log)" >&2
fi

# (c) idle: siptty and baresip alice registered, nothing else
printf 'wait reg state=registered 10\nsleep %s\n' "$((idle + 5))" > "$io_dir/idle.script"
io_spawn "$io_dir/logs/idle.out" $((idle + 30)) "$siptty" --headless -c "$io_dir/siptty.conf" \
	--script "$io_dir/idle.script" --events "$io_dir/idle.events" --log "$io_dir/logs/idle.log"
sw=$io_pid
md_baresip_setup alice3 "$ap" "$ac" "$ar" \
	"<sips:alice@localhost;transport=tls>;auth_pass=alicepw;audio_codecs=opus/48000/1;$ob" "$io_dir/a.wav"
md_baresip_start alice3 $((idle + 30))
bw=$io_pid
io_wait_log "$io_dir/idle.events" '"state":"registered"' 10
sleep 1
sp=$(md_child "$sw") bp2=$(md_child "$bw")
i0=$(md_cpu "$sp" 2>/dev/null) j0=$(md_cpu "$bp2" 2>/dev/null)
sleep "$idle"
i1=$(md_cpu "$sp" 2>/dev/null) j1=$(md_cpu "$bp2" 2>/dev/null)
s_idle=$(awk -v a="$i1" -v b="$i0" -v t="$idle" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.3f", (a - b) / t * 100 }')
b_idle=$(awk -v a="$j1" -v b="$j0" -v t="$idle" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.3f", (a - b) / t * 100 }')
io_stop_all

echo "bench-media: (a) ${secs} s Opus call, caller's CPU s / peak RSS KiB:"
echo "  baresip: cpu=$b_cpu rss=$b_rss"
echo "  siptty:  cpu=${s_cpu:-n/a} rss=${s_rss:-n/a}"
echo "  ratio siptty/baresip: cpu $(ratio "$s_cpu" "$b_cpu") (target <= 0.8), rss $(ratio "$s_rss" "$b_rss") (target <= 1.0)"
echo "bench-media: (b, WAV files) round trip through baresip's echo module (baresip's player buffer left out), ms:"
echo "  baresip: ${b_rt:-n/a}  siptty: ${s_rt:-n/a}  ratio: $(ratio "$s_rt" "$b_rt")"
echo "  siptty's own share (through an immediate echo): ${s_own:-n/a}; floor of that share (one encode and one decode): 20 ms frame + 6.5 ms Opus look-ahead + a 5 ms device period = 31.5"
echo "  what baresip's echo adds (siptty's round trip - its own share): $(awk -v a="$s_rt" -v b="$s_own" 'BEGIN { if (a != "" && b != "") printf "%.1f", a - b; else print "n/a" }');" \
	"half of baresip's round trip: $(awk -v a="$b_rt" 'BEGIN { if (a != "") printf "%.1f", a / 2; else print "n/a" }')"
echo "bench-media: (b, PulseAudio stereo sink) round trip on paced devices with one time base (clicks into the microphone = rt's left, the speaker = rt's right), ms:"
echo "  baresip (alsa,mic / alsa,spk): ${b_prt:-n/a}  siptty (driver = pulse): ${s_prt:-n/a}  ratio: $(ratio "$s_prt" "$b_prt") (target <= 0.5)"
echo "  floor through this echo at 20 ms packets: siptty's 31.5 (a frame, 6.5 ms of Opus look-ahead, a 5 ms period) + the echo's 126.5 (a frame, the look-ahead, its fixed 5-packet jitter buffer) = 158"
echo "  siptty's own share on these devices (siptty --demo, driver = pulse, through the demo's immediate echo): ${s_pown:-n/a}"
echo "  siptty with ptime = 10: ${s_prt10:-n/a}  ratio: $(ratio "$s_prt10" "$b_prt")"
echo "  siptty through baresip's device path (driver = portaudio on the same ALSA pulse PCMs): ${s_prtpa:-n/a}  ratio: $(ratio "$s_prtpa" "$b_prt")"
echo "  siptty with jitter_min_ms = 0: ${s_prt0:-n/a}  ratio: $(ratio "$s_prt0" "$b_prt")${BENCH_SIPTTY_AUDIO_EXTRA:+  (siptty [audio] extra: $(printf '%s' "$BENCH_SIPTTY_AUDIO_EXTRA" | tr '\n' ';'))}"
echo "bench-media: (c) idle, registered, % of a core over $idle s: siptty ${s_idle} (target < 0.5), baresip ${b_idle}"
echo "bench-media: records in $io_dir"
exit 0
