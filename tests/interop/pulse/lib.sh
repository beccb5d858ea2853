# tests/interop/pulse/lib.sh - a round trip measured on paced PulseAudio
# devices with one time base (issue 4): a stereo null sink `rt` whose left
# channel is the microphone and right channel the speaker.  Clicks played
# into `mic_in` land on rt's left; the phone under test records from `mic`
# (rt.monitor's left) and plays into `spk` (rt's right); parecord of
# rt.monitor then holds both, and the lag of right against left is the
# phone's whole round trip, its capture and playback buffers included.
# Sourced after tests/interop/lib.sh and tests/interop/media/lib.sh (io_*,
# md_*); every name starts with pu_.  Shared by tests/tiers/pulse.sh and
# tests/bench/bench_media.sh.

# pu_pactl ARG...: pactl on the private server of md_pulse_start.
pu_pactl() {
	# shellcheck disable=SC2046
	env $(io_env) PULSE_SERVER="$md_pulse_server" timeout 10 pactl "$@"
}

# pu_rt_start SECONDS: md_pulse_start, then the sinks and sources above.
# remix=no: a mono stream mapped to front-left reaches the left channel
# only (with remixing the server would spread it over both).
pu_rt_start() {
	md_pulse_start "$1" && pu_rt_load
}

# pu_rt_load: the same on a server md_pulse_start already started.
pu_rt_load() {
	pu_pactl load-module module-null-sink sink_name=rt rate=48000 channels=2 \
		channel_map=front-left,front-right > /dev/null &&
	pu_pactl load-module module-remap-sink sink_name=mic_in master=rt channels=1 \
		channel_map=mono master_channel_map=front-left remix=no > /dev/null &&
	pu_pactl load-module module-remap-source source_name=mic master=rt.monitor channels=1 \
		channel_map=mono master_channel_map=front-left remix=no > /dev/null &&
	pu_pactl load-module module-remap-sink sink_name=spk master=rt channels=1 \
		channel_map=mono master_channel_map=front-right remix=no > /dev/null
}

# pu_rt_asoundrc FILE: ALSA "pulse" PCMs named mic and spk on those devices
# (for baresip 1.0, which has no pulse module: alsa,mic / alsa,spk).
pu_rt_asoundrc() {
	cat > "$1" <<-'EOA'
	pcm.mic { type pulse device mic }
	pcm.spk { type pulse device spk }
	EOA
}

# pu_rt_rec_start NAME: parecord of rt.monitor (stereo) into
# $io_dir/NAME-rt.wav; sets pu_rec.  Start it before the call: its small
# fragments keep rt rendering in short blocks (an idle null sink renders
# in seconds-long ones, and a stream that connects then waits that long
# for its first period).
pu_rt_rec_start() {
	pu_w=$io_dir/$1-rt.wav
	rm -f "$pu_w"
	io_spawn "$io_dir/logs/$1-parecord.log" 120 env PULSE_SERVER="$md_pulse_server" \
		parecord -d rt.monitor --rate=48000 --channels=2 --format=s16le \
		--latency-msec=10 --file-format=wav "$pu_w"
	pu_rec=$io_pid
}

# pu_rt_measure NAME CLICKS.wav: plays CLICKS.wav into mic_in, stops the
# recording of pu_rt_rec_start NAME a second later, and compares right
# (what the phone played) with left (the clicks as its microphone heard
# them).  Files $io_dir/NAME-rt.wav, -l.wav, -r.wav.  Sets md_x md_lag
# md_gap md_xline (md_xc); fails when something could not run.
pu_rt_measure() {
	pu_n=$1 pu_c=$2
	pu_w=$io_dir/$pu_n-rt.wav
	# shellcheck disable=SC2046
	env $(io_env) PULSE_SERVER="$md_pulse_server" timeout 60 paplay -d mic_in "$pu_c" \
		> "$io_dir/logs/$pu_n-paplay.log" 2>&1
	pu_prc=$?
	sleep 1
	io_stop_pid "$pu_rec"
	md_x= md_lag= md_gap= md_xline=
	[ $pu_prc -eq 0 ] || { md_xline="paplay failed (see $io_dir/logs/$pu_n-paplay.log)"; return 1; }
	sox "$pu_w" "$io_dir/$pu_n-l.wav" remix 1 2> /dev/null &&
		sox "$pu_w" "$io_dir/$pu_n-r.wav" remix 2 2> /dev/null ||
		{ md_xline="no recording of rt.monitor ($pu_w)"; return 1; }
	md_xc "$io_dir/$pu_n-l.wav" "$io_dir/$pu_n-r.wav" -l 1500
}

# pu_streams: the server's playback and record streams, one line each:
# "play|rec<TAB>application<TAB>stream name<TAB>sink or source name".
pu_streams() {
	pu_sinks=$(pu_pactl list short sinks 2> /dev/null | awk '{ printf "%s=%s ", $1, $2 }')
	pu_sources=$(pu_pactl list short sources 2> /dev/null | awk '{ printf "%s=%s ", $1, $2 }')
	{ pu_pactl list sink-inputs; pu_pactl list source-outputs; } 2> /dev/null |
		awk -v sinks="$pu_sinks" -v sources="$pu_sources" '
		function flush() { if (k != "") print k "\t" a "\t" n "\t" (k == "play" ? si[d] : so[d]); k = "" }
		BEGIN { split(sinks, x, " "); for (i in x) { split(x[i], y, "="); si[y[1]] = y[2] }
			split(sources, x, " "); for (i in x) { split(x[i], y, "="); so[y[1]] = y[2] } }
		/^Sink Input #/ { flush(); k = "play"; a = n = d = "" }
		/^Source Output #/ { flush(); k = "rec"; a = n = d = "" }
		/^[[:space:]]*(Sink|Source): / { d = $2 }
		/^[[:space:]]*media.name = / { n = $0; sub(/^[^"]*"/, "", n); sub(/"$/, "", n) }
		/^[[:space:]]*application.name = / { a = $0; sub(/^[^"]*"/, "", a); sub(/"$/, "", a) }
		END { flush() }'
}

# pu_demo NAME SECONDS [DRIVER]: siptty --demo ($pu_siptty) answers the demo's call, hangs up,
# dials the echo and stays SECONDS s, with [audio] driver = pulse (or
# DRIVER) on mic / spk, in the background; sets pu_pid.  Events in
# $io_dir/NAME.events, log $io_dir/logs/NAME.log.
pu_demo() {
	pu_cn=$1 pu_cs=$2
	mkdir -p "$io_dir/$pu_cn/config/siptty" "$io_dir/$pu_cn/run"
	chmod 700 "$io_dir/$pu_cn/run"
	printf '[audio]\ndriver = %s\ninput_device = mic\noutput_device = spk\nopus_bitrate = 64000\n' \
		"${3:-pulse}" > "$io_dir/$pu_cn/config/siptty/siptty.conf"
	cat > "$io_dir/$pu_cn.script" <<-EOS
	# pulse tier: the demo calls; then dial its echo, stay, hang up
	wait reg state=registered 10
	wait call state=incoming 10
	key a
	wait call state=answered 5
	key h
	wait call state=ended 5
	key d
	type echo
	key Enter
	wait call state=answered 10
	sleep $pu_cs
	key h
	wait call state=ended 10
	EOS
	# shellcheck disable=SC2046
	env $(io_env) PULSE_SERVER="$md_pulse_server" XDG_CONFIG_HOME="$io_dir/$pu_cn/config" \
		XDG_RUNTIME_DIR="$io_dir/$pu_cn/run" XDG_STATE_HOME="$io_dir/$pu_cn/state" \
		timeout -k 3 $((pu_cs + 40)) "$pu_siptty" --demo --headless -d \
		--script "$io_dir/$pu_cn.script" --events "$io_dir/$pu_cn.events" \
		--log "$io_dir/logs/$pu_cn.log" < /dev/null > "$io_dir/logs/$pu_cn.out" 2>&1 &
	pu_pid=$!
}
