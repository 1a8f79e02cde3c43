#!/bin/sh
# replc: every step of node 'otus11-1' (cluster 'postgres2021-2147483647'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='otus11-1'
port=5432
bindir='/usr/lib/postgresql/15/bin'
passfile=''
local_postgres='dbname=postgres user=postgres'
pgdata='/var/lib/postgresql/15/main'
service='auto'
version=15
set -- \
    '01-pgpass.sh' 'write the peers'\'' password lines into ~/.pgpass' '' \
    '02-hba.sh' 'admit 3 peer line(s) in pg_hba.conf, reload' '' \
    '03-config.sql' 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=postgres' \
    '04-restart.sh' 'restart if a setting waits for it; wait until the server accepts connections' '' \
    '05-database.sql' 'create database '\''repl'\'' if missing' 'dbname=postgres user=postgres' \
    '06-tables.sql' 'create schemas and tables if missing' 'dbname=repl user=postgres' \
    '07-publications.sql' 'create 1 publication(s) and the subscribers'\'' slots if missing' 'dbname=repl user=postgres' \
    '08-wait-publisher-subs_test2.sh' 'wait until '\''otus11-2'\'' has the publications of subscription '\''subs_test2'\''' '' \
    '09-subscribe-subs_test2.sql' 'create subscription '\''subs_test2'\'' if missing' 'dbname=repl user=postgres' \
    '10-wait-sync-subs_test2.sh' 'wait until every table of subscription '\''subs_test2'\'' is synchronised' ''
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. ./lib.sh
setup
# how the server is run here, and that it can be: before anything changes
manager_check
say "server run by $manager_how"
# run FILE WHAT CONNINFO: one step, a .sql file with psql in that database
run() {
    printf 'replc: %s: %s: %s\n' "$node" "$1" "$2"
    case $1 in
    *.sql) psql -X -q -v ON_ERROR_STOP=1 -d "$3" -f "$1" ;;
    *) sh "./$1" ;;
    esac || { printf 'replc: %s: step %s failed\n' "$node" "$1" >&2; exit 1; }
}
while [ $# -gt 0 ]; do
    run "$1" "$2" "$3"
    shift 3
done
printf 'replc: %s: all steps done\n' "$node"
