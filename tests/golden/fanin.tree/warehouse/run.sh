#!/bin/sh
# replc: every step of node 'warehouse' (cluster 'fanin'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='warehouse'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=replicator'
pgdata=''
service='auto'
version=17
set -- \
    '01-pgpass.sh' 'write the peers'\'' password lines into ~/.pgpass' '' \
    '02-config.sql' 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=replicator' \
    '03-restart.sh' 'restart if a setting waits for it; wait until the server accepts connections' '' \
    '04-database.sql' 'create database '\''shop'\'' if missing' 'dbname=postgres user=replicator' \
    '05-tables.sql' 'create schemas and tables if missing' 'dbname=shop user=replicator' \
    '06-wait-publisher-warehouse_from_shop1.sh' 'wait until '\''shop1'\'' has the publications of subscription '\''warehouse_from_shop1'\''' '' \
    '07-subscribe-warehouse_from_shop1.sql' 'create subscription '\''warehouse_from_shop1'\'' if missing' 'dbname=shop user=replicator' \
    '08-wait-publisher-warehouse_from_shop2.sh' 'wait until '\''shop2'\'' has the publications of subscription '\''warehouse_from_shop2'\''' '' \
    '09-subscribe-warehouse_from_shop2.sql' 'create subscription '\''warehouse_from_shop2'\'' if missing' 'dbname=shop user=replicator' \
    '10-wait-publisher-warehouse_from_shop3.sh' 'wait until '\''shop3'\'' has the publications of subscription '\''warehouse_from_shop3'\''' '' \
    '11-subscribe-warehouse_from_shop3.sql' 'create subscription '\''warehouse_from_shop3'\'' if missing' 'dbname=shop user=replicator' \
    '12-wait-publisher-from_shop4.sh' 'wait until '\''shop4'\'' has the publications of subscription '\''from_shop4'\''' '' \
    '13-subscribe-from_shop4.sql' 'create subscription '\''from_shop4'\'' if missing' 'dbname=shop user=replicator' \
    '14-wait-sync-warehouse_from_shop1.sh' 'wait until every table of subscription '\''warehouse_from_shop1'\'' is synchronised' '' \
    '15-wait-sync-warehouse_from_shop2.sh' 'wait until every table of subscription '\''warehouse_from_shop2'\'' is synchronised' '' \
    '16-wait-sync-warehouse_from_shop3.sh' 'wait until every table of subscription '\''warehouse_from_shop3'\'' is synchronised' '' \
    '17-wait-sync-from_shop4.sh' 'wait until every table of subscription '\''from_shop4'\'' is synchronised' ''
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
