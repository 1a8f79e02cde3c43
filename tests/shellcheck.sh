#!/bin/sh
# tests/shellcheck.sh REPLC: shellcheck (every severity, POSIX sh, following
# sourced files) finds nothing in src/sh/*.sh, nor in any .sh of a tree
# freshly compiled from each tests/golden/*.rc. A check disabled in a file
# carries its reason on the same line.
set -u
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.."
pass=0; fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass+1)); echo "ok - $1"; }
notok() { fail=$((fail+1)); echo "not ok - $1"; sed 's/^/    /' "$tmp/sc.out" | head -40; }
if ! command -v shellcheck >/dev/null; then
    echo "not ok - shellcheck is not installed (tools/deps.sh test installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi
# check NAME FILE...: one test
check() {
    name=$1; shift
    if shellcheck -x -s sh -S style -f gcc "$@" > "$tmp/sc.out" 2>&1; then ok "$name"; else notok "$name"; fi
}
for f in src/sh/*.sh; do
    check "shellcheck: $f" "$f"
done
for rc in tests/golden/*.rc; do
    case=$(basename "$rc" .rc)
    if ! "$replc" --color never "$rc" -o "$tmp/$case" > /dev/null 2>&1; then
        echo "replc failed" > "$tmp/sc.out"; notok "shellcheck: tree of $rc"; continue
    fi
    check "shellcheck: every .sh of a tree compiled from $rc" "$tmp/$case"/*/*.sh
done
# with --prune: the prune steps and the pruning pg_hba.conf steps
for rc in tests/golden/hostile.rc tests/golden/example.rc; do
    case=$(basename "$rc" .rc)-prune
    if ! "$replc" --color never "$rc" --prune -o "$tmp/$case" > /dev/null 2>&1; then
        echo "replc failed" > "$tmp/sc.out"; notok "shellcheck: tree of $rc --prune"; continue
    fi
    check "shellcheck: every .sh of a tree compiled from $rc with --prune" "$tmp/$case"/*/*.sh
done
# every disabled check says why, on its line
if grep -n 'shellcheck disable=' src/sh/*.sh "$tmp"/*/*/*.sh | grep -v 'disable=[A-Z0-9,]* # ..*' > "$tmp/sc.out"; then
    notok "every disabled check has a reason beside it"
else
    ok "every disabled check has a reason beside it"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
