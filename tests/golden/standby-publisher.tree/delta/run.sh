#!/bin/sh
# replc: every step of node 'delta' (cluster 'standby-publisher'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='delta'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
pgdata='/var/lib/postgresql/17/main'
service='auto'
version=17
set -- \
    'pgpass.sh' 'write the peers'\'' password lines into ~/.pgpass' '' \
    'hba.sh' 'admit 1 peer line(s) in pg_hba.conf, reload' '' \
    'config.sql' 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=postgres' \
    'restart.sh' 'restart '\''delta'\'' only when one of replc'\''s settings waits for it (wal_level, max_wal_senders, max_replication_slots, max_logical_replication_workers, max_worker_processes); wait until the server accepts connections' '' \
    'database.sql' 'create database '\''repl'\'' if missing' 'dbname=postgres user=postgres' \
    'tables.sql' 'create schemas and tables if missing' 'dbname=repl user=postgres' \
    'wait-publisher.delta_tu.sh' 'wait until '\''beta2'\'' has the publications of subscription '\''delta_tu'\''' '' \
    'slot.delta_tu.sh' 'create slot '\''delta_tu'\'' on standby '\''beta2'\'', '\''alpha'\'' logging standby snapshots meanwhile' '' \
    'subscribe.delta_tu.sql' 'create subscription '\''delta_tu'\'' if missing' 'dbname=repl user=postgres' \
    'wait-sync.delta_tu.sh' 'wait until every table of subscription '\''delta_tu'\'' is synchronised' ''
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. ./lib.sh
setup
# how the server is run here, and that it can be: before anything changes
manager_check
say "server run by $manager_how"
# step FILE CONNINFO: one step, a .sql file with psql in that database
step() {
    case $1 in
    *.sql) psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$1" ;;
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
