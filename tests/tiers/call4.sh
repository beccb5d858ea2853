# tests/tiers/call4.sh - call tier 4: the far end holds and resumes, and the
# registration refresh, both against real peers over TLS through Kamailio.
# Sourced by run-tests.sh (ok/bad, top_srcdir, top_builddir, logdir); every
# process is bounded by timeout and stopped by PID; a missing peer is a
# failure.
#
#  (a) baresip bob calls siptty (--auto-answer) through kamailio; bob puts
#      the call on hold (ctrl_tcp `hold`: re-INVITE sendonly), resumes it
#      (`resume`) and hangs up: siptty's call events go incoming, answered,
#      remote-held, answered, ended by the far end
#  (b) a kamailio whose registrar grants at most 10 s (short-expiry.sed
#      applied to kamailio.cfg.in): siptty registers over TLS, refreshes
#      before the 10 s run out (a second REGISTER accepted), then
#      unregisters at exit

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
c4_siptty=$top_builddir/src/siptty
c4_sc=$io_src/call4

c4_step() {
	if [ "$2" -eq 0 ]; then ok "call4: $1"; else bad "call4: $1 (${3:-see $io_dir})"; fi
}

# c4_siptty NAME CONF SCRIPT [OPTION]...: siptty headless, bounded, in the
# foreground; events in $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
c4_siptty() { io_siptty 40 "$@"; }

# c4_states TYPE FILE: the states of events of TYPE (call, reg) in order.
c4_states() { io_states "$@"; }

# c4_conf NAME KPORT: a sips: account for alice at kamailio's TLS port.
c4_conf() {
	printf '%s\n' alicepw > "$io_dir/$1.pw"
	chmod 600 "$io_dir/$1.pw"
	cat > "$io_dir/$1.conf" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$(($2 + 1))
	password_file = $io_dir/$1.pw
	expires = 120
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
}

# (a) baresip holds and resumes siptty's call, then hangs up.
c4_hold() {
	c4_kp=$1 c4_bp=$2 c4_bc=$3
	if ! io_kamailio_start kam-a "$c4_kp" "$((c4_kp + 1))" -A WITH_QOP; then
		bad "call4: (a) kamailio did not start (see $io_kam_log)"
		return
	fi
	c4_kam=$io_kam_pid c4_kl=$io_kam_log
	io_baresip_setup bob "$c4_bp" "$c4_bc" $((c4_bp + 200)) \
		"<sips:bob@localhost;transport=tls>;auth_pass=bobpw;answermode=auto;audio_codecs=pcmu,pcma;outbound=\"sip:127.0.0.1:$((c4_kp + 1));transport=tls\";regint=600"
	io_baresip_start bob 90
	c4_bob=$io_pid
	c4_bl=$io_dir/logs/bob.log
	if ! io_wait_log "$c4_bl" 'bob@localhost: .*200 OK' 10; then
		bad "call4: (a) baresip bob did not register over TLS (see $c4_bl)"
		io_stop_pid "$c4_bob"
		io_stop_pid "$c4_kam"
		return
	fi
	c4_conf a "$c4_kp"
	cat > "$io_dir/a.script" <<-'EOS'
	# call4 tier (a): an incoming call, held and resumed by the far end, ended by it
	wait reg state=registered 10
	wait call state=incoming 15
	wait call state=answered 10
	wait call state=remote-held 15
	wait call state=answered 15
	wait call state=ended 15
	sleep 0.3
	EOS
	c4_siptty a "$io_dir/a.conf" "$io_dir/a.script" --auto-answer &
	c4_sip=$!
	io_wait_log "$io_dir/a.events" '"state":"registered"' 10
	io_bctl "$c4_bc" "$io_dir/logs/bob-ctl-a.log" 'cmd:dial sip:alice@localhost' \
		wait:CALL_ESTABLISHED:10 sleep:1 cmd:hold sleep:2 cmd:resume sleep:2 \
		cmd:hangup wait:CALL_CLOSED:5
	c4_rc=$?
	wait "$c4_sip" || c4_rc=1
	io_stop_pid "$c4_bob"
	io_stop_pid "$c4_kam"
	[ "$(c4_states call "$io_dir/a.events")" = "incoming answered remote-held answered ended " ] ||
		c4_rc=1
	grep -q '"dir":"in",.*"state":"remote-held"' "$io_dir/a.events" || c4_rc=1
	grep -q '"state":"ended","code":0,"reason":"the far end hung up"' "$io_dir/a.events" || c4_rc=1
	# bob's hold offer in its own trace, and its two in-dialog re-INVITEs
	# (hold, resume) routed by kamailio to siptty's contact over TLS.
	grep -q 'a=sendonly' "$c4_bl" || c4_rc=1
	[ "$(grep -c 'REQ INVITE sips:alice@127\.0\.0\.1:.*/tls' "$c4_kl")" -eq 2 ] || c4_rc=1
	c4_step "(a) baresip holds, resumes and hangs up siptty's call: incoming, answered, remote-held, answered, ended by the far end" \
		$c4_rc "events $io_dir/a.events, log $io_dir/logs/a.log, bctl $io_dir/logs/bob-ctl-a.log, kamailio $c4_kl, baresip $c4_bl"
}

# (b) a registrar granting 10 s: siptty refreshes before it runs out.
c4_refresh() {
	c4_kp=$1
	# io_kamailio_start reads $io_src/{kamailio,tls}.cfg.in: point it at a
	# copy with the short expiry for this one start.
	mkdir -p "$io_dir/kamsrc"
	sed -f "$c4_sc/short-expiry.sed" "$io_src/kamailio.cfg.in" > "$io_dir/kamsrc/kamailio.cfg.in" &&
		cp "$io_src/tls.cfg.in" "$io_dir/kamsrc/tls.cfg.in"
	c4_src=$io_src
	io_src=$io_dir/kamsrc
	io_kamailio_start kam-b "$c4_kp" "$((c4_kp + 1))" -A WITH_QOP
	c4_rc=$?
	io_src=$c4_src
	c4_kam=$io_kam_pid c4_kl=$io_kam_log
	if [ $c4_rc -ne 0 ]; then
		io_stop_pid "$c4_kam"
		bad "call4: (b) kamailio did not start (see $c4_kl)"
		return
	fi
	grep -q '"max_expires", 10)' "$io_dir/kam-b/kamailio.cfg" || c4_rc=1
	c4_conf b "$c4_kp"
	# Granted 10 s, siptty refreshes after 6 s; 10 s leaves room for one.
	cat > "$io_dir/b.script" <<-'EOS'
	# call4 tier (b): stay registered long enough for a refresh
	wait reg state=registered 10
	sleep 10
	EOS
	c4_siptty b "$io_dir/b.conf" "$io_dir/b.script" || c4_rc=1
	sleep 0.3
	io_stop_pid "$c4_kam"
	c4_ev=$io_dir/b.events
	[ "$(c4_states reg "$c4_ev")" = "registering registered unregistered " ] || c4_rc=1
	grep -q '"state":"registered".*"transport":"TLS","verified":true' "$c4_ev" || c4_rc=1
	# Two 200s granting 10 s (the registration and its refresh), then the
	# unregister: three REGISTERs accepted by kamailio, all over TLS.
	c4_ngrant=$(grep -c 'alice: registered for 10 s' "$io_dir/logs/b.log")
	c4_nok=$(grep -c 'REGISTER auth OK for alice' "$c4_kl")
	[ "$c4_ngrant" -ge 2 ] || c4_rc=1
	[ "$c4_nok" -ge 3 ] || c4_rc=1
	grep -q "REQ REGISTER .*/udp\|REQ REGISTER .*/tcp" "$c4_kl" && c4_rc=1
	c4_step "(b) kamailio grants 10 s: siptty refreshes over TLS ($c4_ngrant grants of 10 s, $c4_nok REGISTERs accepted incl. the unregister)" \
		$c4_rc "events $c4_ev, log $io_dir/logs/b.log, kamailio $c4_kl"
}

c4_run() {
	io_workdir "$logdir" call4 || { bad "call4: cannot make a work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "call4: certtool could not make the test certificates"; return; }
	c4_ports=$(io_free_ports 4) || { bad "call4: no free ports on 127.0.0.1"; return; }
	# shellcheck disable=SC2086
	set -- $c4_ports
	c4_hold "$1" "$2" "$3"
	c4_refresh "$4"
	io_stop_all
}

io_missing=
io_need kamailio kamailio
io_need baresip baresip
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "call4: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$c4_siptty" ]; then
	bad "call4: $c4_siptty was not built"
else
	c4_run
fi
