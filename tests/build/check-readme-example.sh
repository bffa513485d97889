#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check-readme-example.sh SOURCE_ROOT
#
# The first ```c block of README.md must be the body of main() in
# examples/minimal.c with one level of indentation removed, so the README's
# example is the code that the build compiles and runs.
set -euo pipefail

src=${1:?usage: $0 SOURCE_ROOT}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk '/^```c$/ { on = 1; next } on && /^```$/ { exit } on' \
	"$src/README.md" >"$tmp/readme"
awk '/^main\(void\)$/ { getline; on = 1; next } on && /^}$/ { exit } on' \
	"$src/examples/minimal.c" | sed 's/^\t//' >"$tmp/example"

if [ ! -s "$tmp/readme" ] || [ ! -s "$tmp/example" ]; then
	echo "FAIL: no \`\`\`c block in README.md or no main() in examples/minimal.c"
	exit 1
fi
if ! diff -u "$tmp/example" "$tmp/readme" >"$tmp/diff"; then
	echo "FAIL: README.md's example differs from examples/minimal.c:"
	sed 's/^/    /' "$tmp/diff"
	exit 1
fi
echo "ok: README.md shows examples/minimal.c ($(wc -l <"$tmp/readme") lines)"
