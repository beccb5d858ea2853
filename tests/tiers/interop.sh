# tests/tiers/interop.sh - interop tier 1: real SIP traffic from Kamailio,
# baresip and SIPp on loopback, captured, dissected by tshark and decoded by
# siptty's message core (tests/tools/sipcheck); both must agree on every
# field.  Sourced by run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir,
# logdir); everything runs under timeout and is stopped by PID.
#
# Flow (about 15 s):
#   dumpcap on lo, filtered to this run's ports
#   kamailio -A WITH_QOP: baresip alice (UDP) and bob (TCP) register (401),
#     alice calls bob (407, INVITE, 100/180/200, ACK, BYE); a SIPp UAC calls
#     bob through kamailio as user sipp (407)
#   kamailio -A WITH_QOP -A WITH_SHA256: a SIPp REGISTER is challenged with
#     algorithm=SHA-256 (SIPp cannot answer it: only the challenge is checked)
#   SIPp UAC against a SIPp UAS that challenges and verifies the digest
#     (REGISTER and INVITE), over UDP and over TCP
#   tshark -> sipcheck over every captured SIP message.

io_src=$top_srcdir/tests/interop
io_sipcheck=$top_builddir/tests/tools/sipcheck
. "$io_src/lib.sh"

# The tshark fields compared (see sipcheck.c); tests/interop/fields.txt
# lists them one per line.
io_fields=$io_src/fields.txt

# io_step NAME CONDITION-STATUS DETAIL: ok or bad for one step.
io_step() {
	if [ "$2" -eq 0 ]; then
		ok "interop: $1"
	else
		bad "interop: $1 (${3:-see $io_dir})"
	fi
}

io_run() {
	io_t0=$(io_now_ms)
	io_workdir "$logdir" interop || { bad "interop: cannot make a work directory under $logdir"; return; }
	io_all=$(io_free_ports 9) || { bad "interop: no free ports on 127.0.0.1"; return; }
	# shellcheck disable=SC2086
	set -- $io_all
	io_kp=$1 io_kt=$2 io_ap=$3 io_bp=$4 io_ac=$5 io_bc=$6 io_up=$7 io_cp=$8 io_k2=$9
	io_mkcerts "$io_dir/certs" || { bad "interop: certtool could not make the test certificates"; return; }

	# Capture first: every later step is on the wire.
	io_ports="$io_kp $io_kt $io_ap $io_bp $io_up $io_cp $io_k2"
	io_filter=$(printf 'port %s or ' $io_ports | sed 's/ or $//')
	io_spawn "$io_dir/logs/dumpcap.log" 80 dumpcap -i lo -f "host 127.0.0.1 and ($io_filter)" \
		-w "$io_dir/sip.pcapng" -q
	io_cap_pid=$io_pid
	if ! io_wait_log "$io_dir/logs/dumpcap.log" 'Capturing on' 10; then
		bad "interop: dumpcap could not capture on lo (see $io_dir/logs/dumpcap.log)"
		return
	fi

	# 1. Kamailio with qop, two baresip instances registering.
	if ! io_kamailio_start kamailio-qop "$io_kp" "$io_kt" -A WITH_QOP; then
		bad "interop: kamailio did not start on 127.0.0.1:$io_kp (see $io_kam_log)"
		return
	fi
	io_kam1_log=$io_kam_log
	io_baresip_setup alice "$io_ap" "$io_ac" $((io_ap + 200)) \
		"<sip:alice@localhost;transport=udp>;auth_pass=alicepw;answermode=auto;audio_codecs=pcmu;outbound=\"sip:127.0.0.1:$io_kp;transport=udp\";regint=600"
	io_baresip_setup bob "$io_bp" "$io_bc" $((io_bp + 200)) \
		"<sip:bob@localhost;transport=tcp>;auth_pass=bobpw;answermode=auto;audio_codecs=pcmu;outbound=\"sip:127.0.0.1:$io_kp;transport=tcp\";regint=600"
	io_baresip_start alice 60
	io_alice=$io_pid
	io_baresip_start bob 60
	io_bob=$io_pid
	io_rc=0
	io_wait_log "$io_dir/logs/alice.log" 'alice@localhost: .*200 OK' 10 || io_rc=1
	io_wait_log "$io_dir/logs/bob.log" 'bob@localhost: .*200 OK' 10 || io_rc=1
	grep -q '401 challenge for REGISTER sip:alice@localhost' "$io_kam1_log" || io_rc=1
	grep -q 'REGISTER auth OK for alice' "$io_kam1_log" || io_rc=1
	grep -q 'REGISTER auth OK for bob' "$io_kam1_log" || io_rc=1
	io_step "baresip alice (UDP) and bob (TCP) registered at kamailio after a 401 (qop=auth)" $io_rc

	# 2. alice calls bob through kamailio.
	io_rc=0
	io_wait_port tcp "$io_ac" 5 || io_rc=1
	io_bctl "$io_ac" "$io_dir/logs/alice-ctl.log" 'cmd:dial bob' wait:CALL_ESTABLISHED:10 \
		sleep:1 cmd:hangup wait:CALL_CLOSED:5 || io_rc=1
	grep -q '407 challenge for INVITE from sip:alice@localhost' "$io_kam1_log" || io_rc=1
	grep -q 'INVITE auth OK for alice' "$io_kam1_log" || io_rc=1
	io_wait_log "$io_dir/logs/bob.log" '^ACK sip:' 5 || io_rc=1
	io_wait_log "$io_dir/logs/bob.log" '^BYE sip:' 5 || io_rc=1
	io_wait_log "$io_dir/logs/alice.log" '^SIP/2.0 200 OK' 5 || io_rc=1
	io_step "baresip alice called bob through kamailio: 407, INVITE, 180/200, ACK, BYE" $io_rc \
		"see $io_dir/logs/alice-ctl.log, alice.log, bob.log"

	# 3. A SIPp UAC calls bob through kamailio, authenticating as sipp.
	io_sipp "$io_dir/logs/sipp-uac-kamailio.log" 20 "127.0.0.1:$io_kp" \
		-sf "$io_src/sipp/uac-call.xml" -s bob -au sipp -ap sipppw -t u1 \
		-i 127.0.0.1 -p "$io_cp" -d 500 -m 1
	io_rc=$?
	grep -q 'INVITE auth OK for sipp' "$io_kam1_log" || io_rc=1
	io_step "SIPp UAC called bob through kamailio (407 as user sipp)" $io_rc

	io_stop_pid "$io_alice"
	io_stop_pid "$io_bob"
	io_stop_pid "$io_kam_pid"

	# 4. Kamailio with SHA-256: the challenge SIPp gets (it cannot answer).
	io_rc=0
	if io_kamailio_start kamailio-sha256 "$io_k2" "$((io_k2 + 1))" -A WITH_QOP -A WITH_SHA256; then
		io_sipp "$io_dir/logs/sipp-register-sha256.log" 10 "127.0.0.1:$io_k2" \
			-sf "$io_src/sipp/uac-register.xml" -s alice -au alice -ap alicepw -t u1 \
			-i 127.0.0.1 -p "$io_cp" -m 1 -trace_msg \
			-message_file "$io_dir/logs/sipp-register-sha256.msg"
		grep -q '401 challenge for REGISTER sip:alice@localhost' "$io_kam_log" || io_rc=1
		grep -q '^WWW-Authenticate: Digest .*algorithm=SHA-256' \
			"$io_dir/logs/sipp-register-sha256.msg" || io_rc=1
		io_stop_pid "$io_kam_pid"
	else
		io_rc=1
	fi
	io_step "kamailio -A WITH_SHA256 challenged a REGISTER with algorithm=SHA-256" $io_rc

	# 5. SIPp UAC against a SIPp UAS that checks the digest, UDP then TCP.
	for io_mode in u1 t1; do
		case $io_mode in u1) io_tr=udp ;; *) io_tr=tcp ;; esac
		io_sipp_bg "$io_dir/logs/sipp-uas-$io_tr.out" 30 -sf "$io_src/sipp/uas-auth.xml" \
			-t "$io_mode" -i 127.0.0.1 -p "$io_up" -key user alice -key pass alicepw \
			-key contact "sip:sipp@127.0.0.1:$io_up;transport=$io_tr" -m 2 \
			-trace_logs -log_file "$io_dir/logs/sipp-uas-$io_tr.log"
		io_uas=$io_pid
		io_rc=0
		io_wait_port "$io_tr" "$io_up" 5 || io_rc=1
		io_sipp "$io_dir/logs/sipp-uac-reg-$io_tr.log" 10 "127.0.0.1:$io_up" \
			-sf "$io_src/sipp/uac-register.xml" -s alice -au alice -ap alicepw \
			-t "$io_mode" -i 127.0.0.1 -p "$io_cp" -m 1 || io_rc=1
		io_sipp "$io_dir/logs/sipp-uac-call-$io_tr.log" 15 "127.0.0.1:$io_up" \
			-sf "$io_src/sipp/uac-call.xml" -s alice -au alice -ap alicepw \
			-t "$io_mode" -i 127.0.0.1 -p "$io_cp" -d 300 -m 1 || io_rc=1
		# The UAS ends by itself after its two calls.
		io_n=50
		while [ $io_n -gt 0 ] && kill -0 "$io_uas" 2>/dev/null; do
			sleep 0.1
			io_n=$((io_n - 1))
		done
		kill -0 "$io_uas" 2>/dev/null && io_rc=1
		io_stop_pid "$io_uas"
		[ "$(grep -c 'verifyauth=true' "$io_dir/logs/sipp-uas-$io_tr.log" 2>/dev/null)" -eq 2 ] ||
			io_rc=1
		io_step "SIPp UAC <-> SIPp UAS over $io_tr: REGISTER and INVITE, digest verified by the UAS" \
			$io_rc
	done

	# 6. Stop the capture, let tshark dissect it and sipcheck compare.
	sleep 0.3
	io_stop_pid "$io_cap_pid"
	io_decode=
	for io_p in $io_ports; do
		io_decode="$io_decode -d udp.port==$io_p,sip -d tcp.port==$io_p,sip"
	done
	io_args=
	while read -r io_f; do
		case $io_f in '' | '#'*) continue ;; esac
		io_args="$io_args -e $io_f"
	done < "$io_fields"
	# shellcheck disable=SC2086
	env $(io_env) timeout 60 tshark -r "$io_dir/sip.pcapng" $io_decode -Y sip -T fields \
		-E header=y -E separator=/t -E "aggregator=$(printf '\037')" $io_args \
		> "$io_dir/fields.tsv" 2> "$io_dir/logs/tshark.log"
	io_rc=$?
	io_msgs=$(($(wc -l < "$io_dir/fields.tsv") - 1))
	if [ $io_rc -ne 0 ] || [ "$io_msgs" -lt 60 ]; then
		bad "interop: tshark found $io_msgs SIP frames, want at least 60 (status $io_rc; see $io_dir/logs/tshark.log)"
	else
		ok "interop: tshark dissected $io_msgs SIP frames from the capture"
	fi
	grep -q 'SHA-256' "$io_dir/fields.tsv"
	io_step "the SHA-256 challenge is in the capture" $?

	timeout 60 "$io_sipcheck" < "$io_dir/fields.tsv" > "$logdir/interop-sipcheck.log" 2>&1
	io_rc=$?
	io_sum=$(tail -n 1 "$logdir/interop-sipcheck.log")
	grep -E '^(MISMATCH|PARSE-ERROR)' "$logdir/interop-sipcheck.log" | head -n 20 |
		sed 's|^|FAIL: interop: sipcheck: |' >> "$summary"
	io_step "siptty's parser agrees with tshark on every message: $io_sum" $io_rc \
		"see $logdir/interop-sipcheck.log"

	# The comparison must be able to fail: change one Call-ID in tshark's
	# view and expect sipcheck to report exactly that.
	awk -F '\t' 'BEGIN { OFS = "\t" } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "sip.Call-ID") c = i }
		NR == 2 && c { $c = "planted-" $c } { print }' "$io_dir/fields.tsv" |
		timeout 60 "$io_sipcheck" > "$io_dir/logs/sipcheck-planted.log" 2>&1
	io_rc=$?
	[ $io_rc -eq 1 ] && grep -q '^MISMATCH .* sip.Call-ID ' "$io_dir/logs/sipcheck-planted.log" &&
		[ "$(grep -c '^MISMATCH' "$io_dir/logs/sipcheck-planted.log")" -eq 1 ]
	io_step "sipcheck reports a planted Call-ID difference" $? \
		"status $io_rc; see $io_dir/logs/sipcheck-planted.log"

	note "interop: tier took $(( $(io_now_ms) - io_t0 )) ms"
}

io_missing=
io_need kamailio kamailio
io_need baresip baresip
io_need sipp sip-tester
io_need tshark tshark
io_need dumpcap wireshark-common
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "interop: peer programs missing: apt-get install$io_missing"
elif [ ! -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] &&
     ! ls /usr/lib/*/kamailio/modules/tls.so > /dev/null 2>&1; then
	bad "interop: kamailio's TLS module is missing: apt-get install kamailio-tls-modules"
elif [ ! -x "$io_sipcheck" ]; then
	bad "interop: $io_sipcheck was not built"
else
	io_failed_before=$fail
	io_run
	io_stop_all
	# Keep the work directory (capture, configs, peer logs) only on failure.
	if [ "$fail" -eq "$io_failed_before" ] && [ -n "${io_dir:-}" ]; then
		rm -rf "$io_dir"
	fi
fi
