# tests/interop/qoscall/lib.sh - helpers and cases of the end-to-end QoS tier
# (tests/tiers/qos-call.sh).  Sourced in the shell of
# tests/run-tests.sh: needs ok/bad/note, top_srcdir, top_builddir, logdir;
# every name starts with qc_.  See qos-call.sh for what is checked.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
qc_src=$io_src/qoscall
qc_qos=$io_src/qos

qc_step() {
	if [ "$2" -eq 0 ]; then
		ok "qos-call: $1"
	else
		bad "qos-call: $1 (${3:-see $io_dir})"
	fi
}

qc_jq() { python3 "$qc_src/jq.py" "$@"; }

# qc_kam_start: the QoS proxy on $qc_kp (UDP, TCP) and $qc_kp+1 (TLS).
qc_kam_start() {
	qc_kd=$io_dir/kamailio
	mkdir -p "$qc_kd/run"
	sed -e "s|@DIR@|$qc_kd|g" -e "s|@PORT@|$qc_kp|g" -e "s|@TLSPORT@|$((qc_kp + 1))|g" \
		-e "s|@REALM@|$io_realm|g" "$qc_src/kamailio.cfg.in" > "$qc_kd/kamailio.cfg"
	sed -e "s|@CERTS@|$io_dir/certs|g" "$io_src/tls.cfg.in" > "$qc_kd/tls.cfg"
	qc_kl=$io_dir/logs/kamailio.log
	io_spawn "$qc_kl" 150 kamailio -DD -E -f "$qc_kd/kamailio.cfg" \
		-Y "$qc_kd/run" -P "$qc_kd/run/kamailio.pid" -m 64 -M 8 -A WITH_QOP
	qc_kam=$io_pid
	io_wait_port udp "$qc_kp" 10 && io_wait_port tcp "$qc_kp" 5 &&
		io_wait_port tcp "$((qc_kp + 1))" 5 || return 1
	qc_k=50
	until [ -S "$qc_kd/run/ctl.sock" ]; do
		[ $qc_k -gt 0 ] || return 1
		sleep 0.1
		qc_k=$((qc_k - 1))
	done
	kill -0 "$qc_kam" 2>/dev/null
}

# qc_rpc ARGS...: one kamcmd command on the proxy's control socket.
qc_rpc() {
	timeout 5 kamcmd -s "unix:$qc_kd/run/ctl.sock" "$@" >> "$io_dir/logs/kamcmd.log" 2>&1
}

# qc_tokens WHERE VALUE: the proxy appends "P-Media-Authorization: VALUE"
# to the next call's 18x/2xx (WHERE=reply) or INVITE (WHERE=invite); the
# other place and an empty VALUE get none.  Fails when the RPC failed.
qc_tokens() {
	qc_rpc htable.delete qos reply && qc_rpc htable.delete qos invite || return 1
	[ -z "$2" ] || qc_rpc htable.sets qos "$1" "s:$2" || return 1
	qc_rpc htable.dump qos > /dev/null
}

# qc_cap_start NAME / qc_cap_stop: one capture per call, filtered to the
# router's port, bob's RTP ports and RSVP by raw IP.
qc_cap_start() {
	qc_pcap=$io_dir/$1.pcapng
	io_spawn "$io_dir/logs/dumpcap-$1.log" 60 dumpcap -i lo \
		-f "host 127.0.0.1 and (udp port $qc_rp or udp portrange $qc_brtp-$((qc_brtp + 9)) or ip proto 46)" \
		-w "$qc_pcap" -q
	qc_cap=$io_pid
	io_wait_log "$io_dir/logs/dumpcap-$1.log" 'Capturing on' 10
}
qc_cap_stop() {
	sleep 0.3
	io_stop_pid "$qc_cap"
}

# qc_rmark / qc_rslice NAME: the router log lines of one call.
qc_rmark() { qc_rline=$(wc -l < "$qc_rlog"); }
qc_rslice() { tail -n "+$((qc_rline + 1))" "$qc_rlog" > "$io_dir/$1.router.jsonl"; }

# qc_out_script NAME QOSSTATE: siptty dials bob, waits for QOSSTATE, lets
# RTP flow, checks the call is still up, hangs up.
qc_out_script() {
	cat > "$io_dir/$1.script" <<-EOS
	# qos-call tier ($1): dial bob, the QoS state, hang up
	wait reg state=registered 10
	key d
	type sips:bob@localhost
	key Enter
	wait call state=answered 10
	wait qos state=$2 10
	sleep 1.5
	expect "answered" 3
	dump $io_dir/$1.screen
	key h
	wait call state=ended 10
	sleep 0.5
	EOS
}

# qc_media NAME: bob's RTP address (SESSION) and the payload type from
# the media event, siptty's RTP source (SENDER_TEMPLATE) from the wire.
qc_media() {
	qc_raddr=$(qc_jq get "$io_dir/$1.events" "d['type'] == 'media' and d['state'] == 'started'" raddr ||
		qc_jq get "$io_dir/$1.events" "d['type'] == 'media'" raddr)
	qc_pt=$(qc_jq get "$io_dir/$1.events" "d['type'] == 'media'" pt)
	qc_rport=${qc_raddr##*:}
	qc_sender=
	if [ -n "$qc_rport" ]; then
		qc_sender=$(tshark -r "$io_dir/$1.pcapng" -d "udp.port==$qc_rport,rtp" \
			-Y "rtp && udp.dstport == $qc_rport" -T fields -e ip.src -e udp.srcport 2>/dev/null |
			sort -u | tr '\t' ':')
	fi
}

# qc_wire NAME TOKEN: the checks every reserved/denied call gets on the
# wire (PATH, PathTear, RTP); $1 in the step texts.
qc_wire() {
	qc_rc=0
	[ -n "$qc_sender" ] && [ "$(printf '%s\n' "$qc_sender" | wc -l)" -eq 1 ] || qc_rc=1
	# ... and it is the address and port siptty's own SDP gave (its trace).
	qc_sdp=$(sed -n 's/.*trace: send to .* c=IN IP4 \([0-9.]*\)  .*m=audio \([0-9]*\) .*/\1:\2/p' \
		"$io_dir/logs/$1.log" | sort -u)
	[ "$qc_sdp" = "$qc_sender" ] || qc_rc=1
	python3 "$qc_qos/tshark_check.py" "$io_dir/$1.pcapng" --port "$qc_rp" --via udp \
		--session "$qc_raddr" --sender "$qc_sender" --token "$2" \
		> "$io_dir/$1.tshark-path.txt" 2>&1 || qc_rc=1
	grep -q "policy element .*AUTH_ENT_ID/3=pdp.siptty.test, SESSION_ID/0=" \
		"$io_dir/$1.tshark-path.txt" || qc_rc=1
	qc_step "($1) tshark: PATH to UDP $qc_rp, SESSION $qc_raddr (bob's RTP), SENDER_TEMPLATE $qc_sender (siptty's SDP and RTP source), POLICY_DATA = the token bytes, AUTH_SESSION decoded" \
		"$qc_rc" "RTP source '$qc_sender', siptty's SDP '$qc_sdp'; see $io_dir/$1.tshark-path.txt"
	qc_rc=0
	qc_n=$(tshark -r "$io_dir/$1.pcapng" -d "udp.port==$qc_rp,rsvp" \
		-Y "rsvp.msg == 5 && rsvp.session.port == $qc_rport && udp.dstport == $qc_rp" 2>/dev/null | wc -l)
	[ "$qc_n" -ge 1 ] || qc_rc=1
	qc_jq any "$io_dir/$1.router.jsonl" "d['type'] == 'PathTear' and d['session']['port'] == $qc_rport" || qc_rc=1
	qc_step "($1) tshark and the router: a PathTear for the session at hang-up ($qc_n)" "$qc_rc" \
		"see $io_dir/$1.router.jsonl"
	qc_rc=0
	python3 "$qc_qos/tshark_check.py" "$io_dir/$1.pcapng" --rtp-port "$qc_rport" --pt "${qc_pt:-x}" \
		> "$io_dir/$1.tshark-rtp.txt" 2>&1 || qc_rc=1
	qc_step "($1) tshark: siptty's RTP to bob carries DSCP 46 (EF) and payload type ${qc_pt:-?} ($(sed -n 's/^ok: RTP packets to port [0-9]*: //p' "$io_dir/$1.tshark-rtp.txt") packets)" \
		"$qc_rc" "see $io_dir/$1.tshark-rtp.txt"
}

# qc_norsvp NAME: nothing reached the router, nothing RSVP on the wire.
qc_norsvp() {
	qc_rc=0
	python3 "$qc_qos/tshark_check.py" "$io_dir/$1.pcapng" --port "$qc_rp" --no-rsvp \
		> "$io_dir/$1.tshark-none.txt" 2>&1 || qc_rc=1
	qc_jq any "$io_dir/$1.router.jsonl" "d.get('event') == 'message'" && qc_rc=1
	# The capture saw the call: bob's RTP ports are in its filter.
	[ "$(tshark -r "$io_dir/$1.pcapng" -Y "udp" 2>/dev/null | wc -l)" -gt 0 ] || qc_rc=1
	qc_step "($1) tshark: no RSVP on the wire (RTP was captured), the router received nothing" "$qc_rc" \
		"see $io_dir/$1.tshark-none.txt, $io_dir/$1.router.jsonl"
}

# qc_outcall NAME QOSSTATE TOKENVALUE: set the proxy's token, capture,
# siptty calls bob.
qc_outcall() {
	if ! qc_tokens reply "$3"; then
		bad "qos-call: ($1) kamcmd could not set the proxy's token (see $io_dir/logs/kamcmd.log)"
		return 1
	fi
	qc_out_script "$1" "$2"
	qc_rmark
	qc_kline=$(wc -l < "$qc_kl")
	if ! qc_cap_start "$1"; then
		bad "qos-call: ($1) dumpcap could not capture on lo (see $io_dir/logs/dumpcap-$1.log)"
		return 1
	fi
	io_siptty 40 "$1" "$io_dir/alice.conf" "$io_dir/$1.script" --null-audio
	qc_run=$?
	qc_cap_stop
	qc_rslice "$1"
	tail -n "+$((qc_kline + 1))" "$qc_kl" > "$io_dir/$1.kamailio.log"
	qc_media "$1"
	return 0
}

# qc_setup: the work directory, certificates, the QoS proxy, the edge
# router, baresip bob registered, alice's configuration; fails (after a
# bad) when something did not start.
qc_setup() {
	io_workdir "$logdir" qos-call || { bad "qos-call: cannot make a work directory under $logdir"; return 1; }
	io_mkcerts "$io_dir/certs" || { bad "qos-call: certtool could not make the test certificates"; return 1; }
	qc_ports=$(io_free_ports 5) || { bad "qos-call: no free ports on 127.0.0.1"; return 1; }
	# shellcheck disable=SC2086
	set -- $qc_ports
	qc_kp=$1 qc_bp=$2 qc_bc=$3 qc_rp=$4 qc_srtp=$5
	qc_brtp=$((qc_bp + 200))
	qc_issued=$io_dir/issued
	qc_rlog=$io_dir/router.jsonl
	: > "$qc_issued"

	if ! qc_kam_start; then
		bad "qos-call: kamailio did not start with its control socket (see $io_dir/logs/kamailio.log)"
		return 1
	fi
	io_spawn "$io_dir/logs/router.log" 150 python3 "$qc_qos/edge_router.py" --port "$qc_rp" \
		--issued "$qc_issued" --log "$qc_rlog" --seconds 140
	if ! io_wait_log "$qc_rlog" '"listening"' 10; then
		bad "qos-call: edge_router.py did not start (see $io_dir/logs/router.log)"
		return 1
	fi
	io_baresip_setup bob "$qc_bp" "$qc_bc" "$qc_brtp" \
		"<sips:bob@localhost;transport=tls>;auth_pass=bobpw;answermode=auto;audio_codecs=pcmu,pcma;outbound=\"sip:127.0.0.1:$((qc_kp + 1));transport=tls\";regint=600"
	io_baresip_start bob 150
	qc_bl=$io_dir/logs/bob.log
	if ! io_wait_log "$qc_bl" 'bob@localhost: .*200 OK' 10; then
		bad "qos-call: baresip bob did not register over TLS (see $qc_bl)"
		return 1
	fi

	printf '%s\n' alicepw > "$io_dir/alice.pw"
	chmod 600 "$io_dir/alice.pw"
	cat > "$io_dir/alice.conf" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$((qc_kp + 1))
	password_file = $io_dir/alice.pw
	expires = 120
	qos = yes
	qos_edge_router = 127.0.0.1:$qc_rp
	[tls]
	ca_file = $io_dir/certs/ca.pem
	[audio]
	rtp_ports = $qc_srtp-$((qc_srtp + 1))
	EOC
}

# (a) siptty calls bob; the proxy puts a fresh issued token in the 18x/200.
qc_case_a() {
	qc_tok=$(python3 "$qc_qos/mktoken.py" --issued "$qc_issued") ||
		{ bad "qos-call: mktoken.py failed"; return; }
	if qc_outcall a reserved "$qc_tok"; then
		qc_rc=$qc_run
		[ "$(qc_jq states "$io_dir/a.events" qos)" = "presented reserved" ] || qc_rc=1
		qc_jq any "$io_dir/a.events" "d['type'] == 'qos' and d['state'] == 'reserved' and d['tokens'] == 1" || qc_rc=1
		grep -q 'QOS token added to 200 [A-Za-z ]* to alice' "$io_dir/a.kamailio.log" || qc_rc=1
		qc_step "(a) siptty calls baresip, token in the 200 from Kamailio: qos presented, then reserved" \
			"$qc_rc" "qos: $(qc_jq states "$io_dir/a.events" qos); events $io_dir/a.events, log $io_dir/logs/a.log"
		qc_rc=0
		grep -Eq 'answered +[0-9]+:[0-9]{2} +PCMU +[S-]Q[-HhB][-M]' "$io_dir/a.screen" || qc_rc=1
		qc_step "(a) the call row shows Q (reserved)" "$qc_rc" "screen $io_dir/a.screen"
		qc_rc=0
		qc_jq any "$io_dir/a.router.jsonl" "d['type'] == 'Path' and d['verdict'] == 'resv' and d['tokens'] == ['$qc_tok'] and
'%s:%d' % (d['session']['addr'], d['session']['port']) == '$qc_raddr' and
d['checksum_ok'] and d['tspec']['r'] == 10000.0 and d['tspec']['M'] == 200" || qc_rc=1
		qc_step "(a) the edge router found the token among those issued and answered Resv (checksum right, PCMU tspec 10000 B/s, M 200)" "$qc_rc" \
			"see $io_dir/a.router.jsonl"
		qc_wire a "$qc_tok"
	fi
}

# qc_incall NAME QOSSTATE TOKENVALUE: set the proxy's token for the
# INVITE, capture, bob calls siptty (--auto-answer), siptty waits for
# QOSSTATE, bob hangs up.  qc_run: 0 when bob and siptty both did it all.
qc_incall() {
	if ! qc_tokens invite "$3"; then
		bad "qos-call: ($1) kamcmd could not set the proxy's token (see $io_dir/logs/kamcmd.log)"
		return 1
	fi
	cat > "$io_dir/$1.script" <<-EOS
	# qos-call tier ($1): an incoming call, auto-answered, the QoS state
	wait reg state=registered 10
	wait call state=incoming 15
	wait call state=answered 10
	wait qos state=$2 10
	expect "answered" 3
	dump $io_dir/$1.screen
	wait call state=ended 15
	sleep 0.5
	EOS
	qc_rmark
	qc_kline=$(wc -l < "$qc_kl")
	if ! qc_cap_start "$1"; then
		bad "qos-call: ($1) dumpcap could not capture on lo (see $io_dir/logs/dumpcap-$1.log)"
		return 1
	fi
	io_siptty 40 "$1" "$io_dir/alice.conf" "$io_dir/$1.script" --null-audio --auto-answer &
	qc_sip=$!
	io_wait_log "$io_dir/$1.events" '"state":"registered"' 10
	io_bctl "$qc_bc" "$io_dir/logs/bob-ctl-$1.log" 'cmd:dial sip:alice@localhost' \
		wait:CALL_ESTABLISHED:10 sleep:2.5 cmd:hangup wait:CALL_CLOSED:5
	qc_run=$?
	wait "$qc_sip" || qc_run=1
	qc_cap_stop
	qc_rslice "$1"
	tail -n "+$((qc_kline + 1))" "$qc_kl" > "$io_dir/$1.kamailio.log"
	qc_media "$1"
	return 0
}

# (b) bob calls siptty (--auto-answer); a fresh token in the INVITE.
qc_case_b() {
	qc_tok=$(python3 "$qc_qos/mktoken.py" --issued "$qc_issued") ||
		{ bad "qos-call: mktoken.py failed"; return; }
	if qc_incall b reserved "$qc_tok"; then
		qc_rc=$qc_run
		[ "$(qc_jq states "$io_dir/b.events" qos)" = "presented reserved" ] || qc_rc=1
		grep -q 'QOS token added to the INVITE to alice' "$io_dir/b.kamailio.log" || qc_rc=1
		grep -Eq 'answered +[0-9]+:[0-9]{2} +PCMU +[S-]Q' "$io_dir/b.screen" || qc_rc=1
		qc_jq any "$io_dir/b.router.jsonl" "d['type'] == 'Path' and d['verdict'] == 'resv' and d['tokens'] == ['$qc_tok']" || qc_rc=1
		qc_step "(b) baresip calls siptty, token in the INVITE from Kamailio: presented, reserved, Q on screen, Resv from the router" \
			"$qc_rc" "qos: $(qc_jq states "$io_dir/b.events" qos); events $io_dir/b.events, bctl $io_dir/logs/bob-ctl-b.log"
		qc_wire b "$qc_tok"
	fi
}

# (c) a forged token: well formed, never issued.
qc_case_c() {
	qc_tok=$(python3 "$qc_qos/mktoken.py") || { bad "qos-call: mktoken.py failed"; return; }
	if qc_outcall c denied "$qc_tok"; then
		qc_rc=$qc_run
		[ "$(qc_jq states "$io_dir/c.events" qos)" = "presented denied" ] || qc_rc=1
		qc_jq any "$io_dir/c.events" "d['type'] == 'qos' and d['state'] == 'denied' and
'policy control failure (RSVP error code 2, value 1)' in d['reason']" || qc_rc=1
		qc_jq any "$io_dir/c.router.jsonl" "d['type'] == 'Path' and d['verdict'] == 'patherr' and d['why'] == 'token not issued'" || qc_rc=1
		[ "$(qc_jq states "$io_dir/c.events" call | sed 's/ringing //')" = "calling answered ended" ] || qc_rc=1
		grep -Eq 'answered +[0-9]+:[0-9]{2} +PCMU +[S-]![-HhB][-M]' "$io_dir/c.screen" || qc_rc=1
		qc_step "(c) a forged token: PathErr, qos denied (policy control failure, code 2); the call stays answered until hung up" \
			"$qc_rc" "qos: $(qc_jq get "$io_dir/c.events" "d['type'] == 'qos'" reason); events $io_dir/c.events, screen $io_dir/c.screen"
		qc_wire c "$qc_tok"
	fi
}

# (d1) a token with an odd number of hex digits in the 200.
qc_case_d1() {
	qc_tok=$(python3 "$qc_qos/mktoken.py" --issued "$qc_issued") ||
		{ bad "qos-call: mktoken.py failed"; return; }
	if qc_outcall d1 error "${qc_tok%?}"; then
		qc_rc=$qc_run
		[ "$(qc_jq states "$io_dir/d1.events" qos)" = "error" ] || qc_rc=1
		qc_jq any "$io_dir/d1.events" "d['type'] == 'qos' and d['state'] == 'error' and 'hex digits' in d['reason']" || qc_rc=1
		grep -Eq 'answered +[0-9]+:[0-9]{2} +PCMU +[S-]!' "$io_dir/d1.screen" || qc_rc=1
		qc_step "(d1) a token with an odd number of hex digits: qos error with the reason, ! on screen" \
			"$qc_rc" "qos: $(qc_jq get "$io_dir/d1.events" "d['type'] == 'qos'" reason); events $io_dir/d1.events"
		qc_norsvp d1
	fi
}

# (d2) a token whose attribute length does not add up.
qc_case_d2() {
	qc_tok=$(python3 "$qc_qos/mktoken.py" --issued "$qc_issued") ||
		{ bad "qos-call: mktoken.py failed"; return; }
	# Bytes 4-5 (hex digits 9-12): AUTH_ENT_ID's length, now 255.
	qc_tok=$(printf '%s' "$qc_tok" | cut -c1-8)00ff$(printf '%s' "$qc_tok" | cut -c13-)
	if qc_outcall d2 error "$qc_tok"; then
		qc_rc=$qc_run
		[ "$(qc_jq states "$io_dir/d2.events" qos)" = "error" ] || qc_rc=1
		qc_jq any "$io_dir/d2.events" "d['type'] == 'qos' and d['state'] == 'error' and 'malformed' in d['reason']" || qc_rc=1
		qc_step "(d2) a token whose attribute length does not add up: qos error with the reason" \
			"$qc_rc" "qos: $(qc_jq get "$io_dir/d2.events" "d['type'] == 'qos'" reason); events $io_dir/d2.events"
		qc_norsvp d2
	fi
}

# (e) no token at all.
qc_case_e() {
	if qc_outcall e none ""; then
		qc_rc=$qc_run
		[ "$(qc_jq states "$io_dir/e.events" qos)" = "none" ] || qc_rc=1
		qc_jq any "$io_dir/e.events" "d['type'] == 'qos' and d['state'] == 'none' and d['tokens'] == 0" || qc_rc=1
		grep -q 'QOS token added' "$io_dir/e.kamailio.log" && qc_rc=1
		grep -Eq 'answered +[0-9]+:[0-9]{2} +PCMU +[S-]-' "$io_dir/e.screen" || qc_rc=1
		qc_step "(e) no token: qos none, - on screen" \
			"$qc_rc" "qos: $(qc_jq get "$io_dir/e.events" "d['type'] == 'qos'" reason); events $io_dir/e.events"
		qc_norsvp e
	fi
}

# (d1b) an odd number of hex digits in the INVITE to siptty.
qc_case_d1b() {
	qc_tok=$(python3 "$qc_qos/mktoken.py" --issued "$qc_issued") ||
		{ bad "qos-call: mktoken.py failed"; return; }
	if qc_incall d1b error "${qc_tok%?}"; then
		qc_rc=$qc_run
		[ "$(qc_jq states "$io_dir/d1b.events" qos)" = "error" ] || qc_rc=1
		qc_jq any "$io_dir/d1b.events" "d['type'] == 'qos' and d['state'] == 'error' and 'hex digits' in d['reason']" || qc_rc=1
		qc_step "(d1b) an INVITE whose token has an odd number of hex digits: answered, qos error with the reason" \
			"$qc_rc" "qos: $(qc_jq get "$io_dir/d1b.events" "d['type'] == 'qos'" reason); events $io_dir/d1b.events, log $io_dir/logs/d1b.log"
		qc_norsvp d1b
	fi
}
