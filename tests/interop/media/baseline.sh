#!/bin/sh
# tests/interop/media/baseline.sh - runs the media tier's calls with
# baresip as alice instead of siptty: every part but siptty (Kamailio,
# baresip, PulseAudio, the relay, xcorr) is shown to work, and the values
# a good phone gets are printed.  Usage (from the build tree):
#   top_srcdir=.. top_builddir=. sh ../tests/interop/media/baseline.sh
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
top_srcdir=$(cd "$top_srcdir" && pwd) top_builddir=$(cd "$top_builddir" && pwd)
logdir=${logdir:-$top_builddir/tests/logs}
mkdir -p "$logdir"
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'PASS: %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }
io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
. "$io_src/media/lib.sh"
. "$io_src/media/cases.sh"
md_xcorr=$top_builddir/tests/tools/xcorr
md_relay=$top_srcdir/tests/tools/udprelay.py
trap 'io_stop_all' EXIT
md_run_cases baresip
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
