#!/bin/bash
# bench/apply.sh: how long `replc --apply` takes to build the four-host
# cluster of tests/integration/apply.sh on live servers, compared with the
# same setup done by hand (bench/apply-by-hand.sh), and how long a second,
# no-op `--apply` takes.
#
# Every timed run starts from four fresh hosts (tests/hosts/hosts.sh down,
# then up 4). Modes, interleaved round by round (the order rotates each round):
#   apply      replc TOPO --apply            (default -j: one job per node)
#   apply-j1   replc TOPO --apply -j1        (one step at a time)
#   hand       bench/apply-by-hand.sh        (psql/pg_ctl/pg_basebackup over ssh, sequential)
# After each `apply` run, NOOP_REPS more `replc --apply` on the converged
# cluster are timed (they must say "nothing to do").
# Each run is checked afterwards, untimed: every subscribed table
# synchronised, vm4 streaming from vm3, a row written on vm1 and one on vm2
# reaching vm4. A run that fails a check is reported and left out.
#
# Usage (root): bench/apply.sh
# Env: REPS (rounds, default 3), NOOP_REPS (default 5), REPLC, NO_BUILD=1,
#      KEEP=1 (keep the work dir). Needs nothing else running on the harness.
# Prints one line per run, then a table of medians, the ratios and the targets:
#   default --apply <= 0.6x the hand-written sequence; no-op --apply < 0.5 s.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
HAND=$ROOT/bench/apply-by-hand.sh
REPLC=${REPLC:-$ROOT/replc}
REPS=${REPS:-3}
NOOP_REPS=${NOOP_REPS:-5}
RUN_TIMEOUT=180

die() { echo "bench/apply.sh: $*" >&2; exit 1; }
now_ns() { local t=${EPOCHREALTIME/[.,]/}; echo $((t * 1000)); }
[ "$(id -u)" = 0 ] || die "must run as root (tests/hosts/hosts.sh)"
[ -z "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ] ||
    die "another test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*); wait for it to finish"
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
trap 'exit 130' INT TERM

fresh_hosts() {
    "$HOSTS" down >/dev/null 2>&1
    "$HOSTS" up 4 >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; die "hosts.sh up 4 failed"; }
    # shellcheck disable=SC1091
    . "$REPLC_HOSTS_STATE/env"
    IP=("" "$H1_IP" "$H2_IP" "$H3_IP" "$H4_IP")
}

topology() {
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

q() {   # q I SQL [DB]
    PGPASSWORD=$HOSTS_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -At -h "${IP[$1]}" -U postgres -d "${3:-repl}" -c "$2" 2>&1
}
wait_for() {   # wait_for I SQL WANT [DB]: up to 30 s
    local end=$(( $(now_ns) / 1000000 + 30000 ))
    until [ "$(q "$1" "$2" "${4:-repl}")" = "$3" ]; do
        [ $(( $(now_ns) / 1000000 )) -lt "$end" ] || return 1
        sleep 0.2
    done
}
verify() {   # the cluster works: untimed
    local i k=$1
    for i in 1 2 3; do
        wait_for "$i" "select count(*) filter (where srsubstate <> 'r') || ' ' || count(*) from pg_subscription_rel" \
            "0 $( [ "$i" = 3 ] && echo 2 || echo 1 )" || { echo "vm$i: tables not synchronised"; return 1; }
    done
    wait_for 4 "select status || ' ' || sender_host from pg_stat_wal_receiver" "streaming $H3_IP" postgres ||
        { echo "vm4 not streaming from vm3"; return 1; }
    q 1 "insert into test1 values ($k, 'bench')" >/dev/null && q 2 "insert into test2 values ($k, 'bench')" >/dev/null ||
        { echo "inserts failed"; return 1; }
    wait_for 4 "select (select count(*) from test1 where k1 = $k) + (select count(*) from test2 where k2 = $k)" 2 ||
        { echo "rows written on vm1 and vm2 do not reach vm4"; return 1; }
}

run_replc() {   # run_replc LOG ARGS...: sets SECS and STEPS (replc's own "total")
    local log=$1 t0 t1 rc
    shift
    t0=$(now_ns)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$HOSTS_PASSWORD \
        timeout $RUN_TIMEOUT "$REPLC" "$WORK/bench.rc" "$@" >"$log" 2>&1 </dev/null
    rc=$?
    t1=$(now_ns)
    SECS=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
    STEPS=$(sed -nE 's/.* total ([0-9.]+)s$/\1/p' "$log" | tail -1)
    return $rc
}
run_hand() {   # run_hand LOG
    local t0 t1 rc
    t0=$(now_ns)
    HAND_TIMEOUT=120 timeout $RUN_TIMEOUT "$HAND" >"$1" 2>&1 </dev/null
    rc=$?
    t1=$(now_ns)
    SECS=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
    STEPS=-
    return $rc
}

RES=$WORK/results   # lines: MODE SECONDS
: >"$RES"
MODES=(apply apply-j1 hand)
echo "bench/apply.sh: $REPS round(s) x ${#MODES[@]} modes, fresh hosts each; $NOOP_REPS no-op re-applies after each 'apply'"
echo "machine: $(nproc) cpu(s), $(uname -r), $(psql --version | head -1)"
printf '%-6s %-9s %9s %12s  %s\n' round mode wall_s replc_total checked
k=0
for r in $(seq "$REPS"); do
    for m in $(seq 0 $((${#MODES[@]} - 1))); do
        mode=${MODES[$(( (m + r - 1) % ${#MODES[@]} ))]}
        fresh_hosts
        topology
        log=$WORK/r$r-$mode.log
        case $mode in
            apply)    run_replc "$log" --apply ;;
            apply-j1) run_replc "$log" --apply -j1 ;;
            hand)     run_hand "$log" ;;
        esac
        rc=$?
        k=$((k + 1))
        if [ $rc != 0 ]; then
            printf '%-6s %-9s %9s %12s  %s\n' "$r" "$mode" "$SECS" "${STEPS:--}" "FAILED (exit $rc): left out"
            sed 's/^/    /' "$log" | tail -30
            continue
        fi
        if why=$(verify $((1000 + k))); then
            printf '%-6s %-9s %9s %12s  %s\n' "$r" "$mode" "$SECS" "${STEPS:--}" ok
            echo "$mode $SECS" >>"$RES"
        else
            printf '%-6s %-9s %9s %12s  %s\n' "$r" "$mode" "$SECS" "${STEPS:--}" "BROKEN ($why): left out"
            continue
        fi
        if [ "$mode" = apply ]; then
            for n in $(seq "$NOOP_REPS"); do
                nlog=$WORK/r$r-noop$n.log
                if run_replc "$nlog" --apply && grep -q '^nothing to do: the cluster is as described$' "$nlog"; then
                    printf '%-6s %-9s %9s %12s  %s\n' "$r" noop "$SECS" "$STEPS" ok
                    echo "noop $SECS" >>"$RES"
                    echo "noop-steps $STEPS" >>"$RES"
                else
                    printf '%-6s %-9s %9s %12s  %s\n' "$r" noop "$SECS" "${STEPS:--}" "NOT A NO-OP: left out"
                    sed 's/^/    /' "$nlog" | tail -20
                fi
            done
        fi
    done
done
"$HOSTS" down >/dev/null 2>&1

median() {   # median MODE
    awk -v m="$1" '$1 == m { print $2 }' "$RES" | sort -n |
        awk '{ v[NR] = $1 } END { if (!NR) { print "nan"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
runs() { awk -v m="$1" '$1 == m { printf "%s ", $2 }' "$RES"; }
echo
printf '%-10s %4s %9s   %s\n' mode runs median_s "all (s)"
for mode in "${MODES[@]}" noop; do
    printf '%-10s %4d %9s   %s\n' "$mode" "$(awk -v m="$mode" '$1 == m' "$RES" | wc -l)" "$(median "$mode")" "$(runs "$mode")"
done
printf '%-10s %4d %9s   %s\n' noop-steps "$(awk '$1 == "noop-steps"' "$RES" | wc -l)" "$(median noop-steps)" \
    "(replc's own 'total' of the no-op runs: the steps, without preflight)"
A=$(median apply); J=$(median apply-j1); H=$(median hand); N=$(median noop)
echo
awk -v a="$A" -v j="$J" -v h="$H" -v n="$N" 'BEGIN {
    if (h == "nan" || a == "nan" || j == "nan" || n == "nan") { print "not enough valid runs for the ratios"; exit 1 }
    printf "ratio apply/hand     %.2f\n", a / h
    printf "ratio apply-j1/hand  %.2f\n", j / h
    printf "ratio apply-j1/apply %.2f\n", j / a
    print ""
    print "targets:"
    printf "  default --apply <= 0.6x hand-written ..... %s   (%.2fx)\n", (a / h <= 0.6 ? "PASS" : "FAIL"), a / h
    printf "  no-op --apply < 0.5 s .................... %s   (%.3f s)\n", (n < 0.5 ? "PASS" : "FAIL"), n
}'
