#!/bin/sh
# tests/update-golden.sh: regenerate golden files with the tool itself.
# Review every change with git diff before committing.
set -eu
cd "$(dirname "$0")/.."
replc=$(pwd)/replc
cd tests/diag
for rc in *.rc; do
    [ -f "$rc" ] || continue
    case=${rc%.rc}
    args=""
    [ -f "$case.args" ] && args=$(cat "$case.args")
    # shellcheck disable=SC2086
    "$replc" --check --color never $args "$rc" > /dev/null 2> "$case.err" || true
done
cd ../golden
for rc in *.rc; do
    [ -f "$rc" ] || continue
    case=${rc%.rc}
    rm -rf "$case.tree"
    "$replc" --color never "$rc" -o "$case.tree" > /dev/null
done
echo "golden files regenerated; review them with: git diff --stat tests/"
