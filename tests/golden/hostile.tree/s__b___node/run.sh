#!/bin/sh
# replc: every step of node 'süb \ node' (cluster 'c'l; --x'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
cd "$(dirname "$0")"
PATH='/opt/pg bin/$(reboot)':$PATH; export PATH
PGPORT=${PGPORT:-5432}; export PGPORT
node='süb \ node'
run() {
    printf 'replc: %s: %s: %s\n' "$node" "$1" "$2"
    case $1 in
    *.sql) psql -X -q -v ON_ERROR_STOP=1 -d "$3" -f "$1" ;;
    *) sh "./$1" ;;
    esac || { printf 'replc: %s: step %s failed\n' "$node" "$1" >&2; exit 1; }
}
run 01-pgpass.sh 'write the peers'\'' password lines into ~/.pgpass'
run 02-hba.sh 'admit 1 peer line(s) in pg_hba.conf, reload'
run 03-config.sql 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user='\''us\\er$(id)`id`'\'''
run 04-restart.sh 'restart if a setting waits for it; wait until the server accepts connections'
run 05-database.sql 'create database '\''db name'\''; DROP DATABASE x; --'\'' if missing' 'dbname=postgres user='\''us\\er$(id)`id`'\'''
run 06-tables.sql 'create schemas and tables if missing' 'dbname='\''db name\'\''; DROP DATABASE x; --'\'' user='\''us\\er$(id)`id`'\'''
run 07-wait-publisher-___b_s__x_.sh 'wait until '\''pub'\''; rm -rf / #'\'' has the publications of subscription '\''Süb'\''s "x"'\'''
run 08-subscribe-___b_s__x_.sql 'create subscription '\''Süb'\''s "x"'\'' if missing' 'dbname='\''db name\'\''; DROP DATABASE x; --'\'' user='\''us\\er$(id)`id`'\'''
run 09-wait-sync-___b_s__x_.sh 'wait until every table of subscription '\''Süb'\''s "x"'\'' is synchronised'
printf 'replc: %s: all steps done\n' "$node"
