#!/bin/sh
# tests/diag/run.sh REPLC: each CASE.rc is compiled with --check; its standard
# error must equal CASE.err byte for byte, and the exit status must be 1 when
# CASE.err reports an error, else 0. CASE.args, when present, holds extra
# arguments (one per line).
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
    [ -f "$case.err" ] || { not_ok "$case: no $case.err (run make update-golden)"; continue; }
    args=""
    [ -f "$case.args" ] && args=$(cat "$case.args")
    # shellcheck disable=SC2086
    "$replc" --check --color never $args "$rc" > /dev/null 2> "$tmp/err"
    st=$?
    want=0
    grep -q ': error: ' "$case.err" && want=1
    if [ "$st" = "$want" ] && cmp -s "$tmp/err" "$case.err"; then
        ok "$case"
    else
        not_ok "$case (exit $st, want $want)"
        diff "$case.err" "$tmp/err" | head -20 | diag
    fi
done
finish
