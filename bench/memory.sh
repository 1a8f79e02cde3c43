#!/bin/sh
# Memory of `replc --check` at scale (issue 10, item 5): peak resident set
# (GNU time's "Maximum resident set size") and the arenas' own peak
# (REPLC_MEMSTATS=1, deterministic) on bench/gen-topology.py topologies, cut
# into files of at most 8 MB by bench/split-topology.py (replc reads files of
# at most 16 MiB), and on tests/hostile.sh's two large shapes. See
# bench/README.md "Memory of --check at scale".
#
#   bench/memory.sh                               # 10,000 and 100,000 nodes
#   SIZES="10000 100000 1000000" bench/memory.sh  # and 1,000,000 (227 MB, ~1 GB)
#   REPLC=/path/to/replc BASE=/path/to/other/replc bench/memory.sh   # compare two builds
#
# Inputs are written under BENCH_TMPDIR (default /dev/shm) and removed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
SIZES=${SIZES:-"10000 100000"}
REPLC=${REPLC:-$top/replc}
BASE=${BASE:-}
TIME=/usr/bin/time
if ! [ -x "$TIME" ] || ! "$TIME" -f %M true >/dev/null 2>&1; then
    echo "memory.sh: need GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
command -v python3 >/dev/null 2>&1 || { echo "memory.sh: need python3" >&2; exit 2; }
work=$(mktemp -d "${BENCH_TMPDIR:-/dev/shm}/replc-mem.XXXXXX")
trap 'rm -rf "$work"' EXIT

# one line: what, build, seconds, user seconds, MiB resident (KB / 1024: GNU time reports KiB), arena bytes a node
measure() {
    what=$1 bin=$2 file=$3
    REPLC_MEMSTATS=1 "$TIME" -f 'time %e %U %M' "$bin" --check "$file" > /dev/null 2> "$work/err" || true
    # shellcheck disable=SC2046 # three numbers
    set -- $(sed -n 's/^time //p' "$work/err")
    per=$(sed -n 's/^replc: memstats: .*, \([0-9]*\) per node$/\1/p' "$work/err")
    printf '%-44s %-10s %7s s %7s s %7d MiB %8s B/node\n' "$what" "$(basename "$(dirname "$bin")")/$(basename "$bin")" \
        "$1" "$2" $(($3 / 1024)) "${per:--}"
}

builds=$REPLC
[ -n "$BASE" ] && builds="$BASE $REPLC"
printf '%-44s %-10s %9s %9s %10s %15s\n' input build elapsed user "max RSS" "arena peak"
for n in $SIZES; do
    python3 "$here/gen-topology.py" "$n" --seed 1 > "$work/t.rc"
    python3 "$here/split-topology.py" "$work/t.rc" "$work/t$n" >/dev/null
    rm -f "$work/t.rc"
    for b in $builds; do
        measure "$n nodes, gen-topology.py shape" "$b" "$work/t$n/main.rc"
    done
    rm -rf "$work/t$n"
done
awk 'BEGIN { print "defaults { version 16; }"; print "table t (id int primary key);";
             print "node n0 { host \"h0\"; publish p0 (t); }";
             for (i = 1; i < 87000; i++)
                 printf "node n%d { host \"h%d\"; publish p%d (t); subscribe to n%d (p%d); }\n", i, i, i, i - 1, i - 1 }' > "$work/chain.rc"
awk 'BEGIN { print "defaults { version 16; }";
             for (i = 0; i < 10000; i++) printf "table t%d (id int primary key);\n", i;
             print "node p { host \"10.0.0.1\";";
             for (i = 0; i < 10000; i++) printf "    publish pub_%d (t%d);\n", i, i;
             print "}"; print "node s { host \"10.0.0.2\";";
             for (i = 0; i < 10000; i++) printf "    subscribe sub_%d to p (pub_%d);\n", i, i;
             print "}" }' > "$work/subs.rc"
for b in $builds; do
    measure "chain of 87,000 nodes (tests/hostile.sh)" "$b" "$work/chain.rc"
    measure "10,000 subscriptions on one node" "$b" "$work/subs.rc"
done
