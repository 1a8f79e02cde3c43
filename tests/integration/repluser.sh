#!/bin/bash
# tests/integration/repluser.sh: replication_user on four real hosts
# (tests/hosts/hosts.sh). LANGUAGE.md's example cluster with
#
#     replication_user repl_agent;
#     replication_password env REPLC_REPL_PASSWORD;
#
# in its defaults, the admin user staying postgres (a superuser). In order:
#
#   (a) --apply on the fresh cluster: exit 0; rows replicate both ways and to
#       the standby (example_checks);
#   (b) no subscription or standby connects as a superuser: on vm1 and vm2
#       (publishers) and vm3 (vm4's source) every walsender in
#       pg_stat_replication is repl_agent; repl_agent exists there with
#       LOGIN, REPLICATION, a SCRAM password and no SUPERUSER; it reads only
#       the published tables (SELECT on vm1's test1, not on its test2, which
#       vm1 subscribes to); the subscriptions' connection strings and vm4's
#       primary_conninfo name repl_agent;
#   (c) the scripts' way of setting the password: with repl_agent's password
#       removed on vm2 and its walsenders ended, vm2's compiled role.sql run
#       on vm2 by psql (the password from the environment there) sets it
#       again, and vm1's and vm3's subscriptions reconnect as repl_agent;
#   (d) a second --apply: exit 0, "0 changed", subscriptions, slots and
#       server start times unchanged;
#   (e) the password (with a quote, a colon and a backslash in it) appears
#       nowhere in the compiled tree, replc's output and the servers' logs.
#
# Usage (root):  tests/integration/repluser.sh
# Env: REPLC (default: ./replc of the repo), ITEST_KEEP=1 (leave the hosts
#      up), ITEST_RUN_TIMEOUT (s, per replc run, default 120),
#      ITEST_POLL_TIMEOUT (s, 30), REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET.
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=repl
# a password that quoting must get right: ' : \ and a space
SECRET="rEpl'ag:ent\\s3cret $$"

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

bed_begin repluser
hosts_up

TOPO=$WORK/itest.rc
example_topology "$TOPO" "replication_user test"
sed -i 's/^    user     postgres;$/&\n    replication_user repl_agent;\n    replication_password env REPLC_REPL_PASSWORD;/' "$TOPO"
if grep -q '^    replication_user repl_agent;$' "$TOPO" && "$REPLC" --check "$TOPO" >"$WORK/check.log" 2>&1; then
    ok "the example with replication_user repl_agent passes replc --check"
else
    not_ok "the example with replication_user repl_agent passes replc --check"; diag <"$WORK/check.log"; finish
fi
OUT=$WORK/tree
"$REPLC" "$TOPO" -o "$OUT" >/dev/null 2>"$WORK/compile.err" || { not_ok "compiles"; diag <"$WORK/compile.err"; }

# replc_run NAME ARGS...: replc TOPO ARGS; NAME.out, NAME.err; sets RC and MS
replc_run() {
    local name=$1 t; shift
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW REPLC_REPL_PASSWORD=$SECRET \
        timeout "$RUN_TIMEOUT" "$REPLC" "$TOPO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

# ------------------------------------------------------------------ (a)

note "(a) --apply on the fresh cluster"
replc_run apply1 --apply
expect_rc apply1 0 "(a) replc --apply exits 0" || finish
has apply1 out '^\[[0-9]+/[0-9]+\] vm1 +role\.sql +changed' "(a) vm1's role step made the replication role"
example_checks "(a) "

# ------------------------------------------------------------------ (b)

WALSENDERS="select count(*) || ' ' || count(*) filter (where usename <> 'repl_agent') from pg_stat_replication"
poll "(b) vm1: both subscriptions to it (vm2, vm3) stream as repl_agent, no other walsender" 1 "$WALSENDERS" "2 0" postgres
poll "(b) vm2: both subscriptions to it (vm1, vm3) stream as repl_agent, no other walsender" 2 "$WALSENDERS" "2 0" postgres
poll "(b) vm3: its standby vm4 streams as repl_agent, no other walsender" 3 "$WALSENDERS" "1 0" postgres
ROLE="select rolcanlogin || ' ' || rolreplication || ' ' || rolsuper || ' ' || (rolpassword like 'SCRAM-SHA-256\$%') from pg_authid where rolname = 'repl_agent'"
for i in 1 2 3 4; do
    poll "(b) vm$i: repl_agent can log in, has REPLICATION and a SCRAM password, is no superuser" "$i" "$ROLE" "true true false true" postgres
done
poll "(b) vm1: repl_agent reads the table vm1 publishes (test1), not the one it subscribes to (test2)" 1 \
    "select has_table_privilege('repl_agent', 'test1', 'SELECT') || ' ' || has_table_privilege('repl_agent', 'test2', 'SELECT')" "true false"
for i in 1 2 3; do
    poll "(b) vm$i: every subscription connects as repl_agent (subconninfo)" "$i" \
        "select count(*) || ' ' || bool_and(subconninfo like '%user=repl_agent%') from pg_subscription" \
        "$( [ $i = 3 ] && echo 2 || echo 1 ) true"
done
poll "(b) vm4: primary_conninfo connects as repl_agent" 4 \
    "select current_setting('primary_conninfo') ~ 'user=''?repl_agent'" t postgres

# ------------------------------------------------------------------ (c)

note "(c) the scripts' password statement: vm2's role.sql run by psql on vm2"
q 2 "alter role repl_agent password null" postgres >/dev/null
q 2 "select count(pg_terminate_backend(pid)) from pg_stat_replication" postgres >/dev/null
poll "(c) vm2: repl_agent has no password now" 2 "select rolpassword is null from pg_authid where rolname = 'repl_agent'" t postgres
# shellcheck disable=SC2086,SC2016 # options split; the remote shell expands $HOME
if put_tree "$OUT" vm2 2 replc-repluser &&
    printf '%s\n' "$SECRET" | timeout 60 ssh $HOSTS_SSH_OPTS "postgres@${IP[2]}" \
        'IFS= read -r REPLC_REPL_PASSWORD; export REPLC_REPL_PASSWORD; cd "$HOME/replc-repluser/vm2" && psql -X -v ON_ERROR_STOP=1 -d postgres -f role.sql' \
        >"$WORK/role-vm2.out" 2>&1; then
    ok "(c) vm2's role.sql runs (exit 0)"
else
    not_ok "(c) vm2's role.sql runs (exit 0)"; diag <"$WORK/role-vm2.out"
fi
if grep -q "replc-result: changed" "$WORK/role-vm2.out"; then ok "(c) vm2's role.sql says it changed something"
else not_ok "(c) vm2's role.sql says it changed something"; diag <"$WORK/role-vm2.out"; fi
poll "(c) vm2: repl_agent has a SCRAM password again" 2 \
    "select rolpassword like 'SCRAM-SHA-256\$%' from pg_authid where rolname = 'repl_agent'" t postgres
poll "(c) vm2: the subscriptions of vm1 and vm3 reconnect as repl_agent" 2 "$WALSENDERS" "2 0" postgres
if ins 2 "insert into test2 values (50, 'after-c')"; then
    for i in 1 3 4; do poll "(c) a test2 row reaches vm$i after the reconnect" "$i" "select count(*) from test2 where k2 = 50" 1; done
fi

# ------------------------------------------------------------------ (d)

note "(d) a second --apply on the converged cluster"
state_snapshot "$WORK/before"
replc_run again --apply
state_snapshot "$WORK/after"
expect_rc again 0 "(d) second replc --apply exits 0"
has again out '^0 changed, [0-9]+ ok, 0 failed, 0 not run, total [0-9.]+s$' "(d) second --apply: 0 changed"
unchanged "$WORK/before" "$WORK/after" "(d) second --apply: same rows, subscriptions, slots, start times and pg_hba rules"

# ------------------------------------------------------------------ (e)

note "(e) the password is written nowhere"
for i in 1 2 3 4; do "$HOSTS" log "$i" >"$WORK/server-vm$i.log" 2>&1; done
leaks=$(grep -rlF -- "$SECRET" "$OUT" "$WORK"/*.out "$WORK"/*.err "$WORK"/server-vm*.log 2>/dev/null)
if [ -z "$leaks" ]; then
    ok "(e) the password is in no file of the compiled tree, no replc output and no server log"
else
    not_ok "(e) the password is in no file of the compiled tree, no replc output and no server log"
    echo "$leaks" | diag
fi
if grep -rq "REPLC_REPL_PASSWORD" "$OUT/vm1/role.sql" && grep -q 'repl_agent' "$WORK/server-vm1.log"; then
    ok "(e) the check can see: role.sql names the variable, vm1's log names the role"
else
    not_ok "(e) the check can see: role.sql names the variable, vm1's log names the role"
fi
finish
