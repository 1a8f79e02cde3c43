#!/bin/sh
# Compile-time benchmark for replc: --check and -o DIR on synthetic
# topologies of 1,000 and 10,000 nodes, against the floor `cp -r DIR DIR2`
# (copying the tree replc wrote). See bench/README.md.
#
#   bench/compile.sh                 # sizes 1000 10000, 3 repetitions
#   REPS=5 SIZES="1000 10000" bench/compile.sh
#   KEEP=1 bench/compile.sh          # keep the temp dir (path printed)
#   BENCH_TMPDIR=/tmp bench/compile.sh   # work on disk instead of tmpfs
#
# The work directory is on tmpfs (/dev/shm) by default: on this project's
# ext4 VMs, creating files right after deleting many others is slowed by
# ext4's inode allocator (__ext4_new_inode -> find_inode_bit ->
# recently_deleted) by 10x and more, at random, which swamps what we measure.
#
# Every repetition runs every (size, mode) pair, interleaved, so that the
# noise of a shared machine hits all of them alike: the ratios are what
# matter, not the absolute seconds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
REPS=${REPS:-3}
SIZES=${SIZES:-"1000 10000"}
SEED=${SEED:-1}
REPLC=${REPLC:-$top/replc}
TIME=/usr/bin/time

# --- prerequisites ---------------------------------------------------------
if [ ! -x "$TIME" ] || ! "$TIME" -v true >/dev/null 2>&1; then
    echo "compile.sh: GNU time not found; installing package 'time'" >&2
    if command -v apt-get >/dev/null 2>&1; then
        apt-get install -y time >/dev/null 2>&1 ||
            { apt-get update >/dev/null 2>&1 && apt-get install -y time >/dev/null 2>&1; } ||
            { echo "compile.sh: cannot install 'time'; install it and rerun" >&2; exit 2; }
    else
        echo "compile.sh: need GNU time at /usr/bin/time" >&2; exit 2
    fi
fi
command -v python3 >/dev/null 2>&1 || { echo "compile.sh: need python3" >&2; exit 2; }

if [ -z "${NO_BUILD:-}" ] && [ -f "$top/Makefile" ]; then
    make -C "$top" -s >&2 || { echo "compile.sh: build failed" >&2; exit 1; }
fi
[ -x "$REPLC" ] || { echo "compile.sh: $REPLC not found (make -C $top)" >&2; exit 2; }

if [ -z "${BENCH_TMPDIR:-}" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then BENCH_TMPDIR=/dev/shm; else BENCH_TMPDIR=${TMPDIR:-/tmp}; fi
fi
tmp=$(mktemp -d "$BENCH_TMPDIR/replc-bench.XXXXXX")
fstype=$(df -PT "$tmp" 2>/dev/null | awk 'NR==2 {print $2}')
if [ -n "${KEEP:-}" ]; then
    echo "compile.sh: keeping $tmp" >&2
else
    trap 'rm -rf "$tmp"' EXIT
    trap 'rm -rf "$tmp"; exit 130' INT TERM
fi
results=$tmp/results.tsv
: >"$results"

# --- inputs ----------------------------------------------------------------
for n in $SIZES; do
    python3 "$here/gen-topology.py" "$n" --seed "$SEED" >"$tmp/topo-$n.rc"
    if ! "$REPLC" --check "$tmp/topo-$n.rc" >"$tmp/check-$n.out" 2>&1; then
        echo "compile.sh: replc --check failed on the $n-node topology:" >&2
        head -20 "$tmp/check-$n.out" >&2
        exit 1
    fi
done

now_ns() { date +%s%N; }

# measure SIZE MODE REP CMD...: run CMD under GNU time, append
# "size mode rep wall_seconds maxrss_kb" to the results.
measure() {
    _n=$1 _mode=$2 _rep=$3
    shift 3
    _t0=$(now_ns)
    if ! "$TIME" -v -o "$tmp/time.out" "$@" >"$tmp/cmd.out" 2>&1; then
        echo "compile.sh: failed: $*" >&2
        head -20 "$tmp/cmd.out" >&2
        exit 1
    fi
    _t1=$(now_ns)
    _rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$tmp/time.out")
    _usr=$(sed -n 's/^[[:space:]]*User time (seconds): *//p' "$tmp/time.out")
    _sys=$(sed -n 's/^[[:space:]]*System time (seconds): *//p' "$tmp/time.out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$_n" "$_mode" "$_rep" \
        "$(( _t1 - _t0 ))" "$_rss" "$_usr" "$_sys" >>"$results"
}

# one_round REP: every size, every mode, once.
one_round() {
    for n in $SIZES; do
        f=$tmp/topo-$n.rc
        out=$tmp/out-$n
        copy=$tmp/copy-$n
        measure "$n" check "$1" "$REPLC" --check "$f"
        rm -rf "$out"
        measure "$n" output "$1" "$REPLC" "$f" -o "$out"
        rm -rf "$copy"
        measure "$n" cp "$1" cp -r "$out" "$copy"
    done
}

echo "compile.sh: warm-up run" >&2
one_round 0
for n in $SIZES; do
    # Output facts, for the report.
    files=$(find "$tmp/out-$n" -type f | wc -l)
    kb=$(du -sk "$tmp/out-$n" | cut -f1)
    inkb=$(( $(wc -c <"$tmp/topo-$n.rc") / 1024 ))
    printf 'tree\t%s\t%s\t%s\t%s\n' "$n" "$files" "$kb" "$inkb" >>"$tmp/tree.tsv"
done
: >"$results"
r=1
while [ "$r" -le "$REPS" ]; do
    echo "compile.sh: repetition $r of $REPS" >&2
    one_round "$r"
    r=$((r + 1))
done

# --- report ----------------------------------------------------------------
python3 - "$results" "$tmp/tree.tsv" "$REPS" "$SIZES" "$BENCH_TMPDIR (${fstype:-?})" "$("$REPLC" --version 2>/dev/null | head -1)" <<'EOF'
import sys, statistics, time, os
results, tree, reps, sizes, where, version = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(), sys.argv[5], sys.argv[6]
wall, rss, cpu = {}, {}, {}
for line in open(results):
    n, mode, rep, ns, kb, usr, sysm = line.rstrip("\n").split("\t")
    wall.setdefault((n, mode), []).append(int(ns) / 1e9)
    rss.setdefault((n, mode), []).append(int(kb) / 1024.0)
    cpu.setdefault((n, mode), []).append(float(usr) + float(sysm))
med = {k: statistics.median(v) for k, v in wall.items()}
peak = {k: max(v) for k, v in rss.items()}
mcpu = {k: statistics.median(v) for k, v in cpu.items()}

print("replc compile benchmark, %s, %s, %d cores, work dir %s" % (
    time.strftime("%Y-%m-%d %H:%M"), version or "replc", os.cpu_count(), where))
print("median of %s runs (wall seconds; cpu = user+sys), peak RSS over all runs" % reps)
for line in open(tree):
    _, n, files, kb, inkb = line.split()
    print("  %6s nodes: input %6d KiB, output %6d files, %7d KiB" % (n, int(inkb), int(files), int(kb)))
print()
print("%7s  %-8s  %9s  %9s  %8s  %9s" % ("nodes", "mode", "median s", "cpu s", "peak MB", "-o / cp"))
for n in sizes:
    for mode, label in (("check", "--check"), ("output", "-o DIR"), ("cp", "cp -r")):
        k = (n, mode)
        ratio = ""
        if mode == "output" and med.get((n, "cp")):
            ratio = "%.2f" % (med[k] / med[(n, "cp")])
        print("%7s  %-8s  %9.3f  %9.3f  %8.1f  %9s" % (n, label, med[k], mcpu[k], peak[k], ratio))
print()
if len(sizes) >= 2:
    a, b = sizes[0], sizes[-1]
    f = int(b) / int(a)
    for mode, label in (("output", "-o DIR"), ("check", "--check"), ("cp", "cp -r")):
        print("scaling time(%s)/time(%s) %-8s %6.2f   (input x%g)" % (b, a, label, med[(b, mode)] / med[(a, mode)], f))
    print()
    big = sizes[-1]
    ok_ratio = med[(big, "output")] / med[(big, "cp")] < 2.0
    ok_mem = peak[(big, "output")] < 200 and peak[(big, "check")] < 200
    ok_scale = all(med[(b, m)] / med[(a, m)] <= 12.0 for m in ("output", "check")) if f == 10 else None
    print("targets (%s nodes):" % big)
    print("  -o DIR < 2x cp -r floor ........ %s" % ("PASS" if ok_ratio else "FAIL"))
    print("  peak RSS < 200 MB .............. %s" % ("PASS" if ok_mem else "FAIL"))
    if ok_scale is not None:
        print("  10x input <= 12x time .......... %s" % ("PASS" if ok_scale else "FAIL"))
EOF
