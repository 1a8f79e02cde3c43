#!/bin/sh
# replc: every step of node 'beta2' (cluster 'standby-publisher'), in order. Generated; do not edit.
# Copy this directory to the host and run it there as the PostgreSQL OS user:
#     sh run.sh
# It stops at the first failure; running it again is safe.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='beta2'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
pgdata='/var/lib/postgresql/17/main'
service='auto'
version=17
set -- \
    '01-pgpass.sh' 'write the peers'\'' password lines into ~/.pgpass' '' \
    '02-raise.sh' 'if already a standby, raise the settings that may not be lower than on its primary, before '\''alpha'\'' restarts' '' \
    '03-basebackup.sh' 'rebuild the data directory from '\''beta'\'' with pg_basebackup, start, wait until it streams' '' \
    '04-hba.sh' 'admit 2 peer line(s) in pg_hba.conf, reload' '' \
    '05-config.sql' 'raise server settings to the derived values (ALTER SYSTEM)' 'dbname=postgres user=postgres' \
    '06-restart.sh' 'restart if a setting waits for it; wait until the server accepts connections' ''
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
