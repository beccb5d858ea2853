# tests/tiers/qos-call.sh - end-to-end QoS tier: Kamailio, as the QoS-enabled
# proxy, hands RFC 3313 P-Media-Authorization tokens to siptty (alice) in
# the 18x/2xx of her INVITE or in the INVITE to her; siptty (headless,
# --null-audio, qos = yes, qos_edge_router = the mock router's UDP port)
# presents them in an RSVP PATH to tests/interop/qos/edge_router.py, which
# answers Resv or PathErr code 2 after checking the token against the file
# of tokens the test issued; dumpcap captures each call and tshark checks
# the PATH (SESSION, SENDER_TEMPLATE, POLICY_DATA = the token bytes,
# AUTH_SESSION decoded), the PathTear and the RTP (DSCP 46, payload type).
# baresip (bob) is the far end; all SIP is TLS through Kamailio.
# Sourced by run-tests.sh (ok/bad, top_srcdir, top_builddir, logdir);
# every process runs under timeout and is stopped by PID; free ports only;
# loopback only.
#
# The proxy's config is tests/interop/qoscall/kamailio.cfg.in; the token
# for the next call is set in its htable "qos" through kamcmd (ctl module,
# a unix socket in the run's directory): a fresh mktoken.py token per call.
#
#  (a) siptty calls bob, token in the 18x/200: presented, reserved, Q on
#      screen; PATH and PathTear on the wire; RTP EF with the agreed PT
#  (b) bob calls siptty (--auto-answer), token in the INVITE: the same
#  (c) a forged token (never issued): denied, code 2; the call goes on
#  (d2) a malformed token, an attribute length that does not fit: state
#      error with the reason, no RSVP on the wire
#  (e) no token: state none, no RSVP on the wire
#  (d1) a token with an odd number of hex digits in the 200, (d1b) in the
#      INVITE: the call goes on, state error with the reason, no RSVP

io_src=$top_srcdir/tests/interop
. "$io_src/qoscall/lib.sh"

io_missing=
io_need kamailio kamailio
io_need kamcmd kamailio
io_need baresip baresip
io_need certtool gnutls-bin
io_need python3 python3
io_need tshark tshark
io_need dumpcap wireshark-common
if [ -n "$io_missing" ]; then
	bad "qos-call: programs missing: apt-get install$io_missing"
elif [ ! -x "$top_builddir/src/siptty" ]; then
	bad "qos-call: $top_builddir/src/siptty was not built"
else
	qc_failed_before=$fail
	qc_t0=$(io_now_ms)
	if qc_setup; then
		qc_case_a
		qc_case_b
		qc_case_c
		qc_case_d1
		qc_case_d1b
		qc_case_d2
		qc_case_e
	fi
	io_stop_all
	note "qos-call: $(( ($(io_now_ms) - qc_t0) / 1000 )) s"
	if [ "$fail" -eq "$qc_failed_before" ] && [ -n "${io_dir:-}" ]; then
		rm -rf "$io_dir"
	fi
fi
