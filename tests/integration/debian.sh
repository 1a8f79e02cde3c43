#!/bin/bash
# tests/integration/debian.sh: the example cluster on four Debian-packaged
# PostgreSQL 15 hosts (tests/hosts/hosts.sh up 4 --layout debian: each host its
# own cluster 15/main made by pg_createcluster, configuration in
# /etc/postgresql/15/main, the log in /var/log/postgresql, run by
# pg_ctlcluster). The topology names no pgdata, no bindir and no service:
# replc finds them on each host.
#
#   (1) bad input first, each on its own host, nothing changed there:
#       service "false restart" on vm2; a pgdata no cluster owns on vm4
#   (2) the four run.sh at once; what a DBA checks: rows both ways and on the
#       standby, pg_lsclusters online (vm4 online,recovery), logs still in
#       /var/log/postgresql, no replc log and no old directory in the data
#       directories; a second run changes nothing
#   (3) a failed base backup (pg_basebackup fails) leaves vm4's data
#       directory and its streaming standby as they were
#   (4) on a fresh bed: replc --apply builds the same, the same checks; a
#       second --apply changes nothing; service "false restart" stops in
#       preflight
#   (5) vm4 moved from vm3 to vm2 (made a standby of vm3): new slot on vm2,
#       primary_conninfo, reload; not rebuilt nor restarted; old slot dropped
#
# Usage (root):  tests/integration/debian.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, default 120),
#      ITEST_POLL_TIMEOUT (s, 30); REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET.
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
command -v pg_createcluster >/dev/null || { not_ok "pg_createcluster is installed (postgresql-common)"; finish; }

WORK=$(mktemp -d /tmp/replc-debian.XXXXXX)
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
hosts_up --layout debian

# topology FILE [EXTRA-FOR-VM2 [EXTRA-FOR-VM4 [STANDBY-OPTIONS]]]: the example,
# with no pgdata, bindir or service
topology() {
    cat >"$1" <<EOF
cluster itest;
defaults {
    version  15;
    database $DB;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
}
table test1 (k1 int primary key, v1 varchar);
table test2 (k2 int primary key, v2 varchar);
node vm1 {
    host "$H1_IP";
    publish   publ_test1 (test1);
    subscribe subs_test2 to vm2 (publ_test2);
}
node vm2 {
    host "$H2_IP";${2:+
    $2}
    publish   publ_test2 (test2);
    subscribe subs_test1 to vm1 (publ_test1);
}
node vm3 {
    host "$H3_IP";
    subscribe subs3_test1 to vm1 (publ_test1);
    subscribe subs3_test2 to vm2 (publ_test2);
}
node vm4 {
    host "$H4_IP";${3:+
    $3}
    standby from vm3${4:+ with ($4)};
}
EOF
}

# compile NAME TOPOLOGY...: WORK/NAME/<node>/, readable by postgres
compile() {
    local name=$1; shift
    topology "$WORK/$name.rc" "$@"
    if "$REPLC" "$WORK/$name.rc" -o "$WORK/$name" >"$WORK/$name.log" 2>&1; then
        chmod -R a+rX "$WORK/$name"; return 0
    fi
    not_ok "replc $name.rc -o $name exits 0"; diag <"$WORK/$name.log"; return 1
}

hssh() {   # hssh I COMMAND: as postgres on host I
    # shellcheck disable=SC2086
    ssh $HOSTS_SSH_OPTS "postgres@${IP[$1]}" "$2" </dev/null 2>&1
}

# run_on TREE I LOG: TREE/vmI/run.sh on host I, the password on stdin; status in RC
run_on() {
    # shellcheck disable=SC2086
    timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$2]}" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $WORK/$1/vm$2 && sh run.sh" \
        <<<"$PW" >"$3" 2>&1
    RC=$?
}

# host_state I: what a change on host I would show: files replc writes, the
# data and configuration directories, recovery, start time
host_state() {
    hssh "$1" 'ls -a ~; ls /var/lib/postgresql/15; md5sum /etc/postgresql/15/main/*.conf /var/lib/postgresql/15/main/postgresql.auto.conf; pg_lsclusters -h'
    q "$1" "select pg_postmaster_start_time(), pg_is_in_recovery()" postgres
}

# packaged_checks PREFIX: every host's cluster as Debian runs it
packaged_checks() {
    local i want st
    for i in 1 2 3 4; do
        want=online; [ "$i" = 4 ] && want=online,recovery
        st=$(hssh "$i" 'pg_lsclusters -h' | awk '$1 == 15 && $2 == "main" { print $4 }')
        if [ "$st" = "$want" ]; then ok "$1vm$i: pg_lsclusters shows 15/main $want"
        else not_ok "$1vm$i: pg_lsclusters shows 15/main $want (got '$st')"; hssh "$i" 'pg_lsclusters' | diag; fi
        # a line the running server logs now lands where Debian keeps its log
        mark="replc-test-mark-$i-$RANDOM"
        q "$i" "do \$\$ begin raise log '$mark'; end \$\$" postgres >/dev/null
        if hssh "$i" "grep -q '$mark' $HOSTS_LOG && echo found" | grep -qx found; then
            ok "$1vm$i: the running server logs into $HOSTS_LOG"
        else
            not_ok "$1vm$i: the running server logs into $HOSTS_LOG"
            hssh "$i" "ls -l /var/log/postgresql; grep -rl '$mark' /var/lib/postgresql ~ 2>/dev/null" | diag
        fi
        st=$(hssh "$i" 'ls -d /var/lib/postgresql/15/main/*.log /var/lib/postgresql/15/main/log /var/lib/postgresql/15/*replc* 2>/dev/null')
        if [ -z "$st" ]; then ok "$1vm$i: no log in the data directory, no directory left beside it"
        else not_ok "$1vm$i: no log in the data directory, no directory left beside it"; echo "$st" | diag; fi
    done
    if [ "$(hssh 4 'cat /var/lib/postgresql/15/main/postgresql.conf 2>/dev/null')" = "" ] &&
        hssh 4 'test -f /etc/postgresql/15/main/postgresql.conf'; then
        ok "$1vm4 keeps its configuration in /etc/postgresql/15/main (none in the data directory)"
    else
        not_ok "$1vm4 keeps its configuration in /etc/postgresql/15/main (none in the data directory)"
    fi
}

# ------------------------------------------------------------------ (1) bad input

note "(1) bad input: nothing changes on the host"
compile bad-service 'service "false restart";' || finish
before=$(host_state 2)
run_on bad-service 2 "$WORK/bad-service.out"
if [ "$RC" != 0 ] && grep -q "replc: vm2: .*service \"false status\" failed" "$WORK/bad-service.out" &&
    grep -q "found here: Debian cluster 15/main (pg_ctlcluster)" "$WORK/bad-service.out"; then
    ok "(1) vm2 with service \"false restart\": run.sh stops, names the host, the command and what it found"
else
    not_ok "(1) vm2 with service \"false restart\": run.sh stops, names the host, the command and what it found (exit $RC)"
    diag <"$WORK/bad-service.out"
fi
after=$(host_state 2)
if [ "$before" = "$after" ]; then ok "(1) nothing changed on vm2"
else not_ok "(1) nothing changed on vm2"; diff <(echo "$before") <(echo "$after") | diag; fi

compile bad-pgdata '' 'pgdata "/var/lib/postgresql/15/other";' || finish
before=$(host_state 4)
run_on bad-pgdata 4 "$WORK/bad-pgdata.out"
if [ "$RC" != 0 ] && grep -q "replc: vm4: .*/var/lib/postgresql/15/other" "$WORK/bad-pgdata.out" &&
    grep -q 'pgdata "/var/lib/postgresql/15/main"' "$WORK/bad-pgdata.out"; then
    ok "(1) vm4 with a pgdata no cluster owns: run.sh stops, names what it found and what to write"
else
    not_ok "(1) vm4 with a pgdata no cluster owns: run.sh stops, names what it found and what to write (exit $RC)"
    diag <"$WORK/bad-pgdata.out"
fi
after=$(host_state 4)
if [ "$before" = "$after" ]; then ok "(1) nothing changed on vm4"
else not_ok "(1) nothing changed on vm4"; diff <(echo "$before") <(echo "$after") | diag; fi

# ------------------------------------------------------------------ (2) scripts

note "(2) the four run.sh at once"
compile out || finish
if grep -q "^pgdata=''" "$WORK/out/vm4/"*basebackup*.sh && grep -q "^service='auto'" "$WORK/out/vm4/"*basebackup*.sh; then
    ok "(2) vm4's base backup step leaves pgdata to the host and its service to 'auto'"
else
    not_ok "(2) vm4's base backup step leaves pgdata to the host and its service to 'auto'"
fi
run_all() {   # run_all ROUND
    local i pids=()
    for i in 1 2 3 4; do
        { run_on out "$i" "$WORK/run$1-vm$i.out"; echo "$RC" >"$WORK/run$1-vm$i.rc"; } &
        pids+=($!)
    done
    wait "${pids[@]}"
    for i in 1 2 3 4; do
        if [ "$(cat "$WORK/run$1-vm$i.rc")" = 0 ]; then ok "(2) vm$i: run.sh ($1. run) exits 0"
        else not_ok "(2) vm$i: run.sh ($1. run) exits 0"; diag <"$WORK/run$1-vm$i.out"; "$HOSTS" log "$i" | tail -20 | diag; fi
    done
}
# vm3's own configuration (not ALTER SYSTEM) sets max_connections above
# vm4's: the base backup does not carry it, the standby must get it
"$HOSTS" exec 3 sh -c "echo 'max_connections = 150' >> $HOSTS_CONFDIR/postgresql.conf" &&
    hssh 3 'pg_ctlcluster 15 main restart' >/dev/null
run_all 1
poll "(2) vm4 runs with max_connections 150, as vm3 does (its own configuration says 100)" 4 "show max_connections" 150 postgres
has run1-vm1 out 'server run by Debian cluster 15/main \(pg_ctlcluster\)' "(2) vm1's run.sh finds its server run as Debian cluster 15/main"
example_checks "(2) "
packaged_checks "(2) "
run_all 2
if grep -l 'replc-result: changed' "$WORK"/run2-vm*.out >/dev/null; then
    not_ok "(2) the second run changes nothing"; grep -B3 'replc-result: changed' "$WORK"/run2-vm*.out | diag
else
    ok "(2) the second run changes nothing"
fi

# ------------------------------------------------------------------ (3) failed base backup

note "(3) a base backup that fails leaves the standby as it was"
# vm4's programs, but a pg_basebackup that fails after copying
hssh 4 'mkdir -p ~/failbin && for f in /usr/lib/postgresql/15/bin/*; do ln -sf "$f" ~/failbin/; done &&
        rm ~/failbin/pg_basebackup && printf "#!/bin/sh\n/usr/lib/postgresql/15/bin/pg_basebackup \"\$@\"\necho \"pg_basebackup: error: failed (test)\" >&2\nexit 1\n" > ~/failbin/pg_basebackup &&
        chmod 755 ~/failbin/pg_basebackup && rm /var/lib/postgresql/15/main/replc_standby' >/dev/null
compile failbb '' 'bindir "/var/lib/postgresql/failbin";' force || finish
run_on failbb 4 "$WORK/failbb.out"
if [ "$RC" != 0 ] && grep -q 'pg_basebackup failed; /var/lib/postgresql/15/main is as it was' "$WORK/failbb.out"; then
    ok "(3) vm4's run.sh fails at the base backup and says the data directory is as it was"
else
    not_ok "(3) vm4's run.sh fails at the base backup and says the data directory is as it was (exit $RC)"; diag <"$WORK/failbb.out"
fi
poll "(3) vm4 still answers as a standby" 4 "select pg_is_in_recovery()" t postgres
poll "(3) vm4 still has the rows" 4 "select count(*) > 0 from test1" t
hssh 4 'rm -rf ~/failbin; echo "replc standby: node=vm4 source=vm3" > /var/lib/postgresql/15/main/replc_standby' >/dev/null
poll "(3) vm4 streams from vm3 again" 4 "select status from pg_stat_wal_receiver" streaming postgres
st=$(hssh 4 'ls /var/lib/postgresql/15')
if [ "$st" = main ]; then ok "(3) nothing left beside vm4's data directory"; else not_ok "(3) nothing left beside vm4's data directory"; echo "$st" | diag; fi

# ------------------------------------------------------------------ (4) --apply

note "(4) replc --apply on a fresh bed"
"$HOSTS" down >/dev/null 2>&1
hosts_up --layout debian
REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW timeout "$RUN_TIMEOUT" \
    "$REPLC" "$WORK/out.rc" --apply >"$WORK/apply.out" 2>"$WORK/apply.err" </dev/null
RC=$?
if [ "$RC" = 0 ]; then ok "(4) replc --apply exits 0"; else not_ok "(4) replc --apply exits 0 (exit $RC)"; diag <"$WORK/apply.err"; fi
example_checks "(4) "
packaged_checks "(4) "
REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW timeout "$RUN_TIMEOUT" \
    "$REPLC" "$WORK/out.rc" --apply >"$WORK/apply2.out" 2>"$WORK/apply2.err" </dev/null
RC=$?
if [ "$RC" = 0 ] && grep -q '^0 changed, [0-9]* ok, 0 failed' "$WORK/apply2.out"; then ok "(4) a second --apply changes nothing"
else not_ok "(4) a second --apply changes nothing (exit $RC)"; cat "$WORK/apply2.out" "$WORK/apply2.err" | tail -30 | diag; fi
# a converged cluster is recognised over libpq and needs no server manager:
# make vm2 differ first (its ~/.pgpass gone), so that the run needs it
hssh 2 'rm -f ~/.pgpass' >/dev/null
REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW timeout "$RUN_TIMEOUT" \
    "$REPLC" "$WORK/bad-service.rc" --apply >"$WORK/apply3.out" 2>"$WORK/apply3.err" </dev/null
RC=$?
if [ "$RC" != 0 ] && grep -q "node 'vm2'" "$WORK/apply3.err" && grep -q 'false status' "$WORK/apply3.err" &&
    grep -q 'nothing was changed' "$WORK/apply3.err"; then
    ok "(4) --apply with service \"false restart\" on vm2 stops in preflight, naming vm2 and the command"
else
    not_ok "(4) --apply with service \"false restart\" on vm2 stops in preflight, naming vm2 and the command (exit $RC)"
    cat "$WORK/apply3.out" "$WORK/apply3.err" | tail -30 | diag
fi

# ------------------------------------------------------------------ (5) a standby moved

note "(5) vm4 moved from vm3 to vm2, a standby of vm3: no rebuild"
# move_topology NAME VM4-SOURCE: vm2 and vm4 standbys in vm3's cluster
move_topology() {
    cat >"$WORK/$1.rc" <<EOF
cluster itest;
defaults { version 15; database $DB; user postgres; password env REPLC_TEST_PASSWORD; }
node vm3 { host "$H3_IP"; }
node vm2 { host "$H2_IP"; standby from vm3 with (force); }
node vm4 { host "$H4_IP"; standby from $2; }
EOF
    "$REPLC" "$WORK/$1.rc" -o "$WORK/$1" >"$WORK/$1.log" 2>&1 && chmod -R a+rX "$WORK/$1"
}
run_some() {   # run_some TREE I...: TREE's run.sh on hosts I... at once; ok when each exits 0
    local tree=$1 i pids=(); shift
    for i in "$@"; do
        { run_on "$tree" "$i" "$WORK/$tree-vm$i.out"; echo "$RC" >"$WORK/$tree-vm$i.rc"; } &
        pids+=($!)
    done
    wait "${pids[@]}"
    for i in "$@"; do
        if [ "$(cat "$WORK/$tree-vm$i.rc")" = 0 ]; then ok "(5) $tree: vm$i's run.sh exits 0"
        else not_ok "(5) $tree: vm$i's run.sh exits 0"; diag <"$WORK/$tree-vm$i.out"; fi
    done
}
if move_topology move1 vm3 && move_topology move2 vm2; then
    run_some move1 3 2 4
    poll "(5) vm2 streams from vm3" 2 "select status || ' ' || sender_host from pg_stat_wal_receiver" "streaming $H3_IP" postgres
    started=$(q 4 "select pg_postmaster_start_time()" postgres)
    sysid=$(q 4 "select system_identifier from pg_control_system()" postgres)
    run_some move2 3 2 4
    has move2-vm4 out "standby moved; streaming from 'vm2'" "(5) vm4's run.sh says it moved to vm2"
    poll "(5) vm4 streams from vm2" 4 "select status || ' ' || sender_host from pg_stat_wal_receiver" "streaming $H2_IP" postgres
    if [ "$(q 4 "select pg_postmaster_start_time()" postgres)" = "$started" ] &&
        [ "$(q 4 "select system_identifier from pg_control_system()" postgres)" = "$sysid" ]; then
        ok "(5) vm4 was neither rebuilt nor restarted (same start time and system identifier)"
    else
        not_ok "(5) vm4 was neither rebuilt nor restarted (same start time and system identifier)"
    fi
    poll "(5) slot vm4 on vm2, in use" 2 "select string_agg(slot_name || ' ' || active, ',') from pg_replication_slots" "vm4 true" postgres
    poll "(5) no slot vm4 left on vm3" 3 "select count(*) from pg_replication_slots where slot_name = 'vm4'" 0 postgres
    if [ "$(hssh 4 'cat /var/lib/postgresql/15/main/replc_standby')" = "replc standby: node=vm4 source=vm2" ]; then
        ok "(5) vm4's marker names vm2 as its source"
    else
        not_ok "(5) vm4's marker names vm2 as its source"; hssh 4 'cat /var/lib/postgresql/15/main/replc_standby' | diag
    fi
    ins 3 "create table moved_rows as select 42 as x" &&
        poll "(5) a table made on vm3 reaches vm4 through vm2" 4 "select x from moved_rows" 42
    run_some move2 3 2 4
    if grep -l 'replc-result: changed' "$WORK"/move2-vm*.out >/dev/null; then
        not_ok "(5) a second run changes nothing"; grep -B3 'replc-result: changed' "$WORK"/move2-vm*.out | diag
    else
        ok "(5) a second run changes nothing"
    fi
else
    not_ok "(5) the move topologies compile"; cat "$WORK/move1.log" "$WORK/move2.log" | diag
fi

finish
