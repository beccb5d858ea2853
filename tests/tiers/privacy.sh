# tests/tiers/privacy.sh - privacy tier: what siptty really sends at each
# privacy level, captured on the wire and checked for leaks.  Sourced by
# run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir, logdir); every
# process is bounded by timeout and stopped by PID; ports are chosen free.
#
#  (a) the wire preview (w) in a headless keystroke script shows the next
#      call's INVITE after scrubbing (no network).
#  (b) the checker (tests/interop/privacy/check_leaks.py) flags a crafted
#      leaking message of every kind it looks for, and passes a clean one:
#      a checker that cannot fail proves nothing.
#  (c) one siptty session per account level (privacy = ...), with an
#      identity nobody else uses (display name "Zyxw Privacy Tester", user
#      zyxwuser, domain priv.example.test, digest user zyxwauth, a
#      distinctive User-Agent, this machine's host name) against SIPp
#      peers over UDP, while dumpcap captures siptty's port on lo.  siptty
#      sends, at every level: REGISTER (challenged once, then the
#      unregister at exit), OPTIONS pings, INVITE, 180/200 answered by
#      SIPp, ACK, two re-INVITEs (H: hold, resume), REFER (t) and 200s to
#      the NOTIFYs, BYE; a second call CANCELled while it rings (h), with
#      a per-call level in some runs (":privacy ..." or the p key);
#      486 (h) and 603 (":reject decline") to SIPp callers; 100, 180, 200,
#      202 and NOTIFYs to a SIPp caller that answers and REFERs siptty,
#      which then calls the target (INVITE, ACK, BYE); 200 to an OPTIONS.
#      (siptty answers an INVITE with 180 at once, so it sends no 100.)
#      tshark decodes the capture; check_leaks.py applies the level's
#      rules to every message siptty sent and cross-checks the SIPp
#      -trace_msg files and tshark's SIP dissector.  One ok/bad per level
#      and check group (capture, identity, headers, from, privacy, ids).

pv_dir=$top_srcdir/tests/interop/privacy
pv_siptty=$top_builddir/src/siptty

# ---- (a) the wire preview ------------------------------------------------

if [ ! -x "$pv_siptty" ]; then
	bad "privacy: $pv_siptty was not built"
else
	pv_tmp=$(mktemp -d "$logdir/privacy.XXXXXX")
	(cd "$pv_tmp" && env XDG_CONFIG_HOME="$pv_tmp/config" \
		XDG_STATE_HOME="$pv_tmp/state" timeout 60 "$pv_siptty" \
		-c "$pv_dir/preview.conf" --headless \
		--script "$pv_dir/preview.script" \
		--screen-dump "$pv_tmp/screen.txt" --log "$pv_tmp/siptty.log" \
		< /dev/null > "$pv_tmp/stdout" 2> "$pv_tmp/stderr")
	pv_rc=$?
	if [ "$pv_rc" -eq 0 ]; then
		ok "privacy: wire preview shows the scrubbed INVITE"
	else
		bad "privacy: wire preview (exit $pv_rc; see $pv_tmp/stderr)"
	fi
fi

# ---- (b) the checker checks ----------------------------------------------

pv_display="Zyxw Privacy Tester"
pv_user=zyxwuser
pv_domain=priv.example.test
pv_ua="QvtqAgent/9.9 (qvtq-softphone)"
pv_authuser=zyxwauth
pv_secret=zyxwsecretpw
pv_host=$(hostname 2>/dev/null || uname -n)

# pv_check ARGS...: check_leaks.py with the tier's identity.
pv_check() {
	timeout 120 python3 "$pv_dir/check_leaks.py" --display "$pv_display" \
		--user "$pv_user" --domain "$pv_domain" --ua "$pv_ua" \
		--authuser "$pv_authuser" --secret "$pv_secret" \
		--hostname "$pv_host" --addr 127.0.0.1 "$@"
}

# pv_selftest: the clean fixture passes at its level; each leaking one
# fails in the group named in its file name (leak-GROUP-*.txt).
pv_selftest() {
	pv_out=$pv_tmp/selftest.out
	: > "$pv_out"
	pv_rc=0
	if ! pv_check --level "user;header;critical" --hostname host-of-fixture \
		--raw "$pv_dir/fixtures/clean-user-header-critical.txt" \
		--expect INVITE,ACK,BYE,200 >> "$pv_out" 2>&1; then
		pv_rc=1
		echo "clean fixture flagged" >> "$pv_out"
	fi
	pv_n=0
	for pv_f in "$pv_dir"/fixtures/leak-*.txt; do
		[ -f "$pv_f" ] || continue
		pv_n=$((pv_n + 1))
		pv_g=$(basename "$pv_f" .txt)
		pv_g=${pv_g#leak-}
		pv_g=${pv_g%%-*}
		pv_lv=$(sed -n 's/^# level: *//p' "$pv_f" | head -n 1)
		echo "== $pv_f (level ${pv_lv:-unset}, group $pv_g)" >> "$pv_out"
		if pv_check --level "$pv_lv" --hostname host-of-fixture \
			--raw "$pv_f" >> "$pv_out" 2>&1; then
			pv_rc=1
			echo "NOT FLAGGED: $pv_f" >> "$pv_out"
		elif ! grep -q "^RESULT $pv_g bad" "$pv_out"; then
			pv_rc=1
			echo "FLAGGED IN THE WRONG GROUP: $pv_f" >> "$pv_out"
		fi
	done
	[ "$pv_n" -ge 5 ] || pv_rc=1
	if [ "$pv_rc" -eq 0 ]; then
		ok "privacy: the checker passes a clean message and flags all $pv_n crafted leaks, each in its group"
	else
		bad "privacy: checker self-test (see $pv_out)"
	fi
}

# ---- (c) the wire, level by level ----------------------------------------

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"

# pv_conf FILE LEVEL KEEP REGISTER PORT: the account with the tier's identity;
# registered (with OPTIONS pings) or not (once registered, siptty sends
# its calls through the registrar).
pv_conf() {
	{
		printf '[sip]\nlisten = 127.0.0.1:%s\n' "$5"
		printf 'user_agent = %s\n' "$pv_ua"
		printf '[account zyxw]\naor = sip:%s@%s\n' "$pv_user" "$pv_domain"
		printf 'display_name = %s\n' "$pv_display"
		printf 'registrar = sip:127.0.0.1:%s\n' "$pv_rp"
		printf 'username = %s\npassword = %s\n' "$pv_authuser" "$pv_secret"
		printf 'transport = udp\nrequire_tls = no\nregister = %s\n' "$4"
		[ "$4" = no ] || printf 'expires = 60\noptions_ping = 1\n'
		# Set but never to be sent: the first hop is SIPp over UDP.
		printf 'preferred_identity = <sip:+15550001111@%s>\n' "$pv_domain"
		printf 'trusted_hosts = 127.0.0.1\n'
		[ -z "$2" ] || printf 'privacy = %s\n' "$2"
		[ -z "$3" ] || printf 'keep_headers = %s\n' "$3"
	} > "$1"
}

# pv_script FILE PERCALL: the keystrokes of one level's session; PERCALL
# is what sets the second call's level ("" for the account's).
pv_script() {
	{
		cat <<-EOS
		# privacy tier: every kind of message siptty sends in calls
		key d
		type sip:sipp@127.0.0.1:$pv_u1
		key Enter
		wait call call=1 state=answered 10
		sleep 0.2
		key H
		wait call call=1 state=held 10
		sleep 0.2
		key H
		wait call call=1 state=answered 10
		sleep 0.2
		key t
		type sip:carol@example.com
		key Enter
		wait call call=1 state=transferred 10
		EOS
		printf '%s\n' "$2"
		cat <<-EOS
		key d
		type sip:ringer@127.0.0.1:$pv_u2
		key Enter
		wait call call=2 state=ringing 10
		key h
		wait call call=2 state=ended 10
		wait call call=3 state=incoming 15
		key h
		wait call call=3 state=ended 10
		wait call call=4 state=incoming 15
		key :
		type reject decline
		key Enter
		wait call call=4 state=ended 10
		wait call call=5 state=incoming 15
		key a
		wait call call=6 state=answered 10
		wait call call=5 state=transferred 10
		sleep 0.3
		key h
		wait call call=6 state=ended 10
		sleep 0.5
		EOS
	} > "$1"
}

# pv_level NAME LEVEL KEEP PERCALL-KEYS CHECKER-ARGS...: one session.
pv_level() {
	pv_name=$1 pv_lv=$2 pv_keep=$3 pv_pc=$4
	shift 4
	pv_label="privacy [${pv_lv:-unset}${pv_keep:+, keep $pv_keep}]"
	pv_ports=$(io_free_ports 7) || { bad "$pv_label: no free ports"; return; }
	# shellcheck disable=SC2086
	set -- $pv_ports "$@"
	pv_sp=$1 pv_rp=$2 pv_u1=$3 pv_u2=$4 pv_u3=$5 pv_cp=$6 pv_sp0=$7
	shift 7
	pv_l=$io_dir/logs/$pv_name
	pv_cap=$io_dir/$pv_name.pcapng
	io_spawn "$pv_l.dumpcap" 90 dumpcap -i lo -f "udp port $pv_sp0 or udp port $pv_sp" \
		-w "$pv_cap" -q
	pv_dc=$io_pid
	if ! io_wait_log "$pv_l.dumpcap" 'Capturing on' 10; then
		bad "$pv_label: dumpcap does not capture on lo (see $pv_l.dumpcap)"
		io_stop_all
		return
	fi
	io_sipp_bg "$pv_l.reg.sipp" 60 -sf "$pv_dir/uas-regopt.xml" -t u1 \
		-i 127.0.0.1 -p "$pv_rp" -trace_msg -message_file "$pv_l.reg.msg"
	pv_reg=$io_pid
	io_sipp_bg "$pv_l.main.sipp" 60 -sf "$pv_dir/uas-main.xml" -t u1 \
		-i 127.0.0.1 -p "$pv_u1" -m 1 -trace_msg -message_file "$pv_l.main.msg"
	pv_main=$io_pid
	io_sipp_bg "$pv_l.ring.sipp" 60 -sf "$io_src/call/uas-ring.xml" -t u1 \
		-i 127.0.0.1 -p "$pv_u2" -m 1 -trace_msg -message_file "$pv_l.ring.msg"
	pv_ring=$io_pid
	io_sipp_bg "$pv_l.target.sipp" 60 -sf "$io_src/call2/uas-answer.xml" -t u1 \
		-i 127.0.0.1 -p "$pv_u3" -m 1 -trace_msg -message_file "$pv_l.target.msg"
	pv_tgt=$io_pid
	io_wait_port udp "$pv_rp" 5 && io_wait_port udp "$pv_u1" 5 &&
		io_wait_port udp "$pv_u2" 5 && io_wait_port udp "$pv_u3" 5
	sleep 0.3
	pv_rc=0
	pv_why=
	# First registered: REGISTER, 401, REGISTER, an OPTIONS ping, and the
	# unregister at exit.
	pv_conf "$io_dir/$pv_name-reg.conf" "$pv_lv" "$pv_keep" yes "$pv_sp0"
	printf '# privacy tier: register, one ping, unregister\nwait reg state=registered 10\nsleep 1.3\n' \
		> "$io_dir/$pv_name-reg.script"
	io_siptty 30 "$pv_name-reg" "$io_dir/$pv_name-reg.conf" "$io_dir/$pv_name-reg.script" ||
		{ pv_rc=1; pv_why="$pv_why the registered session failed;"; }
	io_stop_pid "$pv_reg"
	# Then the calls, not registered.
	pv_conf "$io_dir/$pv_name.conf" "$pv_lv" "$pv_keep" no "$pv_sp"
	pv_script "$io_dir/$pv_name.script" "$pv_pc"
	io_siptty 60 "$pv_name" "$io_dir/$pv_name.conf" "$io_dir/$pv_name.script" &
	pv_sip=$!
	pv_ev=$io_dir/$pv_name.events
	# The callers, each once siptty is ready for it.
	if io_wait_log "$pv_ev" '"call":2,.*"state":"ended"' 25; then
		for pv_code in 486 603; do
			io_sipp "$pv_l.uac$pv_code.sipp" 20 "127.0.0.1:$pv_sp" \
				-sf "$pv_dir/uac-reject.xml" -t u1 -i 127.0.0.1 -p "$pv_cp" \
				-s "$pv_user" -m 1 -trace_msg -message_file "$pv_l.uac$pv_code.msg" ||
				{ pv_rc=1; pv_why="$pv_why SIPp caller ($pv_code) failed;"; }
			grep -q "^SIP/2.0 $pv_code " "$pv_l.uac$pv_code.msg" 2>/dev/null ||
				{ pv_rc=1; pv_why="$pv_why no $pv_code;"; }
		done
		io_sipp "$pv_l.refer.sipp" 25 "127.0.0.1:$pv_sp" -sf "$io_src/call2/uac-refer.xml" \
			-t u1 -i 127.0.0.1 -p "$pv_cp" -s "$pv_user" -m 1 -key target_port "$pv_u3" \
			-trace_msg -message_file "$pv_l.refer.msg" ||
			{ pv_rc=1; pv_why="$pv_why SIPp transferor failed;"; }
		io_sipp "$pv_l.opt.sipp" 15 "127.0.0.1:$pv_sp" -sf "$pv_dir/uac-options.xml" \
			-t u1 -i 127.0.0.1 -p "$pv_cp" -s "$pv_user" -m 1 \
			-trace_msg -message_file "$pv_l.opt.msg" ||
			{ pv_rc=1; pv_why="$pv_why SIPp OPTIONS failed;"; }
	else
		pv_rc=1
		pv_why="$pv_why the outgoing calls did not end;"
	fi
	wait "$pv_sip" || { pv_rc=1; pv_why="$pv_why siptty's script failed;"; }
	io_wait_gone "$pv_main" || { pv_rc=1; pv_why="$pv_why SIPp called party failed;"; }
	io_wait_gone "$pv_ring" || { pv_rc=1; pv_why="$pv_why SIPp ringing party failed;"; }
	io_wait_gone "$pv_tgt" || { pv_rc=1; pv_why="$pv_why SIPp transfer target failed;"; }
	sleep 0.2
	io_stop_pid "$pv_dc"
	pv_res=$io_dir/$pv_name.check
	pv_traces=
	for pv_f in reg main ring target uac486 uac603 refer opt; do
		if [ -s "$pv_l.$pv_f.msg" ]; then
			pv_traces="$pv_traces --sipp $pv_l.$pv_f.msg"
		else
			pv_rc=1
			pv_why="$pv_why no SIPp trace $pv_f;"
		fi
	done
	pv_check --level "$pv_lv" --keep-headers "$pv_keep" --pcap "$pv_cap" \
		--port "$pv_sp0" --port "$pv_sp" --expect "$pv_expect" "$@" $pv_traces > "$pv_res" 2>&1
	# Other programs on this machine take ports too: a session that lost
	# a port it had chosen free is run again once, with fresh ports; its
	# checks are the second run's.
	if [ "$pv_rc" -ne 0 ] && [ -z "$pv_again" ] &&
		grep -Eaqs 'Address already in use|errno = 98' "$pv_l".* "$pv_l"-reg.*; then
		io_stop_all
		echo "privacy: $pv_label lost a port to another program; run again" \
			>> "$logdir/summary.log"
		pv_again=yes
		mkdir -p "$io_dir/lost-port" && mv "$pv_l".* "$pv_l"-reg.* "$io_dir/$pv_name".* "$io_dir/$pv_name"-reg.* \
			"$io_dir/lost-port/" 2>/dev/null
		pv_level "$pv_name" "$pv_lv" "$pv_keep" "$pv_pc" "$@"
		pv_again=
		return
	fi
	if [ "$pv_rc" -eq 0 ]; then
		ok "$pv_label: the session ran (SIPp peers and siptty's script all passed)"
	else
		bad "$pv_label: the session:$pv_why (see $io_dir/logs/$pv_name.*)"
	fi
	for pv_g in capture identity headers from privacy ids; do
		pv_line=$(grep "^RESULT $pv_g " "$pv_res")
		case $pv_line in
		"RESULT $pv_g ok"*)
			ok "$pv_label: $pv_g: ${pv_line#RESULT $pv_g ok }" ;;
		"RESULT $pv_g bad"*)
			bad "$pv_label: $pv_g: ${pv_line#RESULT $pv_g bad } (see $pv_res)" ;;
		*)
			bad "$pv_label: $pv_g: the checker gave no result (see $pv_res)" ;;
		esac
	done
	io_stop_all
}

# What every session must have sent (kinds: methods, reINVITE, statuses).
pv_expect=REGISTER,OPTIONS,INVITE,reINVITE,ACK,BYE,CANCEL,REFER,NOTIFY,180,200,202,486,603

pv_again=
pv_run() {
	io_workdir "$logdir" privacy-wire || { bad "privacy: cannot make a work directory"; return; }
	pv_t0=$(io_now_ms)
	# NAME LEVEL KEEP PERCALL CHECKER-ARGS
	pv_level unset "" "" ""
	pv_level none none "" "$(printf 'key :\ntype privacy user;header;critical\nkey Enter')" \
		--call-level "ringer=user;header;critical"
	pv_level header header "" ""
	pv_level session session "" ""
	pv_level user user "" ""
	pv_level id id "" ""
	pv_level usercrit "user;critical" "" ""
	pv_level userheader "user;header" "" ""
	# The p key from the account's level: none, then user.
	pv_level idheader "id;header" "" "$(printf 'key p\nkey p')" --call-level "ringer=user"
	pv_level hsuc "header;session;user;critical" "" ""
	pv_level keep "header;id;critical" "User-Agent, Subject" ""
	pv_level all "user;header;session;id;critical" "" ""
	pv_t1=$(io_now_ms)
	echo "privacy: wire sessions took $(( (pv_t1 - pv_t0) / 1000 )) s" >> "$logdir/summary.log"
}

io_missing=
io_need sipp sip-tester
io_need dumpcap wireshark-common
io_need tshark tshark
io_need python3 python3
if [ ! -x "$pv_siptty" ]; then
	:
elif [ -n "$io_missing" ]; then
	bad "privacy: the wire checks need$io_missing (run ./bootstrap.sh check as root to install it)"
else
	pv_selftest
	pv_run
fi
