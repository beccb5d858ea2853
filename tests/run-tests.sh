#!/bin/sh
# run-tests.sh - runs every test tier and prints, last, one line:
# "N passed, N failed" (", N skipped" when something was skipped).
#
# Environment (set by `make check`): top_srcdir, top_builddir, UNIT_TESTS,
# FUZZERS, FUZZ_MODE (libfuzzer|replay), FUZZ_SECONDS.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
logdir=$top_builddir/tests/logs
mkdir -p "$logdir"
summary=$logdir/summary.log
: > "$summary"
export SIPTTY_TESTDATA="$top_srcdir/tests/data"
export SIPTTY_SRCDIR="$top_srcdir" SIPTTY_BUILDDIR="$top_builddir"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

pass=0 fail=0 skip=0

note() { printf '%s\n' "$*" | tee -a "$summary"; }
ok() { pass=$((pass + 1)); note "PASS: $*"; }
bad() { fail=$((fail + 1)); note "FAIL: $*"; }
skipped() { skip=$((skip + 1)); note "SKIP: $*"; }

# Tier 1 and 2: cmocka programs (unit and data tests), TAP output; every
# test case counts, and a program that dies without a plan is a failure.
for t in ${UNIT_TESTS:-}; do
	name=$(basename "$t")
	log=$logdir/$name.log
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$top_builddir/$t" > "$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$log" | head -n 1)
	grep '^not ok ' "$log" | sed "s|^|FAIL: $name: |" >> "$summary"
	pass=$((pass + p)); fail=$((fail + f))
	if [ -z "$plan" ] || [ $((p + f)) -ne "$plan" ] || { [ $rc -ne 0 ] && [ "$f" -eq 0 ]; }; then
		bad "$name: exited with status $rc after $((p + f)) of ${plan:-?} cases (see $log)"
	else
		note "$name: $p passed, $f failed"
	fi
done

# Tier 5: fuzzers. With libFuzzer each target runs FUZZ_SECONDS on a copy
# of its seed corpus; without it (no clang) the targets replay the seeds.
for t in ${FUZZERS:-}; do
	name=$(basename "$t")
	short=${name#fuzz_}
	seeds=$top_srcdir/tests/fuzz/corpus/$short
	dict=$top_srcdir/tests/fuzz/$short.dict
	log=$logdir/$name.log
	if [ ! -d "$seeds" ]; then
		bad "$name: no seed corpus at $seeds"
		continue
	fi
	if [ "${FUZZ_MODE:-replay}" = libfuzzer ]; then
		work=$logdir/$name.corpus
		rm -rf "$work"; mkdir -p "$work"
		dictarg=
		[ -f "$dict" ] && dictarg=-dict=$dict
		# shellcheck disable=SC2086
		timeout $((FUZZ_SECONDS + 120)) "$top_builddir/$t" -max_total_time="$FUZZ_SECONDS" \
			-max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			$dictarg -artifact_prefix="$logdir/$name-" "$work" "$seeds" > "$log" 2>&1
		rc=$?
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		if [ $rc -eq 0 ]; then
			ok "$name: ${execs:-?} runs in ${FUZZ_SECONDS} s, no crash, leak or UB"
		else
			bad "$name: libFuzzer found a problem (status $rc; see $log)"
		fi
		rm -rf "$work"
	else
		"$top_builddir/$t" "$seeds" > "$log" 2>&1
		rc=$?
		if [ $rc -eq 0 ]; then
			ok "$name: replayed $(ls "$seeds" | wc -l) seeds"
		else
			bad "$name: a seed failed (status $rc; see $log)"
		fi
		skipped "$name: libFuzzer run (configure with CC=clang --enable-fuzzing, as ./bootstrap.sh check does)"
	fi
done

# Further tiers (interop, ui) are added here as they arrive.
for tier in "$top_srcdir"/tests/tiers/*.sh; do
	[ -f "$tier" ] || continue
	. "$tier"
done

if [ $skip -gt 0 ]; then
	line="$pass passed, $fail failed, $skip skipped"
else
	line="$pass passed, $fail failed"
fi
echo "$line" >> "$summary"
echo "$line"
[ $fail -eq 0 ] && [ $((pass + fail)) -gt 0 ]
