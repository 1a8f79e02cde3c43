#!/bin/sh
# replc: every step of node 'otus11-2' (cluster 'postgres2021-2147483647'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
cd "$(dirname "$0")"
PATH=/usr/lib/postgresql/15/bin:$PATH; export PATH
PGPORT=${PGPORT:-5432}; export PGPORT
node='otus11-2'
run() {
    printf 'replc: %s: %s: %s\n' "$node" "$1" "$2"
    case $1 in
    *.sql) psql -X -q -v ON_ERROR_STOP=1 -d "$3" -f "$1" ;;
    *) sh "./$1" ;;
    esac || { printf 'replc: %s: step %s failed\n' "$node" "$1" >&2; exit 1; }
}
run 01-pgpass.sh 'write the peers'\'' password lines into ~/.pgpass'
run 02-hba.sh 'admit 3 peer line(s) in pg_hba.conf, reload'
run 03-config.sql 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=postgres'
run 04-restart.sh 'restart if a setting waits for it; wait until the server accepts connections'
run 05-database.sql 'create database '\''repl'\'' if missing' 'dbname=postgres user=postgres'
run 06-tables.sql 'create schemas and tables if missing' 'dbname=repl user=postgres'
run 07-publications.sql 'create 1 publication(s) and the subscribers'\'' slots if missing' 'dbname=repl user=postgres'
run 08-wait-publisher-subs_test1.sh 'wait until '\''otus11-1'\'' has the publications of subscription '\''subs_test1'\'''
run 09-subscribe-subs_test1.sql 'create subscription '\''subs_test1'\'' if missing' 'dbname=repl user=postgres'
run 10-wait-sync-subs_test1.sh 'wait until every table of subscription '\''subs_test1'\'' is synchronised'
printf 'replc: %s: all steps done\n' "$node"
