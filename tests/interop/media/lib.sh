# tests/interop/media/lib.sh - helpers for the real-audio tier and the media
# bench: test signals, baresip instances that play a WAV and record what
# they hear, xcorr parsing.  Sourced after tests/interop/lib.sh (io_*);
# every name starts with md_.  Needs io_dir (io_workdir) and md_xcorr (the
# built tests/tools/xcorr).

# md_signal FILE SECONDS [RATE]: a speech-like test signal that does not
# repeat: four tones sweeping up and down at different laws, mixed, with a
# 3.3 Hz syllable-like tremolo; never silent (so any gap in what arrives is
# a defect), and its autocorrelation is low at every lag but 0, so xcorr
# finds one alignment (a pure tone would match at many lags).
md_signal() {
	md_r=${3:-48000}
	sox -n -r "$md_r" -b 16 -c 4 "$1.4ch.wav" synth "$2" \
		sine 200-1800 sine 2600-350 sine 500:3000 sine 1100+700 &&
	sox "$1.4ch.wav" -c 1 "$1" remix 1-4 tremolo 3.3 50 norm -6 2>/dev/null
	md_rc=$?
	rm -f "$1.4ch.wav"
	return $md_rc
}

# md_signal2 FILE SECONDS [RATE]: a second, different signal (the other
# direction), so a WAV that came back to its sender is not mistaken for
# the far end's audio.
md_signal2() {
	md_r=${3:-48000}
	sox -n -r "$md_r" -b 16 -c 4 "$1.4ch.wav" synth "$2" \
		sine 3000-250 sine 300:2200 sine 1700-600 sine 650+1400 &&
	sox "$1.4ch.wav" -c 1 "$1" remix 1-4 tremolo 2.7 50 norm -6 2>/dev/null
	md_rc=$?
	rm -f "$1.4ch.wav"
	return $md_rc
}

# md_clicks FILE SECONDS [RATE]: a click train for round-trip latency: one
# 4 ms burst of a 1 kHz-3 kHz chirp every 500 ms, silence between.
md_clicks() {
	md_r=${3:-48000}
	sox -n -r "$md_r" -b 16 -c 1 "$1.click.wav" synth 0.004 sine 1000-3000 vol 0.8 &&
	sox "$1.click.wav" "$1.one.wav" pad 0 0.496 &&
	md_n=$(awk -v s="$2" 'BEGIN { printf "%d", s * 2 - 1 }') &&
	sox "$1.one.wav" "$1" repeat "$md_n"
	md_rc=$?
	rm -f "$1.click.wav" "$1.one.wav"
	return $md_rc
}

# md_baresip_setup NAME SIPPORT CTRLPORT RTPPORT 'ACCOUNT' SOURCE.wav [PLAYER]:
# a baresip 1.0 config in $io_dir/NAME that sends SOURCE.wav (aufile, paced
# by its own thread) and writes what it receives, decoded, to
# $io_dir/NAME/rec/dump-*-dec.wav (sndfile; what it sends goes to -enc.wav).
# PLAYER is the audio_player line (default "alsa,pulse": the paced null
# sink of md_pulse_start; baresip 1.0 records decoded audio only as its
# player pulls it, and without a player it refuses the call).  RTP on RTPPORT, RTCP on RTPPORT+1 (both from
# io_free_ports).  Loads g711, opus, srtp, sndfile, aufile, echo + aubridge.
md_baresip_setup() {
	md_bd=$io_dir/$1
	mkdir -p "$md_bd/rec"
	cat > "$md_bd/config" <<-EOF
	# baresip 1.0 instance '$1' for the siptty media tier
	poll_method		epoll
	sip_listen		127.0.0.1:$2
	sip_certificate		$io_dir/certs/server-combined.pem
	sip_cafile		$io_dir/certs/ca.pem
	call_local_timeout	30
	call_max_calls		2
	audio_source		aufile,$6
	audio_player		${7:-alsa,pulse}
	audio_alert		none,none
	ausrc_srate		48000
	auplay_srate		48000
	ausrc_channels		1
	auplay_channels		1
	rtp_ports		$4-$(($4 + 1))
	rtcp_mux		no
	net_interface		127.0.0.1
	dns_server		127.0.0.1:53
	opus_bitrate		64000
	opus_stereo		no
	opus_sprop_stereo	no
	opus_inbandfec		yes
	opus_plc		yes
	snd_path		$md_bd/rec
	module_path		/usr/lib/baresip/modules
	module			g711.so
	module			opus.so
	module			srtp.so
	module			aufile.so
	module			sndfile.so
	module			aubridge.so
	module			alsa.so
	module_tmp		uuid.so
	module_tmp		account.so
	module_app		menu.so
	module_app		ctrl_tcp.so
	ctrl_tcp_listen		127.0.0.1:$3
	EOF
	printf '%s\n' "$5" > "$md_bd/accounts"
	: > "$md_bd/contacts"
}

# md_dec NAME: the newest decoded-audio dump of instance NAME (empty if none).
md_dec() {
	ls -t "$io_dir/$1/rec/"dump-*-dec.wav 2>/dev/null | head -n 1
}

# md_xc REF GOT [OPTION]...: runs xcorr, sets md_x (xcorr), md_lag, md_gap,
# md_sil, md_seg, md_segmin and md_xline (the whole line); fails when xcorr
# could not compute.
md_xc() {
	md_ref=$1 md_got=$2
	shift 2
	md_x= md_lag= md_gap= md_sil= md_seg= md_segmin= md_xline=
	[ -n "$md_got" ] && [ -f "$md_got" ] || { md_xline="no file"; return 1; }
	md_xline=$("$md_xcorr" "$@" "$md_ref" "$md_got" 2>&1) || return 1
	md_x=$(printf '%s\n' "$md_xline" | sed -n 's/.*xcorr=\([-0-9.]*\).*/\1/p')
	md_lag=$(printf '%s\n' "$md_xline" | sed -n 's/.*lag_ms=\([-0-9.]*\).*/\1/p')
	md_gap=$(printf '%s\n' "$md_xline" | sed -n 's/.*gap_ms=\([0-9]*\).*/\1/p')
	md_sil=$(printf '%s\n' "$md_xline" | sed -n 's/.*silence_ms=\([0-9]*\).*/\1/p')
	md_seg=$(printf '%s\n' "$md_xline" | sed -n 's/.* seg=\([-0-9.]*\).*/\1/p')
	md_segmin=$(printf '%s\n' "$md_xline" | sed -n 's/.*seg_min=\([-0-9.]*\).*/\1/p')
	[ -n "$md_x" ]
}

# md_ge A B: is the number A >= B?
md_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# md_pulse_start: a private PulseAudio (no shm, no autospawn, no idle exit,
# bounded by timeout) with a null sink and a null source at 48 kHz: paced
# devices for peers that need a real player (baresip 1.0 will not answer
# without one; ALSA's null PCM is unpaced and burns a core).  Clients reach
# it through ALSA's "pulse" PCM (package libasound2-plugins) with
# PULSE_SERVER=$md_pulse_server.  Sets md_pulse_pid.
md_pulse_start() {
	md_ps=$io_dir/pulse
	mkdir -p "$md_ps"
	md_pulse_server=unix:$md_ps/native
	io_spawn "$io_dir/logs/pulseaudio.log" "${1:-300}" pulseaudio -n --daemonize=no \
		--exit-idle-time=-1 --disable-shm=yes --use-pid-file=no --system=no \
		--log-target=stderr --log-level=warn \
		-L "module-native-protocol-unix socket=$md_ps/native auth-anonymous=1" \
		-L "module-null-sink sink_name=mdsink rate=48000 channels=1" \
		-L "module-null-source source_name=mdsource rate=48000 channels=1" \
		-L "module-always-sink"
	md_pulse_pid=$io_pid
	md_t=$(( $(io_now_ms) + 10000 ))
	until [ -S "$md_ps/native" ] && env $(io_env) PULSE_SERVER="$md_pulse_server" \
		pactl info > /dev/null 2>&1; do
		[ "$(io_now_ms)" -lt "$md_t" ] && kill -0 "$md_pulse_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	env $(io_env) PULSE_SERVER="$md_pulse_server" pactl set-default-sink mdsink &&
	env $(io_env) PULSE_SERVER="$md_pulse_server" pactl set-default-source mdsource
}

# md_baresip_start NAME SECONDS: baresip with SIP tracing, its ALSA "pulse"
# PCM on the private PulseAudio; log $io_dir/logs/NAME.log; sets io_pid.
md_baresip_start() {
	io_spawn "$io_dir/logs/$1.log" "$2" env PULSE_SERVER="$md_pulse_server" \
		baresip -s -f "$io_dir/$1" -t "$2"
}
