#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check-pkgconfig.sh BUILD_ROOT SOURCE_ROOT [EXTRA_FLAGS...]
#
# Install the build into a temporary DESTDIR, check that every public header
# is there, then build examples/pkgconfig/consumer.c the way an embedder
# does, with nothing but
#	cc consumer.c $(pkg-config --cflags --libs --static udpct)
# against the staged tree, and run it.  Also checks that udpct.pc names
# -ludpct, does not ask for -lxxhash (libudpct uses xxHash inline, headers
# only) and that its -I/-L point into the staged tree.
#
# EXTRA_FLAGS are passed to the compiler too: the build's sanitizer and
# user flags, without which an instrumented libudpct.a does not link.
# $CC is the build's C compiler (default cc), $PKG_CONFIG the pkg-config.
#
# Exit status: 0 pass, 1 fail, 77 (meson: skipped) without pkg-config.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_ROOT SOURCE_ROOT [EXTRA_FLAGS...]" >&2
	exit 2
fi
build=$1
src=$2
consumer=$src/examples/pkgconfig/consumer.c
shift 2
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

if ! command -v "$PKG_CONFIG" >/dev/null; then
	echo "SKIP: $PKG_CONFIG not found"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage

# meson test has already built everything; install only copies.
if ! meson install -C "$build" --destdir "$stage" --no-rebuild --quiet \
	>"$tmp/install.log" 2>&1; then
	echo "FAIL: meson install --destdir failed:"
	sed 's/^/    /' "$tmp/install.log"
	exit 1
fi

pc=$(find "$stage" -name udpct.pc -path '*/pkgconfig/*' | head -n 1)
if [ -z "$pc" ]; then
	echo "FAIL: no pkgconfig/udpct.pc in the staged install"
	exit 1
fi
for h in "$src"/include/udpct/*.h version.h; do
	h=$(basename "$h")
	if [ -z "$(find "$stage" -path "*/include/udpct/$h")" ]; then
		echo "FAIL: include/udpct/$h was not installed"
		exit 1
	fi
done

# PKG_CONFIG_SYSROOT_DIR makes pkg-config prefix the .pc's -I and -L paths
# with the staging directory.  PKG_CONFIG_PATH is searched before the
# system's directories, so an installed udpct.pc cannot shadow ours.
export PKG_CONFIG_SYSROOT_DIR=$stage
PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH
# Never drop -I/-L as "system" directories (a --prefix=/usr build).
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
if ! flags=$("$PKG_CONFIG" --cflags --libs --static udpct 2>"$tmp/pc.err"); then
	echo "FAIL: $PKG_CONFIG --cflags --libs --static udpct:"
	sed 's/^/    /' "$tmp/pc.err"
	exit 1
fi
echo "pkg-config --cflags --libs --static udpct: $flags"

fail=0
case " $flags " in
*" -ludpct "*) ;;
*) echo "FAIL: udpct.pc does not link -ludpct"; fail=1 ;;
esac
case " $flags " in
*" -lxxhash "*)
	echo "FAIL: udpct.pc asks for -lxxhash; xxHash is used inline"
	fail=1 ;;
esac
case " $flags " in
*" -I$stage/"*) ;;
*) echo "FAIL: no -I into the staged tree"; fail=1 ;;
esac
case " $flags " in
*" -L$stage/"*) ;;
*) echo "FAIL: no -L into the staged tree"; fail=1 ;;
esac
[ "$fail" -eq 0 ] || exit 1

# shellcheck disable=SC2086 # $CC and $flags are lists of words
if ! $CC -std=c11 -Wall -Wextra -o "$tmp/consumer" "$consumer" \
	"$@" $flags >"$tmp/cc.log" 2>&1; then
	echo "FAIL: the consumer does not build against the installed library:"
	sed 's/^/    /' "$tmp/cc.log"
	exit 1
fi
if [ -s "$tmp/cc.log" ]; then
	echo "warnings building the consumer:"
	sed 's/^/    /' "$tmp/cc.log"
fi
# A shared build links libudpct.so from the staged tree: let it be found.
libdirs=
for f in $flags; do
	case $f in -L*) libdirs=$libdirs${f#-L}: ;; esac
done
LD_LIBRARY_PATH=$libdirs${LD_LIBRARY_PATH:-} "$tmp/consumer"
echo "ok: the staged install builds and runs $(basename "$consumer")"
