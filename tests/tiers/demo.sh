# tests/tiers/demo.sh - the demo (siptty --demo): the in-process service
# registers us over TLS with a digest challenge, calls us (signed, with a
# media-authorization token), and answers our call to "echo".  Sourced by
# run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir, logdir).

dm_dir=$top_srcdir/tests/interop/demo
dm_siptty=$top_builddir/src/siptty

dm_run() {
	dm_tmp=$(mktemp -d "$logdir/demo.XXXXXX") || { bad "demo: no work directory"; return; }
	mkdir -p "$dm_tmp/run" "$dm_tmp/config/siptty"
	chmod 700 "$dm_tmp/run"
	# A real configuration exists: the demo must not use it (nor leak into it).
	printf '[account real]\naor = sips:someone@example.invalid\npassword = realpw\n' \
		> "$dm_tmp/config/siptty/siptty.conf"
	(cd "$dm_tmp" && env XDG_CONFIG_HOME="$dm_tmp/config" XDG_RUNTIME_DIR="$dm_tmp/run" \
		XDG_STATE_HOME="$dm_tmp/state" timeout -k 3 60 "$dm_siptty" --demo --headless --null-audio \
		--script "$dm_dir/call.script" --events "$dm_tmp/ev.json" \
		--screen-dump "$dm_tmp/screen.txt" --log "$dm_tmp/siptty.log" -d \
		< /dev/null > "$dm_tmp/stdout" 2> "$dm_tmp/stderr")
	dm_rc=$?
	if [ $dm_rc -eq 0 ]; then
		ok "demo: the script ran: registered, called, answered, hung up, dialled echo"
	else
		bad "demo: the script failed (exit $dm_rc; see $dm_tmp/stderr)"
	fi
	if grep -q '"type":"reg","account":"demo","state":"registered".*"transport":"TLS","verified":true' "$dm_tmp/ev.json"; then
		ok "demo: registered over TLS with the server verified"
	else
		bad "demo: no verified TLS registration in $dm_tmp/ev.json"
	fi
	if grep -q '"type":"tls","flow":[0-9]*,"peer":"127.0.0.1:[0-9]*","domain":"localhost","state":"verified","reason":""' "$dm_tmp/ev.json"; then
		ok "demo: a tls event says the server was verified for localhost"
	else
		bad "demo: no tls event for the verified server (see $dm_tmp/ev.json)"
	fi
	if grep -q 'recv from TLS .* SIP/2.0 401 Unauthorized .*WWW-Authenticate: Digest realm="siptty-demo"' "$dm_tmp/siptty.log" &&
	   grep -q 'recv from TLS .* SIP/2.0 407 .*Proxy-Authenticate: Digest realm="siptty-demo"' "$dm_tmp/siptty.log"; then
		ok "demo: the registrar challenged REGISTER (401) and INVITE (407) with digest"
	else
		bad "demo: no digest challenge seen in $dm_tmp/siptty.log"
	fi
	if grep -q '"type":"call","call":1,"account":"demo","dir":"in","peer":"sips:+15550100@localhost;user=phone","state":"answered"' "$dm_tmp/ev.json"; then
		ok "demo: the demo's call came in and was answered"
	else
		bad "demo: the demo's call was not answered (see $dm_tmp/ev.json)"
	fi
	if grep -q '"dir":"out","peer":"sips:echo@localhost","state":"answered"' "$dm_tmp/ev.json"; then
		ok "demo: dialling echo is answered (after a 407 challenge)"
	else
		bad "demo: the call to echo was not answered (see $dm_tmp/ev.json)"
	fi
	if grep -q '"type":"identity","call":1,"verdict":"verified","method":"stir","attest":"A","orig":"15550100","signer":"CN=siptty demo signer' "$dm_tmp/ev.json"; then
		ok "demo: the demo's call is VERIFIED A for 15550100 (STIR, certificate fetched over HTTPS)"
	else
		bad "demo: the demo's call was not verified (see the identity event in $dm_tmp/ev.json)"
	fi
	if grep -q 'VERIFIED A' "$dm_tmp/stdout"; then
		ok "demo: the screen leads with VERIFIED A"
	else
		bad "demo: the screen dump during the call does not say VERIFIED A (see $dm_tmp/stdout)"
	fi
	if [ "$(grep -c '"type":"media","call":[12],"state":"started","codec":"opus","pt":111,"srtp":"AES_CM_128_HMAC_SHA1_80","dscp":46' "$dm_tmp/ev.json")" -eq 2 ]; then
		ok "demo: both calls carry Opus over SRTP, marked EF"
	else
		bad "demo: media did not start with Opus and SRTP in both calls (see $dm_tmp/ev.json)"
	fi
	dm_rx=$(sed -n 's/.*"type":"stats","call":1,.*"rx_packets":\([0-9]*\).*/\1/p' "$dm_tmp/ev.json" | tail -n 1)
	if [ "${dm_rx:-0}" -ge 50 ]; then
		ok "demo: the echo comes back ($dm_rx RTP packets received in 2 s)"
	else
		bad "demo: the echo did not come back (${dm_rx:-no} packets received)"
	fi
	if [ "$(grep -c '"type":"qos","call":[12],"state":"reserved"' "$dm_tmp/ev.json")" -eq 2 ]; then
		ok "demo: the token was presented in an RSVP PATH and the edge router reserved"
	else
		bad "demo: no QoS reservation (see the qos events in $dm_tmp/ev.json)"
	fi
	if grep -q 'media-authorization token' "$dm_tmp/siptty.log"; then
		ok "demo: the calls carry a P-Media-Authorization token"
	else
		bad "demo: no media-authorization token in $dm_tmp/siptty.log"
	fi
	# The SIP trace pane shows the messages (secrets masked: ua/trace.c).
	(cd "$dm_tmp" && env XDG_CONFIG_HOME="$dm_tmp/config" XDG_RUNTIME_DIR="$dm_tmp/run" \
		XDG_STATE_HOME="$dm_tmp/state" timeout -k 3 30 "$dm_siptty" --demo --headless --null-audio \
		--script "$dm_dir/trace.script" --log "$dm_tmp/trace.log" \
		< /dev/null > "$dm_tmp/trace.out" 2>&1)
	if [ $? -eq 0 ]; then
		ok "demo: the SIP trace pane (s) shows the messages sent and received"
	else
		bad "demo: the SIP trace pane (see $dm_tmp/trace.out)"
	fi
	# Nothing of the demo stays behind, and the real account was not used.
	if [ -z "$(ls -d "$dm_tmp"/run/siptty-demo-* 2>/dev/null)" ] && ! grep -q '"account":"real"' "$dm_tmp/ev.json"; then
		ok "demo: its certificates and keys are removed at exit; the real account is left alone"
	else
		bad "demo: left $(ls -d "$dm_tmp"/run/siptty-demo-* 2>/dev/null) behind, or used the real account"
	fi
	# The demo's password is a secret like any other.
	if grep -qi 'password = \|realpw' "$dm_tmp/siptty.log" "$dm_tmp/ev.json" "$dm_tmp/screen.txt" "$dm_tmp/stdout" "$dm_tmp/trace.out"; then
		bad "demo: a password reached the log, events or screen"
	else
		ok "demo: no password in the log, events or screen"
	fi
}

if [ -x "$dm_siptty" ]; then
	dm_run
else
	bad "demo: $dm_siptty was not built"
fi
