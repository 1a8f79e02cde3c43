#!/bin/sh
# replc: every step of node 'shop1' (cluster 'fanin'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='shop1'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=replicator'
pgdata=''
service='auto'
version=17
lock_timeout=5
lock_tries=6
lock_blockers_sql='SELECT coalesce(string_agg(format('\''pid %s (%s, %s, transaction open %s s: %s)'\'', a.pid, coalesce(nullif(a.application_name, '\'''\''), '\''no application_name'\''), a.state, extract(epoch FROM now() - a.xact_start)::bigint, left(regexp_replace(a.query, '\''\s+'\'', '\'' '\'', '\''g'\''), 80)), '\''; '\'' ORDER BY a.xact_start), '\''none now'\'') FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid() AND a.xact_start < now() - interval '\''5 s'\'' AND EXISTS (SELECT FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.locktype <> '\''virtualxid'\'')'
set -- \
    'pgpass.sh' 'write the peers'\'' password lines into ~/.pgpass' '' \
    'hba.sh' 'admit 1 peer line(s) in pg_hba.conf, reload' '' \
    'config.sql' 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=replicator' \
    'restart.sh' 'restart '\''shop1'\'' only when one of replc'\''s settings waits for it (wal_level, max_wal_senders, max_replication_slots, max_logical_replication_workers, max_worker_processes, listen_addresses); wait until the server accepts connections' '' \
    'database.sql' 'create database '\''shop'\'' if missing' 'dbname=postgres user=replicator' \
    'tables.sql' 'create schemas and tables if missing' 'dbname=shop user=replicator' \
    'publications.sql' 'create 1 publication(s) and the subscribers'\'' slots if missing' 'dbname=shop user=replicator' \
    'wait-columns.warehouse.sh' 'when a column is to be added here to a table that '\''warehouse'\'' receives, wait until '\''warehouse'\'' has it' '' \
    'columns.sql' 'add the columns of the published tables, after the subscribers' 'dbname=shop user=replicator'
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. ./lib.sh
setup
# how the server is run here, and that it can be: before anything changes
manager_check
say "server run by $manager_how"
# sql_step FILE CONNINFO: psql runs FILE in that database. A statement
# that waited $lock_timeout s behind another session's lock fails (the
# file sets lock_timeout); the file then runs again (it checks what is in
# place first), at most $lock_tries times in all (REPLC_LOCK_TRIES), each
# time naming the transactions it may have waited behind.
sql_step() {
    tries=${REPLC_LOCK_TRIES:-$lock_tries} try=1
    while :; do
        if out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$1" 2>&1); then
            if [ -n "$out" ]; then printf '%s\n' "$out"; fi
            return 0
        else st=$?; fi
        case $out in
        *'due to lock timeout'*) ;;
        *) printf '%s\n' "$out"; return "$st" ;;
        esac
        behind=$(lpsql "$2" "$lock_blockers_sql" 2>&1) || behind="cannot tell ($behind)"
        if [ "$try" -ge "$tries" ]; then
            printf '%s\n' "$out"
            say "gave up after $tries tries: each waited ${lock_timeout}s behind another session's lock; open transactions holding locks: $behind"
            return "$st"
        fi
        say "waited ${lock_timeout}s behind another session's lock (try $try of $tries), trying again; open transactions holding locks: $behind"
        try=$((try + 1))
    done
}
# step FILE CONNINFO: one step, a .sql file with psql in that database
step() {
    case $1 in
    *.sql) sql_step "$1" "$2" ;;
    *) sh "./$1" ;;
    esac
}
# report FILE WHAT: reads a step's output, then its exit line
report() {
    result=ok
    while IFS= read -r line; do
        case $line in
        'replc-result: '*) result=${line#replc-result: } ;;
        'replc-exit: 0')
            printf 'replc: %s: %s: %s: %s\n' "$node" "$1" "$2" "$result"
            return 0 ;;
        'replc-exit: '*)
            printf 'replc: %s: step %s failed (exit %s)\n' "$node" "$1" "${line#replc-exit: }" >&2
            return 1 ;;
        *) printf '    %s\n' "$line" ;;
        esac
    done
    return 1
}
# run FILE WHAT CONNINFO
run() {
    { if step "$1" "$3" 2>&1; then echo 'replc-exit: 0'; else echo "replc-exit: $?"; fi; } | report "$1" "$2"
}
while [ $# -gt 0 ]; do
    run "$1" "$2" "$3" || exit 1
    shift 3
done
printf 'replc: %s: all steps done\n' "$node"
