# tests/tiers/media.sh - the real-audio tier: siptty and baresip
# over TLS through Kamailio, each playing a WAV and recording what it
# hears; what each side heard must match what the other sent (normalised
# cross-correlation >= 0.9 after alignment, tests/tools/xcorr) for Opus
# and PCMU, SRTP on and off; DTMF both ways; through a lossy (5 %,
# per-segment >= 0.8) and a jittery (+-30 ms, no hole over 60 ms) relay.
# tests/interop/media/baseline.sh runs the same calls with
# baresip in siptty's place.  Sourced by run-tests.sh (ok/bad,
# top_srcdir, top_builddir, logdir); every process is bounded and
# stopped by PID; ports are chosen free at run time.

io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"
. "$io_src/media/lib.sh"
. "$io_src/media/cases.sh"
. "$io_src/media/linphone.sh"
md_xcorr=$top_builddir/tests/tools/xcorr
md_relay=$top_srcdir/tests/tools/udprelay.py
if [ -x "$top_builddir/src/siptty" ]; then
	md_run_cases siptty
else
	bad "media: $top_builddir/src/siptty was not built"
fi
