#!/bin/bash
# tests/integration/change3.sh: subscriptions disabled and enabled again in
# the file, standbys added to and moved in a running cluster (docs/changing.md),
# each by --apply and by the scripts re-run on every host at once, on five
# hosts. vm1 publishes p1 (t1) and p3 (t3); vm2 subscribes s21 to p1; vm3
# subscribes s31 to p1 and s33 to p3. s21 is vm2's only subscription (its
# subscribe step enables it); s31 and s33 share vm3 (PostgreSQL 15: its enable
# step enables them together).
#   0 (--apply):  s21 and s33 declared enabled = no: created disabled, replc's
#                 mark says so; rows; then the DBA disables s31 (replc's,
#                 declared enabled): it stays disabled in every round below,
#                 and is no difference for --status
#   A (--apply):  enabled = no dropped from s21 and s33: both enabled (the
#                 rows of before copied once); --dry-run shows
#                 'enabled false -> true'; standby vm4 of vm1 added
#   B (scripts):  s21 and s33 enabled = no again: disabled; a second --apply
#                 leaves them so; standby vm5 of vm1 added
#   C (--apply):  vm5 moved to vm4 (a cascading standby); vm1's pg_hba.conf
#                 line for it is drift until --apply --prune drops it
#   D (scripts):  enabled = no dropped again (the rows written meanwhile
#                 arrive once); vm5 moved back to vm1
#   E (--apply):  vm4's delay (2s) and slot (vm4_b) changed
#   F (scripts):  vm4's delay and slot back to the defaults
# After each round: no server restarted (pg_postmaster_start_time; no restart
# is announced either: the settings' floors stay at their defaults), --status
# exits 1 before (naming what differs) and 0 after, and a second --apply
# changes nothing. A new standby streams from its source and has its rows; a
# moved one streams from the new source with its slot there and none left on
# the old one, neither rebuilt (system identifier) nor restarted.
#
# Usage (root):  tests/integration/change3.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, default 180), ITEST_POLL_TIMEOUT (s, 30),
#      REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET (the test bed's names).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/change-lib.sh
. "$(dirname "$0")/change-lib.sh"

EXAMPLE_NODES=5
NODES=(vm1 vm2 vm3 vm4 vm5)
change_suite change3
TOPO=$WORK/topo.rc
MARK="replc cluster change3"

# topo ROUND: the topology after ROUND
topo() {
    local r=$1 e21=" with (enabled = no)" e33=" with (enabled = no)" vm4="" vm5=""
    case $r in
    A | D | E | F) e21="" e33="" ;;
    esac
    [ "$r" = 0 ] || vm4="node vm4 { host \"$H4_IP\"; standby from vm1; }"
    [ "$r" = E ] && vm4="node vm4 { host \"$H4_IP\"; standby from vm1 with (delay = '2s', slot = vm4_b); }"
    case $r in
    B | D | E | F) vm5="node vm5 { host \"$H5_IP\"; standby from vm1; }" ;;
    C) vm5="node vm5 { host \"$H5_IP\"; standby from vm4; }" ;;
    esac
    cat >"$TOPO" <<EOF
cluster change3;
defaults {
    version  15;
    port     5432;
    database $DB;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}
table t1 (k1 int primary key, v1 varchar);
table t3 (k3 int primary key);
node vm1 { host "$H1_IP"; publish p1 (t1); publish p3 (t3); }
node vm2 { host "$H2_IP"; subscribe s21 to vm1 (p1)$e21; }
node vm3 { host "$H3_IP"; subscribe s31 to vm1 (p1); subscribe s33 to vm1 (p3)$e33; }
$vm4
$vm5
EOF
}

# subs ROUND WANT: vm2's and vm3's subscriptions, each 'NAME ENABLED COMMENT'
# (COMMENT: replc's mark shown as 'mark'), are WANT
subs() {
    poll "$1: subscriptions enabled, and replc's mark, as declared" 2 \
        "select string_agg(subname || ' ' || subenabled || ' ' ||
                coalesce(replace(obj_description(oid, 'pg_subscription'), '$MARK', 'mark'), '-'), ', ' order by subname)
         from pg_subscription" "s21 ${2%%,*}"
    poll "$1: vm3's subscriptions enabled, and replc's mark, as declared" 3 \
        "select string_agg(subname || ' ' || subenabled || ' ' ||
                coalesce(replace(obj_description(oid, 'pg_subscription'), '$MARK', 'mark'), '-'), ', ' order by subname)
         from pg_subscription" "${2#*, }"
}

# rows I: t1's and t3's 'count:sum' on node I
ROWS="select (select count(*) || ':' || coalesce(sum(k1), 0) from t1) || '/' ||
             (select count(*) || ':' || coalesce(sum(k3), 0) from t3)"

# streams ROUND I SOURCE [SLOT]: standby I streams from node SOURCE, from its
# slot there (default: named after it), and has vm1's rows
streams() {
    local r=$1 i=$2 s=$3 slot=${4:-vm$2} want
    poll "$r: vm$i streams from vm$s through slot $slot" "$i" \
        "select status || ' ' || sender_host || ' ' || slot_name from pg_stat_wal_receiver" "streaming ${IP[$s]} $slot" postgres
    poll "$r: vm$s has slot $slot, in use" "$s" "select active from pg_replication_slots where slot_name = '$slot'" t postgres
    want=$(q 1 "$ROWS")
    poll "$r: vm$i has vm1's rows ($want)" "$i" "$ROWS" "$want"
}

dry_has() {   # dry_has ROUND REGEX DESC: --apply --dry-run exits 3 and prints REGEX
    replc_run "dry-$1" --apply --dry-run
    if [ "$RC" = 3 ]; then ok "$1: --dry-run exits 3 (changes pending)"
    else not_ok "$1: --dry-run exits 3 (exit $RC)"; diag <"$WORK/dry-$1.out"; diag <"$WORK/dry-$1.err"; fi
    has "dry-$1" out "$2" "$3"
}

sysid() { q "$1" "select system_identifier from pg_control_system()" postgres; }

# ------------------------------------------------------------------ 0: declared disabled

topo 0
apply_ok 0
run_sql 1 "insert into t1 select g, 'a' || g from generate_series(1, 5) g"
run_sql 1 "insert into t3 select g from generate_series(1, 3) g"
poll "0: vm3 has t1's rows by s31" 3 "$ROWS" "5:15/0:0"
subs 0 "false mark; declared disabled, s31 true mark, s33 false mark; declared disabled"
run_sql 3 "alter subscription s31 disable"
status_is 0 0
poll "0: vm2 has no row: s21 is disabled" 2 "select count(*) from t1" 0

# ------------------------------------------------------------------ A: --apply

topo A
status_is A 1 's21|s33'
dry_has A "^ +~ subscription s21: enabled false -> true$" "A: --dry-run shows s21 enabled again"
has dry-A out "^ +~ subscription s33: enabled false -> true$" "A: --dry-run shows s33 enabled again (vm3's enable step)"
hasnt dry-A out 's31: enabled' "A: --dry-run does not enable s31 (disabled by the DBA)"
START=$(starts 1 2 3)
apply_ok A
hasnt apply-A out 'restart to apply' "A: --apply announces no restart"
no_restart A "$START" 1 2 3
subs A "true mark, s31 false mark, s33 true mark"
run_sql 1 "insert into t1 values (6, 'A'); insert into t3 values (4)"
poll "A: vm2: t1's rows of before copied once, the new one arrives" 2 "select count(*) || ':' || sum(k1) from t1" "6:21"
poll "A: vm3: t3's rows of before copied once, the new one arrives" 3 "select count(*) || ':' || sum(k3) from t3" "4:10"
streams A 4 1
status_is A 0
second_apply_idle A
poll "A: s31 (disabled by the DBA) is still disabled" 3 "select subenabled from pg_subscription where subname = 's31'" f

# ------------------------------------------------------------------ B: scripts on every host at once

topo B
status_is B 1 's21|s33'
dry_has B "^ +~ subscription s21: enabled true -> false$" "B: --dry-run shows s21 disabled"
START=$(starts 1 2 3 4)
run_scripts B
no_restart B "$START" 1 2 3 4
subs B "false mark; declared disabled, s31 false mark, s33 false mark; declared disabled"
run_sql 1 "insert into t1 values (7, 'B'); insert into t3 values (5)"
streams B 5 1
status_is B 0
second_apply_idle B
subs B "false mark; declared disabled, s31 false mark, s33 false mark; declared disabled"

# ------------------------------------------------------------------ C: --apply, vm5 moved to vm4

topo C
status_is C 1 'vm5'
START=$(starts)
ID5=$(sysid 5)
apply_ok C
no_restart C "$START"
run_sql 1 "insert into t1 values (8, 'C')"
streams C 5 4
poll "C: no slot vm5 left on vm1" 1 "select count(*) from pg_replication_slots where slot_name = 'vm5'" 0 postgres
if [ "$(sysid 5)" = "$ID5" ]; then ok "C: vm5 was not rebuilt (same system identifier)"
else not_ok "C: vm5 was not rebuilt (same system identifier)"; fi
# vm1's pg_hba.conf line for vm5's replication connection is no longer
# derived: drift until --prune drops it
status_is C 1 "pg_hba.conf line 'host replication .* ${H5_IP//./\\.}/32 .* on node 'vm1': made by replc"
replc_run prune-C --apply --prune
if [ "$RC" = 0 ]; then ok "C: --apply --prune drops vm1's line for vm5 (exit 0)"
else not_ok "C: --apply --prune exits 0 (exit $RC)"; diag <"$WORK/prune-C.out"; diag <"$WORK/prune-C.err"; fi
streams C 5 4
status_is C 0
second_apply_idle C

# ------------------------------------------------------------------ D: scripts, enabled again, vm5 back to vm1

topo D
status_is D 1 's21|s33|vm5'
START=$(starts)
run_scripts D
no_restart D "$START"
subs D "true mark, s31 false mark, s33 true mark"
poll "D: vm2: the t1 rows written while s21 was disabled arrive once" 2 "select count(*) || ':' || sum(k1) from t1" "8:36"
poll "D: vm3: the t3 rows written while s33 was disabled arrive once" 3 "select count(*) || ':' || sum(k3) from t3" "5:15"
streams D 5 1
poll "D: no slot vm5 left on vm4" 4 "select count(*) from pg_replication_slots where slot_name = 'vm5'" 0 postgres
if [ "$(sysid 5)" = "$ID5" ]; then ok "D: vm5 was not rebuilt (same system identifier)"
else not_ok "D: vm5 was not rebuilt (same system identifier)"; fi
status_is D 0
second_apply_idle D
# ------------------------------------------------------------------ E, F: a standby's delay and slot

# standby_round ROUND RUN DELAY SLOT OLD: vm4's delay and slot changed,
# converged by RUN (apply_ok or run_scripts); no restart, no rebuild
standby_round() {
    local r=$1 run=$2 delay=$3 slot=$4 old=$5 id4
    topo "$r"
    status_is "$r" 1 'vm4'
    START=$(starts)
    id4=$(sysid 4)
    "$run" "$r"
    no_restart "$r" "$START"
    poll "$r: vm4's recovery_min_apply_delay is $delay" 4 "show recovery_min_apply_delay" "$delay" postgres
    run_sql 1 "insert into t1 values ($([ "$r" = E ] && echo 9 || echo 10), '$r')"
    streams "$r" 4 1 "$slot"
    poll "$r: no slot $old left on vm1" 1 "select count(*) from pg_replication_slots where slot_name = '$old'" 0 postgres
    if [ "$(sysid 4)" = "$id4" ]; then ok "$r: vm4 was not rebuilt (same system identifier)"
    else not_ok "$r: vm4 was not rebuilt (same system identifier)"; fi
    status_is "$r" 0
    second_apply_idle "$r"
}
standby_round E apply_ok 2s vm4_b vm4
standby_round F run_scripts 0 vm4 vm4_b

# what the DBA disabled is theirs: enabled by hand, s31 catches up, nothing twice
run_sql 3 "alter subscription s31 enable"
poll "F: vm3: s31, enabled by the DBA, brings t1's rows once" 3 "select count(*) || ':' || sum(k1) from t1" "10:55"

finish
