#!/bin/sh
# tests/golden/run.sh REPLC: each CASE.rc compiles into a tree that must equal
# CASE.tree/ byte for byte; every generated shell script must pass sh -n.
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$replc" ] || { not_ok "no executable $1"; finish; }
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for rc in *.rc; do
    case=${rc%.rc}
    if ! "$replc" --color never "$rc" -o "$tmp/$case" > /dev/null 2> "$tmp/$case.stderr"; then
        not_ok "$case: replc failed"; diag <"$tmp/$case.stderr"; continue
    fi
    if diff -r "$case.tree" "$tmp/$case" > "$tmp/$case.diff" 2>&1; then
        ok "$case: tree matches $case.tree"
    else
        not_ok "$case: tree differs from $case.tree"; head -30 "$tmp/$case.diff" | diag
    fi
    bad=0
    for f in "$tmp/$case"/*/*.sh; do
        sh -n "$f" 2> "$tmp/shn" || { bad=1; note "sh -n failed: $f"; diag <"$tmp/shn"; }
        if command -v bash >/dev/null; then bash -n "$f" 2>/dev/null || { bad=1; note "bash -n failed: $f"; }; fi
    done
    result "$case: every script passes sh -n" "$bad"
done
finish
