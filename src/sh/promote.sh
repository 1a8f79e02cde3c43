#!/bin/sh
# promote.sh: template of promote.sh, run by hand on a standby of a
# subscriber: promote it and move the subscriptions it carries onto slots of
# its own, so that it never competes with the original for the same slot.
# The generated step assigns node, port, bindir, passfile, local_db, pgdata
# ('' to ask the server), service, workers and workers_sql (the apply workers
# it needs, and the statement that sets them), and sets "$@" to one row of 12
# values per subscription: its name, its publisher's name and conninfo, the
# publisher's primary and its conninfo when the publisher is a standby ('' and
# '' otherwise), the new slot's name, and the statements: read the current
# slot, disable, detach the slot, create the new slot, attach it, enable.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
local_postgres=$local_db
find_pgdata
q() { lpsql "$local_db" "$1"; }
if [ "$(q 'SELECT pg_is_in_recovery()')" = t ]; then
    say 'promoting'
    q "SELECT pg_promote(true, $timeout)" >/dev/null
fi
# shellcheck disable=SC2317 # called by wait_for
promoted() { [ "$(q 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; }
wait_for 'the end of recovery' promoted
while [ $# -gt 0 ]; do
    subscription=$1 publisher=$2 publisher_conninfo=$3 primary=$4 primary_conninfo=$5 new_slot=$6
    slot_sql=$7 disable_sql=$8 detach_sql=$9 create_sql=${10} attach_sql=${11} enable_sql=${12}
    shift 12
    slot=$(q "$slot_sql")
    if [ "$slot" != "$new_slot" ]; then
        q "$disable_sql" >/dev/null
        q "$detach_sql" >/dev/null
        if [ -n "$primary" ]; then
            # a slot on a standby waits for the primary's next standby snapshot
            ( while :; do kick; sleep 1; done ) & kicker=$!
            psql -XAtq -v ON_ERROR_STOP=1 -d "$publisher_conninfo" -c "$create_sql" >/dev/null || { kill "$kicker"; exit 1; }
            kill "$kicker"
        else
            psql -XAtq -v ON_ERROR_STOP=1 -d "$publisher_conninfo" -c "$create_sql" >/dev/null
        fi
        q "$attach_sql" >/dev/null
        say "subscription '$subscription' moved to slot '$new_slot' on '$publisher'"
    fi
    q "$enable_sql" >/dev/null
done
# apply workers, off while this node was a standby
if [ "$(q 'SHOW max_logical_replication_workers')" -lt "$workers" ]; then
    q "$workers_sql" >/dev/null
    server restart
fi
say 'promoted; the subscriptions run here now'
