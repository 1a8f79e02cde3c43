#!/bin/sh
# replc: every step of node 'alpha' (cluster 'standby-publisher'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='alpha'
port=5432
bindir=''
set -- \
    'pgpass.sh' 'write the peers'\'' password lines into ~/.pgpass' '' \
    'hba.sh' 'admit 3 peer line(s) in pg_hba.conf, reload' '' \
    'config.sql' 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=postgres' \
    'restart.sh' 'restart if a setting waits for it; wait until the server accepts connections' '' \
    'database.sql' 'create database '\''repl'\'' if missing' 'dbname=postgres user=postgres' \
    'tables.sql' 'create schemas and tables if missing' 'dbname=repl user=postgres' \
    'publications.sql' 'create 2 publication(s) and the subscribers'\'' slots if missing' 'dbname=repl user=postgres'
cd "$(dirname "$0")"
if [ -n "$bindir" ]; then PATH=$bindir:$PATH; export PATH; fi
PGPORT=${PGPORT:-$port}; export PGPORT
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
