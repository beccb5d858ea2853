# tests/tiers/privacy.sh - privacy tier: the wire preview (w) in a headless
# keystroke script shows the next call's INVITE after scrubbing.  Sourced by
# run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir, logdir).
#
# Still to come (issue 5): a call per level to a SIPp UAS with the wire
# captured (-trace_msg) and checked for the configured identity.

pv_dir=$top_srcdir/tests/interop/privacy
pv_siptty=$top_builddir/src/siptty

if [ ! -x "$pv_siptty" ]; then
	skipped "privacy: preview (no $pv_siptty)"
else
	pv_tmp=$(mktemp -d "$logdir/privacy.XXXXXX")
	(cd "$pv_tmp" && env XDG_CONFIG_HOME="$pv_tmp/config" \
		XDG_STATE_HOME="$pv_tmp/state" timeout 60 "$pv_siptty" \
		-c "$pv_dir/preview.conf" --headless \
		--script "$pv_dir/preview.script" \
		--screen-dump "$pv_tmp/screen.txt" --log "$pv_tmp/siptty.log" \
		< /dev/null > "$pv_tmp/stdout" 2> "$pv_tmp/stderr")
	pv_rc=$?
	if [ "$pv_rc" -eq 0 ]; then
		ok "privacy: wire preview shows the scrubbed INVITE"
	else
		bad "privacy: wire preview (exit $pv_rc; see $pv_tmp/stderr)"
	fi
fi
