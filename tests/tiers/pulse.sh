# tests/tiers/pulse.sh - the pulse audio driver ([audio] driver = pulse)
# on a private PulseAudio.  The round trip on one time base: siptty
# --demo (which takes the configuration's [audio]) dials the demo's echo,
# which sends every packet straight back, so what is measured is siptty's
# own path, its PulseAudio streams included (baresip's echo module would
# add its own jitter buffer, whose underruns move the lag and leave gaps
# that are not siptty's).  Clicks go into its microphone and what it plays
# is recorded on the same stereo null sink (tests/interop/pulse/lib.sh);
# the echoed clicks must match (per half-second correlation >= 0.9), come
# back 20-300 ms late with no gap, and siptty's streams must be on the
# named source and sink.  Then, with no server (PULSE_SERVER names
# nothing), a call to baresip's echo module still completes on the null
# device and says why once.  PortAudio, the default driver, runs the same
# round trip through ALSA's pulse PCMs on those devices.
# Sourced by run-tests.sh (ok/bad, top_srcdir, top_builddir, logdir);
# every process is bounded and stopped by PID; ports are free ones.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
. "$io_src/media/lib.sh"
. "$io_src/pulse/lib.sh"
md_xcorr=$top_builddir/tests/tools/xcorr
pu_siptty=$top_builddir/src/siptty

# pu_call NAME SECONDS [ENV...]: siptty (UDP account, no registration)
# calls the echo bot carol for SECONDS s with [audio] driver = pulse on
# mic / spk, in the background; sets pu_pid.  Events in
# $io_dir/NAME.events, log $io_dir/logs/NAME.log.
pu_call() {
	pu_cn=$1 pu_cs=$2
	shift 2
	io_udp_conf "$io_dir/$pu_cn.conf" "$pu_sp"
	# 64 kbit/s as carol: at 32 a 10 ms click coded four times (two
	# round trips through Opus) correlates about 0.88 with WAV devices too
	printf '[audio]\ndriver = pulse\ninput_device = mic\noutput_device = spk\ncodecs = opus\nopus_bitrate = 64000\n' \
		>> "$io_dir/$pu_cn.conf"
	cat > "$io_dir/$pu_cn.script" <<-EOS
	# pulse tier: call the echo bot, stay, hang up
	key d
	type sip:carol@127.0.0.1:$pu_cp
	key Enter
	wait call state=answered 10
	wait media state=started 5
	sleep $pu_cs
	key h
	wait call state=ended 10
	EOS
	# shellcheck disable=SC2046
	env $(io_env) PULSE_SERVER="$md_pulse_server" "$@" timeout -k 3 $((pu_cs + 30)) \
		"$pu_siptty" --headless -d -c "$io_dir/$pu_cn.conf" --script "$io_dir/$pu_cn.script" \
		--events "$io_dir/$pu_cn.events" --log "$io_dir/logs/$pu_cn.log" \
		< /dev/null > "$io_dir/logs/$pu_cn.out" 2>&1 &
	pu_pid=$!
}

# pu_measure NAME SETTLE: once pu_demo NAME's echo call has media, waits
# SETTLE s, lists the server's streams into $io_dir/NAME.streams and
# measures the round trip (pu_rt_measure); then waits for siptty.  Sets
# pu_mrc (0: measured) and pu_rc (siptty's exit status).
pu_measure() {
	if io_wait_log "$io_dir/$1.events" '"type":"media","call":2,"state":"started"' 25; then
		sleep "$2"
		pu_streams > "$io_dir/$1.streams"
		pu_rt_measure "$1" "$io_dir/clicks.wav"
		pu_mrc=$?
	else
		pu_mrc=1 md_xline="the call did not start"
		io_stop_pid "$pu_rec"
	fi
	wait "$pu_pid"
	pu_rc=$?
}

pu_run() {
	io_missing=
	for pu_p in pulseaudio:pulseaudio paplay:pulseaudio-utils parecord:pulseaudio-utils \
		pactl:pulseaudio-utils sox:sox baresip:baresip certtool:gnutls-bin python3:python3; do
		io_need "${pu_p%%:*}" "${pu_p#*:}"
	done
	if [ -n "$io_missing" ]; then
		bad "pulse: needs$io_missing"
		return
	fi
	[ -x "$md_xcorr" ] || { bad "pulse: $md_xcorr was not built"; return; }
	io_workdir "$logdir" pulse || { bad "pulse: no work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "pulse: certtool failed"; return; }
	pu_rt_start 150 || { bad "pulse: the private PulseAudio did not start (see $io_dir/logs/pulseaudio.log)"; io_stop_all; return; }
	md_clicks "$io_dir/clicks.wav" 10 || { bad "pulse: sox failed"; io_stop_all; return; }
	# shellcheck disable=SC2046
	set -- $(io_free_ports 3)
	pu_cp=$1 pu_sp=$2 pu_rp=$3
	# carol: baresip's echo module answers and sends back what it hears
	md_baresip_setup carol "$pu_cp" "$((pu_cp + 1))" "$pu_rp" \
		"<sip:carol@127.0.0.1>;regint=0;audio_codecs=opus/48000/1" "$io_dir/clicks.wav"
	printf 'module_app\t\techo.so\n' >> "$io_dir/carol/config"
	sed -i "s|^ctrl_tcp_listen.*|ctrl_tcp_listen\t\t127.0.0.1:$((pu_sp + 1))|; s|^audio_source.*|audio_source\t\taubridge,echo|; s|^audio_player.*|audio_player\t\taubridge,echo|" \
		"$io_dir/carol/config"
	md_baresip_start carol 120
	if ! io_wait_log "$io_dir/logs/carol.log" 'baresip is ready' 10; then
		bad "pulse: baresip carol did not start (see $io_dir/logs/carol.log)"
		io_stop_all
		return
	fi

	# 1. the round trip on paced devices
	pu_rt_rec_start rt
	sleep 0.3
	pu_demo rt 15
	# a remap source (mic) sends its first period only after its old,
	# long latency ran out: about 1.5 s here
	pu_measure rt 2
	if [ $pu_rc -eq 0 ]; then
		ok "pulse: siptty --demo called the echo with driver = pulse and hung up (exit 0)"
	else
		bad "pulse: siptty's call failed (exit $pu_rc; see $io_dir/logs/rt.out, $io_dir/rt.events)"
	fi
	if grep -q '"type":"media","call":2,"state":"started"' "$io_dir/rt.events" &&
		! grep -q '"fallback"' "$io_dir/rt.events" &&
		grep -q "^play	siptty	call audio	spk\$" "$io_dir/rt.streams" &&
		grep -q "^rec	siptty	call microphone	mic\$" "$io_dir/rt.streams"; then
		ok "pulse: siptty's streams were on source mic and sink spk, no fallback"
	else
		bad "pulse: siptty did not use mic and spk (streams: $(tr '\n\t' '; ' < "$io_dir/rt.streams"); see $io_dir/rt.events)"
	fi
	# seg: each half second at its own lag (within 200 ms of the call's):
	# the jitter buffer moving a frame mid-call lowers xcorr, not seg
	if [ $pu_mrc -eq 0 ] && md_ge "$md_seg" 0.9; then
		ok "pulse: the echoed clicks match what the microphone heard ($md_xline)"
	else
		bad "pulse: the echoed clicks do not match ($md_xline)"
	fi
	if [ $pu_mrc -eq 0 ] && md_ge "$md_lag" 20 && md_ge 300 "$md_lag"; then
		ok "pulse: round trip $md_lag ms (within 20-300)"
	else
		bad "pulse: round trip ${md_lag:-unknown} ms is not within 20-300 ($md_xline)"
	fi
	# gap_ms is measured at the call's one lag: where the jitter buffer
	# moved it by a frame, one 5 ms analysis frame of a click can fall
	# out; a lost click (10 ms) or a lost device period shows as more,
	# and the device's own drops are logged (-d) as "pulse: N ..."
	if [ $pu_mrc -eq 0 ] && [ "${md_gap:-10}" -lt 10 ] &&
		! grep -q 'pulse: [0-9]* capture periods read ahead' "$io_dir/logs/rt.log"; then
		ok "pulse: no click went missing (gap_ms=$md_gap), the device dropped nothing"
	else
		bad "pulse: audio went missing (gap_ms=${md_gap:-unknown}; $(grep 'pulse: [0-9]* capture periods' "$io_dir/logs/rt.log"))"
	fi

	# 2. PortAudio, the default driver, on a paced device: mic and spk
	# as ALSA pulse PCMs (pu_rt_asoundrc in HOME).  Its duplex callback
	# waits for the remap source's late first period, and the playback
	# queue is sized from the callbacks after two seconds: measured four
	# seconds in.  LeakSanitizer is off for this one run: ALSA's pulse
	# plugin, which PortAudio loads and unloads, leaks from a module no
	# longer mapped (our own code runs under it everywhere else).
	pu_rt_asoundrc "$io_dir/home/.asoundrc"
	pu_rt_rec_start pa
	sleep 0.3
	pu_asan=${ASAN_OPTIONS:-}
	ASAN_OPTIONS="${pu_asan:+$pu_asan:}detect_leaks=0"
	export ASAN_OPTIONS
	pu_demo pa 18 portaudio
	ASAN_OPTIONS=$pu_asan
	pu_measure pa 4
	pu_pa=$(sed -n 's/.*media: audio: \(PortAudio mic \/ spk at .*\)/\1/p' "$io_dir/logs/pa.log" | head -n 1)
	if [ $pu_rc -eq 0 ] && [ -n "$pu_pa" ] && ! grep -q '"fallback"' "$io_dir/pa.events"; then
		ok "pulse: PortAudio: siptty --demo called the echo through ALSA's pulse PCMs mic and spk ($pu_pa), no fallback"
	else
		bad "pulse: PortAudio: exit $pu_rc, opened '${pu_pa:-nothing}' (see $io_dir/logs/pa.log, $io_dir/pa.events)"
	fi
	pu_ur=$(sed -n 's/.*"type":"stats","call":2,.*"underruns":\([0-9]*\).*/\1/p' "$io_dir/pa.events" | tail -n 1)
	if [ $pu_mrc -eq 0 ] && md_ge "$md_seg" 0.9 && md_ge "$md_lag" 20 && md_ge 300 "$md_lag" &&
		[ "${md_gap:-10}" -lt 10 ]; then
		ok "pulse: PortAudio: the echoed clicks match, round trip $md_lag ms, no gap ($md_xline; underruns ${pu_ur:-?})"
	else
		bad "pulse: PortAudio: the echoed clicks ($md_xline; underruns ${pu_ur:-?})"
	fi

	# 3. no server: the call goes on without sound and says why, once
	pu_t0=$(io_now_ms)
	pu_call nosrv 3 PULSE_SERVER=unix:/nonexistent
	wait "$pu_pid"
	pu_rc=$?
	pu_el=$(( $(io_now_ms) - pu_t0 ))
	if [ $pu_rc -eq 0 ] && [ "$pu_el" -lt 15000 ] &&
		grep -q '"type":"call".*"state":"answered"' "$io_dir/nosrv.events" &&
		grep -q '"type":"call".*"state":"ended"' "$io_dir/nosrv.events"; then
		ok "pulse: with no server the call still completes (exit 0 in $pu_el ms)"
	else
		bad "pulse: with no server: exit $pu_rc after $pu_el ms, calls $(io_states call "$io_dir/nosrv.events") (see $io_dir/logs/nosrv.out)"
	fi
	pu_fe=$(grep -c '"type":"media".*"fallback":"null","reason":"PulseAudio: the microphone (source mic) cannot be opened: [^"]' "$io_dir/nosrv.events")
	pu_fl=$(grep -c 'audio: PulseAudio: the microphone (source mic) cannot be opened: .*; the call goes on without sound' "$io_dir/logs/nosrv.log")
	if [ "$pu_fe" -eq 1 ] && [ "$pu_fl" -eq 1 ]; then
		ok "pulse: the fallback to the null device is said once, with the reason ($(sed -n 's/.*"fallback":"null","reason":"\([^"]*\)".*/\1/p' "$io_dir/nosrv.events" | head -n 1))"
	else
		bad "pulse: the fallback event came $pu_fe times, the log line $pu_fl times (want 1 and 1; see $io_dir/nosrv.events)"
	fi
	io_stop_all
}

if [ -x "$pu_siptty" ]; then
	pu_run
else
	bad "pulse: $pu_siptty was not built"
fi
