#!/bin/sh
# tests/fuzz/run.sh: run each libFuzzer target (tests/fuzz/fuzz_*.c, built by
# `make fuzz-build` into build-fuzz/) for FUZZ_SECONDS (default 30) from a
# seed corpus of every .rc under tests/ and examples/, copied into a
# temporary directory. A crash, a leak, a timeout (a run over 10 s) or an
# input over 2 GB fails the target; the input that did it is kept in
# build-fuzz/crashes/. Prints one line per target and "N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-30}
pass=0; fail=0
if ! command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1; then
    echo "not ok - fuzz: no clang (the Debian package clang brings it)"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! make -s fuzz-build >/dev/null 2>build-fuzz.log; then
    echo "not ok - fuzz: make fuzz-build failed"; sed 's/^/    /' build-fuzz.log | tail -20
    rm -f build-fuzz.log
    echo "0 passed, 1 failed"
    exit 1
fi
rm -f build-fuzz.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/seed"
i=0
for f in $(find tests examples -name '*.rc' -o -name '*.rcinc' | sort); do
    i=$((i + 1)); cp "$f" "$tmp/seed/$i.rc"
done
for t in parse check pipeline; do
    bin=build-fuzz/fuzz_$t
    rm -rf "$tmp/corpus" "$tmp/art"; mkdir "$tmp/corpus" "$tmp/art"
    # libFuzzer reads the seeds, writes new inputs into corpus, and runs in
    # the temporary directory (it reads no files itself: fuzz.h)
    ( cd "$tmp" && "$OLDPWD/$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -dict="$OLDPWD/tests/fuzz/replc.dict" -artifact_prefix="$tmp/art/" -print_final_stats=1 \
        corpus seed ) > "$tmp/log" 2>&1
    st=$?
    done_line=$(grep '^#[0-9]*.*DONE' "$tmp/log" | tail -1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/log")
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/log")
    cov=$(printf '%s\n' "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    if [ "$st" = 0 ] && [ -n "$done_line" ]; then
        pass=$((pass + 1))
        echo "ok - fuzz_$t: ${secs} s, ${runs:-?} runs, ${eps:-?} exec/s, cov: ${cov:-?} ft: ${ft:-?}"
    else
        fail=$((fail + 1))
        echo "not ok - fuzz_$t (exit $st)"
        grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$tmp/log" | head -20 | sed 's/^/    /'
        mkdir -p build-fuzz/crashes
        cp "$tmp"/art/* build-fuzz/crashes/ 2>/dev/null && echo "    inputs kept in build-fuzz/crashes/"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
