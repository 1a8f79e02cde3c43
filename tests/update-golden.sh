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
cd ../golden-diff
tmp=$(mktemp -d)
cp before.rc after.rc "$tmp/"
(cd "$tmp" && "$replc" --color never before.rc -o before > /dev/null 2>&1 &&
    "$replc" --color never after.rc -o after > /dev/null 2>&1 && { diff -r before after > got.diff || true; })
cp "$tmp/got.diff" expected.diff
rm -rf "$tmp"
echo "golden files regenerated; review them with: git diff --stat tests/"
