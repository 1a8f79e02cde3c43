#!/bin/bash
# tests/integration/traps.sh: the live data traps, on two fresh hosts
# (tests/hosts/hosts.sh): vm1 publishes, vm2 subscribes. Each case runs by
# the generated scripts (run.sh on the host) and by replc --apply.
#
#   (a) `publish everything all tables` (database audit) while vm1 holds a
#       table without a key (audit_log, made by hand): vm1's run.sh fails in its
#       publications step naming audit_log, and no publication is made;
#       --apply stops in preflight naming vm1, 'everything' and audit_log,
#       nothing changed on either host. With REPLICA IDENTITY FULL on
#       audit_log, --apply converges and UPDATE audit_log works on vm1.
#   (b) a table an initial copy would fill holds rows on vm2: vm2's run.sh
#       refuses before CREATE SUBSCRIPTION, naming test2 and its 2 rows,
#       and --apply's preflight names it too. Emptied, run.sh converges;
#       run again on the converged hosts it refuses nothing (the
#       subscription exists: no copy). A table added to the subscription's
#       publication (test3, 1 row on vm2) is refused before SET/REFRESH
#       PUBLICATION, naming it, by run.sh and by --apply's preflight.
#   (c) a long transaction holds a lock on test1 on vm1 (application_name
#       trap-blocker) while a new publication of test1 is to be made: the
#       step gives up after REPLC_LOCK_TRIES tries of 5 s, naming the
#       blocker, and the publication is not made (run.sh, then --apply);
#       when the blocker ends after the first try, the step succeeds and
#       says it waited (run.sh, then --apply). The same for a slot: an open
#       write transaction on vm1 holds up the slot of a new subscription.
#   (d) a subscription replc made (s4) disabled by the DBA while its
#       publication gains a table (test5): run.sh and --apply refuse, naming
#       s4 and what to do, and leave it disabled without test5; enabled by
#       hand, --apply converges and test5's rows arrive.
#
# Usage (root):  tests/integration/traps.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per run, default 120),
#      ITEST_POLL_TIMEOUT (s, 30).
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=repl
EXAMPLE_NODES=2

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*: another run is using the harness)"
    finish
fi

WORK=$(mktemp -d /tmp/replc-traps.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE

cleanup() {
    [ -z "${BLOCKER:-}" ] || kill "$BLOCKER" 2>/dev/null
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

sql() {   # sql DESC I SQL [DATABASE]: a change made by the DBA
    local out
    if out=$(q "$2" "$3" "${4:-$DB}"); then ok "$1"; return 0; fi
    not_ok "$1"; echo "$out" | diag; return 1
}
is() {   # is DESC I SQL WANT [DATABASE]: SQL on node I gives WANT now
    local got
    got=$(q "$2" "$3" "${5:-$DB}")
    if [ "$got" = "$4" ]; then ok "$1"; return 0; fi
    not_ok "$1"; { echo "query on vm$2: $3"; echo "expected: $4"; echo "got: $got"; } | diag; return 1
}

# topology FILE CLUSTER DATABASE TABLES VM1 VM2: vm1 and vm2 of cluster
# CLUSTER in database DATABASE, with these table lines and node items
topology() {
    cat >"$1" <<EOF
# replc's live data traps test
cluster $2;
defaults {
    version  15;
    port     5432;
    database $3;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}
$4
node vm1 {
    host "$H1_IP";
    $5
}
node vm2 {
    host "$H2_IP";
    $6
}
EOF
}

# replc_run NAME TOPO ARGS...: replc TOPO ARGS; NAME.out, NAME.err; sets RC, MS
replc_run() {
    local name=$1 topo=$2 t; shift 2
    t=$(now_ms)
    env "REPLC_SSH=ssh $HOSTS_SSH_OPTS" "REPLC_TEST_PASSWORD=$PW" ${LOCK_TRIES:+"REPLC_LOCK_TRIES=$LOCK_TRIES"} \
        timeout "$RUN_TIMEOUT" "$REPLC" "$topo" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
    return "$RC"
}

# compile NAME TOPO: the scripts into $WORK/NAME, each host's directory on its host
compile() {
    local i
    rm -rf "${WORK:?}/$1"
    if ! "$REPLC" "$2" -o "$WORK/$1" >"$WORK/$1.compile" 2>&1; then
        not_ok "replc compiles $1"; diag <"$WORK/$1.compile"; return 1
    fi
    for i in 1 2; do
        put_tree "$WORK/$1" "vm$i" "$i" traps || { not_ok "copy $1/vm$i to host vm$i"; return 1; }
    done
}

# run_sh NAME I: host I's run.sh of the last compile; NAME.out (both
# streams); sets RC, MS
run_sh() {
    local t
    t=$(now_ms)
    # shellcheck disable=SC2086
    timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$2]}" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; ${LOCK_TRIES:+REPLC_LOCK_TRIES=$LOCK_TRIES; export REPLC_LOCK_TRIES; }cd \"\$HOME/traps/vm$2\" && sh run.sh" \
        <<<"$PW" >"$WORK/$1.out" 2>&1
    RC=$?
    MS=$(( $(now_ms) - t ))
    : >"$WORK/$1.err"
    return "$RC"
}

# what either host holds that a step could make
state() {
    local i
    for i in 1 2; do
        echo "== vm$i"
        q "$i" "select 'db ' || datname from pg_database order by 1" postgres
        q "$i" "select 'slot ' || slot_name from pg_replication_slots order by 1" postgres
        if [ "$(q "$i" "select count(*) from pg_database where datname = '$DB'" postgres)" = 1 ]; then
            q "$i" "select 'publication ' || pubname from pg_publication order by 1"
            q "$i" "select 'subscription ' || subname from pg_subscription order by 1"
            q "$i" "select 'table ' || c.oid::regclass::text || ' ' || c.relreplident::text from pg_class c
                    where c.relkind = 'r' and c.oid >= 16384 order by 1"
        fi
    done
}

# ------------------------------------------------------------------ (a) replica identity of all tables

# its own database and cluster: an all-tables publication carries every table of it
DB=audit
sql "vm1: database audit, made by hand" 1 "create database $DB" postgres
sql "vm1: table audit_log, without a key, holds a row" 1 \
    "create table audit_log (at timestamptz, what text); insert into audit_log values (now(), 'x')"
TOPO=$WORK/traps-a.rc
topology "$TOPO" trapsa audit "table test1 (k1 int primary key, v1 varchar);" \
    "publish everything all tables;" "subscribe all_from_vm1 to vm1 (everything);"
compile a "$TOPO" || finish
run_sh a-vm1 1
expect_rc a-vm1 1 "(a) vm1's run.sh fails"
has a-vm1 out "publication 'everything' publishes updates and deletes, but table\(s\) without a replica identity would be in it: audit_log" \
    "(a) its publications step names audit_log"
is "(a) no publication was made on vm1" 1 "select count(*) from pg_publication" 0
is "(a) no slot was made on vm1" 1 "select count(*) from pg_replication_slots" 0 postgres

state >"$WORK/a-apply.before"
replc_run a-apply "$TOPO" --apply --yes
state >"$WORK/a-apply.after"
expect_rc a-apply 1 "(a) replc --apply exits 1"
has a-apply err "^replc: preflight found [0-9]+ problem\(s\); nothing was changed:$" "(a) --apply stops in preflight"
has a-apply err "node 'vm1': publication 'everything' publishes updates and deletes, but table\(s\) without a replica identity would be in it: audit_log;" \
    "(a) preflight names vm1, the publication and audit_log"
hasnt a-apply out '^\[[0-9]+/[0-9]+\] ' "(a) --apply started no step"
unchanged "$WORK/a-apply.before" "$WORK/a-apply.after" "(a) nothing changed on either host"

sql "vm1: audit_log gets REPLICA IDENTITY FULL" 1 "alter table audit_log replica identity full"
sql "vm2: database audit" 2 "create database $DB" postgres
sql "vm2: audit_log, empty (the all-tables subscription copies it)" 2 "create table audit_log (at timestamptz, what text)"
replc_run a-full "$TOPO" --apply --yes
expect_rc a-full 0 "(a) with REPLICA IDENTITY FULL, replc --apply converges"
poll "(a) vm2 received audit_log's row" 2 "select count(*) from audit_log" 1
sql "(a) UPDATE audit_log works on vm1" 1 "update audit_log set what = 'y'"
poll "(a) the update reached vm2" 2 "select what from audit_log" y

# ------------------------------------------------------------------ (b) initial copy into a table with rows

DB=repl
TABLES="table test1 (k1 int primary key, v1 varchar);
table test2 (k2 int primary key, v2 varchar);
table test3 (k3 int primary key, v3 varchar);"
TOPO_B=$WORK/traps-b.rc
topology "$TOPO_B" traps repl "$TABLES" "publish p2 (test2);" "subscribe s2 to vm1 (p2);"
for i in 1 2; do sql "vm$i: database repl" "$i" "create database $DB" postgres; done
sql "vm1: test2 holds 3 rows" 1 "create table test2 (k2 int primary key, v2 varchar); insert into test2 select g, 'p' from generate_series(1, 3) g"
sql "vm2: test2 holds 2 rows before the subscription" 2 "create table test2 (k2 int primary key, v2 varchar); insert into test2 values (1, 's'), (2, 's')"
compile b "$TOPO_B" || finish
run_sh b-vm1 1
expect_rc b-vm1 0 "(b) vm1's run.sh makes p2"
run_sh b-vm2 2
expect_rc b-vm2 1 "(b) vm2's run.sh fails"
has b-vm2 out "node 'vm2': table\(s\) 'test2' \(2 row\(s\)\) already hold rows, and subscription 's2' would copy the publisher's rows into them \(" \
    "(b) CREATE SUBSCRIPTION s2 is refused naming test2 and its row count"
is "(b) subscription s2 was not made" 2 "select count(*) from pg_subscription where subname = 's2'" 0
replc_run b-apply "$TOPO_B" --apply --yes
expect_rc b-apply 1 "(b) replc --apply exits 1"
has b-apply err "^  - node 'vm2': table 'test2' already holds rows, and subscription 's2' would copy the publisher's rows into it \(" \
    "(b) --apply's preflight names vm2, test2 and s2"
sql "vm2: test2 emptied" 2 "delete from test2"
run_sh b-vm2-2 2
expect_rc b-vm2-2 0 "(b) emptied, vm2's run.sh converges"
poll "(b) vm2's test2 holds vm1's 3 rows" 2 "select count(*) || ' ' || min(v2) from test2" "3 p"
run_sh b-vm2-3 2
expect_rc b-vm2-3 0 "(b) vm2's run.sh again, on the converged hosts, refuses nothing"
has b-vm2-3 out "subscribe\.s2\.sql: .*: ok$" "(b) ... and its subscribe step changes nothing"

# a table added to the subscription's publication (REFRESH copies it)
TOPO_B2=$WORK/traps-b2.rc
topology "$TOPO_B2" traps repl "$TABLES" "publish p2 (test2, test3);" "subscribe s2 to vm1 (p2);"
sql "vm2: test3 holds 1 row before the subscription adds it" 2 \
    "create table test3 (k3 int primary key, v3 varchar); insert into test3 values (1, 's')"
compile b2 "$TOPO_B2" || finish
run_sh b2-vm1 1
expect_rc b2-vm1 0 "(b) vm1's run.sh adds test3 to p2"
run_sh b2-vm2 2
expect_rc b2-vm2 1 "(b) vm2's run.sh fails"
has b2-vm2 out "node 'vm2': table\(s\) 'test3' \(1 row\(s\)\) already hold rows, and subscription 's2' would copy the publisher's rows into them as it adds them" \
    "(b) the REFRESH of s2 is refused naming test3 and its row count"
is "(b) s2 does not have test3" 2 "select count(*) from pg_subscription_rel where srrelid = 'test3'::regclass" 0
replc_run b2-apply "$TOPO_B2" --apply --yes
expect_rc b2-apply 1 "(b) replc --apply exits 1"
has b2-apply err "^  - node 'vm2': table 'test3' already holds rows, and subscription 's2' would copy the publisher's rows into it as it adds it \(" \
    "(b) --apply's preflight names vm2, test3 and s2 (REFRESH)"
sql "vm2: test3 emptied" 2 "delete from test3"
run_sh b2-vm2-2 2
expect_rc b2-vm2-2 0 "(b) emptied, vm2's run.sh converges"

# ------------------------------------------------------------------ (c) lock waits

# blocker SQL: a session on vm1 (application_name trap-blocker) that runs SQL
# and then sleeps in its transaction until it is terminated
blocker() {
    PGAPPNAME=trap-blocker PGPASSWORD=$PW psql -X -q -h "${IP[1]}" -U postgres -d "$DB" \
        -c "begin; $1; select pg_sleep(600)" >"$WORK/blocker.log" 2>&1 &
    BLOCKER=$!
    poll "(c) the blocker holds its lock ($1)" 1 \
        "select count(*) from pg_stat_activity where application_name = 'trap-blocker' and query like '%pg_sleep%'" 1
}
unblock() {
    q 1 "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'trap-blocker'" >/dev/null
    wait "$BLOCKER" 2>/dev/null
    BLOCKER=
}
# until_has NAME REGEX: wait (bounded) until NAME.out holds a line matching REGEX
until_has() {
    local deadline=$(( $(now_ms) + RUN_TIMEOUT * 1000 ))
    until grep -qE -- "$2" "$WORK/$1.out" "$WORK/$1.err" 2>/dev/null; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

# second_wait: wait (bounded) until replc --apply's session on vm1 waits
# behind a lock for the second time (its first try gave up)
second_wait() {
    local first='' got deadline=$(( $(now_ms) + RUN_TIMEOUT * 1000 ))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        got=$(q 1 "select query_start from pg_stat_activity where application_name = 'replc apply'
                   and wait_event_type = 'Lock'" postgres)
        if [ -n "$got" ] && [ -z "$first" ]; then first=$got
        elif [ -n "$got" ] && [ "$got" != "$first" ]; then return 0; fi
        sleep 0.2
    done
    return 1
}

LOCK_TRIES=2
TOPO_C=$WORK/traps-c.rc
topology "$TOPO_C" traps repl "$TABLES" "publish p2 (test2, test3);
    publish p3 (test1);" "subscribe s2 to vm1 (p2);"
compile c "$TOPO_C" || finish
sql "vm1: test1, made by hand (the blocker locks it)" 1 "create table test1 (k1 int primary key, v1 varchar)"
blocker "lock table test1 in access exclusive mode"
run_sh c-vm1 1
expect_rc c-vm1 1 "(c) run.sh: behind the lock on test1, vm1's run.sh fails"
has c-vm1 out "waited 5s behind another session's lock \(try 1 of 2\), trying again; open transactions holding locks: pid [0-9]+ \(trap-blocker, " \
    "(c) run.sh: the first try names the blocker"
has c-vm1 out "gave up after 2 tries: each waited 5s behind another session's lock; open transactions holding locks: pid [0-9]+ \(trap-blocker, .*lock table test1" \
    "(c) run.sh: it gives up after 2 tries, naming the blocker and its query"
is "(c) run.sh: publication p3 was not made" 1 "select count(*) from pg_publication where pubname = 'p3'" 0

replc_run c-apply "$TOPO_C" --apply --yes
expect_rc c-apply 1 "(c) --apply: behind the lock on test1, replc --apply exits 1"
has c-apply out "waited 5s behind another session's lock \(try 1 of 2\), trying again; open transactions holding locks: pid [0-9]+ \(trap-blocker, " \
    "(c) --apply: the first try names the blocker"
has c-apply out "gave up after 2 tries: each waited 5 s behind another session's lock \(canceling statement due to lock timeout\); open transactions holding locks: pid [0-9]+ \(trap-blocker, " \
    "(c) --apply: it gives up after 2 tries, naming the blocker"
is "(c) --apply: publication p3 was not made" 1 "select count(*) from pg_publication where pubname = 'p3'" 0
unblock

# the blocker ends after the first try: the second succeeds
LOCK_TRIES=3
blocker "lock table test1 in access exclusive mode"
run_sh c-vm1-2 1 &
RUNNER=$!
until_has c-vm1-2 "try 1 of 3" || note "run.sh never said it waited"
unblock
wait "$RUNNER"
RC=$?
expect_rc c-vm1-2 0 "(c) run.sh: the blocker ends after the first try, vm1's run.sh converges"
has c-vm1-2 out "waited 5s behind another session's lock \(try 1 of 3\)" "(c) run.sh: ... and says it waited"
is "(c) run.sh: publication p3 is made" 1 "select count(*) from pg_publication where pubname = 'p3'" 1

# a slot: an open write transaction on vm1 holds up the logical slot of a
# new subscription (made in vm1's publications step)
TOPO_D=$WORK/traps-d.rc
topology "$TOPO_D" traps repl "$TABLES
table test4 (k4 int primary key, v4 varchar);" "publish p2 (test2, test3);
    publish p3 (test1);
    publish p4 (test4);" "subscribe s2 to vm1 (p2);
    subscribe s4 to vm1 (p4);"
blocker "insert into test2 values (100, 'b')"
replc_run d-apply "$TOPO_D" --apply --yes &
RUNNER=$!
second_wait || note "--apply never waited behind the lock twice"
unblock
wait "$RUNNER"
RC=$?
expect_rc d-apply 0 "(c) --apply: a slot waits behind an open write transaction; it ends after the first try, --apply converges"
has d-apply out "waited 5s behind another session's lock \(try 1 of 3\), trying again; open transactions holding locks: pid [0-9]+ \(trap-blocker, " \
    "(c) --apply: ... and says whom it waited behind"
is "(c) --apply: the slot of s4 is made on vm1" 1 "select count(*) from pg_replication_slots where slot_name = 's4'" 1 postgres


# ------------------------------------------------------------------ (d) a subscription someone disabled

# s4 (replc's, declared enabled) disabled by the DBA while p4 gains test5:
# PostgreSQL changes the tables of an enabled subscription only; replc
# leaves s4 disabled and refuses by name, by run.sh and by --apply; enabled
# by hand, the next apply copies test5
sql "vm2: the DBA disables s4" 2 "alter subscription s4 disable"
TOPO_E=$WORK/traps-e.rc
topology "$TOPO_E" traps repl "$TABLES
table test4 (k4 int primary key, v4 varchar);
table test5 (k5 int primary key, v5 varchar);" "publish p2 (test2, test3);
    publish p3 (test1);
    publish p4 (test4, test5);" "subscribe s2 to vm1 (p2);
    subscribe s4 to vm1 (p4);"
compile e "$TOPO_E" || finish
run_sh e-vm1 1
expect_rc e-vm1 0 "(d) vm1's run.sh makes test5 and adds it to p4"
sql "vm1: test5 gets 2 rows" 1 "insert into test5 values (1, 'p'), (2, 'p')"
run_sh e-vm2 2
expect_rc e-vm2 1 "(d) vm2's run.sh fails"
has e-vm2 out "subscription 's4' is disabled on the server \\(not by the topology: replc leaves it so\\), and its publications or tables differ" \
    "(d) run.sh names s4 and why it is refused"
has e-vm2 out "ALTER SUBSCRIPTION s4 ENABLE, then apply again" "(d) ... and says what to do"
is "(d) s4 is still disabled" 2 "select subenabled from pg_subscription where subname = 's4'" f
is "(d) s4 does not have test5" 2 "select count(*) from pg_subscription_rel where srrelid = 'test5'::regclass" 0
replc_run e-apply "$TOPO_E" --apply --yes
expect_rc e-apply 1 "(d) replc --apply exits 1"
cat "$WORK/e-apply.err" >>"$WORK/e-apply.out"
has e-apply out "subscription 's4' is disabled on the server" "(d) --apply names s4"
is "(d) --apply: s4 is still disabled" 2 "select subenabled from pg_subscription where subname = 's4'" f
sql "vm2: the DBA enables s4 again" 2 "alter subscription s4 enable"
replc_run e-apply2 "$TOPO_E" --apply --yes
expect_rc e-apply2 0 "(d) enabled by hand, replc --apply converges"
poll "(d) vm2's test5 holds vm1's 2 rows" 2 "select count(*) from test5" 2

finish
