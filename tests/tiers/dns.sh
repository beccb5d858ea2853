# tests/tiers/dns.sh - RFC 3263 lookups against dnsmasq on loopback.  Sourced
# by run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir, logdir): starts
# dnsmasq with tests/dns/dnsmasq.conf on a free high port, runs the cmocka
# program tests/unit/test_resolve_dns with SIPTTY_DNS pointing at it, counts
# its TAP lines, and stops dnsmasq by its PID.

dns_prog=$top_builddir/tests/unit/test_resolve_dns
dns_conf=$top_srcdir/tests/dns/dnsmasq.conf
dns_bin=
for dns_b in /usr/sbin/dnsmasq "$(command -v dnsmasq 2>/dev/null)"; do
	[ -n "$dns_b" ] && [ -x "$dns_b" ] && { dns_bin=$dns_b; break; }
done

# dns_start: dnsmasq on the first port from 35353 it can bind; sets
# dns_pid (the timeout wrapper's PID; killing it stops dnsmasq) and dns_port.
dns_start() {
	dns_pid= dns_port=
	for dns_p in 35353 35363 35373 35383 35393 45353 45363 45373; do
		rm -f "$dns_dir/dnsmasq.pid"
		# --keep-in-foreground, not --no-daemon: only it writes the pid
		# file, which tells us the socket is bound.
		timeout 600 "$dns_bin" --keep-in-foreground --no-resolv --no-hosts \
			--conf-file="$dns_conf" --port="$dns_p" \
			--listen-address=127.0.0.1 --bind-interfaces \
			--pid-file="$dns_dir/dnsmasq.pid" --log-queries --log-facility=- \
			> "$dns_dir/dnsmasq-$dns_p.log" 2>&1 &
		dns_pid=$!
		dns_n=50
		while [ $dns_n -gt 0 ] && [ ! -s "$dns_dir/dnsmasq.pid" ] &&
		      kill -0 "$dns_pid" 2>/dev/null; do
			sleep 0.1
			dns_n=$((dns_n - 1))
		done
		if [ -s "$dns_dir/dnsmasq.pid" ] && kill -0 "$dns_pid" 2>/dev/null; then
			dns_port=$dns_p
			return 0
		fi
		dns_stop
		# Another program holds the port: try the next one.
		grep -q 'in use' "$dns_dir/dnsmasq-$dns_p.log" || return 1
	done
	return 1
}

dns_stop() {
	[ -n "$dns_pid" ] || return 0
	kill "$dns_pid" 2>/dev/null
	dns_n=50
	while [ $dns_n -gt 0 ] && kill -0 "$dns_pid" 2>/dev/null; do
		sleep 0.1
		dns_n=$((dns_n - 1))
	done
	kill -9 "$dns_pid" 2>/dev/null
	wait "$dns_pid" 2>/dev/null
	dns_pid=
}

dns_run() {
	dns_log=$logdir/test_resolve_dns.log
	SIPTTY_DNS=127.0.0.1:$dns_port SIPTTY_DNS_LOG=$dns_dir/resolve.log \
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 180 "$dns_prog" > "$dns_log" 2>&1
	dns_rc=$?
	dns_ok=$(grep -c '^ok ' "$dns_log")
	dns_nok=$(grep -c '^not ok ' "$dns_log")
	dns_plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$dns_log" | head -n 1)
	grep '^not ok ' "$dns_log" | sed 's|^|FAIL: dns: test_resolve_dns: |' >> "$summary"
	pass=$((pass + dns_ok)); fail=$((fail + dns_nok))
	if [ -z "$dns_plan" ] || [ $((dns_ok + dns_nok)) -ne "$dns_plan" ] ||
	   { [ $dns_rc -ne 0 ] && [ "$dns_nok" -eq 0 ]; }; then
		bad "dns: test_resolve_dns exited with status $dns_rc after $((dns_ok + dns_nok)) of ${dns_plan:-?} cases (see $dns_log)"
	else
		note "dns: test_resolve_dns: $dns_ok passed, $dns_nok failed (against dnsmasq on 127.0.0.1:$dns_port)"
	fi
}

if [ -z "$dns_bin" ]; then
	bad "dns: dnsmasq is not installed: apt-get install dnsmasq-base (RFC 3263 tests need it)"
elif [ ! -x "$dns_prog" ]; then
	bad "dns: $dns_prog was not built"
elif [ ! -f "$dns_conf" ]; then
	bad "dns: no zone data at $dns_conf"
else
	dns_dir=$(mktemp -d "$logdir/dns.XXXXXX")
	if dns_start; then
		dns_run
		dns_stop
		[ $((dns_nok)) -eq 0 ] && [ "$dns_ok" -gt 0 ] && rm -rf "$dns_dir"
	else
		bad "dns: dnsmasq did not start (see $dns_dir)"
	fi
fi
