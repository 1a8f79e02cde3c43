#!/bin/bash
# tests/integration/enable.sh: the enable step on three fresh PostgreSQL 15
# hosts (tests/hosts/hosts.sh). Up to 15 the logical replication launcher
# starts workers in one pass at most every wal_retrieve_retry_interval, so
# replc creates a node's new subscriptions disabled and enables them in one
# transaction (enable.sql). The topology:
#
#   vm1 publishes test1 and test3, subscribes to vm2's test2
#   vm2 publishes test2, subscribes to vm1's test1
#   vm3 subscribes to vm1's test1 and vm2's test2, and to vm1's test3 with
#       (enabled = no)
#
#   (a) --apply: vm3's enable.sql ran; both running subscriptions of vm3
#       enabled, each with its apply worker, rows from vm1 and vm2 arrive;
#       subs3_test3 (enabled = no) exists, disabled, no worker
#   (b) an interrupted run: subs3_test2 dropped, then re-created by running
#       only its generated subscribe step (and vm2's publications step for
#       its slot) on the hosts, as a run.sh stopped before enable.sql leaves
#       it: disabled, unmarked. --dry-run and --status say it differs
#       (vm3's enable.sql); --apply enables and marks it, rows arrive
#   (c) a subscription of replc's that the DBA disabled stays disabled
#       (--apply: nothing to do); subs3_test3 stays disabled throughout
#
# Usage (root):  tests/integration/enable.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per replc run, default 120),
#      ITEST_POLL_TIMEOUT (s, 30): as apply.sh.
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=repl
EXAMPLE_NODES=3

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*: another run is using the harness)"
    finish
fi

WORK=$(mktemp -d /tmp/replc-enable.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE

cleanup() {
    if [ "${ITEST_KEEP:-}" = 1 ]; then
        note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"
        return
    fi
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_replc
hosts_up

TOPO=$WORK/enable.rc
cat >"$TOPO" <<EOF
cluster itest;
defaults {
    version  15;
    port     5432;
    database $DB;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}
table test1 (k1 int primary key, v1 varchar);
table test2 (k2 int primary key, v2 varchar);
table test3 (k3 int primary key);
node vm1 { host "$H1_IP"; publish publ_test1 (test1); publish publ_test3 (test3);
           subscribe subs_test2 to vm2 (publ_test2); }
node vm2 { host "$H2_IP"; publish publ_test2 (test2); subscribe subs_test1 to vm1 (publ_test1); }
node vm3 { host "$H3_IP";
           subscribe subs3_test1 to vm1 (publ_test1);
           subscribe subs3_test2 to vm2 (publ_test2);
           subscribe subs3_test3 to vm1 (publ_test3) with (enabled = no); }
EOF
if "$REPLC" --check "$TOPO" >"$WORK/check.log" 2>&1; then ok "replc --check enable.rc exits 0"
else not_ok "replc --check enable.rc exits 0"; diag <"$WORK/check.log"; finish; fi

# replc_run NAME ARGS...: replc TOPO ARGS; NAME.out, NAME.err; sets RC, MS
replc_run() {
    local name=$1 t; shift
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$TOPO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

MARK="replc cluster itest"
# each subscription: NAME ENABLED MARKED (true: replc's mark; declared: its
# mark of a subscription declared enabled = no; false: no mark)
SUBS="select string_agg(subname || ' ' || subenabled || ' ' || coalesce(case obj_description(oid, 'pg_subscription')
          when '$MARK' then 'true' when '$MARK; declared disabled' then 'declared' end, 'false'), ', ' order by subname)
      from pg_subscription"
# the subscriptions with an apply worker running (relid null: not a table-sync worker)
WORKERS="select string_agg(s.subname, ' ' order by s.subname) from pg_subscription s
         where exists (select from pg_stat_subscription w where w.subid = s.oid and w.pid is not null and w.relid is null)"

# ------------------------------------------------------------------ (a)

note "(a) --apply on fresh hosts"
replc_run a --apply
expect_rc a 0 "(a) replc --apply exits 0"
has a out '^\[[0-9]+/[0-9]+\] vm3 +enable\.sql +changed ' "(a) vm3's enable.sql ran and changed something"
hasnt a out '^\[[0-9]+/[0-9]+\] vm[12] +enable\.sql' "(a) vm1 and vm2 (one subscription each) have no enable step"
poll "(a) vm3: both running subscriptions enabled and marked, subs3_test3 disabled" 3 "$SUBS" \
    "subs3_test1 true true, subs3_test2 true true, subs3_test3 false declared"
poll "(a) vm3: an apply worker for each of the two, none for subs3_test3" 3 "$WORKERS" "subs3_test1 subs3_test2"
q 1 "insert into test1 values (1, 'a')" >/dev/null
q 2 "insert into test2 values (1001, 'a')" >/dev/null
poll "(a) vm3 receives vm1's row" 3 "select count(*) from test1" 1
poll "(a) vm3 receives vm2's row" 3 "select count(*) from test2" 1

# ------------------------------------------------------------------ (b)

note "(b) a run interrupted between vm3's subscribe steps and its enable step"
"$REPLC" "$TOPO" -o "$WORK/out" 2>/dev/null
ok_sql() {   # ok_sql DESC I SQL: a change made by the test, as the DBA would
    local out
    if out=$(q "$2" "$3"); then ok "$1"; else not_ok "$1"; echo "$out" | diag; fi
}
ok_sql "(b) vm3: subscription subs3_test2 dropped (its slot on vm2 with it)" 3 "drop subscription subs3_test2"
ok_sql "(b) vm3: test2 emptied" 3 "truncate test2"
# run_step I FILE: the generated step FILE of host I, as run.sh runs a .sql step
run_step() {
    local out
    if out=$("$HOSTS" ssh "$1" "PGPASSFILE=\$HOME/.pgpass $HOSTS_PGBIN/psql -X -q -v ON_ERROR_STOP=1 -d 'dbname=$DB user=postgres'" \
            <"$WORK/out/vm$1/$2" 2>&1); then
        ok "(b) vm$1's $2 ran by itself"
    else
        not_ok "(b) vm$1's $2 ran by itself"; echo "$out" | diag
    fi
}
run_step 2 publications.sql
run_step 3 subscribe.subs3_test2.sql
poll "(b) vm3: subs3_test2 is there, disabled and unmarked (what the interrupted run left)" 3 "$SUBS" \
    "subs3_test1 true true, subs3_test2 false false, subs3_test3 false declared"
replc_run b_dry --apply --dry-run
expect_rc b_dry 3 "(b) --dry-run exits 3: changes pending"
has b_dry out '^\[[0-9]+/[0-9]+\] vm3 +enable\.sql +would change ' "(b) --dry-run: vm3's enable.sql would change"
replc_run b_status --status
expect_rc b_status 1 "(b) --status exits 1: not as described"
has b_status out '^\[[0-9]+/[0-9]+\] vm3 +enable\.sql +differs ' "(b) --status: vm3's enable.sql differs"
replc_run b --apply
expect_rc b 0 "(b) --apply again exits 0"
has b out '^\[[0-9]+/[0-9]+\] vm3 +enable\.sql +changed ' "(b) vm3's enable.sql changed something"
poll "(b) vm3: subs3_test2 enabled and marked now; subs3_test3 still disabled" 3 "$SUBS" \
    "subs3_test1 true true, subs3_test2 true true, subs3_test3 false declared"
poll "(b) vm3: an apply worker for each of the two" 3 "$WORKERS" "subs3_test1 subs3_test2"
q 2 "insert into test2 values (1002, 'b')" >/dev/null
poll "(b) vm3 has test2's rows again (copied anew, then the new one)" 3 "select count(*) from test2" 2

# ------------------------------------------------------------------ (c)

note "(c) a subscription of replc's that the DBA disabled"
ok_sql "(c) vm3: the DBA disables subs3_test1" 3 "alter subscription subs3_test1 disable"
replc_run c --apply
expect_rc c 0 "(c) --apply exits 0"
has c out '^nothing to do: the cluster is as described$' "(c) --apply: nothing to do"
poll "(c) vm3: subs3_test1 stays disabled, subs3_test3 too" 3 "$SUBS" \
    "subs3_test1 false true, subs3_test2 true true, subs3_test3 false declared"

finish
