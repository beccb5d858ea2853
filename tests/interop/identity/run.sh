#!/bin/sh
# run.sh - runs the identity tier (tests/tiers/identity.sh) or its self-check
# (selfcheck.sh) on its own, the way tests/run-tests.sh sources a tier,
# and prints "N passed, N failed".  From the top of the source tree:
#   tests/interop/identity/run.sh [tier|selfcheck] [BUILDDIR]
# (BUILDDIR defaults to ./build; logs go to BUILDDIR/tests/logs).
set -u
top_srcdir=$(cd "$(dirname "$0")/../../.." && pwd)
top_builddir=$(cd "${2:-$top_srcdir/build}" && pwd)
logdir=$top_builddir/tests/logs
mkdir -p "$logdir"
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); printf 'PASS: %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }
skipped() { skip=$((skip + 1)); printf 'SKIP: %s\n' "$*"; }
start=$(date +%s)
case ${1:-tier} in
tier) . "$top_srcdir/tests/tiers/identity.sh" ;;
*) . "$top_srcdir/tests/interop/identity/$1.sh" ;;
esac
echo "$pass passed, $fail failed$([ $skip -gt 0 ] && echo ", $skip skipped") in $(( $(date +%s) - start )) s"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
