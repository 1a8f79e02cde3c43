#!/bin/sh
# tests/golden/run.sh REPLC: each CASE.rc compiles into a tree that must equal
# CASE.tree/ byte for byte; every generated shell script must pass sh -n.
set -u
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$replc" ] || { echo "not ok - no executable $1"; echo "0 passed, 1 failed"; exit 1; }
cd "$(dirname "$0")"
pass=0; fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for rc in *.rc; do
    case=${rc%.rc}
    if ! "$replc" --color never "$rc" -o "$tmp/$case" > /dev/null 2> "$tmp/$case.stderr"; then
        fail=$((fail+1)); echo "not ok - $case: replc failed"; sed 's/^/    /' "$tmp/$case.stderr"; continue
    fi
    if diff -r "$case.tree" "$tmp/$case" > "$tmp/$case.diff" 2>&1; then
        pass=$((pass+1)); echo "ok - $case: tree matches $case.tree"
    else
        fail=$((fail+1)); echo "not ok - $case: tree differs from $case.tree"; head -30 "$tmp/$case.diff" | sed 's/^/    /'
    fi
    bad=0
    for f in "$tmp/$case"/*/*.sh; do
        sh -n "$f" 2> "$tmp/shn" || { bad=1; echo "    sh -n failed: $f"; sed 's/^/    /' "$tmp/shn"; }
        if command -v bash >/dev/null; then bash -n "$f" 2>/dev/null || { bad=1; echo "    bash -n failed: $f"; }; fi
    done
    if [ "$bad" = 0 ]; then pass=$((pass+1)); echo "ok - $case: every script passes sh -n"; else fail=$((fail+1)); echo "not ok - $case: sh -n"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
