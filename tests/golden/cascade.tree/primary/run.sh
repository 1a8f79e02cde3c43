#!/bin/sh
# replc: every step of node 'primary' (cluster 'cascade'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
cd "$(dirname "$0")"
PGPORT=${PGPORT:-5432}; export PGPORT
node='primary'
run() {
    printf 'replc: %s: %s: %s\n' "$node" "$1" "$2"
    case $1 in
    *.sql) psql -X -q -v ON_ERROR_STOP=1 -d "$3" -f "$1" ;;
    *) sh "./$1" ;;
    esac || { printf 'replc: %s: step %s failed\n' "$node" "$1" >&2; exit 1; }
}
run 01-hba.sh 'admit 1 peer line(s) in pg_hba.conf, reload'
run 02-config.sql 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=postgres'
run 03-restart.sh 'restart if a setting waits for it; wait until the server accepts connections'
printf 'replc: %s: all steps done\n' "$node"
