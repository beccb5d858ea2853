#!/bin/sh
# bench_call.sh - call setup time, dial command to 200 OK, over TLS through
# Kamailio with a 407 challenge: siptty against baresip placing the same
# call in the same run, to a third party (baresip carol, auto-answer),
# 20 calls each, one at a time; prints the medians, their breakdown
# (challenge, proxy, far end, back: see call/report.py) and
# "ratio siptty/baresip: R".  A benchmark, not a test: exits 0 unless a
# peer crashed or could not be set up.  Every process is bounded and
# stopped by PID.
#
# Environment: top_srcdir, top_builddir (set by `make bench`), optionally
# BENCH_CALLS (default 20) and BENCH_DIR (default tests/logs under builddir).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
n=${BENCH_CALLS:-20}
io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
bc_dir=$top_srcdir/tests/bench/call
siptty=$top_builddir/src/siptty

io_missing=
io_need kamailio kamailio
io_need baresip baresip
io_need certtool gnutls-bin
io_need python3 python3
if [ -n "$io_missing" ]; then
	echo "bench-call: needs$io_missing" >&2
	exit 1
fi
[ -x "$siptty" ] || { echo "bench-call: $siptty was not built" >&2; exit 1; }

logs=${BENCH_DIR:-$top_builddir/tests/logs}
mkdir -p "$logs"
io_workdir "$logs" bench-call || exit 1
trap 'io_stop_all' EXIT
trap 'exit 1' INT TERM
io_mkcerts "$io_dir/certs" || { echo "bench-call: certtool failed" >&2; exit 1; }
# shellcheck disable=SC2046
set -- $(io_free_ports 5) || { echo "bench-call: no free ports" >&2; exit 1; }
kp=$1 cp=$2 cc=$3 bp=$4 bb=$5

# Kamailio from the interop config, each script log line stamped with the
# wall clock in microseconds ($TV(Sn)) for the breakdown, and one-time
# nonces: a UA that reuses its credentials (siptty does, per realm) meets a
# 407 on every call too, so both sides are measured with the challenge.
mkdir -p "$io_dir/kamsrc"
sed -e 's/xlog("L_INFO", "/xlog("L_INFO", "T=$TV(Sn) /' \
	-e '/modparam("auth", "nonce_expire"/a modparam("auth", "one_time_nonce", 1)' \
	"$io_src/kamailio.cfg.in" > "$io_dir/kamsrc/kamailio.cfg.in"
cp "$io_src/tls.cfg.in" "$io_dir/kamsrc/"
io_src_saved=$io_src
io_src=$io_dir/kamsrc
io_kamailio_start kamailio "$kp" "$((kp + 1))" -A WITH_QOP
rc=$?
io_src=$io_src_saved
[ $rc -eq 0 ] || { echo "bench-call: kamailio did not start (see $io_kam_log)" >&2; exit 1; }
kam=$io_kam_pid

outbound="outbound=\"sip:127.0.0.1:$((kp + 1));transport=tls\";regint=600"
io_baresip_setup carol "$cp" "$cc" $((cp + 200)) \
	"<sips:carol@localhost;transport=tls>;auth_pass=carolpw;answermode=auto;audio_codecs=pcmu,pcma;$outbound"
io_baresip_start carol 300
carol=$io_pid
io_baresip_setup bob "$bp" "$bb" $((bp + 200)) \
	"<sips:bob@localhost;transport=tls>;auth_pass=bobpw;audio_codecs=pcmu,pcma;$outbound"
io_baresip_start bob 300
bob=$io_pid
for u in carol bob; do
	if ! io_wait_log "$io_dir/logs/$u.log" "$u@localhost: .*200 OK" 10; then
		echo "bench-call: baresip $u did not register (see $io_dir/logs/$u.log)" >&2
		exit 1
	fi
done

# siptty: the keystroke script dials, waits for the answer, hangs up; n times.
printf '%s\n' alicepw > "$io_dir/alice.pw"
chmod 600 "$io_dir/alice.pw"
cat > "$io_dir/alice.conf" <<-EOC
[account alice]
aor = sips:alice@localhost
registrar = sips:localhost:$((kp + 1))
password_file = $io_dir/alice.pw
expires = 300
[tls]
ca_file = $io_dir/certs/ca.pem
EOC
{
	echo '# bench-call: dial carol, answered, hang up'
	echo 'wait reg state=registered 10'
	i=0
	while [ $i -lt "$n" ]; do
		echo 'key d'
		echo 'type sips:carol@localhost'
		echo 'key Enter'
		echo 'wait call state=answered 10'
		echo 'sleep 0.2'
		echo 'key h'
		echo 'wait call state=ended 10'
		echo 'sleep 0.3'
		i=$((i + 1))
	done
} > "$io_dir/alice.script"
# shellcheck disable=SC2046
env $(io_env) timeout -k 3 $((n * 3 + 30)) "$siptty" --headless -c "$io_dir/alice.conf" \
	--script "$io_dir/alice.script" --events "$io_dir/alice.events" \
	--log "$io_dir/logs/alice.log" < /dev/null > "$io_dir/logs/alice.out" 2>&1
src=$?
[ $src -eq 0 ] || echo "bench-call: siptty's script failed (status $src; see $io_dir/logs/alice.out)" >&2

# baresip bob places the same calls.  baresip 1.0's dial turns
# "sips:carol@localhost" into "sip:sips:carol@localhost" (404), so it dials
# the sip: URI with transport=tls: the same TLS legs through the proxy.
timeout $((n * 3 + 30)) python3 "$bc_dir/bctime.py" "$io_src" "$bb" \
	"sip:carol@localhost;transport=tls" "$n" \
	> "$io_dir/bob.times" 2> "$io_dir/logs/bctime.err"
brc=$?
[ $brc -eq 0 ] || echo "bench-call: baresip's calls failed (see $io_dir/bob.times)" >&2

crashed=0
for p in $kam $carol $bob; do
	kill -0 "$p" 2>/dev/null || crashed=1
done
io_stop_all
echo "bench-call: $n calls each, dial to 200 OK over TLS via kamailio with a 407 (records in $io_dir)"
python3 "$bc_dir/report.py" "$io_dir/alice.events" "$io_dir/bob.times" "$io_kam_log"
[ $src -gt 1 ] && crashed=1   # 1 is a failed wait; more is a crash or a signal
exit $crashed
