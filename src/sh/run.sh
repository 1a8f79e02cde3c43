#!/bin/sh
# run.sh: template of a host's run.sh, which runs every step of the host in
# order and stops at the first failure. The generated run.sh assigns node,
# port, bindir, passfile, local_postgres, pgdata, service and version, and
# sets "$@" to triples, one per step: its file, what it does, and for a .sql
# step the conninfo of the database it runs in ('' for a .sh step). Before
# the first step it checks with lib.sh that the server manager can act here.
# shellcheck disable=SC2154 # the generated run.sh assigns the values above
set -eu
# --- step body ---
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
