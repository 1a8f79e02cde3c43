#!/bin/sh
# tests/hostile.sh REPLC [ASAN_REPLC]: hostile inputs generated in a
# temporary directory: limits (include depth, file size, non-regular files),
# capped diagnostics (a long line, many errors), and inputs whose size used
# to cost quadratic memory or deep recursion (a chain of 87,000 nodes, 10,000
# subscriptions on one node). Each case checks the exit status, the message,
# and that the tool neither crashes nor exceeds a generous memory bound
# (ulimit -v, on the normal build only: ASan reserves terabytes of address
# space). No timing assertions. Prints ok/not ok lines and "N passed, M failed".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
asan=""
[ $# -ge 2 ] && [ -x "$2" ] && asan=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ -x "$replc" ] || { echo "not ok - no executable $1"; echo "0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() { fail=$((fail + 1)); echo "not ok - $1"; [ -f err ] && head -c 2000 err | sed 's/^/    /'; }
export ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:exitcode=99
MEM_KB=1000000   # 1 GB of address space for the normal build

# run WANT_EXIT BIN ARGS...: run with stderr to ./err, stdout to ./out.
# Fails on another exit status, on a signal, or on a sanitizer report.
run() {
    want=$1; bin=$2; shift 2
    if [ "$bin" = "$replc" ]; then
        ( ulimit -v $MEM_KB; exec timeout 300 "$bin" "$@" ) >out 2>err
    else
        timeout 600 "$bin" "$@" >out 2>err
    fi
    st=$?
    [ "$st" = "$want" ] || { echo "    exit $st, want $want"; return 1; }
    ! grep -q 'Sanitizer\|runtime error' err || return 1
}
# case NAME WANT_EXIT GREP ARGS...: on every build, run and grep stderr.
case_() {
    name=$1; want=$2; pat=$3; shift 3
    for b in "$replc" $asan; do
        tag=build; [ "$b" = "$replc" ] || tag=build-asan
        if run "$want" "$b" "$@" && { [ -z "$pat" ] || grep -q -- "$pat" err; }; then
            ok "$name ($tag)"
        else
            nok "$name ($tag)"
        fi
    done
}

# --- files: include depth, size, non-regular files -------------------------
mkdir deep
i=0
while [ $i -lt 678 ]; do
    echo "include \"d$((i + 1)).rc\";" > deep/d$i.rc
    i=$((i + 1))
done
echo 'node a { port 5432; }' > deep/d678.rc
case_ "an include chain 678 files deep stops at 64" 1 "includes nest more than 64 files deep \[include-depth\]" --check deep/d0.rc

printf 'include "/dev/zero";\n' > zero.rc
case_ "include \"/dev/zero\" is refused" 1 "cannot read included file '/dev/zero': it is not a regular file" --check zero.rc
case_ "the top file /dev/zero is refused" 1 "cannot read '/dev/zero': it is not a regular file" --check /dev/zero
printf 'include ".";\nnode a { port 5432; }\n' > dot.rc
case_ "include \".\" (a directory) is an error" 1 "cannot read included file '.': it is a directory" dot.rc -o tree
[ ! -e tree ] && ok "no output written for an include of a directory" || nok "no output written for an include of a directory"
case_ "a directory as the top file is refused" 1 "cannot read '.': it is a directory" --check .
mkfifo fifo
case_ "a fifo as the top file is refused at once" 1 "not a regular file" --check fifo
printf 'include "fifo";\n' > fifo.rc
case_ "an include of a fifo is refused at once" 1 "not a regular file" --check fifo.rc

# 17 MiB of spaces: valid text, too large
# xs N CHAR: N times CHAR, no newline
xs() { head -c "$1" /dev/zero | tr '\0' "$2"; }
xs 17825792 ' ' > big.rc
case_ "a 17 MiB file is refused" 1 "larger than 16 MiB" --check big.rc
printf 'include "big.rc";\n' > incbig.rc
case_ "an include of a 17 MiB file is refused" 1 "larger than 16 MiB, the most replc reads \[file-too-large\]" --check incbig.rc
for b in "$replc" $asan; do
    tag=build; [ "$b" = "$replc" ] || tag=build-asan
    head -c 17825792 /dev/zero | "$b" --check - > out 2> err; st=$?
    [ "$st" = 1 ] && grep -q "cannot read '-': it is larger than 16 MiB" err &&
        ok "17 MiB on standard input is refused ($tag)" || nok "17 MiB on standard input is refused ($tag)"
done

# --- line endings: CR only and CRLF compile as their LF twin ----------------
ex=$root/examples/topology.rc
mkdir lf cr crlf
cp "$ex" lf/topology.rc
tr '\n' '\r' < "$ex" > cr/topology.rc
sed 's/$/\r/' "$ex" > crlf/topology.rc
for d in lf cr crlf; do "$replc" --format json "$d/topology.rc" > "$d.json" 2> "$d.err"; echo $? > "$d.st"; done
for d in cr crlf; do
    if cmp -s lf.json "$d.json" && cmp -s lf.st "$d.st" && [ "$(sed "s|^$d/||" "$d.err")" = "$(sed 's|^lf/||' lf.err)" ]; then
        ok "the example with $d line endings compiles as with LF"
    else
        nok "the example with $d line endings compiles as with LF"
    fi
done

# --- diagnostics: a long line, many errors ----------------------------------
# a 10 MB line with an error at its end and one in its middle
{ printf 'node a { host "'; xs 5000000 x; printf '"; porrt 1; user "'; xs 5000000 x; printf '"; prot 2; }\n'; } > long.rc
case_ "a 10 MB line: diagnostics show a window" 1 "^ 1 | \.\.\.x*\"; porrt 1; user \"x*\.\.\.$" --check long.rc
[ "$(wc -c < err)" -lt 4000 ] && ok "a 10 MB line: under 4 KB on stderr ($(wc -c < err) bytes)" || nok "a 10 MB line: under 4 KB on stderr"
{ xs 4000 '\001'; echo; } > stray.rc
case_ "4,000 stray bytes: stops after 50 errors" 1 "too many errors; stopped after the first 50" --check stray.rc
[ "$(grep -c ': error: ' err)" = 50 ] && ok "4,000 stray bytes: 50 errors shown" || nok "4,000 stray bytes: 50 errors shown"
[ "$(wc -c < err)" -lt 20000 ] && ok "4,000 stray bytes: under 20 KB on stderr ($(wc -c < err) bytes)" || nok "4,000 stray bytes: under 20 KB on stderr"
{ xs 5000000 @; echo; } > strayline.rc
case_ "5 MB of stray characters on one line" 1 "too many errors; stopped after the first 50" --check strayline.rc
[ "$(wc -c < err)" -lt 20000 ] && ok "5 MB of stray characters: under 20 KB on stderr ($(wc -c < err) bytes)" || nok "5 MB of stray characters: under 20 KB on stderr"

# --- size: long chains and wide nodes --------------------------------------
# a chain of 87,000 nodes, each subscribing to the previous one's publication
awk 'BEGIN { print "defaults { version 16; }"; print "table t (id int primary key);";
             print "node n0 { host \"h0\"; publish p0 (t); }";
             for (i = 1; i < 87000; i++)
                 printf "node n%d { host \"h%d\"; publish p%d (t); subscribe to n%d (p%d); }\n", i, i, i, i - 1, i - 1 }' > chain.rc
case_ "a chain of 87,000 subscriptions (no recursion)" 0 "warnings generated" --check chain.rc
# the same chain closed into a cycle: one error, its notes capped
sed 's/^node n0 { host "h0"; publish p0 (t); }$/node n0 { host "h0"; publish p0 (t); subscribe to n86999 (p86999) with (origin = none); }/' chain.rc > cycle.rc
case_ "a cycle of 87,000 subscriptions: one error, notes capped" 1 "more notes like these not shown" --check cycle.rc
grep -q "subscriptions form a cycle that carries table 't'" err && ok "a cycle of 87,000 subscriptions: reported as a cycle" || nok "a cycle of 87,000 subscriptions: reported as a cycle"
# 10,000 subscriptions on one node, one publication each
awk 'BEGIN { print "defaults { version 16; }";
             for (i = 0; i < 10000; i++) printf "table t%d (id int primary key);\n", i;
             print "node p { host \"10.0.0.1\";";
             for (i = 0; i < 10000; i++) printf "    publish pub_%d (t%d);\n", i, i;
             print "}"; print "node s { host \"10.0.0.2\";";
             for (i = 0; i < 10000; i++) printf "    subscribe sub_%d to p (pub_%d);\n", i, i;
             print "}" }' > subs.rc
case_ "10,000 subscriptions on one node, within 1 GB" 0 "" --check subs.rc

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
