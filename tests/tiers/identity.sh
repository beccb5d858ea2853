# tests/tiers/identity.sh - identity tier: siptty verifies who is
# calling (RFC 8224/8225/8588 STIR/SHAKEN with RFC 8226 certificates, and
# RFC 3325 P-Asserted-Identity) against real signers: secsipidx makes the
# tokens and serves the certificates over HTTPS on loopback, SIPp sends
# them, Kamailio's secsipid module signs as the authentication service.
# Sourced like tests/tiers/*.sh (ok/bad, top_srcdir, top_builddir,
# logdir); kept here until siptty's verifier passes it (the lead moves it
# to tests/tiers/identity.sh).  Alone: tests/interop/identity/run.sh tier.
#
# Numbers: the caller is +12155550121, siptty is +12155550131.  The good
# leaf's TNAuthList is the range 12155550100 + 100.  SIPp's INVITEs go
# straight to siptty over UDP (From/To with user=phone); each case makes
# one call and siptty writes one identity event, checked by idev.py.
#
#  (s1) the STIR certificates: TNAuthList extension as made, chains
#  (s2) secsipidx's own check of every case's token says what it should
#  (A)  siptty, reject_invalid_identity = no, --auto-answer: every call is
#       answered (SIPp: 200, ACK, BYE); the verdict per case:
#         vector     verified, method stir, attest ""  (a plain PASSporT,
#                    dest a SIP URI: the shape of SPECS 6.3 vector 2)
#         good       verified, method stir, attest A, orig 12155550121
#         badsig     failed 438 /signature/
#         stale      failed 403 /stale|old|iat|fresh/       (iat now-600)
#         future     failed 403|438 /future|iat|fresh/      (iat now+600)
#         orig       failed 438 /orig|From|calling|caller/  (token orig ...199)
#         dest       failed 438 /dest|To|called/            (token dest ...199)
#         x5u        failed 438|436 /x5u|info/              (info = another URL)
#         untrusted  failed 437 /trust|chain|anchor|issuer|authority/
#         expired    failed 437|403 /expired|validity|not valid/
#         notn       failed 437|438 /TNAuthList|TN|cover|authori[sz]/
#         ppt        unverified, reason /ppt|foo/ (RFC 8224 6.2.2: an
#                    unsupported ppt ignores that header)
#         down       failed 436 /fetch|connect|refused|unreachable|download|get/
#         paiu       unverified, method ""; pai_note set; verstat ""; orig
#                    not the PAI's number (PAI over plain UDP from SIPp,
#                    not a trusted TLS proxy)
#  (B)  reject_invalid_identity = yes: badsig -> 438, stale -> 403,
#       untrusted -> 437, down -> 436 (SIPp sees the code, ACKs); good is
#       still answered (200)
#  (C)  the certificate server answers after 30 s (fetch_timeout_ms 3000):
#       while siptty waits for it, `?` opens the help at once (the UI is
#       not blocked); the verdict comes within the fetch timeout + 3 s,
#       failed 436 /time|slow/, and the screen shows "FAILED: "
#  (D)  through Kamailio over TLS (siptty registered as +12155550131,
#       trusted_hosts = localhost): baresip calls, Kamailio signs with
#       secsipid: verified A, screen "VERIFIED A"; then SIPp (user sipp,
#       forged PAI) calls, Kamailio asserts +12155550122: asserted, method
#       pai, verstat No-TN-Validation, screen "ASSERTED", forged number
#       nowhere

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
. "$io_src/identity/idlib.sh"
idt_siptty=$top_builddir/src/siptty

idt_step() {
	if [ "$2" -eq 0 ]; then ok "identity: $1"; else bad "identity: $1 (${3:-see $io_dir})"; fi
}

# idt_conf FILE PORT REJECT [TIMEOUT-MS]: siptty on UDP PORT as
# +12155550131, not registering, with the tier's identity settings.
idt_conf() {
	cat > "$1" <<-EOC
	[sip]
	listen = 127.0.0.1:$2
	[account callee]
	aor = sip:+12155550131@127.0.0.1
	password = calleepw
	transport = udp
	require_tls = no
	register = no
	[identity]
	trust_anchors = $idt_stir/stir-ca.pem
	fetch_ca_file = $io_dir/certs/ca.pem
	iat_window = 60
	reject_invalid_identity = $3
	fetch_timeout_ms = ${4:-3000}
	EOC
}

# idt_confcheck NAME FILE: siptty must take the configuration.
idt_confcheck() {
	# shellcheck disable=SC2046
	if env $(io_env) timeout 10 "$idt_siptty" -c "$2" --check-config \
		> "$io_dir/logs/$1.check" 2>&1; then
		return 0
	fi
	bad "identity: ($1) siptty rejects the tier's configuration: $(tr '\n' ' ' < "$io_dir/logs/$1.check")"
	return 1
}

# idt_start_bg NAME CONF SECONDS [OPTION]...: siptty headless in the
# background under io_spawn (stopped by PID with io_stop_pid), its
# script only sleeping; events in $io_dir/NAME.events.  Sets idt_pid.
idt_start_bg() {
	idt_bn=$1 idt_sc=$2 idt_bs=$3
	shift 3
	printf '# identity tier (%s): stay up while SIPp calls\nsleep %s\n' "$idt_bn" "$idt_bs" \
		> "$io_dir/$idt_bn.script"
	: > "$io_dir/$idt_bn.events"
	io_spawn "$io_dir/logs/$idt_bn.out" $((idt_bs + 10)) "$idt_siptty" --headless --null-audio -d \
		-c "$idt_sc" --script "$io_dir/$idt_bn.script" --events "$io_dir/$idt_bn.events" \
		--log "$io_dir/logs/$idt_bn.log" "$@"
	idt_pid=$io_pid
}

# idt_lines FILE: its line count (0 when missing).
idt_lines() { if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi; }

# idt_case GROUP EVENTS PORT SIPPORT NAME WANT-SIP DESCRIPTION CHECK...:
# one SIPp call with case NAME's header to siptty on PORT; SIPp must end
# with WANT-SIP (200: answered, ACKed, BYE; else that final code), and
# the identity event must pass idev.py's CHECKs.
idt_case() {
	idt_g=$1 idt_ev=$2 idt_p=$3 idt_lp=$4 idt_n=$5 idt_want=$6 idt_d=$7
	shift 7
	idt_skip=$(idt_lines "$idt_ev")
	idt_l=$io_dir/logs/$idt_g-$idt_n.sipp
	if ! io_listening udp "$idt_p"; then
		bad "identity: ($idt_g) $idt_n: $idt_d (siptty is not running: see $io_dir/logs/$idt_g.out)"
		return
	fi
	idt_sipp_call "$idt_l" "$io_dir/tok-$idt_g" "$idt_n" "127.0.0.1:$idt_p" "$idt_lp"
	idt_src_rc=$?
	idt_why=
	if ! grep -q "^SIP/2.0 $idt_want " "$idt_l.msg" 2>/dev/null; then
		idt_got=$(sed -n 's|^SIP/2.0 \([2-6][0-9][0-9]\) .*|\1|p' "$idt_l.msg" 2>/dev/null | tr '\n' ' ')
		idt_why="SIPp wanted a final $idt_want, got: ${idt_got:-no response};"
	elif [ $idt_src_rc -ne 0 ]; then
		idt_why="SIPp's call failed (status $idt_src_rc);"
	fi
	# The verdict may trail the SIP exchange a little: up to 2 s.
	idt_t=$(( $(io_now_ms) + 2000 ))
	while [ "$(tail -n +$((idt_skip + 1)) "$idt_ev" 2>/dev/null | grep -c '"type":"identity"')" -eq 0 ] &&
		[ "$(io_now_ms)" -lt "$idt_t" ]; do
		sleep 0.1
	done
	idt_res=$(python3 "$idt_src/idev.py" "$idt_ev" "$idt_skip" "$@")
	idt_rc=$?
	[ -z "$idt_why" ] || idt_rc=1
	idt_step "($idt_g) $idt_n: $idt_d" $idt_rc \
		"$idt_why $idt_res; sipp $idt_l*, events $idt_ev"
}

idt_run() {
	io_workdir "$logdir" identity || { bad "identity: cannot make a work directory"; return; }
	idt_t0=$(io_now_ms)
	if ! idt_setup; then
		bad "identity: $idt_err"
		io_stop_all
		return
	fi
	idt_ports=$(io_free_ports 5) || { bad "identity: no free ports on 127.0.0.1"; io_stop_all; return; }
	# shellcheck disable=SC2086
	set -- $idt_ports
	idt_yp=$1 idt_up=$2 idt_kp=$3 idt_bp=$4 idt_bc=$5

	# (s1) certificates.
	idt_rc=0 idt_why=
	for idt_c in good:"range 12155550100 100" expired:"range 12155550100 100" \
		other:"range 12155550100 100" notn:"one 12155550999"; do
		# shellcheck disable=SC2086
		idt_hex=$(python3 "$idt_src/tnauth.py" ${idt_c#*:})
		certtool -i --infile "$idt_stir/${idt_c%%:*}.pem" > "$io_dir/logs/${idt_c%%:*}.info" 2>&1
		grep -q 'Unknown extension 1.3.6.1.5.5.7.1.26' "$io_dir/logs/${idt_c%%:*}.info" &&
			grep -q "Hexdump: $idt_hex\$" "$io_dir/logs/${idt_c%%:*}.info" ||
			{ idt_rc=1; idt_why="$idt_why ${idt_c%%:*}: no TNAuthList $idt_hex;"; }
	done
	idt_vfy() { certtool --verify --load-ca-certificate "$idt_stir/stir-ca.pem" \
		--infile "$idt_stir/$1.pem" > "$io_dir/logs/$1.verify" 2>&1; }
	idt_vfy good || { idt_rc=1; idt_why="$idt_why good does not chain to stir-ca;"; }
	idt_vfy expired && { idt_rc=1; idt_why="$idt_why expired verifies;"; }
	grep -q 'expired' "$io_dir/logs/expired.verify" || { idt_rc=1; idt_why="$idt_why expired: not said expired;"; }
	idt_vfy other && { idt_rc=1; idt_why="$idt_why other verifies against stir-ca;"; }
	idt_fetch "$idt_base/good.pem" "$io_dir/fetched.pem" && cmp -s "$io_dir/fetched.pem" "$idt_stir/good.pem" ||
		{ idt_rc=1; idt_why="$idt_why $idt_base/good.pem not served;"; }
	idt_step "(s1) STIR CA, leaves with TNAuthList (good, expired, other CA, other number), served over HTTPS by secsipidx" \
		$idt_rc "$idt_why see $io_dir/logs/*.info *.verify"

	# (s2) secsipidx's own opinion of each token.
	idt_tokens "$io_dir/tok-s" || { bad "identity: mktokens.sh failed (see $io_dir/logs/mktokens.log)"; io_stop_all; return; }
	idt_rc=0 idt_why=
	while IFS='|' read -r idt_n idt_re; do
		idt_said=$(idt_secsipidx_check "$idt_n" "$io_dir/tok-s")
		printf '%s: %s\n' "$idt_n" "$idt_said" >> "$io_dir/logs/secsipidx-check.log"
		printf '%s' "$idt_said" | grep -Eq "^($idt_re)\$" ||
			{ idt_rc=1; idt_why="$idt_why $idt_n: '$idt_said' (wanted /$idt_re/);"; }
	done <<-'EOT'
	vector|ok
	good|ok
	badsig|.*ECDSA verification failed
	stale|expired token
	future|ok
	orig|ok
	dest|ok
	x5u|mismatching value for x5u and info attributes
	untrusted|.*signed by unknown authority
	expired|certificate expired
	notn|ok
	ppt|invalid value for ppt header parameter
	down|.*connection refused
	slow|.*(Timeout|deadline).*
	EOT
	idt_step "(s2) secsipidx -c agrees with every case's token (see logs/secsipidx-check.log)" \
		$idt_rc "$idt_why"

	# (A) every case, answered.
	idt_conf "$io_dir/a.conf" "$idt_yp" no
	if idt_confcheck A "$io_dir/a.conf"; then :; fi
	idt_start_bg A "$io_dir/a.conf" 100 --auto-answer
	idt_a=$idt_pid
	if ! io_wait_port udp "$idt_yp" 10; then
		bad "identity: (A) siptty did not listen on UDP $idt_yp (see $io_dir/logs/A.out, A.log)"
	fi
	idt_tokens "$io_dir/tok-A" || bad "identity: mktokens.sh failed for (A)"
	idt_e=$io_dir/A.events
	idt_case A "$idt_e" "$idt_yp" "$idt_up" vector 200 \
		"plain PASSporT, dest a SIP URI (SPECS 6.3 vector 2's shape): VERIFIED" \
		verdict=verified method=stir attest= 'orig~^\+?12155550121$' 'signer~SHAKEN good signer'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" good 200 \
		"SHAKEN token, attestation A, trusted leaf: VERIFIED A" \
		verdict=verified method=stir attest=A 'orig~^\+?12155550121$' 'signer~SHAKEN good signer'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" badsig 200 "one signature character changed: FAILED 438" \
		verdict=failed code=438 'reason~(?i)signature'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" stale 200 "iat 600 s old (window 60 s): FAILED 403" \
		verdict=failed code=403 'reason~(?i)stale|old|iat|fresh'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" future 200 "iat 600 s in the future: FAILED" \
		verdict=failed 'code=403|438' 'reason~(?i)future|iat|fresh'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" orig 200 "token orig 12155550199, From +12155550121: FAILED 438" \
		verdict=failed code=438 'reason~orig|Orig|From|calling|caller'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" dest 200 "token dest 12155550199, To +12155550131: FAILED 438" \
		verdict=failed code=438 'reason~dest|Dest|\bTo\b|called'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" x5u 200 "x5u not equal to info: FAILED" \
		verdict=failed 'code=438|436' 'reason~x5u|info'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" untrusted 200 "leaf from a CA that is no trust anchor: FAILED 437" \
		verdict=failed code=437 'reason~(?i)trust|chain|anchor|issuer|authority'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" expired 200 "expired leaf: FAILED" \
		verdict=failed 'code=437|403' 'reason~(?i)expired|validity|not valid'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" notn 200 "TNAuthList without 12155550121: FAILED" \
		verdict=failed 'code=437|438' 'reason~(?i)TNAuthList|\bTN\b|cover|authori[sz]'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" ppt 200 "ppt=foo: the header is ignored, UNVERIFIED" \
		verdict=unverified 'code=0' 'reason~ppt|foo'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" down 200 "certificate server down (connection refused): FAILED 436" \
		verdict=failed code=436 'reason~(?i)fetch|connect|refused|unreachable|download|get'
	idt_case A "$idt_e" "$idt_yp" "$idt_up" paiu 200 "PAI from SIPp over UDP, untrusted: UNVERIFIED, PAI ignored" \
		verdict=unverified 'method=' 'pai_note~.' 'verstat=' 'orig!12155550122'
	io_stop_pid "$idt_a"

	# (B) reject_invalid_identity = yes.
	idt_conf "$io_dir/b.conf" "$idt_yp" yes
	idt_start_bg B "$io_dir/b.conf" 60 --auto-answer
	idt_b=$idt_pid
	io_wait_port udp "$idt_yp" 10 ||
		bad "identity: (B) siptty did not listen on UDP $idt_yp (see $io_dir/logs/B.out, B.log)"
	idt_tokens "$io_dir/tok-B" || bad "identity: mktokens.sh failed for (B)"
	idt_e=$io_dir/B.events
	idt_case B "$idt_e" "$idt_yp" "$idt_up" badsig 438 "reject: bad signature answered 438" \
		verdict=failed code=438
	idt_case B "$idt_e" "$idt_yp" "$idt_up" stale 403 "reject: stale iat answered 403" \
		verdict=failed code=403
	idt_case B "$idt_e" "$idt_yp" "$idt_up" untrusted 437 "reject: untrusted certificate answered 437" \
		verdict=failed code=437
	idt_case B "$idt_e" "$idt_yp" "$idt_up" down 436 "reject: certificate server down answered 436" \
		verdict=failed code=436
	idt_case B "$idt_e" "$idt_yp" "$idt_up" good 200 "reject: a good token is still answered" \
		verdict=verified attest=A
	io_stop_pid "$idt_b"

	# (C) the slow certificate server; the UI answers meanwhile.
	idt_conf "$io_dir/c.conf" "$idt_yp" no 3000
	idt_tokens "$io_dir/tok-C" || bad "identity: mktokens.sh failed for (C)"
	cat > "$io_dir/c.script" <<-EOS
	# identity tier (C): the certificate fetch hangs; the keys still work
	sleep 1.5
	key ?
	expect "list of keys" 1
	key ?
	sleep 4
	dump $io_dir/c.screen
	sleep 3
	EOS
	idt_slow0=$(idt_lines "$idt_slow_log")
	# siptty rings (and its auto-answer timer starts) once the verdict is in:
	# the fetch times out after 3 s, the call is answered 3 s later.
	io_siptty 30 C "$io_dir/c.conf" "$io_dir/c.script" --auto-answer=3 &
	idt_c=$!
	idt_sipp_rc=1
	if io_wait_port udp "$idt_yp" 10; then
		idt_sipp_call "$io_dir/logs/C-slow.sipp" "$io_dir/tok-C" slow "127.0.0.1:$idt_yp" "$idt_up"
		idt_sipp_rc=$?
	fi
	wait "$idt_c"
	idt_script_rc=$?
	idt_rc=0
	idt_why=
	[ $idt_script_rc -eq 0 ] || { idt_rc=1; idt_why="siptty's script failed (status $idt_script_rc: the help did not open within 1 s?);"; }
	[ $idt_sipp_rc -eq 0 ] || { idt_rc=1; idt_why="$idt_why SIPp's call failed;"; }
	idt_acc=$(tail -n +$((idt_slow0 + 1)) "$idt_slow_log" | sed -n 's/^accepted \([0-9.]*\) .*/\1/p' | head -n 1)
	idt_res=$(python3 - "$io_dir/C.events" "${idt_acc:-}" <<-'EOF'
	import datetime, json, sys
	def t(s):
	    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
	        tzinfo=datetime.timezone.utc).timestamp()
	evs = []
	try:
	    lines = open(sys.argv[1], errors="replace").readlines()
	except OSError:
	    lines = []
	for line in lines:
	    try:
	        evs.append(json.loads(line))
	    except ValueError:
	        pass
	acc = float(sys.argv[2]) if sys.argv[2] else None
	helps = [t(e["ts"]) for e in evs if e.get("type") == "ui" and e.get("view") == "help" and e.get("open")]
	ids = [e for e in evs if e.get("type") == "identity"]
	bad = []
	if acc is None:
	    bad.append("the slow server never saw a connection")
	if not helps:
	    bad.append("no help view event")
	if not ids:
	    bad.append("no identity event")
	if not bad:
	    h, i = helps[0], t(ids[0]["ts"])
	    if not acc <= h <= i:
	        bad.append("the help opened at %.3f, not between the fetch (%.3f) and the verdict (%.3f)" % (h, acc, i))
	    if i - acc > 6.0:
	        bad.append("the verdict came %.1f s after the fetch began (timeout 3 s)" % (i - acc))
	    print("fetch %.3f, help %.3f, verdict %.3f" % (acc, h, i))
	print("; ".join(bad))
	sys.exit(1 if bad else 0)
	EOF
	) || { idt_rc=1; }
	idt_why="$idt_why $(printf '%s' "$idt_res" | tr '\n' ' ')"
	idt_step "(C) slow certificate server: the help opens while the fetch hangs; the verdict comes by the fetch timeout" \
		$idt_rc "$idt_why; events $io_dir/C.events, slow server $idt_slow_log"
	idt_res=$(python3 "$idt_src/idev.py" "$io_dir/C.events" 0 verdict=failed code=436 'reason~(?i)time|slow')
	idt_rc=$?
	grep -q 'FAILED: ' "$io_dir/c.screen" 2>/dev/null || { idt_rc=1; idt_res="$idt_res; the screen shows no 'FAILED: '"; }
	idt_step "(C) slow: FAILED 436, the reason says it timed out, and the screen says FAILED" \
		$idt_rc "$idt_res; screen $io_dir/c.screen"

	# (D) through Kamailio over TLS: signed by secsipid, then a PAI.
	if ! idt_kamailio_start kamailio "$idt_kp" "$((idt_kp + 1))"; then
		bad "identity: kamailio with secsipid did not start (see $io_kam_log)"
		io_stop_all
		return
	fi
	idt_kl=$io_kam_log
	io_baresip_setup caller "$idt_bp" "$idt_bc" $((idt_bp + 200)) \
		"<sips:+12155550121@localhost;transport=tls>;auth_user=+12155550121;auth_pass=callerpw;audio_codecs=pcmu,pcma;outbound=\"sip:127.0.0.1:$((idt_kp + 1));transport=tls\";regint=600"
	io_baresip_start caller 60
	idt_bl=$io_dir/logs/caller.log
	if ! io_wait_log "$idt_bl" '12155550121@localhost: .*200 OK' 10; then
		bad "identity: baresip +12155550121 did not register over TLS (see $idt_bl)"
		io_stop_all
		return
	fi
	printf '%s\n' calleepw > "$io_dir/callee.pw"
	chmod 600 "$io_dir/callee.pw"
	cat > "$io_dir/d.conf" <<-EOC
	[account callee]
	aor = sips:+12155550131@localhost
	registrar = sips:localhost:$((idt_kp + 1))
	password_file = $io_dir/callee.pw
	expires = 120
	trusted_hosts = localhost
	[tls]
	ca_file = $io_dir/certs/ca.pem
	[identity]
	trust_anchors = $idt_stir/stir-ca.pem
	fetch_ca_file = $io_dir/certs/ca.pem
	iat_window = 60
	reject_invalid_identity = no
	fetch_timeout_ms = 3000
	EOC
	cat > "$io_dir/d.script" <<-EOS
	# identity tier (D): a call signed by Kamailio, then one it asserts
	wait reg state=registered 10
	wait call state=incoming 15
	sleep 1
	dump $io_dir/d1.screen
	wait call state=ended 15
	wait call state=incoming 15
	sleep 1
	dump $io_dir/d2.screen
	wait call state=ended 15
	sleep 0.3
	EOS
	io_siptty 60 D "$io_dir/d.conf" "$io_dir/d.script" --auto-answer=2 &
	idt_d=$!
	io_wait_log "$io_dir/D.events" '"state":"registered"' 10
	io_bctl "$idt_bc" "$io_dir/logs/caller-ctl.log" 'cmd:dial sip:+12155550131@localhost' \
		wait:CALL_ESTABLISHED:10 sleep:0.5 cmd:hangup wait:CALL_CLOSED:5
	idt_brc=$?
	idt_rc=0 idt_why=
	grep -q 'identity: signed +12155550121 -> +12155550131 (A)' "$idt_kl" ||
		{ idt_rc=1; idt_why="kamailio did not sign (see $idt_kl);"; }
	[ $idt_brc -eq 0 ] || { idt_rc=1; idt_why="$idt_why baresip's call was not answered (see $io_dir/logs/caller-ctl.log);"; }
	idt_res=$(python3 "$idt_src/idev.py" "$io_dir/D.events" 0 verdict=verified method=stir attest=A \
		'orig~^\+?12155550121$' 'signer~SHAKEN good signer') || idt_rc=1
	grep -Eq 'VERIFIED A \+?1?2155550121' "$io_dir/d1.screen" 2>/dev/null ||
		{ idt_rc=1; idt_res="$idt_res; the screen shows no 'VERIFIED A +12155550121'"; }
	idt_step "(D) baresip via kamailio (secsipid signs, TLS to siptty): VERIFIED A" $idt_rc \
		"$idt_why $idt_res; events $io_dir/D.events, screen $io_dir/d1.screen, kamailio $idt_kl"

	idt_skip=$(idt_lines "$io_dir/D.events")
	printf '%s\n' 'P-Asserted-Identity: <sip:+19995550000@forged.example;user=phone;verstat=TN-Validation-Passed>' \
		> "$io_dir/tok-A/forged.hdr"
	io_sipp "$io_dir/logs/D-pai.sipp" 20 "127.0.0.1:$idt_kp" -sf "$idt_src/uac-ident.xml" \
		-t u1 -i 127.0.0.1 -p "$idt_up" -s +12155550131 -key caller sipp -key dom localhost \
		-key tp "" -key hdr "$(cat "$io_dir/tok-A/forged.hdr")" -au sipp -ap sipppw -d 500 -m 1 \
		-trace_msg -message_file "$io_dir/logs/D-pai.msg"
	idt_src_rc=$?
	wait "$idt_d"
	idt_rc=0 idt_why=
	[ $idt_src_rc -eq 0 ] || { idt_rc=1; idt_why="SIPp's call through kamailio failed (see $io_dir/logs/D-pai.*);"; }
	grep -q 'identity: asserted +12155550122 for sipp' "$idt_kl" || { idt_rc=1; idt_why="$idt_why kamailio did not assert;"; }
	idt_res=$(python3 "$idt_src/idev.py" "$io_dir/D.events" "$idt_skip" verdict=asserted method=pai \
		'orig~12155550122' verstat=No-TN-Validation) || idt_rc=1
	grep -qs '19995550000' "$io_dir/D.events" && { idt_rc=1; idt_why="$idt_why the forged number reached the events;"; }
	grep -q 'ASSERTED' "$io_dir/d2.screen" 2>/dev/null ||
		{ idt_rc=1; idt_res="$idt_res; the screen shows no 'ASSERTED'"; }
	idt_step "(D) SIPp via kamailio with a forged PAI; kamailio asserts +12155550122: ASSERTED by the network" $idt_rc \
		"$idt_why $idt_res; events $io_dir/D.events, screen $io_dir/d2.screen"

	io_stop_all
	idt_secs=$(( ($(io_now_ms) - idt_t0) / 1000 ))
	printf 'identity tier: %s s\n' "$idt_secs" > "$io_dir/logs/duration"
}

io_missing=
io_need kamailio kamailio
io_need baresip baresip
io_need sipp sip-tester
io_need certtool gnutls-bin
io_need secsipidx secsipidx
io_need curl curl
io_need python3 python3
ls /usr/lib/*/kamailio/modules/secsipid.so > /dev/null 2>&1 ||
	io_missing="$io_missing kamailio-secsipid-modules"
if [ -n "$io_missing" ]; then
	bad "identity: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$idt_siptty" ]; then
	bad "identity: $idt_siptty was not built"
else
	idt_run
fi
