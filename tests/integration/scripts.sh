#!/bin/bash
# tests/integration/scripts.sh: replc's generated per-host scripts, run for
# real on four hosts (tests/hosts/hosts.sh: one network namespace, sshd and
# PostgreSQL server per host).
#
#   vm1 publishes test1, subscribes to vm2's test2
#   vm2 publishes test2, subscribes to vm1's test1
#   vm3 subscribes to both
#   vm4 is a hot standby of vm3
#
# The four run.sh are started at once, each on its own host over ssh, as the
# postgres OS user, with the password in the environment (sent over ssh's
# stdin, never on a command line). Each node's folder OUT/<node>/ is copied to
# its host first (~/replc-itest/<node>), as a DBA would copy it to a server;
# ITEST_IN_PLACE=1 runs OUT/<node>/run.sh in place instead.
# Then it checks from the admin side what a DBA would, runs every run.sh a
# second time and checks that nothing changed. Last, vm3 is raised
# (`set max_connections = 150`) while vm4 streams from it, and vm3's run.sh is
# started alone: its restart must wait for vm4's raise step, which comes only
# when vm4's run.sh is started a few seconds later; vm4's replay never pauses.
# A data directory an earlier rebuild replaced, whose deletion was cut short
# (vm4's $PGDATA.replc-old.4242), is removed by vm4's next run.sh.
# Then vm4 is stopped and vm3 raised again: vm3 does not wait for a standby
# that does not answer, and vm4's run.sh starts it, raises it, and it streams.
#
# Usage (root):  tests/integration/scripts.sh
# Env: REPLC (default: ./replc of the repo, built with make when missing),
#      ITEST_KEEP=1 (leave the hosts up and the work dir in place),
#      ITEST_RUN_TIMEOUT (s, per run.sh, default 90), ITEST_POLL_TIMEOUT (s, 30).
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-90}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
NODES=(vm1 vm2 vm3 vm4)
DB=repl

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }

WORK=$(mktemp -d /tmp/replc-itest.XXXXXX)
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

# ------------------------------------------------------------------ build

build_replc

# ------------------------------------------------------------------ hosts

hosts_up



# ------------------------------------------------------------------ compile

TOPO=$WORK/itest.rc
example_topology "$TOPO" "replc integration test"

OUT=$WORK/out
if "$REPLC" "$TOPO" -o "$OUT" >"$WORK/replc.log" 2>&1; then
    ok "replc itest.rc -o OUT exits 0"
else
    not_ok "replc itest.rc -o OUT exits 0 (status $?)"; diag <"$WORK/replc.log"; finish
fi
missing=
for n in "${NODES[@]}"; do [ -f "$OUT/$n/run.sh" ] || missing+=" $n/run.sh"; done
if [ -z "$missing" ]; then ok "OUT/<node>/run.sh written for vm1..vm4"
else not_ok "OUT/<node>/run.sh written for vm1..vm4 (missing:$missing)"; ls -R "$OUT" | diag; finish; fi
chmod -R a+rX "$OUT"

# ------------------------------------------------------------------ run

# deploy NODE I: copy OUT/NODE to host I as ~/replc-itest/NODE (owned by postgres)
deploy() { put_tree "$OUT" "$1" "$2" replc-itest; }

if [ "${ITEST_IN_PLACE:-}" = 1 ]; then
    rundir() { printf '%q' "$OUT/$1"; }
else
    for i in 1 2 3 4; do
        deploy "${NODES[$((i - 1))]}" "$i" || { not_ok "copy OUT/vm$i to host vm$i"; finish; }
    done
    rundir() { printf '"$HOME"/replc-itest/%s' "$1"; }
fi

# ERROR/FATAL/PANIC/WARNING lines of a server log, with the DETAIL, HINT,
# STATEMENT and CONTEXT lines of the same process that follow them
server_errors() {
    awk '{ pid = $4 }
         / (ERROR|FATAL|PANIC|WARNING): / { print; keep = pid; next }
         / (DETAIL|HINT|STATEMENT|CONTEXT): / && pid == keep { print; next }
         { keep = "" }'
}

# run_all ROUND: start every run.sh at once; one check per host
run_all() {
    local round=$1 i node pids=() rc t0 dt base timed_out=
    RUN_FAILED=0
    t0=$(now_ms)
    for i in 1 2 3 4; do
        node=${NODES[$((i - 1))]}
        base=$WORK/run$round-$node
        {
            # shellcheck disable=SC2086
            timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$i]}" \
                "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $(rundir "$node") && sh run.sh" \
                <<<"$PW" >"$base.log" 2>&1
            echo $? >"$base.rc"
            now_ms >"$base.end"
        } &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for i in 1 2 3 4; do
        node=${NODES[$((i - 1))]}
        base=$WORK/run$round-$node
        rc=$(cat "$base.rc" 2>/dev/null || echo 255)
        dt=$(( ($(cat "$base.end" 2>/dev/null || now_ms) - t0) / 100 ))
        if [ "$rc" = 0 ]; then
            ok "$node: run.sh ($round. run) exits 0 [$((dt / 10)).$((dt % 10)) s]"
        else
            RUN_FAILED=$((RUN_FAILED + 1))
            if [ "$rc" = 124 ]; then
                not_ok "$node: run.sh ($round. run) timed out after ${RUN_TIMEOUT}s"
            else
                not_ok "$node: run.sh ($round. run) exits 0 (status $rc after $((dt / 10)).$((dt % 10)) s)"
            fi
            note "--- output of run.sh on $node ($round. run):"
            diag <"$base.log"
            note "--- $node's server log, last errors and warnings:"
            "$HOSTS" log "$i" 2>/dev/null | grep -vF " $ADMIN_IP " | server_errors | tail -20 | diag
        fi
        [ "$rc" = 124 ] && timed_out=1
    done
    if [ -n "$timed_out" ]; then
        # what every server is busy with (lock waits, waits on a peer)
        for i in 1 2 3 4; do
            note "--- vm$i: pg_stat_activity (pid|type|application|client|wait|xid|query):"
            q "$i" "select pid, backend_type, application_name, client_addr, wait_event_type || ':' || wait_event,
                           backend_xid, regexp_replace(left(query, 100), '\s+', ' ', 'g')
                    from pg_stat_activity
                    where pid <> pg_backend_pid() and state is distinct from 'idle'
                      and backend_type in ('client backend', 'walsender', 'logical replication worker')
                    order by pid" postgres | diag
        done
    fi
}

# The standby's script refuses a data directory that holds user data (no
# "with (force)" in the topology), before it waits for anything, and leaves it.
q 4 "create database userdata" postgres >/dev/null 2>&1
# shellcheck disable=SC2086
timeout 60 ssh $HOSTS_SSH_OPTS "postgres@${IP[4]}" \
    "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $(rundir vm4) && sh run.sh" \
    <<<"$PW" >"$WORK/refuse-vm4.log" 2>&1
rc=$?
if [ "$rc" != 0 ] && grep -q "holds user data" "$WORK/refuse-vm4.log" && grep -q "with (force)" "$WORK/refuse-vm4.log"; then
    ok "vm4: run.sh refuses to replace a data directory with user data (says 'with (force)')"
else
    not_ok "vm4: run.sh refuses to replace a data directory with user data (exit $rc)"; diag <"$WORK/refuse-vm4.log"
fi
if [ "$(q 4 "select count(*) from pg_database where datname = 'userdata'" postgres)" = 1 ]; then
    ok "vm4: the user's database is still there"
else
    not_ok "vm4: the user's database is still there"
fi
q 4 "drop database userdata" postgres >/dev/null 2>&1

run_all 1
FIRST_FAILED=$RUN_FAILED
if [ "$RUN_FAILED" != 0 ]; then
    POLL_TIMEOUT=${ITEST_POLL_TIMEOUT_AFTER_FAIL:-2}
    note "$RUN_FAILED run.sh failed: the checks below poll for ${POLL_TIMEOUT}s only"
fi

# ------------------------------------------------------------------ checks

example_checks ""

# ------------------------------------------------------------------ second run

snapshot() {   # snapshot FILE-PREFIX
    local i
    for i in 1 2 3 4; do
        echo "vm$i $(q "$i" 'select (select count(*) from test1) || $$ test1, $$ || (select count(*) from test2) || $$ test2$$')"
    done >"$1.counts"
    for i in 1 2 3 4; do
        echo "vm$i $(q "$i" 'select coalesce(string_agg(oid || $$ $$ || subname, $$,$$ order by oid), $$-$$) from pg_subscription')"
    done >"$1.subs"
    for i in 1 2 3 4; do
        echo "vm$i $(q "$i" 'select coalesce(string_agg(slot_name || $$ $$ || slot_type, $$,$$ order by slot_name), $$-$$) from pg_replication_slots')"
    done >"$1.slots"
    for i in 1 2 3 4; do
        echo "vm$i $(q "$i" 'select pg_postmaster_start_time()' postgres)"
    done >"$1.start"
}
same() {   # same WHAT DESC
    if grep -qE 'psql:|ERROR:' "$WORK/before.$1" "$WORK/after.$1"; then
        not_ok "$2 (cannot tell: queries failed)"
        grep -hE 'psql:|ERROR:' "$WORK/before.$1" "$WORK/after.$1" | sort -u | diag
    elif diff -u "$WORK/before.$1" "$WORK/after.$1" >"$WORK/diff.$1" 2>&1; then
        ok "$2"
    else
        not_ok "$2"; diag <"$WORK/diff.$1"
    fi
}

if [ "$FIRST_FAILED" != 0 ]; then
    not_ok "2nd run of every run.sh: skipped, $FIRST_FAILED host(s) failed the 1st run"
    finish
fi

snapshot "$WORK/before"
note "before the 2nd run:"; cat "$WORK/before.counts" "$WORK/before.subs" "$WORK/before.slots" | diag
run_all 2
snapshot "$WORK/after"
same counts "2nd run: same row counts on every node"
same subs   "2nd run: same subscriptions (pg_subscription oids) on every node"
same slots  "2nd run: same replication slots on every node"
same start  "2nd run: no server restarted (pg_postmaster_start_time)"

# replication still flows after the second run
if ins 1 "insert into test1 values (4, 'd1')" && ins 2 "insert into test2 values (40, 'w2')"; then
    for i in 2 3 4; do poll "after the 2nd run, a new test1 row reaches vm$i" "$i" "$T1" '1:a1,2:b1-upd,4:d1'; done
    for i in 1 3 4; do poll "after the 2nd run, a new test2 row reaches vm$i" "$i" "$T2" '20:y2-upd,30:z2,40:w2'; done
fi

# ------------------------------------------------------------------ raise vm3, vm4 streaming

note "vm3 raised (max_connections = 150) while vm4 streams from it; vm3's run.sh first, alone"
sed -e '/^node vm3 {$/a\    set max_connections = 150;' "$TOPO" >"$WORK/raised.rc"
if ! "$REPLC" "$WORK/raised.rc" -o "$OUT" >"$WORK/replc-raised.log" 2>&1 || ! grep -q 'max_connections = 150' "$WORK/raised.rc"; then
    not_ok "replc compiles the raised topology"; diag <"$WORK/replc-raised.log"; finish
fi
chmod -R a+rX "$OUT"
if [ "${ITEST_IN_PLACE:-}" != 1 ]; then
    for i in 3 4; do
        deploy "vm$i" "$i" || { not_ok "copy the raised OUT/vm$i to host vm$i"; finish; }
    done
fi
log_mark 4
run_one() {   # run_one NODE I: its run.sh; output in raise-NODE.log, status in raise-NODE.rc
    # shellcheck disable=SC2086
    timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$2]}" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $(rundir "$1") && sh run.sh" \
        <<<"$PW" >"$WORK/raise-$1.log" 2>&1
    echo $? >"$WORK/raise-$1.rc"
}
run_one vm3 3 & p3=$!
# vm3 reaches its restart step and waits there for vm4
deadline=$(( $(now_ms) + 60000 ))
until grep -q "waiting for standby 'vm4' to raise its settings first" "$WORK/raise-vm3.log" 2>/dev/null ||
      [ "$(now_ms)" -ge "$deadline" ] || ! kill -0 "$p3" 2>/dev/null; do sleep 0.2; done
if grep -q "waiting for standby 'vm4' to raise its settings first" "$WORK/raise-vm3.log"; then
    ok "vm3's run.sh, alone, waits before its restart for vm4 to raise its settings"
else
    not_ok "vm3's run.sh, alone, waits before its restart for vm4 to raise its settings"; diag <"$WORK/raise-vm3.log"
fi
check_settings=$(q 3 "show max_connections" postgres)
if [ "$check_settings" = 100 ]; then ok "vm3 has not restarted yet (max_connections still 100)"
else not_ok "vm3 has not restarted yet (max_connections: $check_settings)"; fi
run_one vm4 4
wait "$p3"
for n in vm3 vm4; do
    if [ "$(cat "$WORK/raise-$n.rc")" = 0 ]; then ok "$n: run.sh of the raised topology exits 0"
    else not_ok "$n: run.sh of the raised topology exits 0 (status $(cat "$WORK/raise-$n.rc"))"; diag <"$WORK/raise-$n.log"; fi
done
for i in 3 4; do poll "max_connections is 150 on vm$i" "$i" "show max_connections" 150 postgres; done
poll "vm4 streams from vm3 after the raise" 4 "select status from pg_stat_wal_receiver" streaming postgres
no_replay_pause "" 4
if ins 1 "insert into test1 values (5, 'e1')"; then
    poll "a test1 row written on vm1 after the raise reaches vm4" 4 "select count(*) from test1 where k1 = 5" 1
fi

# ------------------------------------------------------------------ raise vm3 while vm4 is down

note "vm4 stopped; vm3 raised again (max_connections = 200) and restarted without waiting for it"
# shellcheck disable=SC2086
ssh $HOSTS_SSH_OPTS "postgres@${IP[4]}" "PATH=$(printf '%q' "$HOSTS_PGBIN"):\$PATH; pg_ctl -D $(printf '%q' "$HOSTS_PGDATA") -m fast -w stop" \
    >"$WORK/stop-vm4.log" 2>&1 || { not_ok "stop vm4's server"; diag <"$WORK/stop-vm4.log"; }
sed -e 's/set max_connections = 150;/set max_connections = 200;/' "$WORK/raised.rc" >"$WORK/raised2.rc"
if ! "$REPLC" "$WORK/raised2.rc" -o "$OUT" >"$WORK/replc-raised2.log" 2>&1 || ! grep -q 'max_connections = 200' "$WORK/raised2.rc"; then
    not_ok "replc compiles the topology raised to 200"; diag <"$WORK/replc-raised2.log"; finish
fi
chmod -R a+rX "$OUT"
if [ "${ITEST_IN_PLACE:-}" != 1 ]; then
    for i in 3 4; do deploy "vm$i" "$i" || { not_ok "copy OUT/vm$i to host vm$i"; finish; }; done
fi
run_one vm3 3
if [ "$(cat "$WORK/raise-vm3.rc")" = 0 ] && ! grep -q "waiting for standby 'vm4'" "$WORK/raise-vm3.log"; then
    ok "vm3's run.sh exits 0 without waiting for the stopped vm4"
else
    not_ok "vm3's run.sh exits 0 without waiting for the stopped vm4"; diag <"$WORK/raise-vm3.log"
fi
poll "max_connections is 200 on vm3" 3 "show max_connections" 200 postgres
# a replaced data directory whose deletion in the background was cut short
# (as a reboot leaves it): vm4's base backup step finishes it
left=$HOSTS_PGDATA.replc-old.4242
# shellcheck disable=SC2086,SC2029 # the options are words; the path is quoted here
if ssh $HOSTS_SSH_OPTS "postgres@${IP[4]}" "mkdir -p $(printf '%q' "$left/base/1") && echo x > $(printf '%q' "$left/base/1/16384")" \
    </dev/null >"$WORK/left.log" 2>&1; then
    ok "vm4: $left left behind as a cut deletion leaves it"
else
    not_ok "vm4: $left left behind as a cut deletion leaves it"; diag <"$WORK/left.log"
fi
run_one vm4 4
if grep -q "removing $left in the background" "$WORK/raise-vm4.log"; then
    ok "vm4's run.sh says it removes $left"
else
    not_ok "vm4's run.sh says it removes $left"; diag <"$WORK/raise-vm4.log"
fi
gone=
for _ in $(seq 50); do
    # shellcheck disable=SC2086,SC2029 # the options are words; the path is quoted here
    if ssh $HOSTS_SSH_OPTS "postgres@${IP[4]}" "! test -e $(printf '%q' "$left")" </dev/null >/dev/null 2>&1; then gone=1; break; fi
    sleep 0.2
done
if [ -n "$gone" ]; then ok "vm4: $left is gone"; else not_ok "vm4: $left is gone"; fi
if [ "$(cat "$WORK/raise-vm4.rc")" = 0 ] && grep -q "server started" "$WORK/raise-vm4.log" &&
   grep -q "ALTER SYSTEM SET max_connections = 200" "$WORK/raise-vm4.log"; then
    ok "vm4's run.sh starts the stopped standby, raises it and exits 0"
else
    not_ok "vm4's run.sh starts the stopped standby, raises it and exits 0"; diag <"$WORK/raise-vm4.log"
fi
poll "max_connections is 200 on vm4" 4 "show max_connections" 200 postgres
poll "vm4 streams from vm3 again" 4 "select status from pg_stat_wal_receiver" streaming postgres
if ins 1 "insert into test1 values (6, 'f1')"; then
    poll "a test1 row written on vm1 afterwards reaches vm4" 4 "select count(*) from test1 where k1 = 6" 1
fi

finish
