# tests/interop/media/cases.sh - the checks of the real-audio tier, for
# either phone as alice: md_run_cases siptty (tier.sh) or md_run_cases
# baresip (baseline.sh: the same calls between two baresips, which shows
# that every part but siptty works and what values a good phone gets).
# Sourced after tests/interop/lib.sh and tests/interop/media/lib.sh; calls
# ok/bad; needs md_xcorr, md_relay, logdir.

md_check() {
	if [ "$2" -eq 0 ]; then ok "media: $1"; else bad "media: $1 (${3:-see $io_dir})"; fi
}

# md_tool_checks: xcorr itself, on sox-made signals: an identical copy
# (1.0, lag 0), a copy 250 ms late, a different signal, a copy with 80 ms
# of silence inserted (the gap found), a G.711 round trip.
md_tool_checks() {
	md_t=$io_dir/tool
	mkdir -p "$md_t"
	md_signal "$md_t/s.wav" 6 && md_signal2 "$md_t/o.wav" 6 &&
	sox "$md_t/s.wav" "$md_t/late.wav" pad 0.25 0 &&
	sox "$md_t/s.wav" "$md_t/a.wav" trim 0 3 && sox "$md_t/s.wav" "$md_t/b.wav" trim 3 &&
	sox -n -r 48000 -b 16 -c 1 "$md_t/z.wav" trim 0 0.08 &&
	sox "$md_t/a.wav" "$md_t/z.wav" "$md_t/b.wav" "$md_t/gap.wav" &&
	sox "$md_t/s.wav" -r 8000 -e u-law "$md_t/u.wav" 2>/dev/null
	md_rc=$?
	[ $md_rc -eq 0 ] && md_xc "$md_t/s.wav" "$md_t/s.wav" && md_ge "$md_x" 0.999 &&
		[ "$md_lag" = 0.000 ] || md_rc=1
	md_l1=$md_xline
	[ $md_rc -eq 0 ] && md_xc "$md_t/s.wav" "$md_t/late.wav" && md_ge "$md_x" 0.999 &&
		md_ge "$md_lag" 249.9 && md_ge 250.1 "$md_lag" || md_rc=1
	md_l2=$md_xline
	[ $md_rc -eq 0 ] && md_xc "$md_t/s.wav" "$md_t/o.wav" && md_ge 0.2 "$md_x" &&
		md_ge 0.3 "$md_seg" || md_rc=1
	md_l3=$md_xline
	[ $md_rc -eq 0 ] && md_xc "$md_t/s.wav" "$md_t/gap.wav" && md_ge "$md_gap" 60 &&
		md_ge 90 "$md_gap" && md_ge "$md_seg" 0.99 || md_rc=1
	md_l4=$md_xline
	[ $md_rc -eq 0 ] && md_xc "$md_t/s.wav" "$md_t/u.wav" && md_ge "$md_x" 0.99 || md_rc=1
	md_check "xcorr: same 1.0 lag 0 [$md_l1]; 250 ms late [$md_l2]; other signal low [$md_l3]; 80 ms hole found [$md_l4]; G.711 copy [$md_xline]" \
		$md_rc
}

# md_codec_case NAME AKIND CODEC SRTP: one call, audio both ways >= 0.9,
# DTMF both ways, SRTP as asked.
md_codec_case() {
	md_case "$1" "$2" "$3" "$4"
	md_rc=$?
	md_ge "${md_la#xcorr=}" 0.9 2>/dev/null || md_rc=1
	md_xa=$(printf '%s' "$md_la" | sed -n 's/^xcorr=\([-0-9.]*\).*/\1/p')
	md_xb=$(printf '%s' "$md_lb" | sed -n 's/^xcorr=\([-0-9.]*\).*/\1/p')
	md_ge "${md_xa:-0}" 0.9 && md_ge "${md_xb:-0}" 0.9 || md_rc=1
	[ "$md_da" = "7*" ] && [ "$md_db" = "5#" ] || md_rc=1
	if [ "$4" = on ]; then [ "$md_srtp" = on ] || md_rc=1; else [ -z "$md_srtp" ] || md_rc=1; fi
	md_check "$2 <-> baresip, $3, SRTP $4: alice heard [$md_la], bob heard [$md_lb], DTMF to alice '$md_da' (want 7*), to bob '$md_db' (want 5#), SRTP '${md_srtp:-off}'" \
		$md_rc "${md_err:-see $io_dir/$1 and $io_dir/logs/$1-*}"
}

# md_relay_case NAME AKIND WHAT MIN-SEG MAX-GAP RELAY-OPTIONS...: one Opus
# call through udprelay.py; per-segment correlation >= MIN-SEG both ways,
# no hole longer than MAX-GAP ms in what either side heard.
md_relay_case() {
	md_rn=$1 md_rk=$2 md_rw=$3 md_rmin=$4 md_rgap=$5
	shift 5
	md_case "$md_rn" "$md_rk" opus off "$@"
	md_rc=$?
	md_sa=$(printf '%s' "$md_la" | sed -n 's/.* seg=\([-0-9.]*\).*/\1/p')
	md_sb=$(printf '%s' "$md_lb" | sed -n 's/.* seg=\([-0-9.]*\).*/\1/p')
	md_ga=$(printf '%s' "$md_la" | sed -n 's/.*gap_ms=\([0-9]*\).*/\1/p')
	md_gb=$(printf '%s' "$md_lb" | sed -n 's/.*gap_ms=\([0-9]*\).*/\1/p')
	md_ge "${md_sa:-0}" "$md_rmin" && md_ge "${md_sb:-0}" "$md_rmin" || md_rc=1
	md_ge "$md_rgap" "${md_ga:-99999}" && md_ge "$md_rgap" "${md_gb:-99999}" || md_rc=1
	printf '%s' "$md_rline" | grep -q 'a->b in=[1-9]' || md_rc=1
	md_check "$md_rk <-> baresip, Opus through the relay, $md_rw: seg >= $md_rmin, gaps <= $md_rgap ms: alice heard [$md_la], bob heard [$md_lb]; relay [$md_rline]" \
		$md_rc "${md_err:-see $io_dir/$md_rn and $io_dir/logs/$md_rn-*}"
}

# md_run_cases AKIND: the whole tier with AKIND (siptty|baresip) as alice.
md_run_cases() {
	md_kind=$1
	io_workdir "$logdir" "media-$md_kind" || { bad "media: cannot make a work directory"; return; }
	io_missing=
	io_need kamailio kamailio
	io_need baresip baresip
	io_need certtool gnutls-bin
	io_need sox sox
	io_need pulseaudio pulseaudio
	io_need python3 python3
	[ -f /usr/share/alsa/alsa.conf.d/50-pulseaudio.conf ] || io_missing="$io_missing libasound2-plugins"
	if [ -n "$io_missing" ]; then
		bad "media: missing peers: apt-get install$io_missing"
		return
	fi
	[ -x "$md_xcorr" ] || { bad "media: $md_xcorr was not built (make check builds it)"; return; }
	md_tool_checks
	io_mkcerts "$io_dir/certs" || { bad "media: certtool could not make the test certificates"; return; }
	if ! md_pulse_start 300; then
		bad "media: the private PulseAudio did not start (see $io_dir/logs/pulseaudio.log)"
		io_stop_all
		return
	fi
	md_wa=$io_dir/alice-says.wav md_wb=$io_dir/bob-says.wav
	md_signal "$md_wa" 25 && md_signal2 "$md_wb" 25 ||
		{ bad "media: sox could not make the test signals"; io_stop_all; return; }
	md_codec_case opus-plain "$md_kind" opus off
	md_codec_case opus-srtp "$md_kind" opus on
	md_codec_case pcmu-plain "$md_kind" pcmu off
	md_codec_case pcmu-srtp "$md_kind" pcmu on
	md_relay_case loss5 "$md_kind" "5 % loss (seeded), Opus in-band FEC" 0.8 1000 --loss 5 --seed 7
	md_relay_case jitter30 "$md_kind" "+-30 ms jitter" 0.9 60 --jitter 30 --seed 7
	if [ "$md_kind" = siptty ]; then
		# siptty <-> linphonec (tests/interop/media/linphone.sh)
		io_missing=
		io_need linphonec linphone-cli
		if [ -n "$io_missing" ]; then
			bad "media: missing peers: apt-get install$io_missing"
		else
			md_lp_codec_case lp-pcmu-plain pcmu off
			md_lp_codec_case lp-pcmu-srtp pcmu on
			md_lp_codec_case lp-opus-srtp opus on
		fi
	fi
	io_stop_all
}
