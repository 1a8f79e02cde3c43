#!/bin/sh
# replc: every step of node 'sub' (cluster 'failover17'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='sub'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
pgdata=''
service='auto'
version=17
set -- \
    '01-config.sql' 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=postgres' \
    '02-restart.sh' 'restart if a setting waits for it; wait until the server accepts connections' '' \
    '03-database.sql' 'create database '\''app'\'' if missing' 'dbname=postgres user=postgres' \
    '04-tables.sql' 'create schemas and tables if missing' 'dbname=app user=postgres' \
    '05-wait-publisher-sub_from_pub.sh' 'wait until '\''pub'\'' has the publications of subscription '\''sub_from_pub'\''' '' \
    '06-subscribe-sub_from_pub.sql' 'create subscription '\''sub_from_pub'\'' if missing' 'dbname=app user=postgres' \
    '07-wait-sync-sub_from_pub.sh' 'wait until every table of subscription '\''sub_from_pub'\'' is synchronised' ''
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
