#!/bin/sh
# raise.sh: template of an existing standby's step, before its primary
# restarts: raise the settings that the primary's WAL is checked against and
# apply them with a restart. A standby not built yet gets its source's
# settings from the base backup. The generated step assigns node, port,
# bindir, passfile, local_postgres, pgdata ('' to ask the server), marker,
# service, and sets "$@" to pairs: a guard query, and the statement to run
# when it holds.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
manager_check
if ! ours; then
    say 'not a standby yet: its base backup brings the source'\''s settings'
    finish
fi
# stopped, it would refuse to start once its source runs with higher values
if ! running; then
    change 'start the server'
    server start
fi
q() { lpsql "$local_postgres" "$1"; }
# shellcheck disable=SC2317 # called by wait_for
up() { try q 'SELECT 1'; }
wait_for 'the server to accept connections' up
# raise GUARD STATEMENT: run the statement when the guard holds
raise() {
    if [ "$(q "SELECT $1")" = t ]; then
        change "$2"
        q "$2" >/dev/null
        say "$2"
    fi
}
while [ $# -gt 0 ]; do
    raise "$1" "$2"
    shift 2
done
if [ "$changed" = 0 ]; then finish; fi
# each of these takes effect only at a restart
server restart
wait_for "'$node' to stream again (pg_stat_wal_receiver)" streaming
finish
