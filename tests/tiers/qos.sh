# tests/tiers/qos.sh - QoS reservation tier: siptty's qos_session (through
# tests/tools/qossend) against the mock edge router
# tests/interop/qos/edge_router.py, with dumpcap capturing and tshark
# checking the RSVP on the wire.  Sourced by run-tests.sh (ok/bad,
# top_srcdir, top_builddir, logdir); every process runs under timeout and
# is stopped by PID; ports are picked free; loopback only.
#
# Flow (about 10 s):
#   mktoken.py issues a token (written to the router's list) and makes a
#   forged one (never issued); a malformed one is the issued token with its
#   last hex digit cut.
#   1. issued token, UDP encapsulation  -> reserved, PathTear at stop
#   2. forged token, UDP                -> denied, error code 2
#   3. malformed token, UDP (own port)  -> error, nothing on the wire
#   4. issued token, raw IP protocol 46 (Opus tspec) -> reserved
#   5. tshark: PATH fields, checksum, Router Alert, POLICY_DATA tokens
#   6. tshark_check.py's RTP check passes DSCP 46 and fails DSCP 0.

qs_src=$top_srcdir/tests/interop/qos
qs_send=$top_builddir/tests/tools/qossend
io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"

qs_step() {
	if [ "$2" -eq 0 ]; then
		ok "qos: $1"
	else
		bad "qos: $1 (${3:-see $io_dir})"
	fi
}

# qs_seen EXPR: does a JSON line d of the router log satisfy EXPR (python)?
qs_seen() {
	python3 - "$qs_rlog" "$1" <<'EOF'
import json, sys
ok = False
for line in open(sys.argv[1]):
    d = json.loads(line)
    try:
        if eval('(' + sys.argv[2] + ')', {}, {'d': d}):
            ok = True
    except (KeyError, IndexError, TypeError):
        pass
sys.exit(0 if ok else 1)
EOF
}

# qs_run NAME ARGS...: qossend in the foreground, bounded; output in NAME.out.
qs_run() {
	qs_n=$1
	shift
	timeout -k 2 20 "$qs_send" -l "$io_dir/logs/$qs_n.log" "$@" \
		> "$io_dir/$qs_n.out" 2> "$io_dir/logs/$qs_n.err"
}

qs_main() {
	io_workdir "$logdir" qos || { bad "qos: cannot make a work directory under $logdir"; return; }
	qs_ports=$(io_free_ports 5) || { bad "qos: no free ports on 127.0.0.1"; return; }
	# shellcheck disable=SC2086
	set -- $qs_ports
	qs_rp=$1 qs_rp2=$2 qs_dport=$3 qs_sport=$4 qs_rtp=$5
	qs_issued=$io_dir/issued
	qs_rlog=$io_dir/router.jsonl
	qs_rlog2=$io_dir/router2.jsonl
	: > "$qs_issued"

	qs_tok=$(python3 "$qs_src/mktoken.py" --issued "$qs_issued") &&
		qs_forged=$(python3 "$qs_src/mktoken.py") ||
		{ bad "qos: mktoken.py failed"; return; }
	qs_bad=${qs_tok%?}

	io_spawn "$io_dir/logs/dumpcap.log" 60 dumpcap -i lo \
		-f "host 127.0.0.1 and (udp port $qs_rp or udp port $qs_rp2 or udp portrange $qs_rtp-$((qs_rtp + 1)) or ip proto 46)" \
		-w "$io_dir/qos.pcapng" -q
	qs_cap=$io_pid
	if ! io_wait_log "$io_dir/logs/dumpcap.log" 'Capturing on' 10; then
		bad "qos: dumpcap could not capture on lo (see $io_dir/logs/dumpcap.log)"
		return
	fi
	io_spawn "$io_dir/logs/router.log" 60 python3 "$qs_src/edge_router.py" --port "$qs_rp" \
		--issued "$qs_issued" --log "$qs_rlog" --raw --seconds 50
	qs_router=$io_pid
	io_spawn "$io_dir/logs/router2.log" 60 python3 "$qs_src/edge_router.py" --port "$qs_rp2" \
		--issued "$qs_issued" --log "$qs_rlog2" --seconds 50
	qs_router2=$io_pid
	if ! io_wait_log "$qs_rlog" '"listening"' 10 || ! io_wait_log "$qs_rlog2" '"listening"' 10; then
		bad "qos: edge_router.py did not start (see $io_dir/logs/router.log)"
		return
	fi
	qs_common="-s 127.0.0.1:$qs_sport -d 127.0.0.1:$qs_dport -u reserved -u denied -u error -t 5"

	# 1. The issued token over UDP: reserved; the router saw our stream.
	# shellcheck disable=SC2086
	qs_run valid -r "127.0.0.1:$qs_rp" $qs_common "$qs_tok"
	qs_rc=0
	[ "$(cat "$io_dir/valid.out")" = "$(printf 'state presented \nstate reserved ')" ] || qs_rc=1
	qs_step "an issued token over UDP: presented, then reserved" $qs_rc "got: $(tr '\n' '|' < "$io_dir/valid.out")"
	qs_rc=0
	qs_seen "d.get('type') == 'Path' and d['via'] == 'udp' and d['verdict'] == 'resv' and
d['session'] == {'addr': '127.0.0.1', 'proto': 17, 'port': $qs_dport} and
d['sender'] == {'addr': '127.0.0.1', 'port': $qs_sport} and d['tokens'] == ['$qs_tok'] and
d['tspec']['r'] == 10000.0 and d['tspec']['M'] == 200 and d['time_ms'] == 30000 and
d['checksum_ok'] and d['auth_session'][0][0]['value'] == 'pdp.siptty.test'" || qs_rc=1
	qs_step "the router decoded the PATH: session, sender, the token unmodified, PCMU tspec, AUTH_SESSION" $qs_rc "see $qs_rlog"
	qs_rc=0
	qs_seen "d.get('type') == 'PathTear' and d['via'] == 'udp' and d['session']['port'] == $qs_dport and d['tokens'] == []" || qs_rc=1
	qs_step "stopping the session sends a PathTear" $qs_rc "see $qs_rlog"

	# 2. A token the proxy never issued: PathErr code 2.
	# shellcheck disable=SC2086
	qs_run forged -r "127.0.0.1:$qs_rp" $qs_common "$qs_forged"
	qs_rc=0
	grep -qx 'state presented ' "$io_dir/forged.out" || qs_rc=1
	grep -q '^state denied .*policy control failure (RSVP error code 2, value 1)' "$io_dir/forged.out" || qs_rc=1
	qs_seen "d.get('type') == 'Path' and d['verdict'] == 'patherr' and d['tokens'] == ['$qs_forged']" || qs_rc=1
	qs_step "a forged token: the router answers PathErr, state denied with code 2" $qs_rc "got: $(tr '\n' '|' < "$io_dir/forged.out")"

	# 3. A malformed token: error, and nothing sent (router 2 hears nothing).
	# shellcheck disable=SC2086
	qs_run malformed -r "127.0.0.1:$qs_rp2" -s "127.0.0.1:$qs_sport" -d "127.0.0.1:$((qs_dport + 1))" \
		-u reserved -u denied -u error -t 5 "$qs_bad"
	qs_rc=0
	grep -q '^state error P-Media-Authorization token 1 is malformed: .*odd number' "$io_dir/malformed.out" || qs_rc=1
	[ "$(wc -l < "$io_dir/malformed.out")" -eq 1 ] || qs_rc=1
	qs_step "a malformed token: state error with the reason" $qs_rc "got: $(tr '\n' '|' < "$io_dir/malformed.out")"
	qs_rc=0
	qs_rlog_save=$qs_rlog
	qs_rlog=$qs_rlog2
	qs_seen "d.get('event') == 'message'" && qs_rc=1
	qs_rlog=$qs_rlog_save
	qs_step "a malformed token: the edge router received nothing" $qs_rc "see $qs_rlog2"

	# 4. Raw IP protocol 46 with Router Alert, an Opus stream.
	# shellcheck disable=SC2086
	qs_run raw -r "" $qs_common -c opus -b 32000 -p 20 "$qs_tok"
	qs_rc=0
	[ "$(cat "$io_dir/raw.out")" = "$(printf 'state presented \nstate reserved ')" ] || qs_rc=1
	qs_seen "d.get('type') == 'Path' and d['via'] == 'raw' and d['router_alert'] and d['verdict'] == 'resv' and
d['session']['port'] == $qs_dport and d['tokens'] == ['$qs_tok'] and d['tspec']['r'] == 6000.0 and d['tspec']['M'] == 120" || qs_rc=1
	qs_step "raw IP protocol 46 with Router Alert: reserved; Opus 32 kbit/s tspec 6000 B/s, M 120" $qs_rc \
		"got: $(tr '\n' '|' < "$io_dir/raw.out"); see $qs_rlog"

	# 6. The RTP check of tshark_check.py, on packets marked here: it must
	# pass DSCP 46 and fail DSCP 0.
	python3 - "$qs_rtp" <<'EOF'
import socket, struct, sys
port = int(sys.argv[1])
for tos, dst in ((0xb8, port), (0, port + 1)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
    for i in range(5):
        s.sendto(struct.pack('!BBHII', 0x80, 0, i, 160 * i, 0x5157) + b'\xff' * 160, ('127.0.0.1', dst))
    s.close()
EOF

	sleep 0.5
	io_stop_pid "$qs_cap"
	io_stop_pid "$qs_router"
	io_stop_pid "$qs_router2"

	# 5. tshark on the capture.
	qs_c=$io_dir/qos.pcapng
	qs_rc=0
	python3 "$qs_src/tshark_check.py" "$qs_c" --port "$qs_rp" --via udp --min-paths 2 \
		--session "127.0.0.1:$qs_dport" --sender "127.0.0.1:$qs_sport" \
		> "$io_dir/tshark-udp.txt" 2>&1 || qs_rc=1
	qs_step "tshark: UDP-encapsulated PATHs to the right session and sender, checksums correct" $qs_rc "see $io_dir/tshark-udp.txt"
	qs_rc=0
	# The valid run's PATH is the first by UDP; the forged one's the second.
	python3 "$qs_src/tshark_check.py" "$qs_c" --port "$qs_rp" --via raw \
		--session "127.0.0.1:$qs_dport" --sender "127.0.0.1:$qs_sport" --token "$qs_tok" \
		> "$io_dir/tshark-raw.txt" 2>&1 || qs_rc=1
	qs_step "tshark: the raw PATH has Router Alert and carries the issued token unmodified in POLICY_DATA" $qs_rc "see $io_dir/tshark-raw.txt"
	qs_rc=0
	qs_n=$(tshark -r "$qs_c" -d "udp.port==$qs_rp,rsvp" -Y "rsvp.path && ip.proto == 17" -T fields \
		-e rsvp.policy.data 2>/dev/null | tr -d ':' | grep -c -e "$qs_tok" -e "$qs_forged")
	[ "$qs_n" -eq 2 ] || qs_rc=1
	qs_step "tshark: the UDP PATHs carry the issued and the forged token ($qs_n of 2)" $qs_rc
	qs_rc=0
	python3 "$qs_src/tshark_check.py" "$qs_c" --port "$qs_rp2" --no-rsvp --session "127.0.0.1:$((qs_dport + 1))" \
		> "$io_dir/tshark-none.txt" 2>&1 || qs_rc=1
	qs_step "tshark: no RSVP on the wire for the malformed token" $qs_rc "see $io_dir/tshark-none.txt"
	qs_rc=0
	python3 "$qs_src/tshark_check.py" "$qs_c" --rtp-port "$qs_rtp" --pt 0 > "$io_dir/tshark-rtp.txt" 2>&1 || qs_rc=1
	python3 "$qs_src/tshark_check.py" "$qs_c" --rtp-port $((qs_rtp + 1)) --pt 0 >> "$io_dir/tshark-rtp.txt" 2>&1 && qs_rc=1
	qs_step "tshark_check.py's RTP check passes DSCP 46 / PT 0 and fails unmarked packets" $qs_rc "see $io_dir/tshark-rtp.txt"
}

io_missing=
io_need python3 python3
io_need tshark tshark
io_need dumpcap wireshark-common
if [ -n "$io_missing" ]; then
	bad "qos: programs missing: apt-get install$io_missing"
elif [ ! -x "$qs_send" ]; then
	bad "qos: $qs_send was not built"
else
	qs_failed_before=$fail
	qs_main
	io_stop_all
	if [ "$fail" -eq "$qs_failed_before" ] && [ -n "${io_dir:-}" ]; then
		rm -rf "$io_dir"
	fi
fi
