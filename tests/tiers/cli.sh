# cli.sh - the command line, translations, manual pages and a headless run,
# checked against the built siptty. Sourced by tests/run-tests.sh: it uses
# $top_srcdir, $top_builddir, $logdir and ok/bad/skipped, never exits, and
# leaves no process behind. Everything it defines starts with cli_.
# shellcheck shell=sh disable=SC2154 # top_srcdir, top_builddir, logdir: run-tests.sh

# cli_sip ARGS...: run siptty with a private, empty home and English
# messages; stdout and stderr go to $cli_tmp/out and $cli_tmp/err, the exit
# status to $cli_rc.
cli_sip() {
	env HOME="$cli_home" XDG_CONFIG_HOME="$cli_home/config" \
		XDG_STATE_HOME="$cli_home/state" LANGUAGE= LC_ALL=C \
		timeout 30 "$cli_bin" "$@" < /dev/null > "$cli_tmp/out" 2> "$cli_tmp/err"
	cli_rc=$?
}

# cli_oneline FILE: the first line of FILE, to quote in a message.
cli_oneline() {
	head -n 1 "$1" 2>/dev/null | cut -c 1-160
}

cli_version() {
	cli_want=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
	cli_sip --version
	if [ $cli_rc -eq 0 ] && [ -n "$cli_want" ] &&
	   [ "$(cat "$cli_tmp/out")" = "siptty $cli_want" ] && [ ! -s "$cli_tmp/err" ]; then
		ok "cli: --version prints \"siptty $cli_want\" and exits 0"
	else
		bad "cli: --version: status $cli_rc, printed \"$(cli_oneline "$cli_tmp/out")\", wanted \"siptty $cli_want\""
	fi
}

cli_help() {
	# The long options, read from the table in opts.c so a new option
	# cannot be left out of --help unnoticed.
	cli_opts=$(sed -n 's/^[[:space:]]*{"\([a-z-]*\)",.*/\1/p' "$top_srcdir/src/core/opts.c")
	cli_sip --help
	cli_missing=
	for cli_o in $cli_opts; do
		grep -q -e "--$cli_o\([^a-z-]\|$\)" "$cli_tmp/out" || cli_missing="$cli_missing --$cli_o"
	done
	cli_n=$(printf '%s\n' "$cli_opts" | grep -c .)
	if [ $cli_rc -ne 0 ]; then
		bad "cli: --help exited with status $cli_rc"
	elif [ "$cli_n" -lt 10 ]; then
		bad "cli: found only $cli_n long options in src/core/opts.c; has the table changed shape?"
	elif [ -n "$cli_missing" ]; then
		bad "cli: --help does not list:$cli_missing"
	else
		ok "cli: --help exits 0 and lists all $cli_n long options of opts.c"
	fi
}

cli_unknown() {
	cli_sip --no-such-option
	cli_lines=$(wc -l < "$cli_tmp/err")
	if [ $cli_rc -eq 2 ] && [ "$cli_lines" -eq 1 ] && [ ! -s "$cli_tmp/out" ] &&
	   grep -q -e '--no-such-option' "$cli_tmp/err"; then
		ok "cli: an unknown option exits 2 with one line naming it"
	else
		bad "cli: unknown option: status $cli_rc (wanted 2), $cli_lines lines on stderr (wanted 1): $(cli_oneline "$cli_tmp/err")"
	fi
}

# The media options are taken: with a script that quits at once, siptty
# starts and ends cleanly (devices open per call, not at start).
cli_audio_opts() {
	printf 'quit\n' > "$cli_tmp/quit.script"
	cli_bad=
	for cli_o in '--audio-in x.wav' '--audio-out y.wav' '--null-audio'; do
		# shellcheck disable=SC2086 # each option with its value
		cli_sip --headless --script "$cli_tmp/quit.script" $cli_o
		[ $cli_rc -eq 0 ] || cli_bad="$cli_bad $cli_o (status $cli_rc: $(cli_oneline "$cli_tmp/err"))"
	done
	if [ -z "$cli_bad" ]; then
		ok "cli: --audio-in, --audio-out and --null-audio are taken"
	else
		bad "cli: media options refused:$cli_bad"
	fi
}

# cli_lang LL LL_CC NAME PHRASE...: --help in that language shows each PHRASE.
cli_lang() {
	cli_ll=$1 cli_loc=$2 cli_name=$3
	shift 3
	if ! locale -a 2>/dev/null | grep -qi "^$cli_loc\.utf-\{0,1\}8\$"; then
		bad "cli: $cli_name: the $cli_loc.UTF-8 locale is missing; as root, run ./bootstrap.sh check (it generates it)"
		return
	fi
	cli_gmo=$top_builddir/po/$cli_ll.gmo
	[ -f "$cli_gmo" ] || cli_gmo=$top_srcdir/po/$cli_ll.gmo
	if [ ! -f "$cli_gmo" ]; then
		bad "cli: $cli_name: no $cli_ll.gmo in $top_builddir/po or $top_srcdir/po; run make"
		return
	fi
	mkdir -p "$cli_tmp/locale/$cli_ll/LC_MESSAGES"
	cp "$cli_gmo" "$cli_tmp/locale/$cli_ll/LC_MESSAGES/siptty.mo"
	env HOME="$cli_home" LANGUAGE= LC_ALL="$cli_loc.UTF-8" \
		SIPTTY_LOCALEDIR="$cli_tmp/locale" \
		timeout 30 "$cli_bin" --help < /dev/null > "$cli_tmp/out" 2> "$cli_tmp/err"
	cli_rc=$?
	cli_missing=
	for cli_p in "$@"; do
		grep -qF "$cli_p" "$cli_tmp/out" || cli_missing="$cli_missing \"$cli_p\""
	done
	if [ $cli_rc -ne 0 ]; then
		bad "cli: $cli_name --help exited with status $cli_rc: $(cli_oneline "$cli_tmp/err")"
	elif [ -n "$cli_missing" ] || grep -qF 'A secure SIP softphone' "$cli_tmp/out"; then
		bad "cli: $cli_name --help is not translated (missing:$cli_missing; first line: $(cli_oneline "$cli_tmp/out"))"
	else
		ok "cli: LC_ALL=$cli_loc.UTF-8 siptty --help is in $cli_name"
	fi
}

cli_man() {
	for cli_page in siptty.1 siptty.conf.5; do
		if ! command -v man > /dev/null 2>&1; then
			bad "cli: man $cli_page: the man command is missing; install the man-db package (./bootstrap.sh check does)"
			continue
		fi
		if [ ! -f "$top_srcdir/man/$cli_page" ]; then
			bad "cli: man/$cli_page is missing"
			continue
		fi
		LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 MAN_DISABLE_SECCOMP=1 \
			timeout 60 man --warnings -l "$top_srcdir/man/$cli_page" \
			> "$cli_tmp/out" 2> "$cli_tmp/err"
		cli_rc=$?
		cli_lines=$(wc -l < "$cli_tmp/out")
		if [ $cli_rc -eq 0 ] && [ ! -s "$cli_tmp/err" ] && [ "$cli_lines" -gt 20 ]; then
			ok "cli: man -l man/$cli_page renders $cli_lines lines with no warnings"
		else
			bad "cli: man -l man/$cli_page: status $cli_rc, $cli_lines lines, stderr: $(cli_oneline "$cli_tmp/err")"
		fi
	done
}

cli_example() {
	cli_page=$top_srcdir/man/siptty.conf.5
	cli_cfg=$cli_tmp/example.conf
	# The page marks its EXAMPLE with comment lines; \- and \e are the only
	# escapes an example may need.
	sed -n '/^\.\\" example-begin$/,/^\.\\" example-end$/{
		/^\.\\" example-/d
		s/\\-/-/g
		s/\\e/\\/g
		p
	}' "$cli_page" > "$cli_cfg" 2>/dev/null
	if ! grep -q '^\[' "$cli_cfg"; then
		bad "cli: siptty.conf(5) has no EXAMPLE between '.\\\" example-begin' and '.\\\" example-end'"
		return
	fi
	cli_sip --check-config -c "$cli_cfg"
	if [ $cli_rc -eq 0 ] && grep -q 'no problems found' "$cli_tmp/out"; then
		ok "cli: the EXAMPLE of siptty.conf(5) ($(grep -c '=' "$cli_cfg") settings) passes --check-config"
	else
		bad "cli: the EXAMPLE of siptty.conf(5) fails --check-config (status $cli_rc): $(cli_oneline "$cli_tmp/err")"
	fi
}

cli_check_config() {
	cli_cfg=$cli_tmp/three.conf
	# Three problems of three kinds, on lines 2, 4 and 7.
	printf '%s\n' '[general]' 'log_level = loud' '[sip]' 't1_ms = 5' \
		'; a comment' '[bogus]' 'x = 1' > "$cli_cfg"
	cli_sip --check-config -c "$cli_cfg"
	cli_got=$(cut -d ' ' -f 1 < "$cli_tmp/err" | tr '\n' ' ')
	cli_want="$cli_cfg:2: $cli_cfg:4: $cli_cfg:7: "
	if [ $cli_rc -eq 1 ] && [ "$cli_got" = "$cli_want" ] &&
	   grep -q "^$cli_cfg:2: .*loud" "$cli_tmp/err" &&
	   grep -q "^$cli_cfg:4: .*out of range" "$cli_tmp/err" &&
	   grep -q "^$cli_cfg:7: .*bogus" "$cli_tmp/err"; then
		ok "cli: --check-config reports three problems as FILE:LINE: on lines 2, 4, 7 and exits 1"
	else
		bad "cli: --check-config on three problems: status $cli_rc (wanted 1), got \"$cli_got\", wanted \"$cli_want\""
	fi

	cli_cfg=$cli_tmp/no-such.conf
	cli_sip --check-config -c "$cli_cfg"
	if [ $cli_rc -eq 1 ] && [ "$(wc -l < "$cli_tmp/err")" -eq 1 ] &&
	   grep -qF "$cli_cfg" "$cli_tmp/err"; then
		ok "cli: --check-config on a missing -c file exits 1 naming it"
	else
		bad "cli: --check-config on a missing file: status $cli_rc (wanted 1): $(cli_oneline "$cli_tmp/err")"
	fi

	cli_cfg=$cli_tmp/secret.conf
	printf 'not a real password\n' > "$cli_tmp/password"
	chmod 644 "$cli_tmp/password"
	printf '%s\n' '[account alice]' 'aor = sips:alice@example.com' \
		"password_file = $cli_tmp/password" > "$cli_cfg"
	cli_sip --check-config -c "$cli_cfg"
	if [ $cli_rc -eq 1 ] && grep -qF "$cli_cfg:3: " "$cli_tmp/err" &&
	   grep -qF "chmod 600 $cli_tmp/password" "$cli_tmp/err"; then
		ok "cli: a password_file of mode 0644 is refused, naming chmod 600"
	else
		bad "cli: password_file mode 0644: status $cli_rc (wanted 1): $(cli_oneline "$cli_tmp/err")"
	fi
	chmod 600 "$cli_tmp/password"
	cli_sip --check-config -c "$cli_cfg"
	if [ $cli_rc -eq 0 ]; then
		ok "cli: the same password_file at mode 0600 passes"
	else
		bad "cli: password_file mode 0600: status $cli_rc (wanted 0): $(cli_oneline "$cli_tmp/err")"
	fi
}

# cli_alive PID: the process exists and has not exited (a zombie has).
cli_alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

cli_headless() {
	cli_ev=$cli_tmp/events.json
	cli_dump=$cli_tmp/screen.txt
	cli_conf=$cli_home/config/siptty/siptty.conf
	( exec env HOME="$cli_home" XDG_CONFIG_HOME="$cli_home/config" \
		XDG_STATE_HOME="$cli_home/state" LANGUAGE= LC_ALL=C \
		"$cli_bin" --headless --events "$cli_ev" --screen-dump "$cli_dump" \
		< /dev/null > "$cli_tmp/out" 2> "$cli_tmp/err" ) &
	cli_pid=$!
	# Wait for the start event (sanitizer builds start slowly), then ~1 s.
	cli_i=0
	while [ $cli_i -lt 100 ] && cli_alive $cli_pid && ! grep -q '"start"' "$cli_ev" 2>/dev/null; do
		sleep 0.1
		cli_i=$((cli_i + 1))
	done
	sleep 1
	kill -TERM $cli_pid 2>/dev/null
	cli_i=0
	while [ $cli_i -lt 100 ] && cli_alive $cli_pid; do
		sleep 0.1
		cli_i=$((cli_i + 1))
	done
	cli_killed=
	if cli_alive $cli_pid; then
		kill -KILL $cli_pid 2>/dev/null
		cli_killed=yes
	fi
	wait $cli_pid
	cli_rc=$?
	if [ -n "$cli_killed" ]; then
		bad "cli: --headless did not stop within 10 s of SIGTERM (killed)"
	elif [ $cli_rc -eq 0 ]; then
		ok "cli: --headless stops on SIGTERM with status 0"
	else
		bad "cli: --headless after SIGTERM: status $cli_rc (wanted 0): $(cli_oneline "$cli_tmp/err")"
	fi

	# The screen wraps long lines: compare with all blanks removed.
	cli_flat=$(tr -d ' \n\t' < "$cli_dump" 2>/dev/null)
	cli_path=$(printf '%s' "$cli_conf" | tr -d ' \n\t')
	case $cli_flat in
	*Noaccountisconfigured*"$cli_path"*)
		ok "cli: the headless screen dump shows the first-start text naming $cli_conf" ;;
	*)
		bad "cli: the screen dump lacks \"No account is configured ($cli_conf ...)\": $(cli_oneline "$cli_dump")" ;;
	esac

	if ! command -v python3 > /dev/null 2>&1; then
		bad "cli: python3 is missing, so the event log cannot be checked; install python3"
		return
	fi
	if timeout 30 python3 -c '
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
evs = [json.loads(l) for l in lines]
ts = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
for e in evs:
    assert list(e)[:3] == ["ts", "mono_ms", "type"], e
    assert ts.match(e["ts"]), e
    assert isinstance(e["mono_ms"], int) and e["mono_ms"] >= 0, e
types = [e["type"] for e in evs]
assert types[0] == "start" and types[-1] == "stop", types
assert isinstance(evs[0].get("version"), str) and evs[0]["version"], evs[0]
assert evs[-1]["mono_ms"] >= evs[0]["mono_ms"], evs
' "$cli_ev" > "$cli_tmp/py" 2>&1; then
		ok "cli: the event log has start and stop lines, each valid JSON with ts, mono_ms, type"
	else
		bad "cli: the event log is wrong: $(tail -n 1 "$cli_tmp/py")"
	fi
}

cli_noterm() {
	cli_sip
	if [ $cli_rc -eq 2 ] && grep -q -e '--headless' "$cli_tmp/err"; then
		ok "cli: without a terminal and --headless, siptty exits 2 suggesting --headless"
	else
		bad "cli: without a terminal: status $cli_rc (wanted 2): $(cli_oneline "$cli_tmp/err")"
	fi
}

cli_tier() {
	cli_bin=$top_builddir/src/siptty
	if [ ! -x "$cli_bin" ]; then
		bad "cli: $cli_bin is missing; run make"
		return
	fi
	cli_tmp=$(mktemp -d "$logdir/cli.XXXXXX") || {
		bad "cli: cannot make a temporary directory in $logdir"
		return
	}
	cli_home=$cli_tmp/home
	mkdir -p "$cli_home"

	cli_version
	cli_help
	cli_unknown
	cli_audio_opts
	cli_lang 'fi' fi_FI Finnish 'Turvallinen SIP-ohjelmistopuhelin päätteelle.' \
		'lue asetukset tiedostosta FILE'
	cli_lang de de_DE German 'Ein sicheres SIP-Softphone für das Terminal.' \
		'Konfiguration aus FILE lesen'
	cli_man
	cli_example
	cli_check_config
	cli_headless
	cli_noterm

	rm -rf "$cli_tmp"
}

set +e
cli_tier
unset -f cli_sip cli_oneline cli_version cli_help cli_unknown cli_unavailable \
	cli_lang cli_man \
	cli_example cli_check_config cli_alive cli_headless cli_noterm cli_tier
