# tests/interop/identity/selfcheck.sh - proves the identity tier's
# scaffolding with the real tools only (no siptty): a SIPp UAS stands
# where siptty will be.  Sourced like a tier (ok/bad, top_srcdir, logdir;
# run it with tests/interop/identity/run.sh selfcheck).
#
#  (1) each case's Identity header leaves SIPp (uac-ident.xml) and reaches
#      a SIPp UAS byte for byte; secsipidx checks the received header and
#      says what it said about the header sent
#  (2) baresip (+12155550121, TLS) calls +12155550131 through Kamailio:
#      the INVITE that reaches the UAS carries an Identity header that
#      Kamailio's secsipid module added (attest A, orig 12155550121,
#      dest 12155550131, x5u = the loopback HTTPS server) and that
#      secsipidx verifies (certificate fetched over HTTPS, chained to the
#      STIR CA)
#  (3) a SIPp UAC (user sipp) with its own forged P-Asserted-Identity
#      calls through Kamailio: the UAS gets Kamailio's PAI, not the forged
#      one, and no Identity header

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
. "$io_src/identity/idlib.sh"

idc_step() {
	if [ "$2" -eq 0 ]; then ok "idcheck: $1"; else bad "idcheck: $1 (${3:-see $io_dir})"; fi
}

# idc_hdr_in MSGFILE NAME [N]: the value of the first NAME header of the
# Nth (default first) INVITE received in a SIPp message trace.
idc_hdr_in() {
	awk -v h="$2" -v want="${3:-1}" '
		/^UDP message received/ { st = 1; next }
		st == 1 && /^\r?$/ { next }
		st == 1 { st = 2; isinv = ($1 == "INVITE" && ++n == want); next }
		st == 2 && /^\r?$/ { st = 0; next }
		st == 2 && isinv && tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":" {
			sub(/^[^:]*:[ \t]*/, ""); sub(/\r$/, ""); print; exit }' "$1"
}

idc_run() {
	io_workdir "$logdir" idcheck || { bad "idcheck: cannot make a work directory"; return; }
	if ! idt_setup; then
		bad "idcheck: $idt_err"
		io_stop_all
		return
	fi
	idc_ports=$(io_free_ports 5) || { bad "idcheck: no free ports"; io_stop_all; return; }
	# shellcheck disable=SC2086
	set -- $idc_ports
	idc_up=$1 idc_cp=$2 idc_kp=$3 idc_bp=$4 idc_bc=$5

	# (1) SIPp UAC -> SIPp UAS, every case.
	idt_tokens "$io_dir/tok" || { bad "idcheck: mktokens.sh failed (see $io_dir/logs/mktokens.log)"; io_stop_all; return; }
	idc_n=$(ls "$io_dir/tok"/*.hdr | wc -l)
	io_sipp_bg "$io_dir/logs/uas1.sipp" 60 -sf "$idt_src/uas-answer.xml" -t u1 -i 127.0.0.1 \
		-p "$idc_up" -m "$idc_n" -trace_msg -message_file "$io_dir/logs/uas1.msg"
	idc_uas=$io_pid
	io_wait_port udp "$idc_up" 5
	idc_rc=0 idc_bad=
	for idc_f in "$io_dir/tok"/*.hdr; do
		idc_c=$(basename "$idc_f" .hdr)
		idt_sipp_call "$io_dir/logs/uac-$idc_c.sipp" "$io_dir/tok" "$idc_c" \
			"127.0.0.1:$idc_up" "$idc_cp" || { idc_rc=1; idc_bad="$idc_bad $idc_c(sipp)"; }
	done
	io_wait_gone "$idc_uas" || { idc_rc=1; idc_bad="$idc_bad uas"; }
	# Each header as sent must appear as received, in order.
	for idc_f in "$io_dir/tok"/*.hdr; do
		idc_c=$(basename "$idc_f" .hdr)
		grep -Fq -- "$(cat "$idc_f")" "$io_dir/logs/uas1.msg" ||
			{ idc_rc=1; idc_bad="$idc_bad $idc_c(not-received)"; }
	done
	idc_step "(1) $idc_n INVITEs, each case's header line received intact by a SIPp UAS" \
		$idc_rc "missing:$idc_bad; see $io_dir/logs/uas1.msg"

	# (2) baresip -> Kamailio (secsipid signs) -> SIPp UAS.
	if ! idt_kamailio_start kamailio "$idc_kp" "$((idc_kp + 1))"; then
		bad "idcheck: kamailio with secsipid did not start (see $io_kam_log)"
		io_stop_all
		return
	fi
	idc_kl=$io_kam_log
	# The UAS registers as +12155550131 over UDP from its own port first.
	io_sipp "$io_dir/logs/reg.sipp" 15 "127.0.0.1:$idc_kp" -sf "$io_src/sipp/uac-register.xml" \
		-t u1 -i 127.0.0.1 -p "$idc_up" -s +12155550131 -au +12155550131 -ap calleepw -m 1 ||
		{ bad "idcheck: SIPp could not register +12155550131 at kamailio (see $io_dir/logs/reg.sipp)"; io_stop_all; return; }
	io_sipp_bg "$io_dir/logs/uas2.sipp" 60 -sf "$idt_src/uas-answer.xml" -t u1 -i 127.0.0.1 \
		-p "$idc_up" -m 2 -trace_msg -message_file "$io_dir/logs/uas2.msg"
	idc_uas=$io_pid
	io_wait_port udp "$idc_up" 5
	io_baresip_setup caller "$idc_bp" "$idc_bc" $((idc_bp + 200)) \
		"<sips:+12155550121@localhost;transport=tls>;auth_user=+12155550121;auth_pass=callerpw;audio_codecs=pcmu,pcma;outbound=\"sip:127.0.0.1:$((idc_kp + 1));transport=tls\";regint=600"
	io_baresip_start caller 60
	idc_bl=$io_dir/logs/caller.log
	if ! io_wait_log "$idc_bl" '12155550121@localhost: .*200 OK' 10; then
		bad "idcheck: baresip +12155550121 did not register over TLS (see $idc_bl)"
		io_stop_all
		return
	fi
	io_bctl "$idc_bc" "$io_dir/logs/caller-ctl.log" 'cmd:dial sip:+12155550131@localhost' \
		wait:CALL_ESTABLISHED:10 sleep:0.5 cmd:hangup wait:CALL_CLOSED:5
	idc_rc=$?
	idc_id=$(idc_hdr_in "$io_dir/logs/uas2.msg" Identity)
	idc_why=
	[ $idc_rc -eq 0 ] || idc_why="baresip's call failed (see $io_dir/logs/caller-ctl.log);"
	if [ -z "$idc_id" ]; then
		idc_rc=1 idc_why="$idc_why no Identity header reached the UAS;"
	else
		printf 'Identity: %s\n' "$idc_id" > "$io_dir/tok/kamailio.hdr"
		printf '%s\n' "$idt_base/good.pem" > "$io_dir/tok/kamailio.url"
		idc_said=$(idt_secsipidx_check kamailio "$io_dir/tok")
		[ "$idc_said" = ok ] || { idc_rc=1; idc_why="$idc_why secsipidx said: $idc_said;"; }
		idc_pl=$(printf '%s' "$idc_id" | cut -d. -f2 | tr '_-' '/+')
		while [ $(( ${#idc_pl} % 4 )) -ne 0 ]; do idc_pl="$idc_pl="; done
		idc_pl=$(printf '%s' "$idc_pl" | base64 -d 2>/dev/null)
		printf '%s\n' "$idc_pl" > "$io_dir/logs/kamailio-payload.json"
		case $idc_pl in
		*'"attest":"A"'*'"dest":{"tn":["12155550131"]}'*'"orig":{"tn":"12155550121"}'*) ;;
		*) idc_rc=1; idc_why="$idc_why payload $idc_pl;" ;;
		esac
		case $idc_id in
		*";info=<$idt_base/good.pem>"*) ;;
		*) idc_rc=1; idc_why="$idc_why info is not <$idt_base/good.pem>;" ;;
		esac
	fi
	grep -q 'identity: signed +12155550121 -> +12155550131 (A)' "$idc_kl" ||
		{ idc_rc=1; idc_why="$idc_why kamailio did not log the signing;"; }
	idc_step "(2) baresip calls through kamailio, whose secsipid module signs (A): secsipidx verifies the Identity header the UAS got" \
		$idc_rc "$idc_why kamailio $idc_kl, uas $io_dir/logs/uas2.msg"

	# (3) SIPp UAC (sipp) with a forged PAI -> Kamailio -> UAS.
	printf '%s\n' 'P-Asserted-Identity: <sip:+19995550000@forged.example;user=phone;verstat=TN-Validation-Passed>' \
		> "$io_dir/tok/forged.hdr"
	io_sipp "$io_dir/logs/uac-pai.sipp" 20 "127.0.0.1:$idc_kp" -sf "$idt_src/uac-ident.xml" \
		-t u1 -i 127.0.0.1 -p "$idc_cp" -s +12155550131 -key caller sipp -key dom localhost \
		-key tp "" -key hdr "$(cat "$io_dir/tok/forged.hdr")" -au sipp -ap sipppw -d 200 -m 1 \
		-trace_msg -message_file "$io_dir/logs/uac-pai.msg"
	idc_rc=$?
	io_wait_gone "$idc_uas" || idc_rc=1
	idc_pai=$(idc_hdr_in "$io_dir/logs/uas2.msg" P-Asserted-Identity 2)
	[ "$idc_pai" = '<sip:+12155550122@localhost;user=phone;verstat=No-TN-Validation>' ] || idc_rc=1
	grep -q 'forged.example' "$io_dir/logs/uas2.msg" && idc_rc=1
	[ -z "$(idc_hdr_in "$io_dir/logs/uas2.msg" Identity 2)" ] || idc_rc=1
	idc_step "(3) kamailio replaces a caller's forged P-Asserted-Identity with its own (got: ${idc_pai:-none})" \
		$idc_rc "uac $io_dir/logs/uac-pai.*, uas $io_dir/logs/uas2.msg"

	io_stop_all
}

io_missing=
io_need kamailio kamailio
io_need baresip baresip
io_need sipp sip-tester
io_need certtool gnutls-bin
io_need secsipidx secsipidx
io_need curl curl
io_need python3 python3
[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/secsipid.so ] ||
	ls /usr/lib/*/kamailio/modules/secsipid.so > /dev/null 2>&1 ||
	io_missing="$io_missing kamailio-secsipid-modules"
if [ -n "$io_missing" ]; then
	bad "idcheck: needs$io_missing"
else
	idc_run
fi
