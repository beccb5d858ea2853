# tests/tiers/reg4.sh - digest challenges over TLS and inside calls:
# siptty (a sips: account, require_tls, ca_file = the test CA) registers at
# SIPp registrars behind stunnel (TLS to TCP) and answers 401 and 407 with
# MD5 (verified by SIPp), SHA-256, SHA-512-256, a stale nonce, two
# challenges, MD5-sess, SHA-256-sess and qop=auth-int (checked here with
# hashlib by tests/interop/reg4/auth_check.py); then SIPp UASs challenge the
# hold re-INVITE (407), the BYE (401) and a REFER (407), and each retry must
# carry right credentials and a new CSeq.  Sourced by run-tests.sh
# (ok/bad/skipped, top_srcdir, top_builddir, logdir); every process is
# bounded by timeout and stopped by PID.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
r4_siptty=$top_builddir/src/siptty
r4_sc=$io_src/reg4
r4_rsc=$io_src/reg

r4_step() {
	if [ "$2" -eq 0 ]; then ok "reg4: $1"; else bad "reg4: $1 (${3:-see $io_dir})"; fi
}

# r4_run_siptty NAME CONF SCRIPT: siptty headless, bounded; events in
# $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
r4_run_siptty() { io_siptty 40 "$@"; }

# r4_states KIND FILE: the KIND (reg or call) states in order.
r4_states() { io_states "$@"; }

# r4_wait_gone PID: up to 5 s for SIPp to end by itself, then stops it;
# fails when it had to be stopped.
r4_wait_gone() {
	r4_k=50
	while [ $r4_k -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1; r4_k=$((r4_k - 1))
	done
	r4_alive=0
	kill -0 "$1" 2>/dev/null && r4_alive=1
	io_stop_pid "$1"
	[ $r4_alive -eq 0 ]
}

# 1. SIPp registrars over TLS: SIPp on TCP port P, stunnel on P+1 with the
# harness's certificate for localhost, a fresh pair for each case.
r4_tls() {
	for r4_case in md5 sha256 sha512 stale two 407 md5sess sha256sess authint; do
		r4_p=$(io_free_ports 1) || { bad "reg4: no free ports on 127.0.0.1"; return; }
		r4_tls=$((r4_p + 1))
		r4_n=tls-$r4_case
		cat > "$io_dir/$r4_n.stunnel.conf" <<-EOC
		foreground = yes
		output = $io_dir/logs/$r4_n.stunnel.log
		debug = 5
		syslog = no
		[sip-tls]
		accept = 127.0.0.1:$r4_tls
		connect = 127.0.0.1:$r4_p
		cert = $io_dir/certs/server.pem
		key = $io_dir/certs/server-key.pem
		EOC
		io_spawn "$io_dir/logs/$r4_n.stunnel.out" 60 stunnel4 "$io_dir/$r4_n.stunnel.conf"
		r4_stunnel=$io_pid
		r4_sf=$r4_rsc/uas-reg.xml r4_chk='' r4_hdr=Authorization
		set -- -key chal2 "X-Nothing: 1"
		case $r4_case in
		md5) r4_sf=$r4_rsc/uas-reg-md5.xml; set -- ;;
		sha256) set -- "$@" -key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="n256", qop="auth", algorithm=SHA-256'
			r4_chk="--alg SHA-256 --qop auth" ;;
		sha512) set -- "$@" -key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="n512", qop="auth", algorithm=SHA-512-256'
			r4_chk="--alg SHA-512-256 --qop auth" ;;
		stale) r4_sf=$r4_rsc/uas-reg-stale.xml; set --; r4_chk="--nonce second" ;;
		two) set -- \
			-key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="nmd5", qop="auth", algorithm=MD5' \
			-key chal2 'WWW-Authenticate: Digest realm="sipp.reg", nonce="nsha", qop="auth", algorithm=SHA-256'
			r4_chk="--alg SHA-256 --nonce nsha" ;;
		407) r4_sf=$r4_rsc/uas-reg-407.xml; set -- -key chal2 "X-Nothing: 1" \
			-key chal1 'Proxy-Authenticate: Digest realm="sipp.proxy", nonce="n407", qop="auth", algorithm=SHA-256'
			r4_chk="--alg SHA-256" r4_hdr=Proxy-Authorization ;;
		md5sess) set -- "$@" -key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="nms", qop="auth", algorithm=MD5-sess'
			r4_chk="--alg MD5-sess --qop auth" ;;
		sha256sess) set -- "$@" -key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="nss", qop="auth", algorithm=SHA-256-sess'
			r4_chk="--alg SHA-256-sess --qop auth" ;;
		authint) set -- "$@" -key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="nai", qop="auth-int", algorithm=SHA-256'
			r4_chk="--alg SHA-256 --qop auth-int" ;;
		esac
		io_sipp_bg "$io_dir/logs/$r4_n.sipp" 30 -sf "$r4_sf" -t t1 \
			-i 127.0.0.1 -p "$r4_p" -key user alice -key pass alicepw "$@" -m 1 \
			-trace_msg -message_file "$io_dir/logs/$r4_n.msg" \
			-trace_logs -log_file "$io_dir/logs/$r4_n.log"
		r4_uas=$io_pid
		r4_rc=0
		io_wait_port tcp "$r4_p" 5 || r4_rc=1
		io_wait_port tcp "$r4_tls" 10 || r4_rc=1
		cat > "$io_dir/$r4_n.conf" <<-EOC
		[account alice]
		aor = sips:alice@localhost
		registrar = sips:localhost:$r4_tls
		password = alicepw
		require_tls = yes
		expires = 60
		[tls]
		ca_file = $io_dir/certs/ca.pem
		EOC
		printf '# reg4 tier\nwait reg state=registered 10\n' > "$io_dir/$r4_n.script"
		r4_run_siptty "$r4_n" "$io_dir/$r4_n.conf" "$io_dir/$r4_n.script" || r4_rc=1
		r4_wait_gone "$r4_uas" || r4_rc=1
		io_stop_pid "$r4_stunnel"
		[ "$(r4_states reg "$io_dir/$r4_n.events")" = "registering registered unregistered " ] || r4_rc=1
		grep -q '"state":"registered".*"transport":"TLS","verified":true' "$io_dir/$r4_n.events" || r4_rc=1
		grep -q '^REGISTER sips:localhost' "$io_dir/logs/$r4_n.msg" || r4_rc=1
		if [ "$r4_case" = md5 ]; then
			grep -q 'REGISTER verifyauth=true' "$io_dir/logs/$r4_n.log" || r4_rc=1
		else
			# shellcheck disable=SC2086
			python3 "$r4_sc/auth_check.py" "$io_dir/logs/$r4_n.msg" alicepw --method REGISTER \
				--hdr "$r4_hdr" $r4_chk > "$io_dir/logs/$r4_n.check" 2>&1 || r4_rc=1
		fi
		r4_step "SIPp registrar behind stunnel (TLS): $r4_case challenge answered and checked" $r4_rc \
			"see $io_dir/logs/$r4_n.*"
	done
}

# r4_udp_conf FILE PORT: a sip: account that does not register, over UDP.
r4_udp_conf() { io_udp_conf "$@"; }

# 2. In-dialog challenges: the hold re-INVITE (407) and the BYE (401), then
# a REFER (407); SIPp UASs over UDP, straight to siptty.
r4_dialog() {
	# shellcheck disable=SC2046
	set -- $(io_free_ports 2)
	r4_up=$1 r4_sp=$2
	r4_n=hold-bye
	io_sipp_bg "$io_dir/logs/$r4_n.sipp" 40 -sf "$r4_sc/uas-hold-bye.xml" -t u1 \
		-i 127.0.0.1 -p "$r4_up" -m 1 \
		-key chal1 'Proxy-Authenticate: Digest realm="sipp.proxy", nonce="ninv", qop="auth", algorithm=SHA-256' \
		-key chal2 'WWW-Authenticate: Digest realm="sipp.uas", nonce="nbye", qop="auth", algorithm=MD5' \
		-trace_msg -message_file "$io_dir/logs/$r4_n.msg"
	r4_uas=$io_pid
	io_wait_port udp "$r4_up" 5
	r4_udp_conf "$io_dir/$r4_n.conf" "$r4_sp"
	cat > "$io_dir/$r4_n.script" <<-EOS
	# reg4 tier: call, hold (re-INVITE challenged), hang up (BYE challenged)
	key d
	type sip:sipp@127.0.0.1:$r4_up
	key Enter
	wait call state=answered 10
	sleep 0.3
	key H
	wait call state=held 10
	sleep 0.3
	key h
	wait call state=ended 10
	sleep 0.3
	EOS
	r4_run_siptty "$r4_n" "$io_dir/$r4_n.conf" "$io_dir/$r4_n.script"
	r4_rc=$?
	r4_wait_gone "$r4_uas" || r4_rc=1
	r4_st=$(r4_states call "$io_dir/$r4_n.events")
	[ "$r4_st" = "calling answered held ended " ] || r4_rc=1
	python3 "$r4_sc/auth_check.py" "$io_dir/logs/$r4_n.msg" alicepw --method INVITE \
		--hdr Proxy-Authorization --alg SHA-256 --qop auth > "$io_dir/logs/$r4_n.check" 2>&1 || r4_rc=1
	python3 "$r4_sc/auth_check.py" "$io_dir/logs/$r4_n.msg" alicepw --method BYE \
		--hdr Authorization --alg MD5 --qop auth >> "$io_dir/logs/$r4_n.check" 2>&1 || r4_rc=1
	grep -q '^a=sendonly\|^a=inactive' "$io_dir/logs/$r4_n.msg" || r4_rc=1
	r4_step "re-INVITE (hold) answered after a 407 and BYE after a 401, each retry with credentials and a new CSeq [$r4_st]" \
		$r4_rc "events $io_dir/$r4_n.events, log $io_dir/logs/$r4_n.log, sipp $io_dir/logs/$r4_n.*"

	r4_n=refer
	io_sipp_bg "$io_dir/logs/$r4_n.sipp" 40 -sf "$r4_sc/uas-refer-407.xml" -t u1 \
		-i 127.0.0.1 -p "$r4_up" -m 1 \
		-key chal1 'Proxy-Authenticate: Digest realm="sipp.proxy", nonce="nref", qop="auth", algorithm=SHA-512-256' \
		-trace_msg -message_file "$io_dir/logs/$r4_n.msg"
	r4_uas=$io_pid
	io_wait_port udp "$r4_up" 5
	r4_udp_conf "$io_dir/$r4_n.conf" "$r4_sp"
	cat > "$io_dir/$r4_n.script" <<-EOS
	# reg4 tier: call, transfer (REFER challenged)
	key d
	type sip:sipp@127.0.0.1:$r4_up
	key Enter
	wait call state=answered 10
	sleep 0.3
	key t
	type sip:carol@example.com
	key Enter
	wait call state=transferred 10
	sleep 0.5
	EOS
	r4_run_siptty "$r4_n" "$io_dir/$r4_n.conf" "$io_dir/$r4_n.script"
	r4_rc=$?
	r4_wait_gone "$r4_uas" || r4_rc=1
	r4_st=$(r4_states call "$io_dir/$r4_n.events")
	[ "$r4_st" = "calling answered transferred " ] || r4_rc=1
	grep -q '"state":"transferred","code":200' "$io_dir/$r4_n.events" || r4_rc=1
	python3 "$r4_sc/auth_check.py" "$io_dir/logs/$r4_n.msg" alicepw --method REFER \
		--hdr Proxy-Authorization --alg SHA-512-256 --qop auth > "$io_dir/logs/$r4_n.check" 2>&1 || r4_rc=1
	r4_step "REFER (t) answered after a 407 with credentials and a new CSeq; transferred [$r4_st]" \
		$r4_rc "events $io_dir/$r4_n.events, log $io_dir/logs/$r4_n.log, sipp $io_dir/logs/$r4_n.*"
}

r4_run() {
	io_workdir "$logdir" reg4 || { bad "reg4: cannot make a work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "reg4: certtool could not make the test certificates"; return; }
	r4_tls
	r4_dialog
	io_stop_all
}

io_missing=
io_need sipp sip-tester
io_need stunnel4 stunnel4
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "reg4: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$r4_siptty" ]; then
	bad "reg4: $r4_siptty was not built"
else
	r4_run
fi
