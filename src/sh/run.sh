#!/bin/sh
# run.sh: template of a host's run.sh, which runs every step of the host in
# order and stops at the first failure. The generated run.sh assigns node,
# port and bindir, and sets "$@" to triples, one per step: its file, what it
# does, and for a .sql step the conninfo of the database it runs in ('' for
# a .sh step). It does not use lib.sh: each .sh step sources that itself.
# shellcheck disable=SC2154 # the generated run.sh assigns the values above
set -eu
# --- step body ---
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
