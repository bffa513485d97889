#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check-symbols.sh LIBRARY SOURCE_ROOT [BUILD_ROOT]
#
# The library's namespace and export lists (style guide rules 1 and 23):
#
#  1. every global symbol that LIBRARY defines is udpct_* or udpct__*
#     (in a static archive hidden visibility hides nothing from the linker,
#     so any other name could collide with the embedder's own);
#  2. four lists of public functions are the same set:
#       H  the functions declared in include/udpct/*.h,
#       S  the global names in lib/udpct.sym (the shared build's version
#          script),
#       E  the definitions marked UDPCT_EXPORT in lib/*.c,
#       B  what the binary exports: for a static archive, the global
#          symbols with default visibility; for a shared object, its
#          dynamic symbols;
#  3. udpct__* (internal) symbols are never exported.
#
# LIBRARY is libudpct.a or libudpct.so*.  The headers are run through the C
# preprocessor ($CC, default cc) so comments, macros and X-macro lists cannot
# fool the parser; BUILD_ROOT/include supplies the generated version.h.
#
# Exit status: 0 pass, 1 fail, 77 (meson: skipped) when nm or readelf is
# missing.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 LIBRARY SOURCE_ROOT [BUILD_ROOT]" >&2
	exit 2
fi
lib=$1
src=$2
build=${3:-}
CC=${CC:-cc}
NM=${NM:-nm}
READELF=${READELF:-readelf}

for tool in "$NM" "$READELF" perl; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool not found"
		exit 77
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

indent() {
	sed 's/^/    /'
}

# Names that begin with two underscores are reserved to the implementation;
# sanitizer and coverage instrumentation defines a few such globals in the
# objects it compiles (e.g. clang's __odr_asan_gen_*).  They cannot collide
# with a conforming program's names, so they are not namespace leaks.
toolchain='^__(odr_asan|asan|ubsan|tsan|msan|hwasan|sanitizer|sancov|gcov|llvm_|profc_|profd_)'

# --- what the binary defines --------------------------------------------
case "$lib" in
*.a)
	# nm prints "value type name"; archive member headers and blank
	# lines have fewer fields.
	"$NM" -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' |
		sort -u >"$tmp/globals"
	# readelf -s --wide: Num Value Size Type Bind Vis Ndx Name.
	"$READELF" -s --wide "$lib" |
		awk '$5 == "GLOBAL" || $5 == "WEAK" {
			if ($7 != "UND" && $6 == "DEFAULT" && NF >= 8) print $8 }' |
		sort -u >"$tmp/binary"
	;;
*.so | *.so.*)
	"$NM" -D --defined-only "$lib" | awk 'NF == 3 { print $3 }' |
		sed 's/@.*//' | grep -v '^UDPCT_[0-9]' | sort -u >"$tmp/globals"
	cp "$tmp/globals" "$tmp/binary"
	;;
*)
	echo "FAIL: $lib is neither a static archive nor a shared object"
	exit 1
	;;
esac

if [ ! -s "$tmp/globals" ]; then
	echo "FAIL: $NM found no global symbol in $lib"
	exit 1
fi

leaks=$(grep -v '^udpct_' "$tmp/globals" | grep -Ev "$toolchain" || true)
if [ -n "$leaks" ]; then
	echo "FAIL: global symbols outside the udpct_/udpct__ namespace in $lib:"
	indent <<<"$leaks"
	echo "  (make them static, or name them udpct__<module>_<name>)"
	fail=1
fi

exported_internal=$(grep '^udpct__' "$tmp/binary" || true)
if [ -n "$exported_internal" ]; then
	echo "FAIL: internal udpct__ symbols exported (default visibility):"
	indent <<<"$exported_internal"
	fail=1
fi

# Public-looking names that are not exported are internal helpers with the
# wrong prefix: udpct_foo must be public, internal ones are udpct__foo.
grep '^udpct_[^_]' "$tmp/globals" >"$tmp/globals_public" || true
grep '^udpct_[^_]' "$tmp/binary" | sort -u >"$tmp/B" || true
hidden_public=$(comm -23 "$tmp/globals_public" "$tmp/B")
if [ -n "$hidden_public" ]; then
	echo "FAIL: udpct_* symbols that are not exported (missing UDPCT_EXPORT," \
		"or internal and should be udpct__*):"
	indent <<<"$hidden_public"
	fail=1
fi

# --- H: functions declared in the public headers ------------------------
{
	for h in "$src"/include/udpct/*.h; do
		echo "#include <udpct/$(basename "$h")>"
	done
} >"$tmp/all.c"
inc=(-I"$src/include")
if [ -n "$build" ]; then
	inc+=(-I"$build/include")
fi
# shellcheck disable=SC2086 # $CC may be a command with arguments
if ! $CC -E -P "${inc[@]}" "$tmp/all.c" >"$tmp/all.i" 2>"$tmp/cpp.err"; then
	echo "FAIL: cannot preprocess the public headers:"
	indent <"$tmp/cpp.err"
	exit 1
fi
# Split the token stream into declarations at ; { and }.  A declaration
# "... udpct_name (" that is not a typedef (function-pointer typedefs read
# "(*udpct_x_fn)(" anyway), not static (inline helpers are not exported),
# and not a statement inside an inline body, declares an exported function.
perl -0777 -ne '
	for my $d (split /[;{}]/) {
		$d =~ s/^\s+//;
		next if $d =~ /^(typedef|return)\b/ || $d =~ /\bstatic\b/;
		print "$1\n" if $d =~ /\b(udpct_\w+)\s*\(/;
	}' "$tmp/all.i" | sort -u >"$tmp/H"

# --- S: lib/udpct.sym -----------------------------------------------------
sym="$src/lib/udpct.sym"
if [ ! -f "$sym" ]; then
	echo "FAIL: $sym is missing"
	exit 1
fi
perl -0777 -ne '
	s{/\*.*?\*/}{}gs; s{#[^\n]*}{}g;
	/\bglobal\s*:(.*?)\blocal\s*:/s or die "no global:/local: section\n";
	my $g = $1;
	print "$_\n" for $g =~ /\b(\w+)\s*;/g;' "$sym" | sort >"$tmp/S.all"
sort -u "$tmp/S.all" >"$tmp/S"
dups=$(uniq -d "$tmp/S.all")
if [ -n "$dups" ]; then
	echo "FAIL: listed twice in lib/udpct.sym:"
	indent <<<"$dups"
	fail=1
fi
if ! perl -0777 -ne 's{/\*.*?\*/}{}gs; exit(/\blocal\s*:\s*\*\s*;/ ? 0 : 1)' "$sym"; then
	echo "FAIL: lib/udpct.sym does not hide everything else (local: *;)"
	fail=1
fi

# --- E: UDPCT_EXPORT definitions in lib/*.c --------------------------------
# "UDPCT_EXPORT <return type>\nudpct_name(" (or on one line).
perl -0777 -ne '
	s{/\*.*?\*/}{}gs; s{//[^\n]*}{}g;
	s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}mg;
	print "$_\n" for /\bUDPCT_EXPORT\b[^;{}()]*?\b(\w+)\s*\(/g;' \
	"$src"/lib/*.c | sort >"$tmp/E.all"
sort -u "$tmp/E.all" >"$tmp/E"
dups=$(uniq -d "$tmp/E.all")
if [ -n "$dups" ]; then
	echo "FAIL: defined twice with UDPCT_EXPORT:"
	indent <<<"$dups"
	fail=1
fi

# --- compare ---------------------------------------------------------------
if [ ! -s "$tmp/H" ]; then
	echo "FAIL: found no function declared in $src/include/udpct/*.h"
	exit 1
fi

compare() { # name-of-list file description
	local missing extra
	missing=$(comm -23 "$tmp/H" "$2")
	extra=$(comm -13 "$tmp/H" "$2")
	if [ -n "$missing" ]; then
		echo "FAIL: declared in include/udpct/ but missing from $3:"
		indent <<<"$missing"
		fail=1
	fi
	if [ -n "$extra" ]; then
		echo "FAIL: in $3 but not declared in include/udpct/:"
		indent <<<"$extra"
		fail=1
	fi
}
compare S "$tmp/S" "lib/udpct.sym"
compare E "$tmp/E" "the UDPCT_EXPORT definitions in lib/*.c"
compare B "$tmp/B" "the symbols $(basename "$lib") exports"

n=$(wc -l <"$tmp/H")
if [ "$fail" -ne 0 ]; then
	exit 1
fi
echo "ok: $n public functions; headers, udpct.sym, UDPCT_EXPORT and" \
	"$(basename "$lib") agree; no symbol outside udpct_*"
