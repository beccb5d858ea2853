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

# md_clicks FILE SECONDS [RATE]: a click train for round-trip latency:
# 10 ms chirps (800 Hz-3 kHz) at irregular intervals (300-700 ms, a fixed
# sequence), silence between: one alignment only, so xcorr's lag is the
# delay even when it is longer than an interval.
md_clicks() {
	md_r=${3:-48000}
	sox -n -r "$md_r" -b 16 -c 1 "$1.click.wav" synth 0.01 sine 800-3000 vol 0.8 || return 1
	md_list=$(awk -v s="$2" -v f="$1" 'BEGIN { srand(4733); t = 0.3
		while (t < s - 0.8) { g = 0.29 + 0.4 * rand(); printf "|sox %s.click.wav -p pad 0 %.3f ", f, g; t += g + 0.01 } }')
	# shellcheck disable=SC2086
	eval "sox $(printf '%s' "$md_list" | sed 's/|\([^|]*\) /"|\1" /g') -b 16 -e signed-integer \"\$1\"" 2>/dev/null
	md_rc=$?
	rm -f "$1.click.wav"
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
	opus_packet_loss	10
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

# md_kamailio_start NAME PORT TLSPORT [RTP_X:RELAY_X]... [-- KAMAILIO-ARGS]:
# the interop Kamailio, and for each RTP_X:RELAY_X rewrites "m=audio RTP_X "
# into "m=audio RELAY_X " in every SDP it forwards (requests and replies);
# RTP_X "*" stands for any port no other rule named (a phone whose RTP
# port is not known in advance, such as siptty; the relay learns its
# address from its first packet):
# each side then sends its RTP to the relay (tests/tools/udprelay.py) and
# the SIP stays end-to-end TLS.  That is the relay's whole design: the
# proxy that sees the SDP in clear does the rewrite, so neither phone nor
# the relay needs to know SIP.  Sets io_kam_pid, io_kam_log.
md_kamailio_start() {
	md_kn=$1 md_kp=$2 md_kt=$3
	shift 3
	md_sub= md_any=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		if [ "${1%%:*}" = "*" ]; then
			md_any="subst_body(\"/m=audio [0-9]+ /m=audio ${1#*:} /\");"
		else
			md_sub="$md_sub if (search_body(\"m=audio ${1%%:*} \")) { subst_body(\"/m=audio ${1%%:*} /m=audio ${1#*:} /\"); } else"
		fi
		shift
	done
	if [ -n "$md_any" ]; then
		md_sub="$md_sub { $md_any }"
	elif [ -n "$md_sub" ]; then
		md_sub="${md_sub% else}"
	fi
	[ "${1:-}" = -- ] && shift
	md_ks=$io_dir/kamsrc-$md_kn
	mkdir -p "$md_ks"
	md_hook="if (has_body(\"application/sdp\")) { xlog(\"L_INFO\", \"md: SDP ports rewritten\\\\n\");$md_sub }"
	sed -e "s|^\(	\)if (!t_relay()) {|\1$md_hook\n&|" \
		-e "s|^\(	\)xlog(\"L_INFO\", \"REPLY \$rs|\1$md_hook\n&|" \
		"$io_src/kamailio.cfg.in" > "$md_ks/kamailio.cfg.in"
	cp "$io_src/tls.cfg.in" "$md_ks/"
	md_saved=$io_src
	io_src=$md_ks
	io_kamailio_start "$md_kn" "$md_kp" "$md_kt" "$@"
	md_rc=$?
	io_src=$md_saved
	return $md_rc
}

# md_relay_start LOG SECONDS RA RB A B [OPTION]...: tests/tools/udprelay.py
# between RTP ports A and B (and RTCP A+1, B+1), A's peer seen at RA, B's
# at RB; waits until it is bound.  Sets md_relay_pid.
md_relay_start() {
	md_rl=$1 md_rs=$2 md_ra=$3 md_rb=$4 md_a=$5 md_b=$6
	shift 6
	rm -f "$md_rl.ready"
	io_spawn "$md_rl" "$((md_rs + 5))" python3 "$md_relay" --pair "$md_ra:$md_rb:$md_a:$md_b" \
		--rtcp --lifetime "$md_rs" --ready "$md_rl.ready" "$@"
	md_relay_pid=$io_pid
	md_t=$(( $(io_now_ms) + 5000 ))
	until [ -f "$md_rl.ready" ]; do
		[ "$(io_now_ms)" -lt "$md_t" ] && kill -0 "$md_relay_pid" 2>/dev/null || return 1
		sleep 0.05
	done
}

# ------------------------------------------------------------------ #
# One call with real audio both ways                                  #
# ------------------------------------------------------------------ #
# md_case NAME AKIND CODEC SRTP [RELAY-OPTIONS]: alice (AKIND: siptty or
# baresip) calls baresip bob over TLS through Kamailio (407); alice plays
# $md_wa and records what she hears, bob plays $md_wb and records; both
# send two DTMF digits (alice 5 #, bob 7 *); CODEC opus|pcmu, SRTP on|off;
# with RELAY-OPTIONS the RTP goes through udprelay.py with them.  Sets:
#  md_err      why the case could not run ("" when it ran)
#  md_la md_lb xcorr lines: what alice heard (vs $md_wb), what bob heard
#  md_da md_db digits alice received, digits bob received
#  md_srtp     "on" when both ends agreed SDES-SRTP (a=crypto both ways and,
#              for siptty, "srtp":"AES_CM_128_HMAC_SHA1_80" in its media event)
#  md_rline    the relay's counters
# Needs md_pulse_start first, io_dir with certs, md_wa and md_wb.
md_case() {
	md_n=$1 md_ak=$2 md_codec=$3 md_srtp_want=$4
	shift 4
	md_err= md_la= md_lb= md_da= md_db= md_srtp= md_rline=
	md_cd=$io_dir/$md_n
	mkdir -p "$md_cd"
	md_ports=$(io_free_ports 9) || { md_err="no free ports"; return 1; }
	# shellcheck disable=SC2086
	set -- "$@" $md_ports
	md_nargs=$(($# - 9))
	md_relayopts=
	while [ $md_nargs -gt 0 ]; do
		md_relayopts="$md_relayopts $1"
		shift
		md_nargs=$((md_nargs - 1))
	done
	md_kp=$1 md_bp=$2 md_bc=$3 md_br=$4 md_ap=$5 md_ac=$6 md_ar=$7 md_ra=$8 md_rb=$9
	if [ -n "$md_relayopts" ]; then
		md_rules="$md_br:$md_ra *:$md_rb"
	else
		md_rules=
	fi
	# shellcheck disable=SC2086
	if ! md_kamailio_start "kam-$md_n" "$md_kp" "$((md_kp + 1))" $md_rules -- -A WITH_QOP; then
		md_err="kamailio did not start (see $io_kam_log)"
		io_stop_pid "$io_kam_pid"
		return 1
	fi
	md_kpid=$io_kam_pid md_klog=$io_kam_log
	md_pids=$md_kpid
	if [ -n "$md_relayopts" ]; then
		# shellcheck disable=SC2086
		if ! md_relay_start "$io_dir/logs/$md_n-relay.log" 60 "$md_ra" "$md_rb" 0 "$md_br" \
			$md_relayopts; then
			md_err="udprelay.py did not start (see $io_dir/logs/$md_n-relay.log)"
			md_case_stop
			return 1
		fi
		md_pids="$md_pids $md_relay_pid"
	fi
	case $md_codec in
	opus) md_bcodec=opus/48000/1 ;;
	*) md_bcodec=$md_codec ;;
	esac
	md_enc=
	[ "$md_srtp_want" = on ] && md_enc=";mediaenc=srtp-mand"
	md_ob="outbound=\"sip:127.0.0.1:$((md_kp + 1));transport=tls\";regint=600"
	md_baresip_setup "$md_n-bob" "$md_bp" "$md_bc" "$md_br" \
		"<sips:bob@localhost;transport=tls>;auth_pass=bobpw;answermode=auto;audio_codecs=$md_bcodec;$md_ob$md_enc" \
		"$md_wb"
	md_baresip_start "$md_n-bob" 60
	md_pids="$md_pids $io_pid"
	if ! io_wait_log "$io_dir/logs/$md_n-bob.log" 'bob@localhost: .*200 OK' 10; then
		md_err="baresip bob did not register (see $io_dir/logs/$md_n-bob.log)"
		md_case_stop
		return 1
	fi
	# bob: answers by itself; 3.5 s into the call sends 7 and *, then waits
	# for alice to hang up
	rm -f "$io_dir/$md_n-bobctl.ready"
	timeout 40 python3 "$io_src/bctl.py" "$md_bc" "ready:$io_dir/$md_n-bobctl.ready" \
		wait:CALL_ESTABLISHED:20 sleep:3.5 \
		'cmd:sndcode 7' sleep:1 'cmd:sndcode *' wait:CALL_CLOSED:20 \
		> "$io_dir/logs/$md_n-bobctl.log" 2>&1 &
	md_bctl=$!
	# The call must not be up before bob's control connection is: its
	# CALL_ESTABLISHED would be missed (python starts slowly under load).
	md_w=50
	while [ $md_w -gt 0 ] && [ ! -f "$io_dir/$md_n-bobctl.ready" ]; do
		sleep 0.1
		md_w=$((md_w - 1))
	done
	if [ "$md_ak" = baresip ]; then
		md_baresip_setup "$md_n-alice" "$md_ap" "$md_ac" "$md_ar" \
			"<sips:alice@localhost;transport=tls>;auth_pass=alicepw;answermode=auto;audio_codecs=$md_bcodec;$md_ob$md_enc" \
			"$md_wa"
		md_baresip_start "$md_n-alice" 60
		md_pids="$md_pids $io_pid"
		if ! io_wait_log "$io_dir/logs/$md_n-alice.log" 'alice@localhost: .*200 OK' 10; then
			md_err="baresip alice did not register (see $io_dir/logs/$md_n-alice.log)"
			kill "$md_bctl" 2>/dev/null
			md_case_stop
			return 1
		fi
		io_bctl "$md_ac" "$io_dir/logs/$md_n-alicectl.log" \
			'cmd:dial sip:bob@localhost;transport=tls' wait:CALL_ESTABLISHED:10 \
			sleep:2 'cmd:sndcode 5' sleep:1 'cmd:sndcode #' sleep:6 cmd:hangup \
			wait:CALL_CLOSED:5 || md_err="alice's call failed (see $io_dir/logs/$md_n-alicectl.log)"
		md_da=$(md_bdigits "$io_dir/logs/$md_n-alicectl.log")
		md_fa=$(md_dec "$md_n-alice")
	else
		md_siptty_alice
	fi
	wait "$md_bctl" || [ -n "$md_err" ] ||
		md_err="bob's control script failed (see $io_dir/logs/$md_n-bobctl.log)"
	md_db=$(md_bdigits "$io_dir/logs/$md_n-bobctl.log")
	md_case_stop
	[ -n "$md_relayopts" ] && md_rline=$(tr '\n' ' ' < "$io_dir/logs/$md_n-relay.log")
	md_fb=$(md_dec "$md_n-bob")
	md_xc "$md_wb" "$md_fa"
	md_la=$md_xline
	md_xc "$md_wa" "$md_fb"
	md_lb=$md_xline
	if [ "$(grep -ac '^a=crypto:[0-9]* AES_CM_128_HMAC_SHA1_80 inline:' \
		"$io_dir/logs/$md_n-bob.log")" -ge 2 ]; then
		if [ "$md_ak" = baresip ] ||
			grep -q '"type":"media".*"srtp":"AES_CM_128_HMAC_SHA1_80"' "$io_dir/$md_n-alice.events"; then
			md_srtp=on
		fi
	fi
	[ -z "$md_err" ]
}

# md_alice_conf FILE KAMPORT [CODECS]: siptty's account alice over TLS
# through the Kamailio on KAMPORT (TLS on KAMPORT + 1), SRTP as
# $md_srtp_want asks; [audio] codecs when given.
md_alice_conf() {
	printf '%s\n' alicepw > "$io_dir/alice.pw"
	chmod 600 "$io_dir/alice.pw"
	case $md_srtp_want in
	on) md_ys=mandatory ;;
	*) md_ys=off ;;
	esac
	cat > "$1" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$(($2 + 1))
	password_file = $io_dir/alice.pw
	expires = 120
	srtp = $md_ys
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
	printf '[audio]\n' >> "$1"
	[ -n "${3:-}" ] && printf 'codecs = %s\n' "$3" >> "$1"
	# MD_SIPTTY_AUDIO: extra [audio] lines, to try a setting by hand
	[ -n "${MD_SIPTTY_AUDIO:-}" ] && printf '%b\n' "$MD_SIPTTY_AUDIO" >> "$1"
	return 0
}

# md_siptty_alice: the siptty side of md_case.
md_siptty_alice() {
	md_alice_conf "$md_cd/alice.conf" "$md_kp" "$md_codec"
	cat > "$md_cd/alice.script" <<-'EOS'
	# media tier: dial bob, talk, send 5 and #, hang up
	wait reg state=registered 10
	key d
	type sips:bob@localhost
	key Enter
	wait call state=answered 10
	wait media state=started 5
	sleep 2
	key 5
	sleep 1
	key #
	sleep 6
	key h
	wait call state=ended 10
	sleep 0.3
	EOS
	md_fa=$md_cd/alice-heard.wav
	io_siptty 40 "$md_n-alice" "$md_cd/alice.conf" "$md_cd/alice.script" \
		--audio-in "$md_wa" --audio-out "$md_fa" ||
		md_err="siptty's script failed (see $io_dir/logs/$md_n-alice.out, $io_dir/$md_n-alice.events)"
	md_da=$(sed -n 's/.*"type":"dtmf".*"dir":"in".*"digit":"\(.\)".*/\1/p' \
		"$io_dir/$md_n-alice.events" 2>/dev/null | tr -d '\n')
}

# md_bdigits CTL-LOG: the DTMF digits a baresip received, from the
# CALL_DTMF_START events its ctrl_tcp client printed.
md_bdigits() {
	sed -n 's/.*"type": "CALL_DTMF_START".*"param": "\(.\)".*/\1/p' "$1" | tr -d '\n'
}

# md_case_stop: stops what md_case started (by PID), newest first.
md_case_stop() {
	for md_p in $(printf '%s\n' $md_pids | sed '1!G;h;$!d'); do
		io_stop_pid "$md_p"
	done
	md_pids=
}
