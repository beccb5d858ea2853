# tests/tiers/reg.sh - registration tier: siptty --headless registers at a
# real Kamailio over TLS (MD5, qop=auth, SHA-256), fails cleanly on a wrong
# password, leaks nothing over UDP or TCP for a sips: account (dumpcap +
# tshark), and answers SIPp registrars over UDP and TCP (MD5 verified by
# SIPp, SHA-256 and SHA-512-256 checked here with hashlib, stale nonce, two
# challenges, 407) and the RFC 3329 494 flow with a bid-down.  Sourced by
# run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir, logdir); every
# process is bounded by timeout and stopped by PID.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
rg_siptty=$top_builddir/src/siptty
rg_sc=$io_src/reg

rg_step() {
	if [ "$2" -eq 0 ]; then ok "reg: $1"; else bad "reg: $1 (${3:-see $io_dir})"; fi
}

# rg_siptty NAME CONF SCRIPT: runs siptty headless, bounded; events in
# $io_dir/NAME.events, log in $io_dir/logs/NAME.log.
rg_siptty() { io_siptty 40 "$@"; }

# rg_states FILE: the reg states in order, space-separated.
rg_states() { io_states reg "$1"; }

rg_script() {
	printf '# registration tier\nwait reg state=%s %s\n%s' "$2" "${3:-10}" "${4:-}" > "$1"
}

rg_kamailio() {
	# rg_kamailio NAME PASSWORD PORT [-A DEFINE]...: one siptty run against a
	# fresh kamailio on TLS; sets rg_ev (events) and rg_kl (kamailio log).
	rg_n=$1 rg_pw=$2 rg_kp=$3
	shift 3
	if ! io_kamailio_start "kam-$rg_n" "$rg_kp" "$((rg_kp + 1))" "$@"; then
		rg_kl=$io_kam_log
		return 1
	fi
	rg_kl=$io_kam_log
	cat > "$io_dir/$rg_n.conf" <<-EOC
	[account alice]
	aor = sips:alice@localhost
	registrar = sips:localhost:$((rg_kp + 1))
	password_file = $io_dir/$rg_n.pw
	expires = 120
	[tls]
	ca_file = $io_dir/certs/ca.pem
	EOC
	printf '%s\n' "$rg_pw" > "$io_dir/$rg_n.pw"
	chmod 600 "$io_dir/$rg_n.pw"
	if [ "$rg_pw" = alicepw ]; then
		rg_script "$io_dir/$rg_n.script" registered 10
	else
		rg_script "$io_dir/$rg_n.script" failed 10 'sleep 3
'
	fi
	rg_siptty "$rg_n" "$io_dir/$rg_n.conf" "$io_dir/$rg_n.script"
	rg_rc=$?
	rg_ev=$io_dir/$rg_n.events
	io_stop_pid "$io_kam_pid"
	return $rg_rc
}

rg_run() {
	io_workdir "$logdir" reg || { bad "reg: cannot make a work directory"; return; }
	io_mkcerts "$io_dir/certs" || { bad "reg: certtool could not make the test certificates"; return; }
	# Kamailio's ports (UDP/TCP on P, TLS on P+1), chosen before the
	# capture starts so that it sees these and nothing else.
	rg_kports=$(io_free_ports 4) || { bad "reg: no free ports on 127.0.0.1"; return; }
	rg_cf=
	for rg_p in $rg_kports; do
		rg_cf="$rg_cf${rg_cf:+ or }port $rg_p or port $((rg_p + 1))"
	done

	# 1. TLS to kamailio: plain MD5, qop=auth, SHA-256; captured on lo.
	io_spawn "$io_dir/logs/dumpcap.log" 120 dumpcap -i lo -f "host 127.0.0.1 and ($rg_cf)" \
		-w "$io_dir/reg.pcapng" -q
	rg_cap_pid=$io_pid
	io_wait_log "$io_dir/logs/dumpcap.log" 'Capturing on' 10 || rg_cap_pid=
	# shellcheck disable=SC2086
	set -- $rg_kports
	for rg_v in md5 qop sha256; do
		case $rg_v in
		md5) rg_args= ;;
		qop) rg_args="-A WITH_QOP" ;;
		*) rg_args="-A WITH_QOP -A WITH_SHA256" ;;
		esac
		# shellcheck disable=SC2086
		rg_kamailio "tls-$rg_v" alicepw "$1" $rg_args
		rg_rc=$?
		shift
		[ "$(rg_states "$rg_ev")" = "registering registered unregistered " ] || rg_rc=1
		grep -q '"state":"registered".*"transport":"TLS","verified":true' "$rg_ev" || rg_rc=1
		grep -q "401 challenge for REGISTER sips:alice@localhost" "$rg_kl" || rg_rc=1
		grep -q "REGISTER auth OK for alice" "$rg_kl" || rg_rc=1
		grep -q "REQ REGISTER sips:localhost:.*/tls" "$rg_kl" || rg_rc=1
		grep -q "REQ REGISTER .*/udp\|REQ REGISTER .*/tcp" "$rg_kl" && rg_rc=1
		rg_step "sips: alice registers at kamailio over TLS after a 401 ($rg_v), unregisters at exit" \
			$rg_rc "events $rg_ev, kamailio $rg_kl"
	done

	# 2. A wrong password: failed with a reason, and no retry storm.
	rg_kamailio tls-badpw wrongpw "$1" -A WITH_QOP
	rg_rc=0
	[ "$(rg_states "$rg_ev")" = "registering failed " ] || rg_rc=1
	grep -q '"state":"failed","code":401,"reason":"wrong username or password' "$rg_ev" || rg_rc=1
	rg_nreg=$(grep -c "REQ REGISTER" "$rg_kl")
	[ "$rg_nreg" -le 2 ] || rg_rc=1
	rg_step "a wrong password ends in state failed with a reason, $rg_nreg REGISTERs in 3 s" $rg_rc \
		"events $rg_ev, kamailio $rg_kl"

	# 3. The capture: siptty never used kamailio's UDP/TCP ports, and its
	# TLS port carried no cleartext SIP.
	if [ -n "$rg_cap_pid" ] && command -v tshark > /dev/null 2>&1; then
		sleep 0.3
		io_stop_pid "$rg_cap_pid"
		rg_f=
		for rg_p in $rg_kports; do
			rg_f="$rg_f${rg_f:+ || }udp.port == $rg_p || tcp.port == $rg_p"
		done
		rg_plain=$(tshark -r "$io_dir/reg.pcapng" -Y "$rg_f" 2>/dev/null | wc -l)
		rg_tls=$(tshark -r "$io_dir/reg.pcapng" -Y "tls" 2>/dev/null | wc -l)
		rg_sip=$(tshark -r "$io_dir/reg.pcapng" -Y "sip" 2>/dev/null | wc -l)
		rg_rc=0
		[ "$rg_plain" -eq 0 ] && [ "$rg_tls" -gt 0 ] && [ "$rg_sip" -eq 0 ] || rg_rc=1
		rg_step "capture: $rg_plain packets on kamailio's UDP/TCP ports, $rg_tls TLS, $rg_sip cleartext SIP" \
			$rg_rc "$io_dir/reg.pcapng"
	else
		io_stop_pid "$rg_cap_pid"
		bad "reg: capture check (dumpcap or tshark unavailable) (run ./bootstrap.sh check as root to install it)"
	fi

	# 4. SIPp registrars over UDP and TCP (sip: account, require_tls = no).
	for rg_tr in udp tcp; do
		case $rg_tr in udp) rg_m=u1 ;; *) rg_m=t1 ;; esac
		for rg_case in md5 sha256 sha512 stale two 407; do
			rg_up=$(io_free_ports 1)
			rg_n=sipp-$rg_tr-$rg_case
			rg_sf=uas-reg.xml rg_chk=
			set -- -key chal2 "X-Nothing: 1"
			case $rg_case in
			md5) rg_sf=uas-reg-md5.xml; set -- ;;
			sha256) set -- "$@" -key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="n256", qop="auth", algorithm=SHA-256'
				rg_chk="--alg SHA-256" ;;
			sha512) set -- "$@" -key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="n512", qop="auth", algorithm=SHA-512-256'
				rg_chk="--alg SHA-512-256" ;;
			stale) rg_sf=uas-reg-stale.xml; set --; rg_chk="--nonce second" ;;
			two) set -- \
				-key chal1 'WWW-Authenticate: Digest realm="sipp.reg", nonce="nmd5", qop="auth", algorithm=MD5' \
				-key chal2 'WWW-Authenticate: Digest realm="sipp.reg", nonce="nsha", qop="auth", algorithm=SHA-256'
				rg_chk="--alg SHA-256 --nonce nsha" ;;
			407) rg_sf=uas-reg-407.xml; set -- -key chal2 "X-Nothing: 1" \
				-key chal1 'Proxy-Authenticate: Digest realm="sipp.proxy", nonce="n407", algorithm=MD5'
				rg_chk="--hdr Proxy-Authorization" ;;
			esac
			io_sipp_bg "$io_dir/logs/$rg_n.sipp" 30 -sf "$rg_sc/$rg_sf" -t "$rg_m" \
				-i 127.0.0.1 -p "$rg_up" -key user alice -key pass alicepw "$@" -m 1 \
				-trace_msg -message_file "$io_dir/logs/$rg_n.msg" \
				-trace_logs -log_file "$io_dir/logs/$rg_n.log"
			rg_uas=$io_pid
			io_wait_port "$rg_tr" "$rg_up" 5
			cat > "$io_dir/$rg_n.conf" <<-EOC
			[account alice]
			aor = sip:alice@127.0.0.1
			registrar = sip:127.0.0.1:$rg_up;transport=$rg_tr
			password = alicepw
			transport = $rg_tr
			require_tls = no
			expires = 60
			EOC
			rg_script "$io_dir/$rg_n.script" registered 10
			rg_siptty "$rg_n" "$io_dir/$rg_n.conf" "$io_dir/$rg_n.script"
			rg_rc=$?
			rg_k=50
			while [ $rg_k -gt 0 ] && kill -0 "$rg_uas" 2>/dev/null; do
				sleep 0.1; rg_k=$((rg_k - 1))
			done
			kill -0 "$rg_uas" 2>/dev/null && rg_rc=1
			io_stop_pid "$rg_uas"
			[ "$(rg_states "$io_dir/$rg_n.events")" = "registering registered unregistered " ] || rg_rc=1
			if [ "$rg_case" = md5 ]; then
				grep -q 'REGISTER verifyauth=true' "$io_dir/logs/$rg_n.log" || rg_rc=1
			else
				# shellcheck disable=SC2086
				python3 "$rg_sc/digest_check.py" "$io_dir/logs/$rg_n.msg" alicepw $rg_chk \
					> "$io_dir/logs/$rg_n.check" 2>&1 || rg_rc=1
			fi
			rg_step "SIPp registrar over $rg_tr: $rg_case challenge answered and checked" $rg_rc \
				"see $io_dir/logs/$rg_n.*"
		done
	done

	# 5. Sec-agree (UDP): 494 -> Security-Verify mirroring the list; then
	# the same with the list altered in the 200 (a bid-down): refused.
	for rg_case in ok biddown; do
		rg_up=$(io_free_ports 1)
		rg_n=sipp-secagree-$rg_case
		rg_ss='digest;q=0.5;d-alg=md5, tls;q=0.1'
		rg_ss2=$rg_ss
		[ "$rg_case" = biddown ] && rg_ss2='digest;q=0.1;d-alg=md5'
		io_sipp_bg "$io_dir/logs/$rg_n.sipp" 30 -sf "$rg_sc/uas-secagree.xml" -t u1 \
			-i 127.0.0.1 -p "$rg_up" -key secserver "$rg_ss" -key secserver2 "$rg_ss2" -m 1 \
			-trace_msg -message_file "$io_dir/logs/$rg_n.msg"
		rg_uas=$io_pid
		io_wait_port udp "$rg_up" 5
		cat > "$io_dir/$rg_n.conf" <<-EOC
		[account alice]
		aor = sip:alice@127.0.0.1
		registrar = sip:127.0.0.1:$rg_up
		password = alicepw
		transport = udp
		require_tls = no
		sec_agree = yes
		expires = 60
		EOC
		if [ "$rg_case" = ok ]; then
			rg_script "$io_dir/$rg_n.script" registered 10
		else
			rg_script "$io_dir/$rg_n.script" failed 10
		fi
		rg_siptty "$rg_n" "$io_dir/$rg_n.conf" "$io_dir/$rg_n.script"
		rg_rc=$?
		rg_k=50
		while [ $rg_k -gt 0 ] && kill -0 "$rg_uas" 2>/dev/null; do
			sleep 0.1; rg_k=$((rg_k - 1))
		done
		io_stop_pid "$rg_uas"
		grep -q '^Security-Client: .*tls' "$io_dir/logs/$rg_n.msg" || rg_rc=1
		grep -q '^Require: sec-agree' "$io_dir/logs/$rg_n.msg" || rg_rc=1
		grep -q '^Proxy-Require: sec-agree' "$io_dir/logs/$rg_n.msg" || rg_rc=1
		grep -q '^Security-Verify: digest;q=0.5;d-alg=md5;d-ver="[0-9a-f]\{32\}", tls;q=0.1' \
			"$io_dir/logs/$rg_n.msg" || rg_rc=1
		if [ "$rg_case" = ok ]; then
			[ "$(rg_states "$io_dir/$rg_n.events")" = "registering registered unregistered " ] || rg_rc=1
			rg_step "sec-agree: 494 answered with Security-Verify mirroring the server's list" $rg_rc \
				"see $io_dir/logs/$rg_n.*"
		else
			grep -q '"state":"failed".*bid-down' "$io_dir/$rg_n.events" || rg_rc=1
			rg_step "sec-agree: an altered Security-Server list (bid-down) is refused with a reason" \
				$rg_rc "see $io_dir/logs/$rg_n.*"
		fi
	done
	io_stop_all
}

io_missing=
io_need kamailio kamailio
io_need sipp sip-tester
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	bad "reg: needs$io_missing (run ./bootstrap.sh check as root to install it)"
elif [ ! -x "$rg_siptty" ]; then
	bad "reg: $rg_siptty was not built"
else
	rg_run
fi
