# tests/interop/media/linphone.sh - the real-audio tier's linphonec case:
# siptty (alice) calls linphonec (dave, Debian linphone-cli 5.x, auto-answer)
# over TLS through Kamailio; each side plays a WAV and records what it
# hears (linphonec in its file mode: "soundcard use files", "play",
# "record"); what each heard must match what the other sent (xcorr >= 0.9
# after alignment); DTMF both ways (siptty sends 5 #, linphonec sends 7 *
# from its command line; linphonec prints "Receiving tone"); SRTP (SDES)
# on or off.  linphonec takes its commands through a FIFO on stdin (PeerLab
# recipe, section 4; tests/tiers/call2.sh).  Sourced after
# tests/interop/lib.sh and tests/interop/media/lib.sh; every name starts
# with md_lp; calls ok/bad through md_check (cases.sh).

# md_lp_rc FILE DIR SIPPORT RTPPORT SRTP CODEC: a liblinphone 5.1 configuration
# for dave, registered at Kamailio's TLS port ($md_lpk + 1), verifying the
# test CA; SRTP "on" makes SDES-SRTP mandatory; of the codecs siptty
# offers, only CODEC (opus|pcmu|pcma) is enabled.  linphonec rewrites its
# configuration on exit, so a fresh one is written every case.
md_lp_rc() {
	md_lpenc=none md_lpman=0
	[ "$5" = on ] && md_lpenc=srtp md_lpman=1
	cat > "$1" <<-EOF
	# liblinphone 5.1 configuration for linphonec dave in the media tier
	[sip]
	sip_port=0
	sip_tcp_port=0
	sip_tls_port=$3
	default_proxy=0
	root_ca=$io_dir/certs/ca.pem
	verify_server_certs=1
	verify_server_cn=1
	use_ipv6=0
	register_only_when_network_is_up=0
	register_only_when_upnp_is_ok=0
	ping_with_options=0
	contact="dave" <sip:dave@127.0.0.1>
	inc_timeout=60
	in_call_timeout=0
	delayed_timeout=10
	media_encryption=$md_lpenc
	media_encryption_mandatory=$md_lpman
	use_rfc2833=1
	use_info=0

	[net]
	firewall_policy=0
	mtu=1300
	download_bw=0
	upload_bw=0

	[rtp]
	audio_rtp_port=$4-$(($4 + 1))
	audio_jitt_comp=60
	audio_adaptive_jitt_comp_enabled=0
	jitter_buffer_algorithm=basic
	rtcp_mux=0

	[sound]
	echocancellation=0
	agc=0

	[misc]
	max_calls=2
	log_collection_upload_server_url=
	version_check_url_root=
	config-uri=

	[storage]
	uri=$2/linphone.db

	[proxy_0]
	reg_proxy=<sip:127.0.0.1:$((md_lpk + 1));transport=tls>
	reg_route=<sip:127.0.0.1:$((md_lpk + 1));transport=tls;lr>
	reg_identity="dave" <sips:dave@localhost>
	reg_expires=300
	reg_sendregister=1
	publish=0
	dial_escape_plus=0
	quality_reporting_enabled=0
	avpf=0

	[auth_info_0]
	username=dave
	passwd=davepw
	realm=$io_realm
	domain=localhost
	EOF
	# siptty offers Opus, PCMU and PCMA: dave takes only CODEC ($6).
	md_lpi=0
	for md_lpc in opus/48000/2 PCMU/8000/1 PCMA/8000/1; do
		md_lpm=${md_lpc%%/*}
		md_lpe=0
		[ "$(printf '%s' "$md_lpm" | tr '[:upper:]' '[:lower:]')" = "$6" ] && md_lpe=1
		printf '\n[audio_codec_%d]\nmime=%s\nrate=%s\nchannels=%s\nenabled=%d\n' \
			$md_lpi "$md_lpm" "$(printf '%s' "$md_lpc" | cut -d/ -f2)" "${md_lpc##*/}" \
			$md_lpe >> "$1"
		md_lpi=$((md_lpi + 1))
	done
}

# The talk judged by xcorr: the first md_lptalk seconds of each recording
# (DTMF starts 8 s into the call), and for dave's from md_lpsettle on:
# linphonec's own jitter buffer settles in its first second (its delay
# moved by 10 ms there in some runs, with the adaptive mode off).
md_lptalk=7 md_lpsettle=1
# After DTMF: from md_lpafter s on (the last digit, dave's *, goes 9.5 s
# into the call) only the playout delay is measured and printed.
md_lpafter=10.5

# md_lp CMD...: one command line to linphonec (through fd 8, its FIFO),
# from a subshell: if linphonec has died, SIGPIPE ends that subshell, not
# the test shell.
md_lp() { (printf '%s\n' "$*" >&8) 2> /dev/null; }

# md_lp_stop: asks linphonec to quit, closes its FIFO, then stops it by
# PID (it has 5 s to write its recording and go).
md_lp_stop() {
	md_lp quit
	exec 8>&-
	md_lpw=50
	while [ $md_lpw -gt 0 ] && kill -0 "$md_lpid" 2> /dev/null; do
		sleep 0.1
		md_lpw=$((md_lpw - 1))
	done
	io_stop_pid "$md_lpid"
}

# md_lp_case NAME CODEC SRTP: alice (siptty) calls dave (linphonec).
# alice plays $md_wa and records what she hears; dave plays $md_wb and
# records.  The call: 8 s of talk, then DTMF both ways (alice 5 #, dave
# 7 *, each digit a second apart), then 3 s more; 12 s in all.  Sets
# md_err; md_lpa md_lpb, xcorr lines over the talk before any DTMF (see
# md_lptalk): what alice heard vs $md_wb, what dave heard vs $md_wa;
# md_la md_lb, the same over the whole call (DTMF included: linphonec
# sends no voice while it sends a digit, and the receiver may move its
# playout delay then, which lowers xcorr but not seg); md_lpda md_lpdb,
# each side's playout delay (ms) before and after the DTMF; md_da md_db
# (digits alice and dave received); md_srtp: "on" when linphonec's log
# shows a=crypto in both SDPs and siptty's media event names the suite,
# "off" when neither, else "mixed"; md_lpcodec (the codec siptty's media
# event names; siptty offers Opus, PCMU and PCMA, dave takes one).
md_lp_case() {
	md_n=$1 md_codec=$2 md_srtp_want=$3
	md_err= md_la= md_lb= md_da= md_db= md_srtp= md_lpcodec= md_fa= md_fb=
	md_lpa= md_lpb= md_lpda= md_lpdb=
	md_cd=$io_dir/$md_n
	mkdir -p "$md_cd"
	md_ports=$(io_free_ports 3) || { md_err="no free ports"; return 1; }
	# shellcheck disable=SC2086
	set -- $md_ports
	md_lpk=$1 md_lps=$2 md_lpr=$3
	md_kp=$md_lpk
	if ! md_kamailio_start "kam-$md_n" "$md_lpk" "$((md_lpk + 1))" -- -A WITH_QOP; then
		md_err="kamailio did not start (see $io_kam_log)"
		io_stop_pid "$io_kam_pid"
		return 1
	fi
	md_pids=$io_kam_pid
	md_lpd=$md_cd/dave
	mkdir -p "$md_lpd"
	md_lp_rc "$md_lpd/run.rc" "$md_lpd" "$md_lps" "$md_lpr" "$md_srtp_want" "$md_codec"
	rm -f "$md_lpd/in"
	mkfifo "$md_lpd/in" || { md_err="mkfifo failed"; md_case_stop; return 1; }
	md_lpout=$io_dir/logs/$md_n-dave.out md_lplog=$io_dir/logs/$md_n-dave.log
	: > "$md_lplog"
	# shellcheck disable=SC2046
	env $(io_env) timeout -k 3 60 linphonec -c "$md_lpd/run.rc" -d 6 -l "$md_lplog" \
		< "$md_lpd/in" > "$md_lpout" 2>&1 &
	md_lpid=$!
	# Held open until md_lp_stop: linphonec quits when its stdin ends.
	exec 8> "$md_lpd/in"
	md_fb=$md_cd/dave-heard.wav
	md_lp "soundcard use files"
	md_lp "play $md_wb"
	md_lp "record $md_fb"
	md_lp "autoanswer enable"
	if ! io_wait_log "$md_lplog" 'LinphoneRegistrationOk' 15; then
		md_err="linphonec dave did not register over TLS (see $md_lplog, $md_lpout)"
		md_lp_stop
		md_case_stop
		return 1
	fi
	md_fa=$md_cd/alice-heard.wav
	md_lp_siptty &
	md_lpy=$!
	# dave: 8.5 s into the call sends 7, then * (digits typed on its
	# command line are sent as RFC 4733 events during a call).
	if io_wait_log "$md_lpout" '^Call [0-9]+ with .*alice@localhost connected' 15; then
		sleep 8.5
		md_lp 7
		sleep 1
		md_lp '*'
	else
		md_err="linphonec did not answer (see $md_lpout)"
	fi
	wait "$md_lpy" || [ -n "$md_err" ] ||
		md_err="siptty's script failed (see $io_dir/logs/$md_n-alice.out, $io_dir/$md_n-alice.events)"
	io_wait_log "$md_lpout" '(^|> )Call [0-9]+ .*(ended|terminated)' 5 || [ -n "$md_err" ] ||
		md_err="linphonec did not see the call end (see $md_lpout)"
	md_lp_stop
	md_case_stop
	md_da=$(sed -n 's/.*"type":"dtmf".*"dir":"in".*"digit":"\(.\)".*/\1/p' \
		"$io_dir/$md_n-alice.events" 2> /dev/null | tr -d '\n')
	md_db=$(sed -n 's/^\(linphonec> \)*Receiving tone \(.\) from .*/\2/p' "$md_lpout" | tr -d '\n')
	md_lpcodec=$(sed -n 's/.*"type":"media".*"codec":"\([^"]*\)".*/\1/p' \
		"$io_dir/$md_n-alice.events" 2> /dev/null | head -n 1)
	md_xc "$md_wb" "$md_fa"
	md_la=$md_xline
	md_xc "$md_wa" "$md_fb"
	md_lb=$md_xline
	if [ -f "$md_fa" ] && sox "$md_fa" "$md_cd/alice-heard-talk.wav" trim 0 "$md_lptalk" 2> /dev/null; then
		md_xc "$md_wb" "$md_cd/alice-heard-talk.wav"
		md_lpa=$md_xline
		md_lpda=$(md_lp_ms "$md_lag" 0)
	fi
	if [ -f "$md_fb" ] && sox "$md_fb" "$md_cd/dave-heard-talk.wav" \
		trim "$md_lpsettle" "$((md_lptalk - md_lpsettle))" 2> /dev/null; then
		md_xc "$md_wa" "$md_cd/dave-heard-talk.wav"
		md_lpb=$md_xline
		md_lpdb=$(md_lp_ms "$md_lag" "$md_lpsettle")
	fi
	if sox "$md_fa" "$md_cd/alice-heard-after.wav" trim "$md_lpafter" 2> /dev/null &&
		md_xc "$md_wb" "$md_cd/alice-heard-after.wav" -l 15000; then
		md_lpda="$md_lpda -> $(md_lp_ms "$md_lag" "$md_lpafter")"
	fi
	if sox "$md_fb" "$md_cd/dave-heard-after.wav" trim "$md_lpafter" 2> /dev/null &&
		md_xc "$md_wa" "$md_cd/dave-heard-after.wav" -l 15000; then
		md_lpdb="$md_lpdb -> $(md_lp_ms "$md_lag" "$md_lpafter")"
	fi
	md_lpc1=$(grep -ac '^a=crypto:[0-9]* AES_CM_128_HMAC_SHA1_80 inline:' "$md_lplog")
	md_lpc2=$(grep -c '"type":"media".*"srtp":"AES_CM_128_HMAC_SHA1_80"' "$io_dir/$md_n-alice.events" 2> /dev/null)
	md_lpc3=$(grep -c '"type":"media".*"srtp":"off"' "$io_dir/$md_n-alice.events" 2> /dev/null)
	if [ "$md_lpc1" -ge 2 ] && [ "${md_lpc2:-0}" -ge 1 ] && [ "${md_lpc3:-0}" -eq 0 ]; then
		md_srtp=on
	elif [ "$md_lpc1" -eq 0 ] && [ "${md_lpc2:-0}" -eq 0 ] && [ "${md_lpc3:-0}" -ge 1 ]; then
		md_srtp=off
	else
		md_srtp=mixed
	fi
	[ -z "$md_err" ]
}

# md_lp_ms LAG START: the playout delay in ms of a piece of a recording
# cut from START s on, from xcorr's LAG for it.
md_lp_ms() { awk -v l="$1" -v s="$2" 'BEGIN { printf "%.0f", l + s * 1000 }'; }

# md_lp_siptty: the siptty side of md_lp_case (alice): dials dave, talks
# 8 s, sends 5 and # a second apart, talks 3 s more, hangs up.
md_lp_siptty() {
	md_alice_conf "$md_cd/alice.conf" "$md_lpk"
	cat > "$md_cd/alice.script" <<-'EOS'
	# media tier, linphonec case: dial dave, talk, send 5 and #, hang up
	wait reg state=registered 10
	key d
	type sips:dave@localhost
	key Enter
	wait call state=answered 15
	wait media state=started 5
	sleep 8
	key 5
	sleep 1
	key #
	sleep 3
	key h
	wait call state=ended 10
	sleep 0.3
	EOS
	# io_siptty's --null-audio leaves the WAV files in use.
	io_siptty 45 "$md_n-alice" "$md_cd/alice.conf" "$md_cd/alice.script" \
		--audio-in "$md_wa" --audio-out "$md_fa"
}

# md_lp_codec_case NAME CODEC SRTP: one siptty -> linphonec call; the
# talk before DTMF correlates >= 0.9 both ways, the whole call's segments
# >= 0.9 on average both ways, DTMF both ways, SRTP as asked, the codec as
# asked.
md_lp_codec_case() {
	md_lp_case "$1" "$2" "$3"
	md_rc=$?
	md_xa=$(printf '%s' "$md_lpa" | sed -n 's/^xcorr=\([-0-9.]*\).*/\1/p')
	md_xb=$(printf '%s' "$md_lpb" | sed -n 's/^xcorr=\([-0-9.]*\).*/\1/p')
	md_ge "${md_xa:-0}" 0.9 && md_ge "${md_xb:-0}" 0.9 || md_rc=1
	md_sa=$(printf '%s' "$md_la" | sed -n 's/.* seg=\([-0-9.]*\).*/\1/p')
	md_sb=$(printf '%s' "$md_lb" | sed -n 's/.* seg=\([-0-9.]*\).*/\1/p')
	md_ge "${md_sa:-0}" 0.9 && md_ge "${md_sb:-0}" 0.9 || md_rc=1
	[ "$md_da" = "7*" ] && [ "$md_db" = "5#" ] || md_rc=1
	[ "$(printf '%s' "$md_lpcodec" | tr '[:upper:]' '[:lower:]')" = "$2" ] || md_rc=1
	[ "$md_srtp" = "$3" ] || md_rc=1
	md_check "siptty <-> linphonec, $2, SRTP $3: talk before DTMF (xcorr >= 0.9): alice heard [$md_lpa], dave heard [$md_lpb]; whole call with DTMF (seg >= 0.9): alice heard [$md_la], dave heard [$md_lb]; DTMF to alice '$md_da' (want 7*), to dave '$md_db' (want 5#), codec '$md_lpcodec', SRTP '$md_srtp'; playout delay (ms) before -> after DTMF: alice $md_lpda, dave $md_lpdb" \
		$md_rc "${md_err:-see $io_dir/$1 and $io_dir/logs/$1-*}"
}
