#!/bin/sh
# replc: every step of node 'warehouse' (cluster 'fanin'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
cd "$(dirname "$0")"
PGPORT=${PGPORT:-5432}; export PGPORT
node='warehouse'
run() {
    printf 'replc: %s: %s: %s\n' "$node" "$1" "$2"
    case $1 in
    *.sql) psql -X -q -v ON_ERROR_STOP=1 -d "$3" -f "$1" ;;
    *) sh "./$1" ;;
    esac || { printf 'replc: %s: step %s failed\n' "$node" "$1" >&2; exit 1; }
}
run 01-pgpass.sh 'write the peers'\'' password lines into ~/.pgpass'
run 02-config.sql 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=replicator'
run 03-restart.sh 'restart if a setting waits for it; wait until the server accepts connections'
run 04-database.sql 'create database '\''shop'\'' if missing' 'dbname=postgres user=replicator'
run 05-tables.sql 'create schemas and tables if missing' 'dbname=shop user=replicator'
run 06-wait-publisher-warehouse_from_shop1.sh 'wait until '\''shop1'\'' has the publications of subscription '\''warehouse_from_shop1'\'''
run 07-subscribe-warehouse_from_shop1.sql 'create subscription '\''warehouse_from_shop1'\'' if missing' 'dbname=shop user=replicator'
run 08-wait-publisher-warehouse_from_shop2.sh 'wait until '\''shop2'\'' has the publications of subscription '\''warehouse_from_shop2'\'''
run 09-subscribe-warehouse_from_shop2.sql 'create subscription '\''warehouse_from_shop2'\'' if missing' 'dbname=shop user=replicator'
run 10-wait-publisher-warehouse_from_shop3.sh 'wait until '\''shop3'\'' has the publications of subscription '\''warehouse_from_shop3'\'''
run 11-subscribe-warehouse_from_shop3.sql 'create subscription '\''warehouse_from_shop3'\'' if missing' 'dbname=shop user=replicator'
run 12-wait-publisher-from_shop4.sh 'wait until '\''shop4'\'' has the publications of subscription '\''from_shop4'\'''
run 13-subscribe-from_shop4.sql 'create subscription '\''from_shop4'\'' if missing' 'dbname=shop user=replicator'
run 14-wait-sync-warehouse_from_shop1.sh 'wait until every table of subscription '\''warehouse_from_shop1'\'' is synchronised'
run 15-wait-sync-warehouse_from_shop2.sh 'wait until every table of subscription '\''warehouse_from_shop2'\'' is synchronised'
run 16-wait-sync-warehouse_from_shop3.sh 'wait until every table of subscription '\''warehouse_from_shop3'\'' is synchronised'
run 17-wait-sync-from_shop4.sh 'wait until every table of subscription '\''from_shop4'\'' is synchronised'
printf 'replc: %s: all steps done\n' "$node"
