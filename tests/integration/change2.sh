#!/bin/bash
# tests/integration/change2.sh: more changes to a live cluster (docs/changing.md),
# each by --apply and by the scripts re-run on every host at once:
#   0 (--apply):  vm1 publishes p1 (t1) to vm2; vm2 publishes p2 (t2, insert
#                 only) to vm1; both subscriptions disable_on_error, s21
#                 binary, s12 streaming and synchronous_commit on; rows
#   A (--apply):  a column added to t1 while vm1 writes rows using it as soon
#                 as it has it; binary dropped from s21, publish from p2 (back
#                 to PostgreSQL's defaults); node vm3 added, subscribing to p1
#                 and p2
#   B (scripts):  the same for t2 (vm2 writes), streaming and
#                 synchronous_commit dropped from s12; node vm4 added
#   C (--apply):  vm1's address changed (a second address of its host)
#   D (scripts):  vm2's address changed
#   E (both):     a table added to p2, whose subscription s12 on vm1 has
#                 two_phase enabled: refused, naming it and what to do; the
#                 others get it; done by hand as the hint says, then applied
# After each round: the new rows arrive with the new column, no row copied
# twice (exact counts), no subscription error (apply_error_count 0, every
# subscription enabled: disable_on_error would have stopped it), no server
# of the cluster restarted, --status exits 1 before (naming what differs)
# and 0 after, and a second --apply changes nothing.
#
# Usage (root):  tests/integration/change2.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, default 180), ITEST_POLL_TIMEOUT (s, 30).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/change-lib.sh
. "$(dirname "$0")/change-lib.sh"

change_suite change2
TOPO=$WORK/topo.rc
NET=${H1_IP%.*}
ALT1=$NET.$(( ${H1_IP##*.} + 100 ))
ALT2=$NET.$(( ${H2_IP##*.} + 100 ))

# topo ROUND: the topology after ROUND (each keeps the changes before it)
topo() {
    local r=$1 c1="" c2="" s21o=" with (binary = true, disable_on_error = true)" p2o=" with (publish = 'insert')"
    local s12o=" with (streaming = on, synchronous_commit = 'on', disable_on_error = true, two_phase = true)"
    local vm3="" vm4="" p2t="t2"
    local h1=$H1_IP h2=$H2_IP
    [ "$r" \> A ] || [ "$r" = A ] && { c1=", c1 text"; s21o=" with (disable_on_error = true)"; p2o=""
        vm3="node vm3 { host \"$H3_IP\"; subscribe s31 to vm1 (p1) with (disable_on_error = true);
                        subscribe s32 to vm2 (p2) with (disable_on_error = true); }"; }
    [ "$r" \> B ] || [ "$r" = B ] && { c2=", c2 text"; s12o=" with (disable_on_error = true, two_phase = true)"
        vm4="node vm4 { host \"$H4_IP\"; subscribe s41 to vm1 (p1); subscribe s42 to vm2 (p2); }"; }
    [ "$r" \> C ] || [ "$r" = C ] && h1=$ALT1
    [ "$r" \> D ] || [ "$r" = D ] && h2=$ALT2
    [ "$r" \> E ] || [ "$r" = E ] && p2t="t2, t3"
    cat >"$TOPO" <<EOF
cluster change2;
defaults {
    version  15;
    port     5432;
    database $DB;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}
table t1 (k1 int primary key, v1 varchar$c1);
table t2 (k2 int primary key, v2 varchar$c2);
table t3 (k3 int primary key);
node vm1 {
    host "$h1";
    ssh  "postgres@$H1_IP";
    publish   p1 (t1);
    subscribe s12 to vm2 (p2)$s12o;
}
node vm2 {
    host "$h2";
    ssh  "postgres@$H2_IP";
    publish   p2 ($p2t)$p2o;
    subscribe s21 to vm1 (p1)$s21o;
}
$vm3
$vm4
EOF
}

# writer I SQL: in the background, SQL on node I as soon as it succeeds (the
# new column there), once; its output in $WORK/writer-I.log
writer() {
    local i=$1 sql=$2 deadline
    deadline=$(( $(now_ms) + RUN_TIMEOUT * 1000 ))
    (
        until q "$i" "$sql" >"$WORK/writer-$i.log" 2>&1; do
            [ "$(now_ms)" -lt "$deadline" ] || exit 1
            sleep 0.05
        done
    ) &
    WRITER=$!
}

writer_done() {   # writer_done ROUND
    if wait "$WRITER"; then ok "$1: the rows using the new column were written as soon as it existed"
    else not_ok "$1: the rows using the new column were written"; diag <"$WORK/writer-$2.log"; fi
}

# no_errors ROUND I SUB...: each subscription on node I enabled, no apply error
no_errors() {
    local r=$1 i=$2 s; shift 2
    for s in "$@"; do
        poll "$r: vm$i: $s enabled, apply_error_count 0" "$i" \
            "select s.subenabled::text || ':' || st.apply_error_count from pg_subscription s
             join pg_stat_subscription_stats st on st.subid = s.oid where s.subname = '$s'" "true:0"
    done
}

# ------------------------------------------------------------------ 0: the cluster, with rows

topo 0
apply_ok 0
run_sql 1 "insert into t1 select g, 'a' || g from generate_series(1, 5) g"
run_sql 2 "insert into t2 select g, 'b' || g from generate_series(1, 4) g"
poll "0: t1 rows arrive on vm2" 2 "select count(*) from t1" 5
poll "0: t2 rows arrive on vm1" 1 "select count(*) from t2" 4
START=$(starts 1 2)

# ------------------------------------------------------------------ A: --apply

topo A
status_is A 1 'c1|binary|publish'
replc_run dry-A --apply --dry-run
has dry-A out "~ subscription s21: binary true -> false" "A: --dry-run shows binary going back to its default"
has dry-A out "~ publication p2: publish = 'insert'.* -> publish = 'insert, update, delete, truncate'" \
    "A: --dry-run shows publish going back to its default"
writer 1 "insert into t1 select g, 'w', 'c1 ' || g from generate_series(101, 103) g"
apply_ok A
writer_done A 1
no_restart A "$START" 1 2
for i in 2 3; do
    poll "A: t1 on vm$i: no row copied twice, the new rows with the new column" "$i" \
        "select count(*) || ':' || sum(k1) || ':' || count(c1) from t1" "8:321:3"
done
no_errors A 2 s21
no_errors A 3 s31 s32
poll "A: vm3 copies t2 once" 3 "select count(*) || ':' || sum(k2) from t2" "4:10"
poll "A: s21 is back to binary = false" 2 "select subbinary from pg_subscription where subname = 's21'" f
poll "A: p2 publishes the four operations again" 2 \
    "select pubinsert::text || pubupdate || pubdelete || pubtruncate from pg_publication where pubname = 'p2'" truetruetruetrue
run_sql 2 "update t2 set v2 = 'updated' where k2 = 1"
poll "A: an update on vm2 is published again" 1 "select v2 from t2 where k2 = 1" updated
status_is A 0
second_apply_idle A

# ------------------------------------------------------------------ B: scripts on every host at once

topo B
status_is B 1 'c2|streaming|synchronous_commit|s41'
replc_run dry-B --apply --dry-run
has dry-B out "~ subscription s12: streaming on -> off" "B: --dry-run shows streaming going back to off"
has dry-B out "~ subscription s12: synchronous_commit on -> off" "B: --dry-run shows synchronous_commit going back to its default"
START=$(starts 1 2 3)
writer 2 "insert into t2 select g, 'w', 'c2 ' || g from generate_series(201, 202) g"
run_scripts B
writer_done B 2
no_restart B "$START" 1 2 3
for i in 1 3 4; do
    poll "B: t2 on vm$i: no row copied twice, the new rows with the new column" "$i" \
        "select count(*) || ':' || sum(k2) || ':' || count(c2) from t2" "6:413:2"
done
no_errors B 1 s12
no_errors B 3 s31 s32
no_errors B 4 s41 s42
poll "B: vm4 copies t1 once" 4 "select count(*) || ':' || sum(k1) || ':' || count(c1) from t1" "8:321:3"
poll "B: s12 is back to streaming off, synchronous_commit off" 1 \
    "select substream::text || subsynccommit from pg_subscription where subname = 's12'" falseoff
run_sql 1 "insert into t1 values (400, 'b', 'c1 400')"
for i in 2 3 4; do poll "B: vm$i: new t1 rows arrive" "$i" "select count(*) from t1" 9; done
status_is B 0
second_apply_idle B

# ------------------------------------------------------------------ C, D: a publisher's address

# move_host I ADDRESS: a second address on node I's interface, from which it
# now connects to its peers (its sshd stays on the first: the topology's ssh)
move_host() {
    if "$HOSTS" exec "$1" ip addr add "$2/24" dev eth0 &&
        "$HOSTS" exec "$1" ip route replace "$NET.0/24" dev eth0 src "$2" table local; then
        ok "vm$1 has the address $2"
    else not_ok "vm$1 has the address $2"; fi
}

# prune_ok ROUND: --apply --prune drops the pg_hba.conf lines of the old address
prune_ok() {
    replc_run "prune-$1" --apply --prune
    if [ "$RC" = 0 ]; then ok "$1: --apply --prune drops what the old address left (exit 0)"
    else not_ok "$1: --apply --prune exits 0 (exit $RC)"; diag <"$WORK/prune-$1.out"; diag <"$WORK/prune-$1.err"; fi
}

# address_round ROUND I ALT RUN T SUM: node I moves to ALT, converged by RUN
# (apply_ok or run_scripts); its subscribers follow, and a row written into
# its table T after arrives (SUM: count:sum of the key)
address_round() {
    local r=$1 i=$2 alt=$3 run=$4 t=$5 sum=$6 k others=() sub
    for k in 1 2 3 4; do [ "$k" = "$i" ] || others+=("$k"); done
    move_host "$i" "$alt"
    topo "$r"
    status_is "$r" 1 "$( [ "$i" = 1 ] && echo 's21|s31|s41' || echo 's12|s32|s42')"
    START=$(starts)
    "$run" "$r"
    no_restart "$r" "$START"
    for k in "${others[@]}"; do
        poll "$r: vm$k's subscription to vm$i connects to its new address" "$k" \
            "select count(*) from pg_subscription where subconninfo like '%host=$alt %'" 1
    done
    poll "$r: vm$i streams to its three subscribers" "$i" "select count(*) from pg_stat_replication where state = 'streaming'" 3
    run_sql "$i" "insert into $t values (${i}00${i}, '$r', '$r')"
    for k in "${others[@]}"; do
        poll "$r: vm$k: $t rows written after the change arrive" "$k" "select count(*) || ':' || sum(k$i) from $t" "$sum"
    done
    sub=$( [ "$i" = 1 ] && echo s21 || echo s12)
    no_errors "$r" "$(( 3 - i ))" "$sub"
    prune_ok "$r"
    status_is "$r" 0
    second_apply_idle "$r"
}

address_round C 1 "$ALT1" apply_ok t1 "10:1722"
address_round D 2 "$ALT2" run_scripts t2 "7:2415"

# ------------------------------------------------------------------ E: a table added under two_phase

# s12 has two_phase (enabled once its tables are ready): PostgreSQL refuses
# to copy a table added to its publications; replc refuses, naming it and
# what to do, and the other subscriptions to p2 get the table
poll "E: s12's two_phase is enabled" 1 "select subtwophasestate from pg_subscription where subname = 's12'" e
topo E
replc_run apply-E --apply
if [ "$RC" = 1 ]; then ok "E: --apply exits 1 on a table added under two_phase"
else not_ok "E: --apply exits 1 on a table added under two_phase (exit $RC)"; diag <"$WORK/apply-E.out"; fi
cat "$WORK/apply-E.out" "$WORK/apply-E.err" >"$WORK/apply-E.all"
has apply-E all "subscription 's12' has two_phase enabled: PostgreSQL refuses to copy the table\(s\) t3" \
    "E: --apply names the subscription and the table"
has apply-E all "DROP SUBSCRIPTION s12" "E: --apply says what to do by hand"
run_sql 2 "insert into t3 select g from generate_series(1, 3) g"
for i in 3 4; do poll "E: vm$i copies t3 (its subscription has no two_phase)" "$i" "select count(*) from t3" 3; done
SCRIPTS_MAY_FAIL=1 run_scripts E
if grep -q "subscription 's12' has two_phase enabled" "$WORK/run-E-vm1.log"; then ok "E: vm1's script names the subscription"
else not_ok "E: vm1's script names the subscription"; diag <"$WORK/run-E-vm1.log"; fi
for n in vm2 vm3 vm4; do
    if [ "$(cat "$WORK/run-E-$n.rc")" = 0 ]; then ok "E: $n: run.sh exits 0"
    else not_ok "E: $n: run.sh exits 0"; diag <"$WORK/run-E-$n.log"; fi
done
# what the hint says, on 15: drop it, empty its tables, apply again
run_sql 1 "drop subscription s12"
run_sql 1 "truncate t2, t3"
apply_ok E2
poll "E: vm1's new s12 copies t2 and t3 once" 1 \
    "select (select count(*) || ':' || sum(k2) from t2) || '/' || (select count(*) from t3)" "7:2415/3"
run_sql 2 "insert into t3 values (10)"
for i in 1 3 4; do poll "E: vm$i: t3 rows written after arrive" "$i" "select count(*) from t3" 4; done
status_is E 0
second_apply_idle E

finish
