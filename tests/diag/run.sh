#!/bin/sh
# tests/diag/run.sh REPLC: each CASE.rc is compiled with --check; its standard
# error must equal CASE.err byte for byte, and the exit status must be 1 when
# CASE.err reports an error, else 0. CASE.args, when present, holds extra
# arguments (one per line).
set -u
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$replc" ] || { echo "not ok - no executable $1"; echo "0 passed, 1 failed"; exit 1; }
cd "$(dirname "$0")"
pass=0; fail=0
for rc in *.rc; do
    case=${rc%.rc}
    [ -f "$case.err" ] || { echo "not ok - $case: no $case.err (run make update-golden)"; fail=$((fail+1)); continue; }
    args=""
    [ -f "$case.args" ] && args=$(cat "$case.args")
    # shellcheck disable=SC2086
    "$replc" --check --color never $args "$rc" > /dev/null 2> "/tmp/replc-diag.$$"
    st=$?
    want=0
    grep -q ': error: ' "$case.err" && want=1
    if [ "$st" = "$want" ] && cmp -s "/tmp/replc-diag.$$" "$case.err"; then
        pass=$((pass+1)); echo "ok - $case"
    else
        fail=$((fail+1)); echo "not ok - $case (exit $st, want $want)"
        diff "$case.err" "/tmp/replc-diag.$$" | head -20 | sed 's/^/    /'
    fi
done
rm -f "/tmp/replc-diag.$$"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
