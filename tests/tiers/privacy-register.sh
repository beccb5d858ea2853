# tests/tiers/privacy-register.sh - at privacy user, siptty's REGISTER keeps
# its AoR (siptty.conf(5); RFC 3323 4.1.1.3 lets user privacy keep it on
# REGISTER) but carries no display name: a registrar needs none.  The wire
# is captured with dumpcap and read back.  Sourced like every tier (ok/bad,
# top_srcdir, top_builddir, logdir).

pw_dir=$top_srcdir/tests/interop/privacy
io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"

pw_run() {
	io_workdir "$logdir" privacy-register || { bad "privacy-register: no work directory"; return; }
	pw_ports=$(io_free_ports 2) || { bad "privacy-register: no free ports"; return; }
	# shellcheck disable=SC2086
	set -- $pw_ports
	pw_sp=$1 pw_rp=$2
	io_spawn "$io_dir/logs/dumpcap" 30 dumpcap -i lo -f "udp port $pw_sp" \
		-w "$io_dir/reg.pcapng" -q
	pw_dc=$io_pid
	io_wait_log "$io_dir/logs/dumpcap" 'Capturing on' 10 ||
		{ bad "privacy-register: dumpcap does not capture"; io_stop_all; return; }
	io_sipp_bg "$io_dir/logs/reg.sipp" 30 -sf "$pw_dir/uas-regopt.xml" -t u1 \
		-i 127.0.0.1 -p "$pw_rp"
	pw_reg=$io_pid
	io_wait_port udp "$pw_rp" 5
	cat > "$io_dir/reg.conf" <<-EOC
	[sip]
	listen = 127.0.0.1:$pw_sp
	[account zyxw]
	aor = sip:zyxwuser@priv.example.test
	display_name = Zyxw Privacy Tester
	registrar = sip:127.0.0.1:$pw_rp
	username = zyxwauth
	password = zyxwsecretpw
	transport = udp
	require_tls = no
	privacy = user
	EOC
	printf 'wait reg state=registered 10\n' > "$io_dir/reg.script"
	io_siptty 30 reg "$io_dir/reg.conf" "$io_dir/reg.script"
	io_stop_pid "$pw_reg"
	sleep 0.2
	io_stop_pid "$pw_dc"
	if timeout 60 python3 "$pw_dir/check_leaks.py" --level user --strict-register \
		--display "Zyxw Privacy Tester" --user zyxwuser --domain priv.example.test \
		--authuser zyxwauth --secret zyxwsecretpw --addr 127.0.0.1 \
		--pcap "$io_dir/reg.pcapng" --port "$pw_sp" --expect REGISTER \
		> "$io_dir/reg.check" 2>&1; then
		ok "privacy-register [user]: REGISTER carries no display name"
	else
		bad "privacy-register [user]: REGISTER leaks: $(grep -m1 '^  identity' "$io_dir/reg.check") (see $io_dir/reg.check)"
	fi
	io_stop_all
}
pw_run
