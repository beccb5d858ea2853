# tests/tiers/call2.sh - call tier 2: linphonec as the far-end phone over
# TLS through Kamailio, blind transfer (REFER, RFC 3515) both ways, and
# call-flow edge cases from SIPp.  Sourced by run-tests.sh (ok/bad/skipped,
# top_srcdir, top_builddir, logdir); every process is bounded by timeout
# and stopped by PID.
#
#  (a) siptty calls linphonec dave (auto-answer) through kamailio over TLS:
#      answered, held, resumed, hung up by siptty
#  (b) linphonec dave calls siptty (--auto-answer): dave pauses and resumes
#      the call, then hangs up
#  (c) siptty calls baresip bob, presses t and transfers him to dave: bob
#      takes the REFER (202) and calls dave, who answers.  baresip 1.0
#      sends no NOTIFY back to a sips: Contact (libre refuses a sips: next
#      hop, ENOSYS), so siptty hangs up itself; (d) checks the NOTIFYs.
#  (d) transferor: siptty calls a SIPp UAS and transfers it (t): REFER,
#      202, NOTIFY 100 and 200, BYE; siptty's call ends "transferred"
#  (e) transferee: a SIPp UAC calls siptty and REFERs it to a SIPp UAS:
#      202, NOTIFY 100, the new call, NOTIFY 200, the old call ended
#  (f) a 200 that crosses our CANCEL: ACK, then BYE
#  (g) a BYE in no dialog: 481
#  (h) retransmitted 180 and 200: one ringing, one answer, each 200 ACKed
#  (i) re-INVITE glare: siptty answers 491 to the far end's re-INVITE
#      while its own is pending, backs off after the 491 it gets, retries

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
c2_siptty=$top_builddir/src/siptty
c2_sc=$io_src/call2

c2_step() {
	if [ "$2" -eq 0 ]; then ok "call2: $1"; else bad "call2: $1 (${3:-see $io_dir})"; fi
}

# c2_siptty NAME CONF SCRIPT [OPTION]...: siptty headless, bounded, in the
# foreground; events in $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
c2_siptty() { io_siptty 40 "$@"; }

# c2_states FILE [CALL]: the call states in order (of call CALL only).
c2_states() {
	if [ -n "${2:-}" ]; then
		grep "\"type\":\"call\",\"call\":$2," "$1"
	else
		grep '"type":"call"' "$1"
	fi | sed -n 's/.*"state":"\([a-z-]*\)".*/\1/p' | tr '\n' ' '
}

# c2_udp_conf FILE PORT: a sip: account that does not register, over UDP.
c2_udp_conf() { io_udp_conf "$@"; }

# c2_wait_gone PID: waits up to 5 s for a SIPp run to finish by itself,
# then stops it; fails when it had to be stopped or failed.
c2_wait_gone() { io_wait_gone "$@"; }

# ------------------------------------------------------------------ #
# linphonec (PeerLab recipe, section 4): commands through a FIFO on   #
# stdin, audio from files, the test CA as root_ca (it verifies).      #
# ------------------------------------------------------------------ #

# c2_lp_start NAME USER PW SIPPORT RTPPORT: starts linphonec, registered
# over TLS at kamailio ($c2_kp + 1); sets c2_lp_pid, c2_lp_out, c2_lp_log.
c2_lp_start() {
	c2_ld=$io_dir/$1
	mkdir -p "$c2_ld"
	sed -e "s|@DIR@|$c2_ld|g" -e "s|@USER@|$2|g" -e "s|@PW@|$3|g" \
		-e "s|@REALM@|$io_realm|g" -e "s|@TLSPORT@|$((c2_kp + 1))|g" \
		-e "s|@SIPPORT@|$4|g" -e "s|@RTP@|$5|g" -e "s|@RTPEND@|$(($5 + 19))|g" \
		-e "s|@CA@|$io_dir/certs/ca.pem|g" \
		"$c2_sc/linphonec.rc.in" > "$c2_ld/run.rc"
	rm -f "$c2_ld/in"
	mkfifo "$c2_ld/in" || return 1
	c2_lp_out=$io_dir/logs/$1.out c2_lp_log=$io_dir/logs/$1.log
	: > "$c2_lp_log"
	# shellcheck disable=SC2046
	env $(io_env) timeout -k 3 150 linphonec -c "$c2_ld/run.rc" -d 6 -l "$c2_lp_log" \
		< "$c2_ld/in" > "$c2_lp_out" 2>&1 &
	c2_lp_pid=$!
	io_pids="$io_pids $c2_lp_pid"
	# Held open for the whole tier: linphonec quits when its stdin ends.
	exec 7> "$c2_ld/in"
	c2_lp "soundcard use files"
	c2_lp "autoanswer enable"
	io_wait_log "$c2_lp_log" 'LinphoneRegistrationOk' 15
}

c2_lp() { printf '%s\n' "$*" >&7; }

c2_lp_stop() {
	c2_lp "quit" 2>/dev/null
	exec 7>&-
	c2_k=50
	while [ $c2_k -gt 0 ] && kill -0 "$c2_lp_pid" 2>/dev/null; do sleep 0.1; c2_k=$((c2_k - 1)); done
	io_stop_pid "$c2_lp_pid"
}

# The linphonec calls ended so far (its "Call N ... ended" lines).
c2_lp_ended() { grep -Eac '^Call [0-9]+ .*(ended|terminated)' "$c2_lp_out"; }

c2_tls_conf() {
	printf '%s\n' alicepw > "$io_dir/alice.pw"
	chmod 600 "$io_dir/alice.pw"
	cat > "$1" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$((c2_kp + 1))
	password_file = $io_dir/alice.pw
	expires = 120
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
}

c2_run_phones() {
	if ! io_kamailio_start kamailio "$c2_kp" "$((c2_kp + 1))" -A WITH_QOP; then
		bad "call2: kamailio did not start (see $io_kam_log)"
		return
	fi
	c2_kl=$io_kam_log
	if ! c2_lp_start dave dave davepw "$c2_lpp" "$c2_lrtp"; then
		bad "call2: linphonec dave did not register over TLS (see $c2_lp_log, $c2_lp_out)"
		c2_lp_stop
		return
	fi
	c2_tls_conf "$io_dir/alice.conf"

	# (a) siptty calls dave: answered, hold, resume, hang up.
	cat > "$io_dir/a.script" <<-'EOS'
	# call2 tier (a): dial linphonec, hold, resume, hang up
	wait reg state=registered 10
	key d
	type sips:dave@localhost
	key Enter
	wait call state=answered 15
	sleep 1
	key H
	wait call state=held 10
	sleep 1
	key H
	wait call state=answered 10
	sleep 0.5
	key h
	wait call state=ended 10
	sleep 1
	EOS
	c2_e0=$(c2_lp_ended)
	c2_siptty a "$io_dir/alice.conf" "$io_dir/a.script"
	c2_rc=$?
	c2_st=$(c2_states "$io_dir/a.events")
	case $c2_st in
	"calling ringing answered held answered ended "|"calling answered held answered ended ") ;;
	*) c2_rc=1 ;;
	esac
	grep -q '"dir":"out","peer":"sips:dave@localhost","state":"answered","code":200' \
		"$io_dir/a.events" || c2_rc=1
	grep -q 'REQ INVITE sips:dave@localhost .*/tls' "$c2_kl" || c2_rc=1
	grep -Eaq '^Call [0-9]+ with .*alice@localhost connected' "$c2_lp_out" || c2_rc=1
	grep -Eaq '^Call [0-9]+ has been paused by .*alice@localhost' "$c2_lp_out" || c2_rc=1
	io_wait_log "$c2_lp_out" '^Call [0-9]+ .*(ended|terminated)' 3 || c2_rc=1
	[ "$(c2_lp_ended)" -gt "$c2_e0" ] || c2_rc=1
	c2_step "(a) siptty calls linphonec over TLS via kamailio: answered, held, resumed, ended [$c2_st]" \
		$c2_rc "events $io_dir/a.events, log $io_dir/logs/a.log, linphonec $c2_lp_out"

	# (b) dave calls siptty, which answers by itself; dave pauses,
	# resumes and hangs up.
	cat > "$io_dir/b.script" <<-'EOS'
	# call2 tier (b): linphonec calls, pauses, resumes, hangs up
	wait reg state=registered 10
	wait call state=incoming 15
	wait call state=answered 10
	wait call state=remote-held 15
	wait call state=answered 15
	wait call state=ended 15
	sleep 0.3
	EOS
	c2_siptty b "$io_dir/alice.conf" "$io_dir/b.script" --auto-answer &
	c2_sip_pid=$!
	c2_rc=0
	io_wait_log "$io_dir/b.events" '"state":"registered"' 10 || c2_rc=1
	c2_lp "call sips:alice@localhost"
	io_wait_log "$io_dir/b.events" '"state":"answered"' 15 || c2_rc=1
	sleep 1
	c2_lp "pause"
	io_wait_log "$io_dir/b.events" '"state":"remote-held"' 10 || c2_rc=1
	sleep 1
	c2_lp "resume"
	sleep 1.5
	c2_lp "terminate"
	wait "$c2_sip_pid" || c2_rc=1
	c2_st=$(c2_states "$io_dir/b.events")
	[ "$c2_st" = "incoming answered remote-held answered ended " ] || c2_rc=1
	grep -q '"state":"ended","code":0,"reason":"the far end hung up"' "$io_dir/b.events" || c2_rc=1
	grep -q 'REQ INVITE sips:alice@localhost .*/tls' "$c2_kl" || c2_rc=1
	c2_step "(b) linphonec calls siptty via kamailio: auto-answered, paused, resumed, ended by linphonec [$c2_st]" \
		$c2_rc "events $io_dir/b.events, log $io_dir/logs/b.log, linphonec $c2_lp_out"

	# (c) siptty calls baresip bob and transfers him to dave.
	io_baresip_setup bob "$c2_bp" "$c2_bc" $((c2_bp + 200)) \
		"<sips:bob@localhost;transport=tls>;auth_pass=bobpw;answermode=auto;audio_codecs=pcmu,pcma;outbound=\"sip:127.0.0.1:$((c2_kp + 1));transport=tls\";regint=600"
	io_baresip_start bob 90
	c2_bl=$io_dir/logs/bob.log
	if ! io_wait_log "$c2_bl" 'bob@localhost: .*200 OK' 10; then
		bad "call2: baresip bob did not register over TLS (see $c2_bl)"
	else
		cat > "$io_dir/c.script" <<-'EOS'
		# call2 tier (c): call bob, transfer him to dave, hang up
		wait reg state=registered 10
		key d
		type sips:bob@localhost
		key Enter
		wait call state=answered 10
		sleep 0.5
		key t
		type sip:dave@localhost;transport=tls
		key Enter
		sleep 3
		key h
		wait call state=ended 10
		sleep 0.5
		EOS
		c2_siptty c "$io_dir/alice.conf" "$io_dir/c.script"
		c2_rc=$?
		c2_st=$(c2_states "$io_dir/c.events")
		case $c2_st in
		"calling ringing answered ended "|"calling answered ended ") ;;
		*) c2_rc=1 ;;
		esac
		grep -q 'call 1: REFER accepted (202)' "$io_dir/logs/c.log" || c2_rc=1
		grep -q '^Refer-To: <sip:dave@localhost;transport=tls>' "$c2_bl" || c2_rc=1
		grep -q '^Referred-By: <sips:alice@localhost>' "$c2_bl" || c2_rc=1
		grep -q 'transferring call' "$c2_bl" || c2_rc=1
		grep -Eaq '^Call [0-9]+ with .*bob@localhost connected' "$c2_lp_out" || c2_rc=1
		c2_step "(c) siptty transfers baresip to linphonec: REFER taken (202), bob's new call answered by dave [$c2_st]" \
			$c2_rc "events $io_dir/c.events, log $io_dir/logs/c.log, baresip $c2_bl, linphonec $c2_lp_out"
		c2_lp "terminate" 2>/dev/null
	fi
	c2_lp_stop
	io_stop_all
}

# (d) to (h): SIPp peers over UDP, straight to siptty.
c2_run_sipp() {
	# (d) siptty as the transferor, against a SIPp transferee.
	io_sipp_bg "$io_dir/logs/d.sipp" 30 -sf "$c2_sc/uas-refer.xml" -t u1 -i 127.0.0.1 \
		-p "$c2_up" -m 1 -trace_msg -message_file "$io_dir/logs/d.msg"
	c2_uas=$io_pid
	io_wait_port udp "$c2_up" 5
	c2_udp_conf "$io_dir/d.conf" "$c2_sp"
	cat > "$io_dir/d.script" <<-EOS
	# call2 tier (d): call, transfer with t, the far end reports success
	key d
	type sip:sipp@127.0.0.1:$c2_up
	key Enter
	wait call state=answered 10
	sleep 0.3
	key t
	type sip:carol@example.com
	key Enter
	wait call state=transferred 10
	sleep 0.5
	EOS
	c2_siptty d "$io_dir/d.conf" "$io_dir/d.script"
	c2_rc=$?
	c2_wait_gone "$c2_uas" || c2_rc=1
	c2_st=$(c2_states "$io_dir/d.events")
	[ "$c2_st" = "calling answered transferred " ] || c2_rc=1
	grep -q '"state":"transferred","code":200,"reason":"transferred to sip:carol@example.com"' \
		"$io_dir/d.events" || c2_rc=1
	grep -q '^REFER sip:sipp@127.0.0.1' "$io_dir/logs/d.msg" || c2_rc=1
	grep -q '^BYE sip:sipp@127.0.0.1' "$io_dir/logs/d.msg" || c2_rc=1
	[ "$(grep -c '^SIP/2.0 200 OK' "$io_dir/logs/d.msg")" -ge 3 ] || c2_rc=1
	c2_step "(d) siptty transfers a SIPp UAS (t): REFER, 202, NOTIFY 100/200, BYE, transferred [$c2_st]" \
		$c2_rc "events $io_dir/d.events, log $io_dir/logs/d.log, sipp $io_dir/logs/d.*"

	# (e) siptty as the transferee.
	io_sipp_bg "$io_dir/logs/e-target.sipp" 30 -sf "$c2_sc/uas-answer.xml" -t u1 -i 127.0.0.1 \
		-p "$c2_up2" -m 1 -trace_msg -message_file "$io_dir/logs/e-target.msg"
	c2_uas=$io_pid
	io_wait_port udp "$c2_up2" 5
	c2_udp_conf "$io_dir/e.conf" "$c2_sp"
	cat > "$io_dir/e.script" <<-'EOS'
	# call2 tier (e): answered, transferred by the far end
	wait call state=answered 10
	wait call state=answered referred_by=1 10
	wait call state=transferred 10
	sleep 0.5
	key h
	wait call call=2 state=ended 10
	sleep 0.3
	EOS
	c2_siptty e "$io_dir/e.conf" "$io_dir/e.script" --auto-answer &
	c2_sip_pid=$!
	io_wait_port udp "$c2_sp" 5
	io_sipp "$io_dir/logs/e.sipp" 25 "127.0.0.1:$c2_sp" -sf "$c2_sc/uac-refer.xml" -t u1 \
		-i 127.0.0.1 -p "$c2_rp" -s alice -m 1 -key target_port "$c2_up2" \
		-trace_msg -message_file "$io_dir/logs/e.msg"
	c2_rc=$?
	wait "$c2_sip_pid" || c2_rc=1
	c2_wait_gone "$c2_uas" || c2_rc=1
	[ "$(c2_states "$io_dir/e.events" 1)" = "incoming answered transferred " ] || c2_rc=1
	[ "$(c2_states "$io_dir/e.events" 2)" = "calling answered ended " ] || c2_rc=1
	grep -q '"call":2,.*"peer":"sip:target@127.0.0.1:'"$c2_up2"'".*"referred_by":1' \
		"$io_dir/e.events" || c2_rc=1
	grep -q '^SIP/2.0 202' "$io_dir/logs/e.msg" || c2_rc=1
	grep -q '^Event: refer;id=2' "$io_dir/logs/e.msg" || c2_rc=1
	grep -q '^INVITE sip:target@127.0.0.1' "$io_dir/logs/e-target.msg" || c2_rc=1
	c2_step "(e) siptty transferred by a SIPp UAC: 202, NOTIFY 100, new call, NOTIFY 200, old call ends" \
		$c2_rc "events $io_dir/e.events, sipp $io_dir/logs/e.* $io_dir/logs/e-target.*"

	# (f) a 200 crossing our CANCEL.
	io_sipp_bg "$io_dir/logs/f.sipp" 30 -sf "$c2_sc/uas-cancel200.xml" -t u1 -i 127.0.0.1 \
		-p "$c2_up" -m 1 -trace_msg -message_file "$io_dir/logs/f.msg"
	c2_uas=$io_pid
	io_wait_port udp "$c2_up" 5
	c2_udp_conf "$io_dir/f.conf" "$c2_sp"
	cat > "$io_dir/f.script" <<-EOS
	# call2 tier (f): hang up while it rings; the 200 crosses the CANCEL
	key d
	type sip:sipp@127.0.0.1:$c2_up
	key Enter
	wait call state=ringing 10
	key h
	wait call state=ended 10
	sleep 1
	EOS
	c2_siptty f "$io_dir/f.conf" "$io_dir/f.script"
	c2_rc=$?
	c2_wait_gone "$c2_uas" || c2_rc=1
	grep -q '"state":"ended","code":200,"reason":"answered as we hung up"' "$io_dir/f.events" || c2_rc=1
	grep -q '^CANCEL sip:sipp@' "$io_dir/logs/f.msg" || c2_rc=1
	grep -q '^ACK sip:sipp@' "$io_dir/logs/f.msg" || c2_rc=1
	grep -q '^BYE sip:sipp@' "$io_dir/logs/f.msg" || c2_rc=1
	c2_step "(f) a 200 crossing our CANCEL is ACKed, then ended by BYE" $c2_rc \
		"events $io_dir/f.events, sipp $io_dir/logs/f.*"

	# (g) a BYE in no dialog.
	c2_udp_conf "$io_dir/g.conf" "$c2_sp"
	printf '# call2 tier (g): wait while SIPp sends a stray BYE\nsleep 2\n' > "$io_dir/g.script"
	c2_siptty g "$io_dir/g.conf" "$io_dir/g.script" &
	c2_sip_pid=$!
	io_wait_port udp "$c2_sp" 5
	io_sipp "$io_dir/logs/g.sipp" 20 "127.0.0.1:$c2_sp" -sf "$c2_sc/uac-bye481.xml" -t u1 \
		-i 127.0.0.1 -p "$c2_rp" -s alice -m 1 -trace_msg -message_file "$io_dir/logs/g.msg"
	c2_rc=$?
	wait "$c2_sip_pid" || c2_rc=1
	grep -q '^SIP/2.0 481' "$io_dir/logs/g.msg" || c2_rc=1
	grep -q '"type":"call"' "$io_dir/g.events" && c2_rc=1
	c2_step "(g) a BYE for no dialog gets 481" $c2_rc "sipp $io_dir/logs/g.*, log $io_dir/logs/g.log"

	# (h) retransmitted 180 and 200.
	io_sipp_bg "$io_dir/logs/h.sipp" 30 -sf "$c2_sc/uas-retrans.xml" -t u1 -i 127.0.0.1 \
		-p "$c2_up" -m 1 -trace_msg -message_file "$io_dir/logs/h.msg"
	c2_uas=$io_pid
	io_wait_port udp "$c2_up" 5
	c2_udp_conf "$io_dir/h.conf" "$c2_sp"
	cat > "$io_dir/h.script" <<-EOS
	# call2 tier (h): 180 and 200 come twice
	key d
	type sip:sipp@127.0.0.1:$c2_up
	key Enter
	wait call state=answered 10
	sleep 1
	key h
	wait call state=ended 10
	sleep 0.3
	EOS
	c2_siptty h "$io_dir/h.conf" "$io_dir/h.script"
	c2_rc=$?
	c2_wait_gone "$c2_uas" || c2_rc=1
	c2_st=$(c2_states "$io_dir/h.events")
	[ "$c2_st" = "calling ringing answered ended " ] || c2_rc=1
	[ "$(grep -c '^ACK sip:sipp@' "$io_dir/logs/h.msg")" -ge 2 ] || c2_rc=1
	c2_step "(h) retransmitted 180 and 200 are absorbed, each 200 ACKed [$c2_st]" $c2_rc \
		"events $io_dir/h.events, sipp $io_dir/logs/h.*"

	# (i) re-INVITE glare.
	io_sipp_bg "$io_dir/logs/i.sipp" 40 -sf "$c2_sc/uas-glare.xml" -t u1 -i 127.0.0.1 \
		-p "$c2_up" -m 1 -trace_msg -message_file "$io_dir/logs/i.msg"
	c2_uas=$io_pid
	io_wait_port udp "$c2_up" 5
	c2_udp_conf "$io_dir/i.conf" "$c2_sp"
	cat > "$io_dir/i.script" <<-EOS
	# call2 tier (i): hold meets the far end's re-INVITE
	key d
	type sip:sipp@127.0.0.1:$c2_up
	key Enter
	wait call state=answered 10
	sleep 0.3
	key H
	wait call state=held 10
	key h
	wait call state=ended 10
	sleep 0.3
	EOS
	c2_siptty i "$io_dir/i.conf" "$io_dir/i.script"
	c2_rc=$?
	c2_wait_gone "$c2_uas" || c2_rc=1
	c2_st=$(c2_states "$io_dir/i.events")
	[ "$c2_st" = "calling answered held ended " ] || c2_rc=1
	grep -q '^SIP/2.0 491' "$io_dir/logs/i.msg" || c2_rc=1
	grep -q 'glare (491): trying again in \(2[1-9][0-9][0-9]\|3[0-9][0-9][0-9]\|4000\) ms' \
		"$io_dir/logs/i.log" || c2_rc=1
	[ "$(grep -c '^INVITE sip:' "$io_dir/logs/i.msg")" -ge 3 ] || c2_rc=1
	c2_step "(i) re-INVITE glare: 491 both ways, back-off 2.1-4 s, the hold goes through [$c2_st]" \
		$c2_rc "events $io_dir/i.events, log $io_dir/logs/i.log, sipp $io_dir/logs/i.*"
}

c2_run() {
	io_workdir "$logdir" call2 || { bad "call2: cannot make a work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "call2: certtool could not make the test certificates"; return; }
	c2_ports=$(io_free_ports 9) || { bad "call2: no free ports on 127.0.0.1"; return; }
	# shellcheck disable=SC2086
	set -- $c2_ports
	c2_kp=$1 c2_bp=$2 c2_bc=$3 c2_lpp=$4 c2_lrtp=$5 c2_up=$6 c2_up2=$7 c2_sp=$8 c2_rp=$9
	if [ -n "$c2_phones" ]; then
		c2_run_phones
	else
		bad "call2: (a)-(c) need$c2_missing_phones (run ./bootstrap.sh check as root to install it)"
	fi
	c2_run_sipp
	io_stop_all
}

io_missing=
io_need sipp sip-tester
io_need certtool gnutls-bin
io_need python3 python3
c2_base_missing=$io_missing
io_missing=
io_need kamailio kamailio
io_need baresip baresip
io_need linphonec linphone-cli
c2_missing_phones=$io_missing
c2_phones=yes
[ -z "$c2_missing_phones" ] || c2_phones=
if [ -n "$c2_base_missing" ]; then
	bad "call2: needs$c2_base_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$c2_siptty" ]; then
	bad "call2: $c2_siptty was not built"
else
	c2_run
fi
