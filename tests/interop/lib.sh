# tests/interop/lib.sh - shell helpers for tests that run real SIP peers on loopback.
#
# Sourced (POSIX sh) by tests/tiers/interop.sh and by later interop tests.
# Every name starts with io_ because the tiers share one shell with
# tests/run-tests.sh.  Needs: io_src (tests/interop in the source tree)
# and io_dir (this run's work directory, made with io_workdir).
#
# Rules kept here so every test gets them for free:
#  - every process runs under `timeout`, is started by io_spawn and stopped
#    by its PID (io_stop_pid, io_stop_all), never by name;
#  - ports are chosen free at run time, not fixed (5060 may be in use);
#  - each peer gets HOME and XDG_* inside the work dir, and libpulse is
#    told never to autospawn a daemon (baresip's ALSA plugin loads it).
#
# Typical use (see tests/tiers/interop.sh):
#   io_src=$top_srcdir/tests/interop; . "$io_src/lib.sh"
#   io_workdir "$logdir" mytest; io_mkcerts "$io_dir/certs"
#   set -- $(io_free_ports 3)
#   io_kamailio_start kamailio "$1" "$2" -A WITH_QOP   # sets io_kam_pid, io_kam_log
#   ... io_baresip_setup / io_baresip_start / io_bctl / io_sipp ...
#   io_stop_all
# Users at the proxy (realm "interop"): alice/alicepw bob/bobpw
# carol/carolpw dave/davepw sipp/sipppw; AORs are sip:USER@localhost.

io_pids=
io_realm=interop

io_now_ms() { date +%s%3N; }

# io_workdir LOGDIR NAME: makes a fresh work directory, sets io_dir.
io_workdir() {
	io_dir=$(mktemp -d "$1/$2.XXXXXX") || return 1
	mkdir -p "$io_dir/home/run" "$io_dir/home/.config/pulse" "$io_dir/logs"
	chmod 700 "$io_dir/home/run"
	printf 'autospawn = no\n' > "$io_dir/home/.config/pulse/client.conf"
}

# io_env: the environment every peer runs in (used as `env $(io_env) cmd`).
io_env() {
	printf '%s ' "HOME=$io_dir/home" "XDG_RUNTIME_DIR=$io_dir/home/run" \
		"XDG_CONFIG_HOME=$io_dir/home/.config" \
		"XDG_DATA_HOME=$io_dir/home/.local/share" \
		"XDG_CACHE_HOME=$io_dir/home/.cache" \
		"XDG_STATE_HOME=$io_dir/home/.local/state" \
		"PULSE_SERVER=unix:$io_dir/home/run/no-pulse"
}

# io_free_ports N: prints N distinct ports P, on one line, such that P and
# P+1 are both free on 127.0.0.1 for TCP and UDP (peers like baresip put
# TLS on P+1).  Below the kernel's ephemeral range (32768-60999), so an
# outgoing connection never takes one between the choice and the bind.
#
# Ports that tshark decodes as another protocol (quake3 on 27950, collectd
# on 25826, ...) are left out too: tshark's SIP or RTP dissector would not
# see a message sent from or to one, and a check that reads the capture
# would fail on a port drawn by chance.
io_known_ports=$(tshark -G decodes 2>/dev/null |
	awk -F'\t' '$1 == "udp.port" || $1 == "tcp.port" { print $2 }' | tr '\n' ' ')
io_free_ports() {
	python3 - "$1" "$io_known_ports" <<'EOF'
import random, socket, sys
want, got = int(sys.argv[1]), []
known = {int(p) for p in sys.argv[2].split() if p.isdigit()}
def free(p):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            return False
        finally:
            s.close()
    return True
for _ in range(2000):
    p = random.randrange(20000, 32000, 2)
    if (p not in got and p not in known and p + 1 not in known and
            free(p) and free(p + 1)):
        got.append(p)
        if len(got) == want:
            break
print(" ".join(map(str, got)))
sys.exit(0 if len(got) == want else 1)
EOF
}

# io_listening PROTO PORT: is something bound to PORT (TCP: listening)?
# Reads /proc/net so it needs neither ss nor netstat.
io_listening() {
	io_hex=$(printf '%04X' "$2")
	case $1 in
	tcp) io_st=0A ;;
	*) io_st=07 ;;
	esac
	cat "/proc/net/$1" "/proc/net/${1}6" 2>/dev/null |
		awk -v p=":$io_hex" -v st="$io_st" \
			'substr($2, length($2) - 4) == p && $4 == st { f = 1 } END { exit !f }'
}

# io_wait_port PROTO PORT [SECONDS]: waits until PORT is bound.
io_wait_port() {
	io_t=$(( $(io_now_ms) + ${3:-10} * 1000 ))
	until io_listening "$1" "$2"; do
		[ "$(io_now_ms)" -lt "$io_t" ] || return 1
		sleep 0.05
	done
}

# io_wait_log FILE REGEX [SECONDS]: waits until FILE has a line matching
# the extended REGEX.
io_wait_log() {
	io_t=$(( $(io_now_ms) + ${3:-10} * 1000 ))
	until grep -Eaq -- "$2" "$1" 2>/dev/null; do
		[ "$(io_now_ms)" -lt "$io_t" ] || return 1
		sleep 0.05
	done
}

# io_spawn LOG SECONDS CMD...: starts CMD in the background under
# `timeout SECONDS`, in the peers' environment, stdin from /dev/null and
# stdout+stderr to LOG; sets io_pid (the timeout wrapper's PID, which
# forwards TERM to the command) and remembers it for io_stop_all.
io_spawn() {
	io_log=$1 io_secs=$2
	shift 2
	# shellcheck disable=SC2046
	env $(io_env) timeout -k 3 "$io_secs" "$@" < /dev/null > "$io_log" 2>&1 &
	io_pid=$!
	io_pids="$io_pids $io_pid"
}

# io_stop_pid PID: TERM (timeout passes it on), up to 5 s grace, then KILL
# the wrapper's direct children (found by parent PID) and the wrapper:
# killing only the wrapper would leave its child running.
io_stop_pid() {
	[ -n "${1:-}" ] || return 0
	if kill -TERM "$1" 2>/dev/null; then
		io_n=50
		while [ $io_n -gt 0 ] && kill -0 "$1" 2>/dev/null; do
			sleep 0.1
			io_n=$((io_n - 1))
		done
		if kill -0 "$1" 2>/dev/null; then
			for io_c in $(awk -v pp="$1" 'FNR == 1 { p = "" }
				/^Pid:/ { p = $2 } /^PPid:/ && $2 == pp { print p }' \
				/proc/[0-9]*/status 2>/dev/null); do
				kill -KILL "$io_c" 2>/dev/null
			done
			kill -KILL "$1" 2>/dev/null
		fi
	fi
	wait "$1" 2>/dev/null
	io_pids=$(printf '%s\n' $io_pids | grep -vx "$1" | tr '\n' ' ')
	return 0
}

# io_stop_all: stops every process io_spawn started and has not stopped.
io_stop_all() {
	for io_p in $io_pids; do
		io_stop_pid "$io_p"
	done
	io_pids=
}

# io_need PROGRAM PACKAGE...: empty when PROGRAM is installed, else the
# Debian package to install (appended to io_missing).
io_missing=
io_need() {
	command -v "$1" > /dev/null 2>&1 || [ -x "/usr/sbin/$1" ] ||
		io_missing="$io_missing $2"
}

# ------------------------------------------------------------------ #
# Certificates (certtool, package gnutls-bin)                         #
# ------------------------------------------------------------------ #

# io_mkcerts DIR: a throwaway CA and a server certificate for 127.0.0.1
# (IP and DNS SAN: mbedTLS in liblinphone checks the IP against dNSName
# only) and localhost.  ECDSA P-256 keys: fast to make, all peers take them.
# Writes ca.pem, server.pem, server-key.pem, server-combined.pem.
io_mkcerts() {
	mkdir -p "$1" || return 1
	(
		cd "$1" || exit 1
		cat > ca.tmpl <<-EOF
		cn = "siptty interop CA"
		organization = "siptty tests"
		serial = 1
		expiration_days = 30
		ca
		cert_signing_key
		crl_signing_key
		EOF
		cat > server.tmpl <<-EOF
		cn = "localhost"
		organization = "siptty tests"
		serial = 2
		expiration_days = 30
		dns_name = "localhost"
		dns_name = "127.0.0.1"
		ip_address = "127.0.0.1"
		ip_address = "::1"
		tls_www_server
		tls_www_client
		signing_key
		encryption_key
		EOF
		for k in ca-key server-key; do
			certtool --generate-privkey --no-text --key-type=ecdsa \
				--curve=secp256r1 --outfile $k.pem 2>/dev/null || exit 1
		done
		certtool --generate-self-signed --load-privkey ca-key.pem \
			--template ca.tmpl --outfile ca.pem 2>/dev/null &&
		certtool --generate-certificate --load-privkey server-key.pem \
			--load-ca-certificate ca.pem --load-ca-privkey ca-key.pem \
			--template server.tmpl --outfile server.pem 2>/dev/null || exit 1
		cat server.pem server-key.pem > server-combined.pem
		chmod 600 ./*key.pem server-combined.pem
	)
}

# ------------------------------------------------------------------ #
# Kamailio: registrar + proxy, digest from an htable                  #
# ------------------------------------------------------------------ #

# io_kamailio_start NAME PORT TLSPORT [-A DEFINE]...: writes the config for
# this run (UDP and TCP on PORT, TLS on TLSPORT; certificates from
# $io_dir/certs) and starts kamailio in the foreground, for at most
# IO_KAM_SECS (default 120) s;
# waits until all three sockets are bound.  Sets io_kam_pid, io_kam_log.
# Defines: WITH_QOP (qop="auth"), WITH_SHA256 (algorithm=SHA-256).
io_kamailio_start() {
	io_kd=$io_dir/$1
	io_kp=$2 io_kt=$3
	shift 3
	mkdir -p "$io_kd/run"
	sed -e "s|@DIR@|$io_kd|g" -e "s|@PORT@|$io_kp|g" -e "s|@TLSPORT@|$io_kt|g" \
		-e "s|@REALM@|$io_realm|g" \
		"$io_src/kamailio.cfg.in" > "$io_kd/kamailio.cfg"
	sed -e "s|@CERTS@|$io_dir/certs|g" "$io_src/tls.cfg.in" > "$io_kd/tls.cfg"
	io_kam_log=$io_dir/logs/$(basename "$io_kd").log
	io_spawn "$io_kam_log" "${IO_KAM_SECS:-120}" kamailio -DD -E -f "$io_kd/kamailio.cfg" \
		-Y "$io_kd/run" -P "$io_kd/run/kamailio.pid" -m 64 -M 8 "$@"
	io_kam_pid=$io_pid
	io_wait_port udp "$io_kp" 10 && io_wait_port tcp "$io_kp" 5 &&
		io_wait_port tcp "$io_kt" 5 && kill -0 "$io_kam_pid" 2>/dev/null
}

# ------------------------------------------------------------------ #
# baresip: one instance per directory, driven through ctrl_tcp        #
# ------------------------------------------------------------------ #

# io_baresip_setup NAME SIPPORT CTRLPORT RTPPORT 'ACCOUNT-LINE': writes
# $io_dir/NAME/{config,accounts,contacts}; TLS listens on SIPPORT+1 with the
# run's server certificate.  Audio: the ausine source (a
# paced tone, no file needed) and no player at all, so no ALSA device is
# opened and nothing spins; RTP still flows both ways.
io_baresip_setup() {
	io_bd=$io_dir/$1
	mkdir -p "$io_bd"
	cat > "$io_bd/config" <<-EOF
	# baresip 1.0 instance '$1' for the siptty interop tests
	poll_method		epoll
	sip_listen		127.0.0.1:$2
	sip_certificate		$io_dir/certs/server-combined.pem
	sip_cafile		$io_dir/certs/ca.pem
	call_local_timeout	30
	call_max_calls		2
	audio_source		ausine,440
	audio_player		none,none
	audio_alert		none,none
	ausrc_srate		48000
	auplay_srate		48000
	ausrc_channels		2
	auplay_channels		1
	rtp_ports		$4-$(($4 + 9))
	rtcp_mux		no
	net_interface		127.0.0.1
	dns_server		127.0.0.1:53
	module_path		/usr/lib/baresip/modules
	module			g711.so
	module			ausine.so
	module_tmp		uuid.so
	module_tmp		account.so
	module_app		menu.so
	module_app		ctrl_tcp.so
	ctrl_tcp_listen		127.0.0.1:$3
	EOF
	printf '%s\n' "$5" > "$io_bd/accounts"
	: > "$io_bd/contacts"
}

# io_baresip_start NAME SECONDS: starts the instance with SIP tracing (-s)
# into $io_dir/logs/NAME.log; sets io_pid.
io_baresip_start() {
	io_spawn "$io_dir/logs/$1.log" "$2" baresip -s -f "$io_dir/$1" -t "$2"
}

# io_bctl CTRLPORT LOG STEP...: drives baresip through ctrl_tcp (see bctl.py).
io_bctl() {
	io_bp=$1 io_bl=$2
	shift 2
	timeout 30 python3 "$io_src/bctl.py" "$io_bp" "$@" > "$io_bl" 2>&1
}

# ------------------------------------------------------------------ #
# SIPp                                                                #
# ------------------------------------------------------------------ #

# io_sipp LOG SECONDS ARGS...: runs sipp in the foreground, bounded, with
# its control socket on a free port and no keyboard; returns sipp's status
# (0: every call succeeded).  Scenario files are in $io_src/sipp.
io_sipp() {
	io_sl=$1 io_ss=$2
	shift 2
	io_scp=$(io_free_ports 1) || return 1
	# shellcheck disable=SC2046
	(cd "$io_dir" && env $(io_env) timeout -k 3 "$io_ss" sipp "$@" \
		-ci 127.0.0.1 -cp "$io_scp" -nostdin < /dev/null > "$io_sl" 2>&1)
}

# io_sipp_bg LOG SECONDS ARGS...: the same in the background (a UAS); sets io_pid.
io_sipp_bg() {
	io_sl=$1 io_ss=$2
	shift 2
	io_scp=$(io_free_ports 1) || return 1
	io_spawn "$io_sl" "$io_ss" sh -c 'cd "$0" && exec sipp "$@"' "$io_dir" "$@" \
		-ci 127.0.0.1 -cp "$io_scp" -nostdin
}

# ---- siptty under test (shared by the call and reg tiers) --------------

# io_siptty SECONDS NAME CONF SCRIPT [OPTION]...: siptty headless, bounded,
# in the foreground; events in $io_dir/NAME.events, log in
# $io_dir/logs/NAME.log, output in $io_dir/logs/NAME.out.
io_siptty() {
	io_yt=$1 io_yn=$2 io_yc=$3 io_ys=$4
	shift 4
	# shellcheck disable=SC2046
	env $(io_env) timeout -k 3 "$io_yt" "$top_builddir/src/siptty" --headless --null-audio -d \
		-c "$io_yc" --script "$io_ys" --events "$io_dir/$io_yn.events" \
		--log "$io_dir/logs/$io_yn.log" "$@" < /dev/null > "$io_dir/logs/$io_yn.out" 2>&1
}

# io_ytates TYPE FILE: the states of TYPE events (call, reg) in order.
io_states() {
	sed -n "s/.*\"type\":\"$1\".*\"state\":\"\\([a-z-]*\\)\".*/\\1/p" "$2" | tr '\n' ' '
}

# io_udp_conf FILE PORT [LINE...]: a sip: account that does not register,
# over UDP; each LINE ("key = value") goes into the [sip] section.
io_udp_conf() {
	io_uf=$1 io_up=$2
	shift 2
	{
	printf '[sip]\nlisten = 127.0.0.1:%s\n' "$io_up"
	for io_ul in "$@"; do printf '%s\n' "$io_ul"; done
	} > "$io_uf"
	cat >> "$io_uf" <<-EOC
	[account alice]
	aor = sip:alice@127.0.0.1
	password = alicepw
	transport = udp
	require_tls = no
	register = no
	EOC
}

# io_wait_gone PID: waits up to 5 s for a SIPp run to finish by itself,
# then stops it; fails when it had to be stopped or failed.
io_wait_gone() {
	io_wk=50
	while [ $io_wk -gt 0 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; io_wk=$((io_wk - 1)); done
	if kill -0 "$1" 2>/dev/null; then
		io_stop_pid "$1"
		return 1
	fi
	wait "$1"
	io_wr=$?
	io_stop_pid "$1"
	return $io_wr
}
