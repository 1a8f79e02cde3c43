#!/bin/bash
# tests/integration/lib.sh: helpers shared by the integration tests (sourced).
# They use the caller's globals: WORK, DB, IP, PW, POLL_TIMEOUT, NODES, and
# two that say which cluster: EXAMPLE_VERSION (the topology's `version`,
# default 15; the hosts run that major version, hosts_up's PGBIN) and
# EXAMPLE_NODES (4, the default: LANGUAGE.md's example; 3: its logical part,
# vm1..vm3, without the standby vm4).
# ok, not_ok, note, diag and finish come from tests/lib/tap.sh.

# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

secs() { local d=$1; printf '%d.%d' $((d / 1000)) $(((d % 1000) / 100)); }   # ms -> "s.d"

# lock_key CLUSTER: the second key of replc's cluster lock (FNV-1a of the
# cluster's name, low 31 bits; src/stepsql.c sql_lock_key); the first is 727270
lock_key() {
    local s=$1 h=2166136261 i c
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        h=$(( ((h ^ c) * 16777619) & 0xffffffff ))
    done
    echo $((h & 0x7fffffff))
}

# psql from the admin side (root namespace) to node I, database repl.
q() {   # q I SQL [DATABASE]
    PGPASSWORD=$PW PGCONNECT_TIMEOUT=5 psql -X -q -At -v ON_ERROR_STOP=1 \
        -h "${IP[$1]}" -p 5432 -U postgres -d "${3:-$DB}" -c "$2" 2>&1
}

# poll DESC I SQL EXPECTED [DATABASE]: ok when SQL on node I returns EXPECTED within POLL_TIMEOUT
poll() {
    local desc=$1 i=$2 sql=$3 want=$4 db=${5:-$DB} got deadline
    deadline=$(( $(now_ms) + POLL_TIMEOUT * 1000 ))
    while :; do
        got=$(q "$i" "$sql" "$db")
        if [ "$got" = "$want" ]; then ok "$desc"; return 0; fi
        [ "$(now_ms)" -lt "$deadline" ] || break
        sleep 0.2
    done
    not_ok "$desc"
    { echo "query on vm$i: $sql"; echo "expected: $want"; echo "got (after ${POLL_TIMEOUT}s): $got"; } | diag
    return 1
}

show() {   # show NAME: stdout and stderr of a replc run, less the compiler's warnings
    local err
    err=$(grep -vE '^(.*warning:|hint:| +\||[ 0-9]+ \| )' "$WORK/$1.err")
    # first its end (what failed or was cut short, the summary): a report
    # that keeps only the first lines after a failure still shows it
    note "--- replc ($1), its last lines of stdout, then of stderr:"
    tail -n 8 "$WORK/$1.out" | diag
    [ -z "$err" ] || printf '%s\n' "$err" | tail -n 4 | diag
    note "--- replc stdout ($1):"; diag <"$WORK/$1.out"
    note "--- replc stderr ($1):"; [ -z "$err" ] || printf '%s\n' "$err" | diag
}

expect_rc() {   # expect_rc NAME WANT DESC
    if [ "$RC" = "$2" ]; then ok "$3 (exit $RC, $(secs "$MS") s)"; return 0; fi
    if [ "$RC" = 124 ]; then not_ok "$3 (timed out after ${RUN_TIMEOUT}s)"
    else not_ok "$3 (exit $RC, wanted $2, after $(secs "$MS") s)"; fi
    show "$1"
    return 1
}

has() {   # has NAME out|err REGEX DESC
    if grep -qE -- "$3" "$WORK/$1.$2"; then ok "$4"; return 0; fi
    not_ok "$4"; note "no line of the $2 of '$1' matches /$3/"; show "$1"; return 1
}

hasnt() { # hasnt NAME out|err REGEX DESC
    if ! grep -qE -- "$3" "$WORK/$1.$2"; then ok "$4"; return 0; fi
    not_ok "$4"; note "lines of the $2 of '$1' match /$3/:"; grep -E -- "$3" "$WORK/$1.$2" | head -20 | diag
    return 1
}

# catalog FILE: everything an apply could change, on every node: databases,
# relations, publications (every database), subscriptions, slots, settings in
# effect and in the files, pg_hba.conf rules, server start and reload times,
# system identifier, recovery, and the files replc's shell steps write.
catalog() {
    local i d dbs
    for i in $(seq "${EXAMPLE_NODES:-4}"); do
        echo "== vm$i"
        dbs=$(q "$i" "select string_agg(datname, ',' order by datname) from pg_database" postgres)
        echo "databases: $dbs"
        for d in ${dbs//,/ }; do
            case $d in template0|template1) continue ;; esac
            echo "db $d relations: $(q "$i" "select coalesce(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' order by 1), '-')
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'" "$d")"
            echo "db $d publications: $(q "$i" "select coalesce(string_agg(pubname || ' ' || puballtables, ',' order by pubname), '-') from pg_publication" "$d")"
        done
        echo "subscriptions: $(q "$i" "select coalesce(string_agg(oid || ' ' || subname || ' ' || subenabled || ' ' || coalesce(subslotname, '-'), ',' order by subname), '-') from pg_subscription" postgres)"
        echo "slots: $(q "$i" "select coalesce(string_agg(slot_name || ' ' || slot_type || ' ' || coalesce(database, '-'), ',' order by slot_name), '-') from pg_replication_slots" postgres)"
        echo "server: $(q "$i" "select 'started ' || pg_postmaster_start_time() || ', conf loaded ' || pg_conf_load_time() || ', recovery ' || pg_is_in_recovery() || ', sysid ' || (select system_identifier from pg_control_system())" postgres)"
        echo "settings (source <> default):"
        q "$i" "select name || '=' || setting || ' (' || source || ')' || case when pending_restart then ' PENDING RESTART' else '' end
                from pg_settings where source <> 'default' order by name" postgres
        echo "pg_file_settings:"
        q "$i" "select coalesce(sourcefile, '?') || ':' || coalesce(name, '?') || '=' || coalesce(setting, '?') || coalesce(' error ' || error, '')
                from pg_file_settings order by sourcefile, sourceline" postgres
        echo "pg_hba_file_rules:"
        q "$i" "select line_number || ' ' || type || ' ' || array_to_string(database, ',') || ' ' || array_to_string(user_name, ',')
                || ' ' || coalesce(address, '') || ' ' || coalesce(auth_method, '') || coalesce(' error ' || error, '')
                from pg_hba_file_rules order by line_number" postgres
        echo "files:"
        # shellcheck disable=SC2086
        ssh $HOSTS_SSH_OPTS "postgres@${IP[$i]}" \
            "cd $HOSTS_PGDATA && md5sum pg_hba.conf postgresql.conf postgresql.auto.conf && ls -1 | tr '\n' ' ' && echo &&
             { md5sum ~/.pgpass 2>/dev/null || echo 'no ~/.pgpass'; }" </dev/null 2>&1
    done
}

unchanged() {   # unchanged BEFORE AFTER DESC
    if grep -qE 'psql:|ERROR:|FATAL:' "$1" "$2"; then
        not_ok "$3 (cannot tell: queries failed)"
        grep -hE 'psql:|ERROR:|FATAL:' "$1" "$2" | sort -u | head -20 | diag
    elif diff -u "$1" "$2" >"$2.diff" 2>&1; then
        ok "$3"
    else
        not_ok "$3"; diag <"$2.diff"
    fi
}

# build_replc: make the repo's replc unless REPLC names another binary
build_replc() {
    if [ -z "${REPLC_NO_BUILD:-}" ] && [ "$REPLC" = "$ROOT/replc" ]; then
        if make -C "$ROOT" >"$WORK/make.log" 2>&1 && [ -x "$REPLC" ]; then
            ok "replc builds (make)"
        else
            not_ok "replc builds (make)"; tail -40 "$WORK/make.log" | diag; finish
        fi
    fi
    [ -x "$REPLC" ] || { not_ok "replc exists at $REPLC"; finish; }
}

# bed_begin NAME: what a suite does first: checks it runs as root and that no
# other test bed of its prefix is up, makes WORK (/tmp/replc-NAME.XXXXXX) and
# the hosts' STATE in it, sets the cleanup (hosts down, then the suite's
# bed_extra when it defines one, WORK removed; ITEST_KEEP=1 keeps all), and
# builds replc
bed_begin() {
    [ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
    if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
        not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*)"
        finish
    fi
    WORK=$(mktemp -d "/tmp/replc-$1.XXXXXX")
    chmod 755 "$WORK"
    STATE=$WORK/hosts
    export REPLC_HOSTS_STATE=$STATE
    trap bed_cleanup EXIT
    trap 'exit 130' INT TERM
    build_replc
}
bed_cleanup() {
    if [ "${ITEST_KEEP:-}" = 1 ]; then
        note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"
        return
    fi
    "$HOSTS" down >/dev/null 2>&1 || true
    if declare -F bed_extra >/dev/null; then bed_extra; fi
    rm -rf "$WORK"
}

# hosts_up [HOSTS.SH OPTIONS]: EXAMPLE_NODES (default 4) test hosts (e.g.
# --pgbin DIR for another server build, --layout debian); sets IP[1..N] and PW
hosts_up() {
    local t0 n=${EXAMPLE_NODES:-4} i
    t0=$(now_ms)
    if "$HOSTS" up "$n" "$@" >"$WORK/hosts-up.log" 2>&1; then
        ok "$n test hosts up${1:+ ($*)} ($(secs $(( $(now_ms) - t0 ))) s)"
    else
        not_ok "$n test hosts up"; diag <"$WORK/hosts-up.log"; finish
    fi
    # shellcheck disable=SC1091
    . "$STATE/env"
    IP=("")
    for i in $(seq "$n"); do eval "IP+=(\"\$H${i}_IP\")"; done
    PW=$HOSTS_PASSWORD
}

# example_topology FILE TITLE [EXTRA-FOR-VM2]: LANGUAGE.md's four-server
# example on the test hosts; EXTRA-FOR-VM2, a setting line added to vm2's
# block; version EXAMPLE_VERSION; without vm4 when EXAMPLE_NODES is 3
example_topology() {
    cat >"$1" <<EOF
# $2: LANGUAGE.md's example on the test hosts
cluster itest;

defaults {
    version  ${EXAMPLE_VERSION:-15};
    port     5432;
    database $DB;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}

table test1 (k1 int primary key, v1 varchar);
table test2 (k2 int primary key, v2 varchar);

node vm1 {
    host "$H1_IP";
    publish   publ_test1 (test1);
    subscribe subs_test2 to vm2 (publ_test2);
}
node vm2 {
    host "$H2_IP";${3:+
    $3}
    publish   publ_test2 (test2);
    subscribe subs_test1 to vm1 (publ_test1);
}
node vm3 {
    host "$H3_IP";
    subscribe subs3_test1 to vm1 (publ_test1);
    subscribe subs3_test2 to vm2 (publ_test2);
}
EOF
    [ "${EXAMPLE_NODES:-4}" = 3 ] || cat >>"$1" <<EOF
node vm4 {
    host "$H4_IP";
    standby from vm3;
}
EOF
}

# log_mark I: remember where node I's server log (the logging collector's
# newest file) ends now, in LOG_FILE and LOG_AT
log_mark() {
    LOG_FILE=$(q "$1" "select current_setting('log_directory') || '/' || name from pg_ls_logdir()
                       order by modification desc limit 1" postgres)
    LOG_AT=$(q "$1" "select size from pg_stat_file('$LOG_FILE')" postgres)
    case $LOG_AT in ''|*[!0-9]*) note "vm$1's log ($LOG_FILE) size: $LOG_AT"; LOG_AT=0 ;; esac
}

# no_replay_pause PREFIX I: node I's server log since log_mark shows its
# restart, and no replay paused for insufficient settings
no_replay_pause() {
    local f=$WORK/vm$2-since-mark.log
    q "$2" "select pg_read_file('$LOG_FILE', $LOG_AT, 100000000)" postgres >"$f"
    if ! grep -q 'ready to accept read-only connections' "$f"; then
        not_ok "$1vm$2's server log ($LOG_FILE) shows its restart"; diag <"$f"
    fi
    if grep -qE 'insufficient parameter settings|recovery has paused' "$f"; then
        not_ok "$1vm$2's server log does not say its replay paused for insufficient settings"; diag <"$f"
    else
        ok "$1vm$2's server log does not say its replay paused for insufficient settings"
    fi
}

ins() {   # ins I SQL: a change made by the DBA on node I
    local out
    if out=$(q "$1" "$2"); then return 0; fi
    not_ok "on vm$1: $2"; echo "$out" | diag; return 1
}
T1='select coalesce(string_agg(k1 || $$:$$ || v1, $$,$$ order by k1), $$$$) from test1'
T2='select coalesce(string_agg(k2 || $$:$$ || v2, $$,$$ order by k2), $$$$) from test2'


# example_checks PREFIX: what a DBA checks on the example cluster: rows both ways,
# UPDATE and DELETE, the standby streaming from vm3, subscriptions synchronised
# (without vm4 when EXAMPLE_NODES is 3)
example_checks() {
    local to1=("2" "3" "4") to2=("1" "3" "4")
    [ "${EXAMPLE_NODES:-4}" = 3 ] && to1=("2" "3") to2=("1" "3")
    if ins 1 "insert into test1 values (1, 'a1'), (2, 'b1'), (3, 'c1')"; then
        want='1:a1,2:b1,3:c1'
        for i in "${to1[@]}"; do poll "$1test1 rows inserted on vm1 arrive on vm$i" "$i" "$T1" "$want"; done
    fi
    if ins 2 "insert into test2 values (10, 'x2'), (20, 'y2'), (30, 'z2')"; then
        want='10:x2,20:y2,30:z2'
        for i in "${to2[@]}"; do poll "$1test2 rows inserted on vm2 arrive on vm$i" "$i" "$T2" "$want"; done
    fi
    if ins 1 "update test1 set v1 = 'b1-upd' where k1 = 2" && ins 1 "delete from test1 where k1 = 3"; then
        want='1:a1,2:b1-upd'
        for i in "${to1[@]}"; do poll "$1test1 UPDATE and DELETE on vm1 replicate to vm$i" "$i" "$T1" "$want"; done
    fi
    if ins 2 "update test2 set v2 = 'y2-upd' where k2 = 20" && ins 2 "delete from test2 where k2 = 10"; then
        want='20:y2-upd,30:z2'
        for i in "${to2[@]}"; do poll "$1test2 UPDATE and DELETE on vm2 replicate to vm$i" "$i" "$T2" "$want"; done
    fi

    if [ "${EXAMPLE_NODES:-4}" != 3 ]; then
        poll "$1vm4 is in recovery (pg_is_in_recovery)" 4 "select pg_is_in_recovery()" t postgres
        poll "$1vm4 pg_stat_wal_receiver: streaming from vm3" 4 \
            "select status || ' ' || sender_host from pg_stat_wal_receiver" "streaming $H3_IP" postgres
        poll "$1vm3 pg_stat_replication lists vm4 ($H4_IP), streaming" 3 \
            "select string_agg(host(client_addr) || ' ' || state, ',') from pg_stat_replication where client_addr = '$H4_IP'" \
            "$H4_IP streaming" postgres
    fi
    for i in 1 2 3; do
        poll "$1vm$i: every subscribed table synchronised (pg_subscription_rel state r)" "$i" \
            "select count(*) filter (where srsubstate <> 'r') || ' ' || count(*) from pg_subscription_rel" \
            "0 $( [ $i = 3 ] && echo 2 || echo 1 )"
    done
    poll "$1vm1 subscriptions: subs_test2 enabled" 1 \
        "select string_agg(subname || ' ' || subenabled::text, ',' order by subname) from pg_subscription" "subs_test2 true"
    poll "$1vm2 subscriptions: subs_test1 enabled" 2 \
        "select string_agg(subname || ' ' || subenabled::text, ',' order by subname) from pg_subscription" "subs_test1 true"
    poll "$1vm3 subscriptions: subs3_test1, subs3_test2 enabled" 3 \
        "select string_agg(subname || ' ' || subenabled::text, ',' order by subname) from pg_subscription" \
        "subs3_test1 true,subs3_test2 true"
}

# state_snapshot FILE: what a run that changes nothing must leave alone, on
# every node: row counts, subscriptions (oids), replication slots, server
# start times, pg_hba.conf rules
state_snapshot() {
    local i
    for i in $(seq "${EXAMPLE_NODES:-4}"); do
        echo "vm$i rows: $(q "$i" 'select (select count(*) from test1) || $$ test1, $$ || (select count(*) from test2) || $$ test2$$')"
        echo "vm$i subscriptions: $(q "$i" 'select coalesce(string_agg(oid || $$ $$ || subname, $$,$$ order by oid), $$-$$) from pg_subscription')"
        echo "vm$i slots: $(q "$i" 'select coalesce(string_agg(slot_name || $$ $$ || slot_type, $$,$$ order by slot_name), $$-$$) from pg_replication_slots' postgres)"
        echo "vm$i started: $(q "$i" 'select pg_postmaster_start_time()' postgres)"
        echo "vm$i hba: $(q "$i" "select md5(string_agg(line_number || ' ' || type || ' ' || array_to_string(database, ',') || ' ' || array_to_string(user_name, ',') || ' ' || coalesce(address, ''), ';' order by line_number)) from pg_hba_file_rules" postgres)"
    done >"$1"
}

# run_tree TREE NODE I: WORK/TREE/NODE/run.sh (a tree of replc -o, readable
# by postgres) on host I as postgres, the password on its standard input;
# its output in WORK/TREE-NODE.out, its status in RC (124: RUN_TIMEOUT)
run_tree() {
    # shellcheck disable=SC2086
    timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$3]}" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $WORK/$1/$2 && sh run.sh" \
        <<<"$PW" >"$WORK/$1-$2.out" 2>&1
    RC=$?
}

# put_tree DIR NAME I DEST: DIR/NAME copied to host I as ~/DEST/NAME (DEST
# replaced), owned by postgres. ssh's own messages (at INFO: a connection the
# server closed is reported only there) and its status go to
# WORK/put-DEST-NAME-I.log; a transport failure (ssh's 255) is tried once more
# and said as a note. On failure the log and the tail of host I's sshd log are
# printed as diagnostics and the status is ssh's.
put_tree() {
    local dir=$1 name=$2 i=$3 dest=$4 log try st
    log=$WORK/put-$dest-$name-$i.log
    : >"$log"
    for try in 1 2; do
        # shellcheck disable=SC2086,SC2029 # the options are words; DEST expands there
        tar -C "$dir" -cf - "$name" |
            ssh -o LogLevel=INFO $HOSTS_SSH_OPTS "postgres@${IP[$i]}" \
                "rm -rf \"\$HOME/$dest\" && mkdir -p \"\$HOME/$dest\" && tar -C \"\$HOME/$dest\" -xf -" \
                >>"$log" 2>&1
        st=${PIPESTATUS[1]}
        echo "(try $try: ssh exited $st)" >>"$log"
        [ "$st" = 0 ] && return 0
        if [ "$st" != 255 ] || [ "$try" = 2 ]; then break; fi
        note "copying $name to host $i: ssh exited 255 (transport), trying once more"
        diag <"$log"
    done
    diag <"$log"
    [ -r "$STATE/h$i/sshd.log" ] && tail -n 20 "$STATE/h$i/sshd.log" | diag
    return "$st"
}

# on I CMD: a shell command on host I as postgres, the server's programs
# (HOSTS_PGBIN) first on PATH
# shellcheck disable=SC2086,SC2029   # the options are words; the command expands there
on() { local i=$1; shift; ssh $HOSTS_SSH_OPTS "postgres@${IP[$i]}" "PATH=$(printf '%q' "$HOSTS_PGBIN"):\$PATH; $*" </dev/null; }

# copy_standby: vm4 built by hand as `pg_basebackup -R -C -S vm4` from vm3
# would, with replc's marker, while vm3 is still fresh: for PostgreSQL 16 and
# later, which no pg_basebackup on the hosts copies (Debian's 15 refuses a
# newer server, npm's builds have none). A copy of vm3's data directory taken
# while vm3 is stopped, standby.signal, primary_conninfo, a physical slot on
# vm3, replc's marker; started (--apply's preflight wants it up; it cannot
# stream before replc admits it on vm3). Its log: WORK/copy-standby.log.
copy_standby() {
    local d=$HOSTS_PGDATA
    {
        on 4 "pg_ctl -D $d -m fast -w stop" &&
        on 3 "pg_ctl -D $d -m fast -w stop" &&
        rm -rf "$STATE/h4/srv/data" &&
        cp -a "$STATE/h3/srv/data" "$STATE/h4/srv/data" &&
        rm -f "$STATE/h4/srv/data/postmaster.pid" &&
        on 3 "pg_ctl -D $d -l /srv/replc/log/restart.log -w start" &&
        q 3 "select pg_create_physical_replication_slot('vm4', true)" postgres &&
        on 4 "touch $d/standby.signal &&
              printf '%s\n' \"primary_conninfo = 'host=$H3_IP port=5432 user=postgres application_name=vm4'\" \
                            \"primary_slot_name = 'vm4'\" >>$d/postgresql.auto.conf &&
              printf '%s\n' 'replc standby: node=vm4 source=vm3' >$d/replc_standby" &&
        on 4 "pg_ctl -D $d -l /srv/replc/log/restart.log -w start"
    } >"$WORK/copy-standby.log" 2>&1
}
