#!/bin/sh
# tests/run.sh: every test suite of `make check`. Prints one line per test
# and ends with "N passed, M failed". REPLC_SKIP_SERVERS=1 skips the suites
# that start real servers, REPLC_SKIP_FUZZ=1 the fuzzing (for a quick run; CI
# never sets them).
set -u
cd "$(dirname "$0")/.."
pass=0
fail=0
failed=""
result() {  # result NAME STATUS
    if [ "$2" = 0 ]; then
        pass=$((pass + 1)); echo "ok - $1"
    else
        fail=$((fail + 1)); failed="$failed $1"; echo "not ok - $1"
    fi
}
suite() {  # suite NAME COMMAND...: a suite that prints its own N passed, M failed
    name=$1; shift
    echo "# $name"
    out=$("$@" 2>&1); st=$?
    printf '%s\n' "$out" | sed 's/^/    /'
    p=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' | tail -1)
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
    if [ "$st" != 0 ] && [ "${f:-0}" = 0 ]; then
        fail=$((fail + 1)); failed="$failed $name"; echo "not ok - $name (exit $st)"
    elif [ "${f:-0}" != 0 ]; then
        failed="$failed $name"
    fi
}

for b in build build-asan; do
    for t in "$b"/unit/test_*; do
        [ -x "$t" ] || continue
        suite "unit $(basename "$t") ($b)" "$t"
    done
done
suite "diagnostics (build)" sh tests/diag/run.sh ./replc
suite "diagnostics (build-asan)" sh tests/diag/run.sh build-asan/replc
suite "golden trees (build)" sh tests/golden/run.sh ./replc
suite "golden trees (build-asan)" sh tests/golden/run.sh build-asan/replc
suite "promises" sh tests/promises.sh ./replc
suite "hostile input (generated)" sh tests/hostile.sh ./replc build-asan/replc
[ "${REPLC_SKIP_FUZZ:-0}" = 1 ] || suite "fuzz: libFuzzer, ${FUZZ_SECONDS:-30} s per target" sh tests/fuzz/run.sh
# valgrind: no invalid access and no leak on a full compile and on errors
vg() {
    valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect "$@" >/dev/null 2>"$tmpv/vg.log"
    st=$?
    [ "$st" != 9 ] || { cat "$tmpv/vg.log"; return 1; }
}
if command -v valgrind >/dev/null; then
    tmpv=$(mktemp -d)
    vg ./replc examples/topology.rc -o "$tmpv/out"; result "valgrind: compile the example into a tree" $?
    vg ./replc --check tests/diag/04-syntax-several-errors.rc; result "valgrind: a file with syntax errors" $?
    vg ./replc --check tests/diag/41-seed-replica-identity.rc; result "valgrind: a file with semantic errors" $?
    vg ./replc tests/golden/standby-publisher.rc -o "$tmpv/sp"; result "valgrind: subscriptions to standbys" $?
    rm -rf "$tmpv"
fi
if [ "${REPLC_SKIP_SERVERS:-0}" != 1 ]; then
    suite "real servers: generated scripts on four PostgreSQL 15 hosts" bash tests/integration/scripts.sh
    suite "real servers: two-way replication on PostgreSQL 17" bash tests/pg17/twoway.sh
    suite "real servers: subscriptions to a standby on PostgreSQL 17" bash tests/pg17/standby.sh
    suite "real servers: replc --apply on four PostgreSQL 15 hosts" bash tests/integration/apply.sh
    suite "real servers: replc --apply faults" bash tests/integration/apply-faults.sh
fi
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
