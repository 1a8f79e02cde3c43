#!/bin/sh
# tests/memory.sh REPLC: memory of --check grows linearly with the input and
# stays within a budget per node. The measure is deterministic, not the
# machine's: REPLC_MEMSTATS=1 makes replc print the most bytes its arenas
# held at once (the syntax tree, the model, the checks' temporaries; see
# bench/README.md "Memory"), which depends only on the input.
#
# The topology has the shape of bench/gen-topology.py (one table and one
# publication a node, three subscriptions to earlier nodes, one node in ten
# a standby of the one before), written by awk so that no Python is needed.
set -u
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# The budget: bytes a node at the peak (1,243 measured when it was set by
# branch s7-subs, 1,382 with s7-mnode alone, 1,476 before, 1,795 before
# s5-mem, 2,277 before s4-mem; a change that keeps more per node fails
# here: measure it with bench/memory.sh)
BUDGET=1330
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() { fail=$((fail + 1)); echo "not ok - $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {
    awk -v n="$1" 'BEGIN {
        print "cluster mem;"
        print "defaults { version 15; database bench; user postgres; password env PGPASSWORD; }"
        for (i = 0; i < n; i++) if (i % 10 != 9) printf "table t_%d (id bigint primary key, v text);\n", i
        for (i = 0; i < n; i++) {
            printf "node n_%d {\n    host \"10.%d.%d.%d\";\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
            if (i % 10 == 9) {
                printf "    standby from n_%d;\n}\n", i - 1
                continue
            }
            printf "    publish pub_%d (t_%d);\n", i, i
            k = 0
            for (j = i - 1; j >= 0 && k < 3; j--) {
                if (j % 10 == 9 || (i + j) % 4 == 0)
                    continue
                printf "    subscribe to n_%d (pub_%d);\n", j, j
                k++
            }
            print "}"
        }
    }'
}

# peak bytes for n nodes; stdout and stderr are kept in $tmp/out.n, $tmp/err.n
peak() {
    gen "$1" > "$tmp/t$1.rc"
    REPLC_MEMSTATS=1 "$replc" --check "$tmp/t$1.rc" > "$tmp/out.$1" 2> "$tmp/err.$1"
    echo "$?" > "$tmp/rc.$1"
    sed -n 's/^replc: memstats: peak \([0-9]*\) bytes in arenas.*/\1/p' "$tmp/err.$1"
}

a=$(peak 2000)
b=$(peak 4000)
if [ "$(cat "$tmp/rc.2000")" = 0 ] && [ "$(cat "$tmp/rc.4000")" = 0 ] && grep -q "4000 nodes (400 standbys)" "$tmp/out.4000"; then
    ok "--check of 2,000 and 4,000 nodes: no error, every node checked"
else
    nok "--check of 2,000 and 4,000 nodes: no error, every node checked"
    tail -5 "$tmp/err.4000" | sed 's/^/    /'
fi
if [ -n "$a" ] && [ -n "$b" ]; then
    ok "REPLC_MEMSTATS prints the peak ($a and $b bytes)"
    # twice the nodes: at most 2.2 times the memory (the maps grow by doubling)
    if [ $((b * 10)) -le $((a * 22)) ]; then
        ok "twice the nodes, at most 2.2 times the memory ($((b * 100 / a)) %)"
    else
        nok "twice the nodes, at most 2.2 times the memory ($a -> $b bytes)"
    fi
    if [ $((b / 4000)) -le "$BUDGET" ]; then
        ok "at most $BUDGET bytes a node ($((b / 4000)))"
    else
        nok "at most $BUDGET bytes a node: $((b / 4000))"
    fi
else
    nok "REPLC_MEMSTATS prints the peak"
fi
# the statistics line is the only difference it makes
grep -v '^replc: memstats: ' "$tmp/err.2000" > "$tmp/with"
"$replc" --check "$tmp/t2000.rc" > /dev/null 2> "$tmp/without"
if cmp -s "$tmp/with" "$tmp/without"; then
    ok "REPLC_MEMSTATS changes nothing else"
else
    nok "REPLC_MEMSTATS changes nothing else"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
