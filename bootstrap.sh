#!/bin/sh
# bootstrap.sh - set up a Debian 12 machine for siptty, build it, and then
# optionally run it (`./bootstrap.sh run`) or test it (`./bootstrap.sh check`).
#
# As root it installs the Debian packages that are missing; a second run
# reinstalls nothing and rebuilds only what is out of date.
set -eu
cd "$(dirname "$0")"
top=$(pwd)
mode=${1:-build}
[ $# -gt 0 ] && shift

# Build dependencies (what configure checks for).
BUILD_PKGS="build-essential autoconf automake libtool autopoint gettext pkg-config
 libncurses-dev libgnutls28-dev nettle-dev portaudio19-dev libortp-dev libbctoolbox-dev
 libpulse-dev libopus-dev libjansson-dev libinih-dev libc-ares-dev
 libsndfile1-dev libspeexdsp-dev libsrtp2-dev libcurl4-gnutls-dev"
# Test dependencies: unit tests, fuzzers, benchmark peers, locales, man pages.
CHECK_PKGS="libcmocka-dev clang libclang-rt-14-dev libosip2-dev libsofia-sip-ua-dev
 locales man-db groff-base tmux python3 dnsmasq-base
 kamailio kamailio-tls-modules baresip linphone-cli sip-tester tshark gnutls-bin
 stunnel4 kamailio-secsipid-modules secsipidx sox
 pulseaudio pulseaudio-utils libasound2-plugins"

say() { printf 'bootstrap: %s\n' "$*"; }

need_pkgs() {
	missing=
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages:$missing"
		say "install them as root: apt-get install$missing"
		exit 1
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether others may capture: they may not.
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
		debconf-set-selections 2>/dev/null || true
	apt-get update -q >/dev/null || apt-get update
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
}

need_locales() {
	# The translation tests run siptty in Finnish and German.
	if ! locale -a 2>/dev/null | grep -qi '^fi_FI.utf8$' ||
	   ! locale -a 2>/dev/null | grep -qi '^de_DE.utf8$'; then
		if [ "$(id -u)" -ne 0 ]; then
			say "the fi_FI.UTF-8 and de_DE.UTF-8 locales are missing: as root, run ./bootstrap.sh check"
			exit 1
		fi
		say "generating fi_FI.UTF-8 and de_DE.UTF-8 locales"
		for l in fi_FI de_DE; do
			grep -q "^$l.UTF-8 UTF-8" /etc/locale.gen ||
				echo "$l.UTF-8 UTF-8" >> /etc/locale.gen
		done
		locale-gen >/dev/null
	fi
}

# configure_in DIR [configure args...]: configure once, again only when the
# arguments changed; make then rebuilds what is out of date.
configure_in() {
	dir=$1; shift
	mkdir -p "$dir"
	want="$*"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.bootstrap-args" 2>/dev/null)" != "$want" ]; then
		say "configuring $dir: $want"
		(cd "$dir" && "$top/configure" "$@" >configure.out 2>&1) || {
			tail -n 20 "$dir/configure.out"; exit 1; }
		printf '%s' "$want" > "$dir/.bootstrap-args"
	fi
}

jobs=$(nproc 2>/dev/null || echo 2)

need_pkgs $BUILD_PKGS
if [ "$mode" = check ]; then
	need_pkgs $CHECK_PKGS
	need_locales
fi

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	say "running autoreconf"
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi

# The program a user runs: an optimised build.
configure_in build CFLAGS="-O2 -g"
make -s -C build -j"$jobs"

case "$mode" in
build)
	say "built build/src/siptty; './bootstrap.sh run' starts it, './bootstrap.sh check' tests it"
	;;
run)
	# With no account configured yet (and no options), the demo call:
	# everything siptty does, on loopback, in seconds.
	cfg=${XDG_CONFIG_HOME:-$HOME/.config}/siptty/siptty.conf
	if [ $# -eq 0 ] && [ ! -f "$cfg" ]; then
		say "no configuration at $cfg: starting the demo (siptty --demo)"
		exec build/src/siptty --demo
	fi
	exec build/src/siptty "$@"
	;;
check)
	# The tests run under ASan and UBSan with clang, so the fuzzers run too.
	configure_in build-check CC=clang --enable-debug --enable-sanitizers --enable-fuzzing
	make -s -C build-check -j"$jobs"
	cd build-check && exec make -s check "$@"
	;;
*)
	say "usage: ./bootstrap.sh [run [SIPTTY-OPTIONS] | check]"
	exit 2
	;;
esac
