#!/bin/bash
# bench/apply.sh: how long `replc --apply` takes to build the example's
# four-host cluster on live servers, against a DBA typing the same steps
# (bench/apply-by-hand.sh); how long a second, no-op `--apply` takes; and how
# a 16-host cluster (bench/gen-cluster.py) compares with the four-host one.
#
# Every timed run starts from fresh hosts (tests/hosts/hosts.sh down, then
# up N; not timed). Modes, alternating round by round (the order rotates):
#   apply      replc TOPO --apply --trace FILE    (default -j: one job per node)
#   apply-j1   replc TOPO --apply -j1             (one step at a time)
#   hand       bench/apply-by-hand.sh             (one psql or ssh command per step)
#   apply16    replc TOPO16 --apply --trace FILE  on 16 hosts (first SCALE_REPS rounds)
#   base, base16  the same as apply and apply16 with another build, BASE=/path/to/replc
#              (before/after in one run: BASE adds both modes to every round)
# After each apply (and apply16) run, NOOP_REPS more `replc --apply` on the
# converged cluster are timed (noop, noop16); each must say "nothing to do".
# Each run is checked afterwards, untimed: every subscribed table
# synchronised, every standby streaming, rows written on the writers reach a
# standby. A run that fails a check is reported and left out.
#
# Usage (root): bench/apply.sh
# Env: REPS (rounds, default 5), MODES (default "apply apply-j1 hand"), BASE, NOOP_REPS (default 5), SCALE_REPS (16-host
#      rounds, default REPS; 0: none), WAIT_TIMEOUT (replc --timeout, default
#      60), REPLC, NO_BUILD=1, KEEP=1 (keep the work dir), REPLC_HOSTS_PREFIX and REPLC_HOSTS_NET (the test bed, as for
#      tests/hosts/hosts.sh; it must be down).
# CPU: the bench moves itself into a cpuacct cgroup of its own (cgroup v1,
# /sys/fs/cgroup/cpuacct), so that the hosts it starts (sshd, PostgreSQL)
# and replc with its ssh and psql are in it and nothing else of the machine
# is: each timed run also notes that CPU time, and its share of what the
# machine's cores could give in that wall time (cores x wall; the hand-run's
# too); near 100%,
# the run is bound by CPU, not by waiting. Without that cgroup, no CPU column.
# Prints one line per run, then a ready-to-paste table of medians, the
# ratios, the critical path of the median apply run (from --trace), and the
# targets: --apply <= 0.4x the hand-run; no-op <= 0.2 s; 16 hosts <= 1.5x 4.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
HAND=$ROOT/bench/apply-by-hand.sh
GEN=$ROOT/bench/gen-cluster.py
REPLC=${REPLC:-$ROOT/replc}
REPS=${REPS:-5}
NOOP_REPS=${NOOP_REPS:-5}
SCALE_REPS=${SCALE_REPS:-$REPS}
RUN_TIMEOUT=300
WAIT_TIMEOUT=${WAIT_TIMEOUT:-60}   # replc --timeout: a wait that never ends fails the run in a minute
PREFIX=${REPLC_HOSTS_PREFIX:-replc}

die() { echo "bench/apply.sh: $*" >&2; exit 1; }
now_ns() { local t=${EPOCHREALTIME/[.,]/}; echo $((t * 1000)); }
[ "$(id -u)" = 0 ] || die "must run as root (tests/hosts/hosts.sh)"
[ -z "$(ip netns list 2>/dev/null | grep -E "^${PREFIX}-h[0-9]+" || true)" ] ||
    die "test bed '$PREFIX' is up (ip netns list shows $PREFIX-h*); wait for it, or set REPLC_HOSTS_PREFIX and REPLC_HOSTS_NET"
if [ -z "${NO_BUILD:-}" ] && [ "$REPLC" = "$ROOT/replc" ]; then
    make -C "$ROOT" >/dev/null || die "make failed"
fi
[ -x "$REPLC" ] || die "no replc at $REPLC"

WORK=$(mktemp -d /tmp/replc-bench-apply.XXXXXX)
chmod 755 "$WORK"
export REPLC_HOSTS_STATE=$WORK/hosts
cleanup() {
    "$HOSTS" down >/dev/null 2>&1 || true
    if [ "${KEEP:-}" = 1 ]; then echo "work dir: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
CG=/sys/fs/cgroup/cpuacct/replc-bench-$$
if [ -d /sys/fs/cgroup/cpuacct ] && mkdir "$CG" 2>/dev/null && echo $$ >"$CG/cgroup.procs" 2>/dev/null; then
    cleanup_cg() { echo $$ >/sys/fs/cgroup/cpuacct/cgroup.procs 2>/dev/null; rmdir "$CG" 2>/dev/null; }
else
    rmdir "$CG" 2>/dev/null
    CG=
    cleanup_cg() { :; }
fi
trap 'cleanup; cleanup_cg' EXIT
cpu_ns() { if [ -n "$CG" ]; then cat "$CG/cpuacct.usage"; else echo 0; fi; }
trap 'exit 130' INT TERM

fresh_hosts() {   # fresh_hosts N
    "$HOSTS" down >/dev/null 2>&1
    "$HOSTS" up "$1" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; die "hosts.sh up $1 failed"; }
    # shellcheck disable=SC1091
    . "$REPLC_HOSTS_STATE/env"
}

topology4() {
    cat >"$WORK/bench.rc" <<EOF
cluster bench;
defaults {
    version  15;
    port     5432;
    database repl;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}
table test1 (k1 int primary key, v1 varchar);
table test2 (k2 int primary key, v2 varchar);
node vm1 { host "$H1_IP"; publish publ_test1 (test1); subscribe subs_test2 to vm2 (publ_test2); }
node vm2 { host "$H2_IP"; publish publ_test2 (test2); subscribe subs_test1 to vm1 (publ_test1); }
node vm3 { host "$H3_IP"; subscribe subs3_test1 to vm1 (publ_test1); subscribe subs3_test2 to vm2 (publ_test2); }
node vm4 { host "$H4_IP"; standby from vm3; }
EOF
}

topology16() {
    # shellcheck disable=SC1091
    ( set -a; . "$REPLC_HOSTS_STATE/env"; python3 "$GEN" ) >"$WORK/bench16.rc" || die "gen-cluster.py failed"
}

q() {   # q I SQL [DB]
    local v=H${1}_IP
    PGPASSWORD=$HOSTS_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -At -h "${!v}" -U postgres -d "${3:-repl}" -c "$2" 2>&1
}
wait_for() {   # wait_for I SQL WANT [DB]: up to 60 s
    local end=$(( $(now_ns) / 1000000 + 60000 ))
    until [ "$(q "$1" "$2" "${4:-repl}")" = "$3" ]; do
        [ $(( $(now_ns) / 1000000 )) -lt "$end" ] || return 1
        sleep 0.2
    done
}
synced() {   # synced I N: N subscribed tables on host I, all ready
    wait_for "$1" "select count(*) filter (where srsubstate <> 'r') || ' ' || count(*) from pg_subscription_rel" "0 $2"
}
streams() {   # streams I FROM-I
    local v=H${2}_IP
    wait_for "$1" "select status || ' ' || sender_host from pg_stat_wal_receiver" "streaming ${!v}" postgres
}
verify4() {   # the cluster works: untimed
    local k=$1
    { synced 1 1 && synced 2 1 && synced 3 2; } || { echo "tables not synchronised"; return 1; }
    streams 4 3 || { echo "vm4 not streaming from vm3"; return 1; }
    { q 1 "insert into test1 values ($k, 'bench')" >/dev/null && q 2 "insert into test2 values ($k, 'bench')" >/dev/null; } ||
        { echo "inserts failed"; return 1; }
    wait_for 4 "select (select count(*) from test1 where k1 = $k) + (select count(*) from test2 where k2 = $k)" 2 ||
        { echo "rows written on vm1 and vm2 do not reach vm4"; return 1; }
}
verify16() {
    local k=$1 i
    for i in 1 2 3 4; do synced "$i" 3 || { echo "w$i: tables not synchronised"; return 1; }; done
    for i in $(seq 5 12); do synced "$i" 2 || { echo "s$((i - 4)): tables not synchronised"; return 1; }; done
    for i in 13 14 15 16; do streams "$i" $((i - 8)) || { echo "b$((i - 12)) not streaming from s$((i - 12))"; return 1; }; done
    q 1 "insert into t1 values ($k, 'bench')" >/dev/null || { echo "insert failed"; return 1; }
    { wait_for 13 "select count(*) from t1 where k1 = $k" 1 && wait_for 4 "select count(*) from t1 where k1 = $k" 1; } ||
        { echo "a row written on w1 does not reach w4 and b1"; return 1; }
}

SECS=0 CPU=0
BIN=$REPLC         # the build run_replc runs (BASE for the base modes)
run_replc() {   # run_replc LOG TOPO ARGS...: sets SECS and CPU (s, the cgroup's)
    local log=$1 topo=$2 t0 t1 rc c0 c1
    shift 2
    c0=$(cpu_ns)
    t0=$(now_ns)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$HOSTS_PASSWORD \
        timeout $RUN_TIMEOUT "$BIN" "$topo" --timeout "$WAIT_TIMEOUT" "$@" >"$log" 2>&1 </dev/null
    rc=$?
    t1=$(now_ns)
    c1=$(cpu_ns)
    SECS=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
    CPU=$(awk -v d=$((c1 - c0)) 'BEGIN { printf "%.3f", d / 1e9 }')
    return $rc
}
run_hand() {   # run_hand LOG: sets SECS and CPU
    local t0 t1 rc c0 c1
    c0=$(cpu_ns)
    t0=$(now_ns)
    HAND_TIMEOUT=120 timeout $RUN_TIMEOUT "$HAND" >"$1" 2>&1 </dev/null
    rc=$?
    t1=$(now_ns)
    c1=$(cpu_ns)
    SECS=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
    CPU=$(awk -v d=$((c1 - c0)) 'BEGIN { printf "%.3f", d / 1e9 }')
    return $rc
}
noops() {   # noops TOPO MODE ROUND
    local n nlog
    for n in $(seq "$NOOP_REPS"); do
        nlog=$WORK/r$3-$2-$n.log
        if run_replc "$nlog" "$1" --apply && grep -q '^nothing to do: the cluster is as described$' "$nlog"; then
            line "$3" "$2" "$SECS" "ok$(cpu_note)"
            echo "$2 $SECS" >>"$RES"
            echo "$2 $CPU $SECS" >>"$CPURES"
        else
            line "$3" "$2" "$SECS" "NOT A NO-OP: left out"
            sed 's/^/    /' "$nlog" | tail -20
        fi
    done
}
line() { printf '%-6s %-9s %9s  %s\n' "$@"; }

RES=$WORK/results   # lines: MODE SECONDS [TRACE-LOG]
CPURES=$WORK/cpu    # lines: MODE CPU-SECONDS WALL-SECONDS (replc runs)
: >"$RES"
: >"$CPURES"
NCPU=$(nproc)
cpu_note() {   # ", cpu C s = P% of cores x wall" for the last replc run
    [ -n "$CG" ] || return 0
    awk -v c="$CPU" -v w="$SECS" -v n="$NCPU" 'BEGIN { printf ", cpu %.2f s = %.0f%% of %d x wall", c, 100 * c / (n * w), n }'
}
read -r -a MODES <<<"${MODES:-apply apply-j1 hand}"
if [ -n "${BASE:-}" ]; then
    [ -x "$BASE" ] || die "no replc at BASE=$BASE"
    MODES+=(base)
fi
echo "bench/apply.sh: $REPS round(s) of ${MODES[*]}, $SCALE_REPS with apply16; fresh hosts for each; $NOOP_REPS no-op re-applies after each apply"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"
echo "machine: $(nproc) cpu(s), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%d GB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r); $("$REPLC" --version)"
line round mode wall_s checked
k=0
for r in $(seq "$REPS"); do
    modes=("${MODES[@]}")
    [ "$r" -le "$SCALE_REPS" ] && modes+=(apply16)
    [ "$r" -le "$SCALE_REPS" ] && [ -n "${BASE:-}" ] && modes+=(base16)
    for m in $(seq 0 $((${#modes[@]} - 1))); do
        mode=${modes[$(( (m + r - 1) % ${#modes[@]} ))]}
        log=$WORK/r$r-$mode.log
        k=$((k + 1))
        BIN=$REPLC
        case $mode in base*) BIN=$BASE ;; esac
        if [ "$mode" = apply16 ] || [ "$mode" = base16 ]; then
            fresh_hosts 16
            topology16
            run_replc "$log" "$WORK/bench16.rc" --apply --trace "$WORK/r$r-$mode.trace.json"
        else
            fresh_hosts 4
            topology4
            case $mode in
                apply|base) run_replc "$log" "$WORK/bench.rc" --apply --trace "$WORK/r$r-$mode.trace.json" ;;
                apply-j1) run_replc "$log" "$WORK/bench.rc" --apply -j1 ;;
                hand)     run_hand "$log" ;;
            esac
        fi
        rc=$?
        if [ $rc != 0 ]; then
            line "$r" "$mode" "$SECS" "FAILED (exit $rc): left out"
            sed 's/^/    /' "$log" | tail -30
            continue
        fi
        if [ "$mode" = apply16 ] || [ "$mode" = base16 ]; then why=$(verify16 $((1000 + k))); else why=$(verify4 $((1000 + k))); fi ||
            { line "$r" "$mode" "$SECS" "BROKEN ($why): left out"; continue; }
        line "$r" "$mode" "$SECS" "ok$(cpu_note)"
        echo "$mode $SECS $log" >>"$RES"
        echo "$mode $CPU $SECS" >>"$CPURES"
        case $mode in
            apply) noops "$WORK/bench.rc" noop "$r" ;;
            apply16) noops "$WORK/bench16.rc" noop16 "$r" ;;
            base) noops "$WORK/bench.rc" noop-base "$r" ;;
            base16) noops "$WORK/bench16.rc" noop16-base "$r" ;;
        esac
    done
done
"$HOSTS" down >/dev/null 2>&1

median() {   # median MODE
    awk -v m="$1" '$1 == m { print $2 }' "$RES" | sort -n |
        awk '{ v[NR] = $1 } END { if (!NR) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
runs() { awk -v m="$1" '$1 == m { printf "%s ", $2 }' "$RES"; }
count() { awk -v m="$1" '$1 == m' "$RES" | wc -l; }
A=$(median apply); J=$(median apply-j1); H=$(median hand); N=$(median noop); S=$(median apply16); N16=$(median noop16)
echo
echo "| mode | hosts | runs | median s | all runs (s) |"
echo "|---|---|---|---|---|"
for mode in apply apply-j1 hand noop apply16 noop16 base noop-base base16 noop16-base; do
    [ "$(count "$mode")" -gt 0 ] || case $mode in base*|noop-base|noop16-base) continue ;; esac
    case $mode in *16|*16-base) h=16 ;; *) h=4 ;; esac
    printf '| %s | %d | %d | %s | %s|\n' "$mode" "$h" "$(count "$mode")" "$(median "$mode")" "$(runs "$mode")"
done
if [ -n "$CG" ]; then
    echo
    echo "CPU time of the bed and replc per run (cgroup), and its share of $NCPU core(s) x wall:"
    echo "| mode | median cpu s | median share of cores x wall |"
    echo "|---|---|---|"
    for mode in apply hand noop apply16 noop16 base noop-base base16 noop16-base; do
        awk -v m="$mode" '$1 == m' "$CPURES" | grep -q . || continue
        c=$(awk -v m="$mode" '$1 == m { print $2 }' "$CPURES" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
        s=$(awk -v m="$mode" -v n="$NCPU" '$1 == m { print 100 * $2 / (n * $3) }' "$CPURES" | sort -n |
            awk '{ v[NR] = $1 } END { printf "%.0f%%", v[int((NR + 1) / 2)] }')
        printf '| %s | %s | %s |\n' "$mode" "$c" "$s"
    done
fi
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.2f", a / b }'; }
echo "ratio apply/hand      $(ratio "$A" "$H")"
echo "ratio apply-j1/hand   $(ratio "$J" "$H")"
echo "ratio apply-j1/apply  $(ratio "$J" "$A")"
echo "ratio apply16/apply   $(ratio "$S" "$A")"
if [ -n "${BASE:-}" ]; then
    B=$(median base); B16=$(median base16)
    echo "ratio base/hand       $(ratio "$B" "$H")"
    echo "ratio base16/base     $(ratio "$B16" "$B")"
    echo "ratio apply/base      $(ratio "$A" "$B")"
    echo "ratio apply16/base16  $(ratio "$S" "$B16")"
fi
# the critical path of the apply run nearest the median
for mode in apply apply16 base base16; do
    best=$(awk -v m="$mode" -v t="$(median "$mode")" '$1 == m { d = $2 - t; if (d < 0) d = -d; print d, $3 }' "$RES" |
        sort -n | head -1 | cut -d' ' -f2)
    [ -n "$best" ] || continue
    echo
    echo "critical path of the $mode run nearest the median ($(basename "$best")):"
    sed -n '/^critical path:/,$p' "$best"
done
echo
verdict() {   # verdict VALUE LIMIT: PASS when VALUE <= LIMIT
    awk -v v="$1" -v l="$2" 'BEGIN { if (v == "nan") print "n/a "; else print (v <= l ? "PASS" : "FAIL") }'
}
R=$(ratio "$A" "$H"); R16=$(ratio "$S" "$A")
echo "targets:"
echo "  --apply <= 0.4x the hand-run ........ $(verdict "$R" 0.4)   (${R}x)"
echo "  no-op --apply <= 0.2 s .............. $(verdict "$N" 0.2)   (${N} s; 16 hosts: ${N16} s)"
echo "  16 hosts <= 1.5x 4 hosts ............ $(verdict "$R16" 1.5)   (${R16}x)"
