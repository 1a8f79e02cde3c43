#!/bin/bash
# tests/integration/apply.sh: replc --apply, run for real from the admin side
# against four hosts (tests/hosts/hosts.sh: one network namespace, sshd and
# PostgreSQL server per host). The topology is scripts.sh's:
#
#   vm1 publishes test1, subscribes to vm2's test2
#   vm2 publishes test2, subscribes to vm1's test1
#   vm3 subscribes to both
#   vm4 is a hot standby of vm3
#
# replc runs in the root namespace with REPLC_SSH="ssh $HOSTS_SSH_OPTS" and the
# password in REPLC_TEST_PASSWORD (the topology says `password env
# REPLC_TEST_PASSWORD;`). In order:
#
#   (a) --apply --dry-run on the fresh cluster: exit 3, says what would
#       change, and changes nothing (catalogs, settings, pg_hba.conf, files
#       and start times compared before and after on every node);
#   (b) --apply: exit 0; then what a DBA would check (rows both ways, UPDATE
#       and DELETE replicate, vm4 in recovery and streaming from vm3, vm3's
#       pg_stat_replication lists vm4, every table synchronised);
#   (d1) while (b)'s apply runs, a second --apply is started: it must fail in
#       preflight naming another replc --apply, on every node;
#   (c) a second --apply: exit 0, "0 changed" and "nothing to do", row
#       counts, subscription oids, slots and server start times unchanged;
#   (d2) the cluster lock held by a psql session on vm2
#       (pg_advisory_lock(727270, lock_key itest)): --apply fails in preflight naming
#       another replc --apply on vm2, and changes nothing; released, --apply
#       succeeds again;
#   (e) vm3 raised (`set max_connections = 150` added to the topology) while
#       vm4 streams from it: --apply raises vm4 first (its raise step runs
#       before vm3's restart), both end at 150, vm4 streams, and vm4's server
#       log never says its replay paused for insufficient settings.
#
# Usage (root):  tests/integration/apply.sh
# Env: REPLC (default: ./replc of the repo, built with make when missing),
#      ITEST_KEEP=1 (leave the hosts up and the work dir in place),
#      ITEST_RUN_TIMEOUT (s, per replc run, default 120), ITEST_POLL_TIMEOUT (s, 30).
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=repl

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*: another run is using the harness)"
    finish
fi

WORK=$(mktemp -d /tmp/replc-apply.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE
LOCKER_PID=

cleanup() {
    if [ -n "$LOCKER_PID" ]; then exec 7>&- 2>/dev/null; kill "$LOCKER_PID" 2>/dev/null; fi
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



# ------------------------------------------------------------------ topology

TOPO=$WORK/itest.rc
example_topology "$TOPO" "replc --apply integration test"
if "$REPLC" --check "$TOPO" >"$WORK/check.log" 2>&1; then
    ok "replc --check itest.rc exits 0"
else
    not_ok "replc --check itest.rc exits 0"; diag <"$WORK/check.log"; finish
fi

# ------------------------------------------------------------------ running replc

# replc_start NAME ARGS...: replc TOPO ARGS in the background; NAME.out, NAME.err, NAME.rc
replc_start() {
    local name=$1; shift
    rm -f "$WORK/$name.rc"
    {
        t=$(now_ms)
        REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
            timeout "$RUN_TIMEOUT" "$REPLC" "$TOPO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
        rc=$?
        echo $(( $(now_ms) - t )) >"$WORK/$name.ms"
        echo "$rc" >"$WORK/$name.rc"
    } &
    eval "PID_$name=\$!"
}
# replc_wait NAME: sets RC and MS
replc_wait() {
    local pid
    eval "pid=\$PID_$1"
    wait "$pid" 2>/dev/null
    RC=$(cat "$WORK/$1.rc" 2>/dev/null || echo 255)
    MS=$(cat "$WORK/$1.ms" 2>/dev/null || echo 0)
}
replc_run() { replc_start "$@"; replc_wait "$1"; }

# ------------------------------------------------------------------ catalogs


# ------------------------------------------------------------------ (a) dry run

note "(a) --apply --dry-run on the fresh cluster"
catalog >"$WORK/a.before"
replc_run dry --apply --dry-run
catalog >"$WORK/a.after"
expect_rc dry 3 "(a) replc --apply --dry-run exits 3 (changes pending)"
has dry out '^replc: preflight: every node reachable.*dry run: nothing will be changed' \
    "(a) dry run: preflight passes and says nothing will be changed"
has dry out '^[1-9][0-9]* would change, [0-9]+ ok, 0 failed, 0 not run, total [0-9.]+s$' \
    "(a) dry run: summary says N would change (N > 0), 0 failed"
has dry out '^\[[0-9]+/[0-9]+\] vm1 +database\.sql +would change' \
    "(a) dry run: vm1's database.sql would change (database repl is missing)"
has dry out '^\[[0-9]+/[0-9]+\] vm4 +basebackup\.sh +would change' \
    "(a) dry run: vm4's basebackup.sh would change"
hasnt dry out '^ +ran: |^FAILED|nothing to do' "(a) dry run: ran no statement, no failure, no 'nothing to do'"
# vm1's config.sql would raise wal_level to logical, which takes a restart
has dry out '^\[[0-9]+/[0-9]+\] vm1 +restart\.sh +would change' \
    "(a) dry run: vm1's restart.sh would change (wal_level = logical needs a restart)"
unchanged "$WORK/a.before" "$WORK/a.after" \
    "(a) dry run changed nothing on any node (databases, relations, publications, subscriptions, slots, settings, pg_hba rules, start/reload times, files)"
# --status on the fresh cluster: not as described, exit 1, nothing changed
replc_run status0 --status
catalog >"$WORK/a.after2"
expect_rc status0 1 "(a) --status on the fresh cluster exits 1"
has status0 out '^replc: status: [1-9][0-9]* step\(s\) not as the topology describes$' "(a) --status says what differs"
unchanged "$WORK/a.after" "$WORK/a.after2" "(a) --status changed nothing on any node"

# ------------------------------------------------------------------ (b) apply, (d1) a second apply meanwhile

note "(b) --apply on the fresh cluster; (d1) a second --apply while it runs"
replc_start apply1 --apply
# wait until the first apply has restarted vm1 and vm2 (wal_level), then
# start a second one. vm3 needs no restart; vm4 is being rebuilt meanwhile.
restarted() { grep -qE "^\[[0-9]+/[0-9]+\] $1 +restart\.sh +(changed|ok|failed)" "$WORK/apply1.out" 2>/dev/null; }
deadline=$(( $(now_ms) + 60000 ))
while ! { restarted vm1 && restarted vm2; } && [ ! -f "$WORK/apply1.rc" ] && [ "$(now_ms)" -lt "$deadline" ]; do
    sleep 0.05
done
if [ -f "$WORK/apply1.rc" ] || ! restarted vm1 || ! restarted vm2; then
    not_ok "(d1) a second --apply while the first runs: the first ended (or took 60 s) before vm1 and vm2 restarted"
else
    # the first may end while the second is in its preflight (the apply is
    # fast now); the second checks the lock at its start, and the checks
    # below see that it found the first's lock
    first_running=$([ -f "$WORK/apply1.rc" ] && echo no || echo yes)
    replc_run apply2 --apply
    if [ "$first_running" = yes ]; then
        ok "(d1) the second --apply started while the first was still running"
    else
        not_ok "(d1) the second --apply started while the first was still running (cannot tell: the first had ended)"
    fi
    expect_rc apply2 1 "(d1) a second --apply while the first runs exits 1"
    has apply2 err '^replc: preflight found [0-9]+ problem\(s\); nothing was changed:$' \
        "(d1) the second --apply stops in preflight"
    has apply2 err "^  - node 'vm[1-4]': another replc --apply is running" \
        "(d1) the second --apply names another replc --apply"
    hasnt apply2 out '^\[[0-9]+/[0-9]+\] ' "(d1) the second --apply started no step"
    # the first apply restarted vm1 and vm2 before the second started; its
    # lock must still hold there (vm4, being rebuilt, may not answer at all)
    missing=
    for n in vm1 vm2 vm3; do
        grep -qE "^  - node '$n': another replc --apply is running" "$WORK/apply2.err" || missing+=" $n"
    done
    if [ -z "$missing" ]; then
        ok "(d1) the second --apply finds the first's lock on vm1, vm2 (restarted by the first) and vm3"
    else
        not_ok "(d1) the second --apply finds the first's lock on vm1, vm2 (restarted by the first) and vm3; not on:$missing"
        note "the first apply had restarted vm1 and vm2 when the second started; lines of the second's stderr:"
        grep -E '^  - ' "$WORK/apply2.err" | diag
        for i in 1 2 3 4; do
            note "vm$i: advisory locks (727270, $(lock_key itest)) now: $(q "$i" "select count(*) from pg_locks where locktype = 'advisory' and classid = 727270 and objid = $(lock_key itest) and granted" postgres)"
        done
    fi
    has apply2 err "another replc --apply is running \(replc apply from $ADMIN_IP since " \
        "(d1) the lock message says who holds it (replc apply from $ADMIN_IP since ...)"
fi
replc_wait apply1
expect_rc apply1 0 "(b) replc --apply exits 0"
has apply1 out '^[1-9][0-9]* changed, [0-9]+ ok, 0 failed, 0 not run, total [0-9.]+s$' \
    "(b) summary: N changed (N > 0), 0 failed, 0 not run"
hasnt apply1 out '^FAILED|^not run:' "(b) no step failed or was left out"
APPLY1_FAILED=$RC
if [ "$APPLY1_FAILED" != 0 ]; then
    POLL_TIMEOUT=${ITEST_POLL_TIMEOUT_AFTER_FAIL:-2}
    note "the apply failed: the checks below poll for ${POLL_TIMEOUT}s only"
fi

# ------------------------------------------------------------------ (b) checks

example_checks "(b) "

if [ "$APPLY1_FAILED" != 0 ]; then
    not_ok "(c), (d2): skipped, the first --apply failed"
    finish
fi

# ------------------------------------------------------------------ (c) second apply

snapshot() {   # snapshot FILE-PREFIX (as scripts.sh)
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
    unchanged "$WORK/before.$1" "$WORK/after.$1" "$2"
}

note "(c) a second --apply on the converged cluster"
snapshot "$WORK/before"
note "before the 2nd apply:"; cat "$WORK/before.counts" "$WORK/before.subs" "$WORK/before.slots" | diag
replc_run again --apply
snapshot "$WORK/after"
expect_rc again 0 "(c) second replc --apply exits 0"
has again out '^0 changed, [0-9]+ ok, 0 failed, 0 not run, total [0-9.]+s$' "(c) second --apply: 0 changed, 0 failed, 0 not run"
has again out '^nothing to do: the cluster is as described$' "(c) second --apply says: nothing to do"
hasnt again out '^ +ran: |  changed  \(' "(c) second --apply ran no statement, no step changed"
same counts "(c) second --apply: same row counts on every node"
same subs   "(c) second --apply: same subscriptions (pg_subscription oids) on every node"
same slots  "(c) second --apply: same replication slots on every node"
same start  "(c) second --apply: no server restarted (pg_postmaster_start_time)"
replc_run status1 --status
expect_rc status1 0 "(c) --status on the converged cluster exits 0"
has status1 out '^replc: status: the cluster is as described$' "(c) --status says the cluster is as described"
if ins 1 "insert into test1 values (4, 'd1')" && ins 2 "insert into test2 values (40, 'w2')"; then
    for i in 2 3 4; do poll "(c) after the 2nd apply, a new test1 row reaches vm$i" "$i" "$T1" '1:a1,2:b1-upd,4:d1'; done
    for i in 1 3 4; do poll "(c) after the 2nd apply, a new test2 row reaches vm$i" "$i" "$T2" '20:y2-upd,30:z2,40:w2'; done
fi

# ------------------------------------------------------------------ (d2) lock held by psql

note "(d2) the cluster lock held by a psql session on vm2"
mkfifo "$WORK/locker.in"
PGPASSWORD=$PW PGAPPNAME=itest-locker psql -X -q -At -h "$H2_IP" -U postgres -d postgres \
    <"$WORK/locker.in" >"$WORK/locker.out" 2>&1 &
LOCKER_PID=$!
exec 7>"$WORK/locker.in"
echo "SELECT pg_advisory_lock(727270, $(lock_key itest));" >&7
LOCKQ="select count(*) from pg_locks l join pg_stat_activity a using (pid)
       where l.locktype = 'advisory' and l.classid = 727270 and l.objid = $(lock_key itest) and l.granted
         and a.application_name = 'itest-locker'"
deadline=$(( $(now_ms) + 10000 ))
until [ "$(q 2 "$LOCKQ" postgres)" = 1 ] || [ "$(now_ms)" -ge "$deadline" ]; do sleep 0.1; done
if [ "$(q 2 "$LOCKQ" postgres)" = 1 ]; then
    ok "(d2) a psql session on vm2 holds the cluster lock (727270, $(lock_key itest))"
    catalog >"$WORK/d.before"
    replc_run locked --apply
    catalog >"$WORK/d.after"
    expect_rc locked 1 "(d2) --apply while psql holds the lock on vm2 exits 1"
    has locked err '^replc: preflight found [0-9]+ problem\(s\); nothing was changed:$' "(d2) it stops in preflight"
    has locked err "^  - node 'vm2': another replc --apply is running" "(d2) it names another replc --apply on vm2"
    has locked err "another replc --apply is running \(itest-locker from $ADMIN_IP since " \
        "(d2) the lock message says who holds it (itest-locker from $ADMIN_IP since ...)"
    hasnt locked out '^\[[0-9]+/[0-9]+\] ' "(d2) it started no step"
    unchanged "$WORK/d.before" "$WORK/d.after" "(d2) it changed nothing on any node"
    # release: the lock is gone with the session, and --apply works again
    echo '\q' >&7
    exec 7>&-
    wait "$LOCKER_PID" 2>/dev/null
    LOCKER_PID=
    replc_run unlocked --apply
    expect_rc unlocked 0 "(d2) once the psql session ends, --apply exits 0"
    has unlocked out '^nothing to do: the cluster is as described$' "(d2) ... and says nothing to do"
else
    not_ok "(d2) a psql session on vm2 holds the cluster lock (727270, $(lock_key itest))"; diag <"$WORK/locker.out"
fi

# ------------------------------------------------------------------ (e) raise a source

note "(e) max_connections raised on vm3, the source of the streaming standby vm4"
sed -e '/^node vm3 {$/a\    set max_connections = 150;' "$TOPO" >"$WORK/raised.rc"
if ! grep -q 'max_connections = 150' "$WORK/raised.rc"; then
    not_ok "(e) the raised topology has vm3's set max_connections"; finish
fi
log_mark 4
TOPO_SAVED=$TOPO
TOPO=$WORK/raised.rc
replc_run raise --apply
TOPO=$TOPO_SAVED
expect_rc raise 0 "(e) --apply of the raised topology exits 0"
has raise out "vm4 +raise\.sh.*changed" "(e) vm4's raise step changed something"
raise_line=$(grep -nE 'vm4 +raise\.sh.*changed' "$WORK/raise.out" | head -1 | cut -d: -f1)
restart_line=$(grep -nE 'vm3 +restart\.sh.*changed' "$WORK/raise.out" | head -1 | cut -d: -f1)
if [ -n "$raise_line" ] && [ -n "$restart_line" ] && [ "$raise_line" -lt "$restart_line" ]; then
    ok "(e) vm4 was raised (output line $raise_line) before vm3 restarted (line $restart_line)"
else
    not_ok "(e) vm4 was raised before vm3 restarted (raise line '${raise_line}', restart line '${restart_line}')"
    show raise
fi
for i in 3 4; do
    poll "(e) max_connections is 150 on vm$i" "$i" "show max_connections" 150 postgres
done
poll "(e) vm4 streams from vm3 after the raise" 4 "select status from pg_stat_wal_receiver" streaming postgres
no_replay_pause "(e) " 4
if ins 1 "insert into test1 values (5, 'e1')"; then
    poll "(e) a test1 row written on vm1 after the raise reaches vm4" 4 \
        "select count(*) from test1 where k1 = 5" 1
fi

finish
