#!/bin/bash
# tests/integration/change.sh: changes to a live cluster converge, by
# --apply and by the scripts re-run on every host at once, with no needless
# restart (docs/changing.md).
#
# The example cluster (vm1..vm4) is built with --apply, with rows in it. Then
# the topology changes in rounds; each round changes several independent
# things at once and is converged by one path:
#   A (--apply):  table test3 added to publ_test1; column added to test1;
#                 publ_test2's publish option changed; a subscription option
#                 changed (subs3_test2 binary); a new subscription within the
#                 worker budget (vm3 subscribes to vm2's new publ_test5);
#                 work_mem = "4096kB" (the server says 4MB)
#   B (scripts):  table test4 added to publ_test2; publ_test1 renamed publ_one;
#                 column added to test2; publ_test5's publish option; an
#                 option of subs_test1; a new subscription (vm1 to publ_test5);
#                 work_mem = "8192kB" on vm2
#   C (--apply):  test3 removed from publ_one
#   D (scripts):  test4 removed from publ_test2
#   E1-E3 (--apply, then scripts): a setting lowered in the file is reported
#                 and kept; a column whose type changed, or one no longer
#                 declared, is refused, naming it
# After each round: rows written after the change arrive, rows already there
# are not copied again (exact counts), no server restarted
# (pg_postmaster_start_time), --status exits 1 before (naming what differs)
# and 0 after, and a second --apply changes nothing.
#
# Usage (root):  tests/integration/change.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, default 180), ITEST_POLL_TIMEOUT (s, 30).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/change-lib.sh
. "$(dirname "$0")/change-lib.sh"

change_suite change
TOPO=$WORK/topo.rc

# topo ROUND: the topology after ROUND (0: the example with test3..test5
# declared; each round keeps the changes of the rounds before it)
topo() {
    local r=$1 p1=publ_test1 t1="test1" t2="test2" v1 w1="" w2="" o5="" s1o="" s3o="" sub5="" sub15=""
    local c1="" c2="" k1=int low="" v2pub=""
    [ "$r" \> A ] || [ "$r" = A ] && { t1="test1, test3"; c1=", c1 text"; o5=""; s3o=" with (binary = true)"
        w1='set work_mem = "4096kB";'; sub5="subscribe subs3_test5 to vm2 (publ_test5);"
        v2pub="with (publish = 'insert, update')"; }
    [ "$r" \> B ] || [ "$r" = B ] && { p1=publ_one; t2="test2, test4"; c2=", c2 text"
        o5=" with (publish = 'insert')"; s1o=" with (binary = true)"; w2='set work_mem = "8192kB";'
        sub15="subscribe subs_test5 to vm2 (publ_test5);"; }
    [ "$r" \> C ] || [ "$r" = C ] && t1="test1"
    [ "$r" \> D ] || [ "$r" = D ] && t2="test2"
    [ "$r" = E1 ] && low='set max_wal_senders = 8;'
    [ "$r" = E2 ] && k1=bigint
    local v2col=", v2 varchar"
    [ "$r" = E3 ] && v2col=""
    v1=${v2pub:-}
    cat >"$TOPO" <<EOF
cluster change;
defaults {
    version  15;
    port     5432;
    database $DB;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}
table test1 (k1 $k1 primary key, v1 varchar$c1);
table test2 (k2 int primary key$v2col$c2);
table test3 (k3 int primary key, v3 varchar);
table test4 (k4 int primary key, v4 varchar);
table test5 (k5 int primary key, v5 varchar);
node vm1 {
    host "$H1_IP";
    $w1
    publish   $p1 ($t1);
    subscribe subs_test2 to vm2 (publ_test2);
    $sub15
}
node vm2 {
    host "$H2_IP";
    $w2
    $low
    publish   publ_test2 ($t2) $v1;
    publish   publ_test5 (test5)$o5;
    subscribe subs_test1 to vm1 ($p1)$s1o;
}
node vm3 {
    host "$H3_IP";
    subscribe subs3_test1 to vm1 ($p1);
    subscribe subs3_test2 to vm2 (publ_test2)$s3o;
    $sub5
}
node vm4 {
    host "$H4_IP";
    standby from vm3;
}
EOF
}

# ------------------------------------------------------------------ round 0: the cluster, with rows

topo 0
apply_ok 0
run_sql 1 "insert into test1 select g, 'a' || g from generate_series(1, 5) g"
run_sql 2 "insert into test2 select g, 'b' || g from generate_series(1, 5) g"
run_sql 1 "create table test3 (k3 int primary key, v3 varchar)"
run_sql 2 "create table test4 (k4 int primary key, v4 varchar)"
run_sql 1 "insert into test3 select g, 'c' || g from generate_series(1, 4) g"
run_sql 2 "insert into test4 select g, 'd' || g from generate_series(1, 3) g"
run_sql 2 "insert into test5 select g, 'e' || g from generate_series(1, 2) g"
for i in 2 3; do poll "0: test1 rows arrive on vm$i" "$i" "select count(*) from test1" 5; done
for i in 1 3; do poll "0: test2 rows arrive on vm$i" "$i" "select count(*) from test2" 5; done
START=$(starts)

# ------------------------------------------------------------------ A: --apply

topo A
status_is A 1 'test3|publ_test|work_mem|binary'
apply_ok A
no_restart A "$START"
hasnt apply-A out 'restart to apply' "A: --apply announces no restart"
run_sql 1 "insert into test1 values (100, 'new', 'c1 value'); insert into test3 values (100, 'new')"
run_sql 2 "insert into test5 values (100, 'new')"
for i in 2 3; do
    poll "A: test3 on vm$i: its 4 rows copied once, the new one arrives" "$i" "select count(*) || ':' || sum(k3) from test3" "5:110"
    poll "A: test1 on vm$i: no row copied twice, the new one with the new column" "$i" \
        "select count(*) || ':' || sum(k1) || ':' || count(c1) from test1" "6:115:1"
done
poll "A: vm3's new subscription copies test5 once and gets new rows" 3 "select count(*) || ':' || sum(k5) from test5" "3:103"
poll "A: subs3_test2 is binary now" 3 "select subbinary from pg_subscription where subname = 'subs3_test2'" t
poll "A: publ_test2 publishes insert and update only" 2 \
    "select pubinsert::text || pubupdate || pubdelete || pubtruncate from pg_publication where pubname = 'publ_test2'" truetruefalsefalse
poll "A: work_mem is 4MB on vm1" 1 "show work_mem" 4MB postgres
run_sql 2 "delete from test2 where k2 = 5"
run_sql 2 "insert into test2 values (100, 'after delete')"
poll "A: a delete on vm2 is no longer published (vm3 keeps the row)" 3 "select count(*) || ':' || sum(k2) from test2" "6:115"
status_is A 0
second_apply_idle A

# ------------------------------------------------------------------ B: scripts on every host at once

topo B
status_is B 1 'publ_one|test4|work_mem'
START=$(starts)
run_scripts B
no_restart B "$START"
run_sql 2 "insert into test2 values (200, 'b', 'c2 value'); insert into test4 values (200, 'new'); insert into test5 values (200, 'new')"
run_sql 1 "insert into test1 values (200, 'b', null); insert into test3 values (200, 'b')"
for i in 1 3; do
    poll "B: test4 on vm$i: its 3 rows copied once, the new one arrives" "$i" "select count(*) || ':' || sum(k4) from test4" "4:206"
done
poll "B: test2 on vm1: the new column, no row copied twice (the delete of A not published)" 1 "select count(*) || ':' || sum(k2) || ':' || count(c2) from test2" "7:315:1"
for i in 2 3; do
    poll "B: vm$i follows the renamed publication: new rows arrive, none copied twice" "$i" \
        "select (select count(*) || ':' || sum(k1) from test1) || '/' || (select count(*) || ':' || sum(k3) from test3)" "7:315/6:310"
    poll "B: vm$i subscribes to publ_one only" "$i" \
        "select string_agg(p, ',') from pg_subscription, unnest(subpublications) p where subname like 'subs%test1'" publ_one
done
poll "B: vm1's new subscription copies test5 once and gets new rows" 1 "select count(*) || ':' || sum(k5) from test5" "4:303"
poll "B: subs_test1 is binary now" 2 "select subbinary from pg_subscription where subname = 'subs_test1'" t
poll "B: publ_test5 publishes insert only" 2 \
    "select pubinsert::text || pubupdate || pubdelete || pubtruncate from pg_publication where pubname = 'publ_test5'" truefalsefalsefalse
poll "B: work_mem is 8MB on vm2" 2 "show work_mem" 8MB postgres
# the renamed publication's old name is replc's and no longer declared: drift
# until --prune drops it (the subscribers follow the new name already)
status_is B 1 "publication 'publ_test1' on node 'vm1': made by replc, no longer in the topology"
replc_run prune-B --apply --prune
if [ "$RC" = 0 ]; then ok "B: --apply --prune drops the old publication (exit 0)"
else not_ok "B: --apply --prune exits 0 (exit $RC)"; diag <"$WORK/prune-B.out"; diag <"$WORK/prune-B.err"; fi
poll "B: publ_test1 is gone from vm1" 1 "select count(*) from pg_publication where pubname = 'publ_test1'" 0
status_is B 0
second_apply_idle B

# ------------------------------------------------------------------ C: --apply, a table removed

topo C
status_is C 1 'publ_one'
START=$(starts)
apply_ok C
no_restart C "$START"
poll "C: publ_one has test1 only" 1 \
    "select string_agg(tablename, ',') from pg_publication_tables where pubname = 'publ_one'" test1
run_sql 1 "insert into test1 values (300, 'c', null); insert into test3 values (300, 'c')"
for i in 2 3; do
    poll "C: vm$i: test1 rows still arrive" "$i" "select count(*) from test1" 8
    poll "C: vm$i: subscription no longer holds test3" "$i" \
        "select count(*) from pg_subscription_rel where srrelid = 'test3'::regclass" 0
done
sleep 1
for i in 2 3; do
    got=$(q "$i" "select count(*) from test3")
    if [ "$got" = 6 ]; then ok "C: vm$i: test3 rows no longer arrive (6 kept)"
    else not_ok "C: vm$i: test3 rows no longer arrive (6 kept; got $got)"; fi
done
status_is C 0
second_apply_idle C

# ------------------------------------------------------------------ D: scripts, a table removed

topo D
status_is D 1 'publ_test2'
START=$(starts)
run_scripts D
no_restart D "$START"
poll "D: publ_test2 has test2 only" 2 \
    "select string_agg(tablename, ',') from pg_publication_tables where pubname = 'publ_test2'" test2
for i in 1 3; do
    poll "D: vm$i: subscription no longer holds test4" "$i" \
        "select count(*) from pg_subscription_rel where srrelid = 'test4'::regclass" 0
done
status_is D 0
second_apply_idle D

# ------------------------------------------------------------------ E: what replc leaves to the user

# E1: a setting lowered in the file below what is live: reported, kept
topo E1
status_is E1 1 'max_wal_senders'
START=$(starts)
replc_run apply-E1 --apply
if [ "$RC" = 0 ]; then ok "E1: --apply exits 0 with a lowered setting"
else not_ok "E1: --apply exits 0 with a lowered setting (exit $RC)"; diag <"$WORK/apply-E1.out"; diag <"$WORK/apply-E1.err"; fi
has apply-E1 out "max_wal_senders is higher on the server" "E1: --apply reports the lowered setting"
run_scripts E1
if grep -q "max_wal_senders is higher on the server" "$WORK/run-E1-vm2.log"; then ok "E1: vm2's script reports the lowered setting"
else not_ok "E1: vm2's script reports the lowered setting"; diag <"$WORK/run-E1-vm2.log"; fi
poll "E1: max_wal_senders kept at 10 on vm2" 2 "show max_wal_senders" 10 postgres
no_restart E1 "$START"

# E2: a column whose type changed in the file: refused, naming it
topo E2
replc_run apply-E2 --apply
if [ "$RC" = 1 ]; then ok "E2: --apply exits 1 on a column whose type changed"
else not_ok "E2: --apply exits 1 on a column whose type changed (exit $RC)"; diag <"$WORK/apply-E2.out"; fi
cat "$WORK/apply-E2.out" "$WORK/apply-E2.err" >"$WORK/apply-E2.all"
has apply-E2 all "table 'test1'.*k1 is integer, not bigint" "E2: --apply names the table, the column, its live and declared types"
SCRIPTS_MAY_FAIL=1 run_scripts E2
for n in vm1 vm2 vm3; do
    if grep -q "test1.*k1 is integer, not bigint" "$WORK/run-E2-$n.log"; then ok "E2: $n's script names the table and the column whose type changed"
    else not_ok "E2: $n's script names the table and the column whose type changed"; diag <"$WORK/run-E2-$n.log"; fi
done
poll "E2: test1.k1 is still integer" 1 "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'test1'::regclass and attname = 'k1'" integer

# E3: a column no longer declared: refused, naming it; never dropped
topo E3
replc_run apply-E3 --apply
if [ "$RC" = 1 ]; then ok "E3: --apply exits 1 on a column no longer declared"
else not_ok "E3: --apply exits 1 on a column no longer declared (exit $RC)"; diag <"$WORK/apply-E3.out"; fi
cat "$WORK/apply-E3.out" "$WORK/apply-E3.err" >"$WORK/apply-E3.all"
has apply-E3 all "table 'test2' has column\(s\) v2 on the server that the topology does not declare" \
    "E3: --apply names the table and the column"
SCRIPTS_MAY_FAIL=1 run_scripts E3
for n in vm1 vm2 vm3; do
    if grep -q "table 'test2' has column(s) v2 on the server" "$WORK/run-E3-$n.log"; then ok "E3: $n's script names the table and the column"
    else not_ok "E3: $n's script names the table and the column"; diag <"$WORK/run-E3-$n.log"; fi
done
for i in 1 2 3; do
    poll "E3: vm$i: test2.v2 is still there" "$i" "select count(*) from pg_attribute where attrelid = 'test2'::regclass and attname = 'v2' and not attisdropped" 1
done

finish
