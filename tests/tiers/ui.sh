# tests/tiers/ui.sh - tier 4: keystroke scripts headless, the man page example,
# the Finnish UI, and the real curses drawing under tmux.  Sourced by
# run-tests.sh (ok/bad/skipped, top_srcdir, top_builddir, logdir).
#
# A script states its expected outcome in header comments:
#   # status: N        exit status (default 0)
#   # stderr: REGEX    grep -E on stderr (any number of lines)
#   # screen: REGEX    grep -E on the --screen-dump file
#   # config: FILE     run with -c tests/ui/FILE (default: no configuration)
#   # absent: FILE     a file the run must not create (nothing ran)
#   # headless: no     leave out --headless (stdin is never a terminal here)
#   # ports: N         N free ports replace @PORT1@.. in the script, the
#                      configuration and the files below (copies are used)
#   # data: FILE       tests/ui/FILE is the contacts file at the start
#   # state: FILE      tests/ui/FILE is the history file at the start
#   # file: FILE       tests/ui/FILE is copied into the run's directory
#   # exists: GLOB     after the run, a file matching GLOB (under the run's
#                      XDG home: data/..., state/...) must exist

ui_siptty=$top_builddir/src/siptty
ui_dir=$top_srcdir/tests/ui
# io_free_ports and its rules (ports chosen at run time).
io_src=$top_srcdir/tests/interop
. "$io_src/lib.sh"

ui_header() { sed -n "s/^# $1: //p" "$2"; }

# ui_subst SRC DST: a copy of SRC with @PORTn@ replaced by this run's ports.
ui_subst() {
	sed -e "s/@PORT1@/${ui_p1:-0}/g" -e "s/@PORT2@/${ui_p2:-0}/g" \
		-e "s/@PORT3@/${ui_p3:-0}/g" "$1" > "$2"
}

# ui_run NAME SCRIPT [ENV...]: runs one script in a fresh directory.
ui_run() {
	ui_name=$1 ui_script=$2
	shift 2
	ui_tmp=$(mktemp -d "$logdir/ui-$ui_name.XXXXXX")
	ui_want=$(ui_header status "$ui_script")
	ui_want=${ui_want:-0}
	# The screen wraps long paths: a short home keeps the configuration
	# path on one line whatever the build directory is called.
	ui_home=$(mktemp -d /tmp/siptty-ui.XXXXXX)
	ui_p1= ui_p2= ui_p3=
	ui_np=$(ui_header ports "$ui_script")
	if [ -n "$ui_np" ]; then
		# shellcheck disable=SC2046
		set -- $(io_free_ports "$ui_np") "$@"
		ui_p1=$1 ui_p2=${2:-} ui_p3=${3:-}
		shift "$ui_np"
	fi
	ui_subst "$ui_script" "$ui_tmp/run.script"
	ui_script_run=$ui_tmp/run.script
	ui_f=$(ui_header data "$ui_script")
	if [ -n "$ui_f" ]; then
		mkdir -p "$ui_home/data/siptty"
		ui_subst "$ui_dir/$ui_f" "$ui_home/data/siptty/contacts"
	fi
	ui_f=$(ui_header state "$ui_script")
	if [ -n "$ui_f" ]; then
		mkdir -p "$ui_home/state/siptty"
		ui_subst "$ui_dir/$ui_f" "$ui_home/state/siptty/history"
	fi
	ui_f=$(ui_header file "$ui_script")
	[ -n "$ui_f" ] && ui_subst "$ui_dir/$ui_f" "$ui_tmp/$ui_f"
	set -- "$@" XDG_CONFIG_HOME="$ui_home/config" XDG_STATE_HOME="$ui_home/state" XDG_DATA_HOME="$ui_home/data"
	# The original name, so that messages name the file in tests/ui.
	[ -n "$ui_np" ] || ui_script_run=$ui_script
	ui_args="--script $ui_script_run --screen-dump $ui_tmp/screen.txt --log $ui_tmp/siptty.log"
	[ "$(ui_header headless "$ui_script")" = no ] || ui_args="--headless $ui_args"
	ui_conf=$(ui_header config "$ui_script")
	if [ -n "$ui_conf" ]; then
		ui_subst "$ui_dir/$ui_conf" "$ui_tmp/$ui_conf"
		ui_args="-c $ui_tmp/$ui_conf $ui_args"
	fi
	# shellcheck disable=SC2086
	(cd "$ui_tmp" && env "$@" timeout 60 "$ui_siptty" $ui_args \
		< /dev/null > "$ui_tmp/stdout" 2> "$ui_tmp/stderr")
	ui_rc=$?
	ui_why=
	[ "$ui_rc" -eq "$ui_want" ] || ui_why="exit status $ui_rc, want $ui_want"
	while IFS= read -r re; do
		[ -n "$re" ] || continue
		grep -Eq -- "$re" "$ui_tmp/stderr" || ui_why="$ui_why; stderr lacks /$re/"
	done <<-EOF2
	$(ui_header stderr "$ui_script")
	EOF2
	while IFS= read -r re; do
		[ -n "$re" ] || continue
		grep -Eq -- "$re" "$ui_tmp/screen.txt" 2>/dev/null ||
			ui_why="$ui_why; screen dump lacks /$re/"
	done <<-EOF2
	$(ui_header screen "$ui_script")
	EOF2
	ui_absent=$(ui_header absent "$ui_script")
	[ -n "$ui_absent" ] && [ -e "$ui_tmp/$ui_absent" ] &&
		ui_why="$ui_why; $ui_absent exists, so something ran"
	while IFS= read -r ui_glob; do
		[ -n "$ui_glob" ] || continue
		# shellcheck disable=SC2086
		ls $ui_home/$ui_glob > /dev/null 2>&1 ||
			ui_why="$ui_why; no file $ui_glob after the run"
	done <<-EOF2
	$(ui_header exists "$ui_script")
	EOF2
	# A script that should pass and printed a failure is no pass.
	[ "$ui_want" -eq 0 ] && [ -s "$ui_tmp/stderr" ] && grep -q 'expect\|wait' "$ui_tmp/stderr" &&
		ui_why="$ui_why; stderr: $(head -n 1 "$ui_tmp/stderr")"
	rm -rf "$ui_home"
	if [ -z "$ui_why" ]; then
		ok "ui: $ui_name"
		rm -rf "$ui_tmp"
	else
		bad "ui: $ui_name: ${ui_why#; } (see $ui_tmp)"
	fi
}

# ui_until SECONDS CMD...: retries CMD every 0.1 s, at most SECONDS.
ui_until() {
	ui_n=$(($1 * 10))
	shift
	while [ "$ui_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		ui_n=$((ui_n - 1))
	done
	return 1
}

# The real curses drawing: siptty in a detached tmux session of our own
# (a private server socket), at 80x24, then resized to 200x50.
ui_tmux() {
	if ! command -v tmux > /dev/null; then
		bad "ui: tmux is not installed (apt-get install tmux, or run ./bootstrap.sh check as root)"
		return
	fi
	ui_tt=$(mktemp -d "$logdir/ui-tmux.XXXXXX")
	ui_sock=$ui_tt/tmux.sock
	ui_sess=siptty-ui-test-$$
	ui_tm() { tmux -S "$ui_sock" "$@"; }
	ui_pane() { ui_tm capture-pane -p -t "$ui_sess" > "$ui_tt/pane.txt" 2>/dev/null; }
	ui_has() { ui_pane && grep -Eq -- "$1" "$ui_tt/pane.txt"; }
	ui_wide() { ui_pane && [ "$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$ui_tt/pane.txt")" -gt 150 ] &&
		[ "$(wc -l < "$ui_tt/pane.txt")" -ge 50 ] && grep -q 'l log' "$ui_tt/pane.txt"; }
	ui_exited() { [ -s "$ui_tt/rc" ]; }
	ui_why=
	# -f /dev/null: no user tmux.conf changes what we measure.
	if ! ui_tm -f /dev/null new-session -d -s "$ui_sess" -x 80 -y 24 \
		"env XDG_CONFIG_HOME=$ui_tt/config XDG_STATE_HOME=$ui_tt/state XDG_DATA_HOME=$ui_tt/data TERM=screen \
		 LC_ALL=C.UTF-8 $ui_siptty --log $ui_tt/siptty.log; echo \$? > $ui_tt/rc; sleep 5"; then
		bad "ui: tmux: cannot start a session"
		rm -rf "$ui_tt"
		return
	fi
	ui_until 10 ui_has 'No account is configured' || ui_why="no first-start screen at 80x24"
	if [ -z "$ui_why" ]; then
		ui_tm send-keys -t "$ui_sess" '?'
		ui_until 5 ui_has '\?, F1 +help' || ui_why="? did not show the help overlay"
		cp "$ui_tt/pane.txt" "$ui_tt/pane-help-80x24.txt"
	fi
	if [ -z "$ui_why" ]; then
		ui_tm send-keys -t "$ui_sess" Escape
		ui_tm resize-window -t "$ui_sess" -x 200 -y 50
		ui_until 5 ui_wide || ui_why="no redraw at 200x50 after the resize"
		cp "$ui_tt/pane.txt" "$ui_tt/pane-200x50.txt" 2>/dev/null
	fi
	if [ -z "$ui_why" ]; then
		ui_tm send-keys -t "$ui_sess" q
		ui_until 5 ui_exited || ui_why="q did not make siptty exit"
		[ -z "$ui_why" ] && [ "$(cat "$ui_tt/rc")" != 0 ] &&
			ui_why="siptty exited with status $(cat "$ui_tt/rc")"
	fi
	ui_tm kill-session -t "$ui_sess" 2>/dev/null
	if [ -z "$ui_why" ]; then
		ok "ui: tmux: help overlay at 80x24, redraw at 200x50, q quits"
		rm -rf "$ui_tt"
	else
		bad "ui: tmux: $ui_why (see $ui_tt)"
	fi
}

# An incoming call from SIPp: the incoming view leads with the verdict
# (UNVERIFIED: the call carries no Identity and no trusted PAI) and the
# From as an unverified claim; h rejects it with 486, and r lists it as
# rejected with its verdict; the history file has the line.
ui_incoming() {
	if ! command -v sipp > /dev/null; then
		bad "ui: incoming: sipp is not installed (apt-get install sip-tester)"
		return
	fi
	io_workdir "$logdir" ui-incoming || { bad "ui: incoming: no work directory"; return; }
	# shellcheck disable=SC2046
	set -- $(io_free_ports 2)
	ui_isp=$1 ui_irp=$2
	io_udp_conf "$io_dir/in.conf" "$ui_isp"
	cat > "$io_dir/in.script" <<-EOS
	wait call state=incoming 10
	expect "^ Incoming call 1:"
	expect "^   UNVERIFIED$"
	expect "^   claims to be (\"sipp\" )?<sip:sipp@127\.0\.0\.1:[0-9]+> \(unverified\)"
	expect "> 1 +in  UNVERIFIED sip:sipp@127\.0\.0\.1"
	key h
	wait call state=ended 5
	key r
	expect "in   rejected 486 +0:00  UNVERIFIED sip:sipp@127\.0\.0\.1"
	EOS
	io_siptty 30 in "$io_dir/in.conf" "$io_dir/in.script" --screen-dump "$io_dir/in.screen" &
	ui_ipid=$!
	ui_why=
	io_wait_port udp "$ui_isp" 5 || ui_why="siptty did not listen"
	io_sipp "$io_dir/logs/in.sipp" 20 "127.0.0.1:$ui_isp" \
		-sf "$top_srcdir/tests/interop/call3/uac-reject-486.xml" \
		-t u1 -i 127.0.0.1 -p "$ui_irp" -s alice -m 1 || ui_why="$ui_why; sipp failed"
	wait "$ui_ipid" || ui_why="$ui_why; the script failed: $(grep -m 1 'expect\|wait' "$io_dir/logs/in.out")"
	grep -q "	in	rejected	486	0	unverified		sip:sipp@127.0.0.1" \
		"$io_dir/home/.local/state/siptty/history" 2>/dev/null ||
		ui_why="$ui_why; the history file lacks the call"
	io_stop_all
	if [ -z "$ui_why" ]; then
		ok "ui: incoming: the verdict leads the incoming view, h rejects, r lists the call with its verdict"
		rm -rf "$io_dir"
	else
		bad "ui: incoming: ${ui_why#; } (see $io_dir)"
	fi
}

if [ ! -x "$ui_siptty" ]; then
	bad "ui: $ui_siptty was not built"
else
	for ui_s in "$ui_dir"/*.script; do
		[ -f "$ui_s" ] || continue
		ui_run "$(basename "$ui_s" .script)" "$ui_s"
	done

	# The EXAMPLE of siptty-script(5), run as it is printed.
	ui_ex=$(mktemp "$logdir/ui-example.XXXXXX")
	sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$top_srcdir/man/siptty-script.5" |
		sed -n '/^\.EX/,/^\.EE/p' | sed '1d;$d' | sed 's/\\e/\\/g' > "$ui_ex"
	if [ -s "$ui_ex" ]; then
		ui_run man-example "$ui_ex"
	else
		bad "ui: no EXAMPLE found in man/siptty-script.5"
	fi
	rm -f "$ui_ex"

	# Finnish: the first-start text from the fi catalogue, once translated.
	ui_msgid='No account is configured (%s does not exist).'
	ui_loc=$(mktemp -d "$logdir/ui-locale.XXXXXX")
	mkdir -p "$ui_loc/fi/LC_MESSAGES"
	ui_fi=
	# gettext's po/Makefile builds the .gmo in the source tree by default.
	ui_gmo=$top_builddir/po/fi.gmo
	[ -f "$ui_gmo" ] || ui_gmo=$top_srcdir/po/fi.gmo
	if [ -f "$ui_gmo" ] && command -v gettext > /dev/null &&
	   locale -a 2>/dev/null | grep -qi '^fi_FI\.utf-\?8$'; then
		cp "$ui_gmo" "$ui_loc/fi/LC_MESSAGES/siptty.mo"
		ui_fi=$(TEXTDOMAINDIR=$ui_loc LANGUAGE=fi LC_ALL=fi_FI.UTF-8 \
			gettext -d siptty "$ui_msgid")
	fi
	if [ -z "$ui_fi" ] || [ "$ui_fi" = "$ui_msgid" ]; then
		skipped "ui: Finnish UI (no fi_FI.UTF-8 locale, or the first-start text is not translated in po/fi.po yet)"
	else
		# The words before the %s, as a fixed string on the screen.
		ui_words=${ui_fi%%%s*}
		ui_words=${ui_words%"${ui_words##*[! (]}"}
		ui_fs=$(mktemp "$logdir/ui-fi.XXXXXX")
		printf 'expect "%s"\nquit\n' \
			"$(printf '%s' "$ui_words" | sed 's/[][\\.*^$(){}+?|"]/\\&/g')" > "$ui_fs"
		ui_run finnish "$ui_fs" LC_ALL=fi_FI.UTF-8 SIPTTY_LOCALEDIR="$ui_loc"
		rm -f "$ui_fs"
	fi
	rm -rf "$ui_loc"

	ui_tmux
	ui_incoming
fi
