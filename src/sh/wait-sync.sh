#!/bin/sh
# wait-sync.sh: template of the step that waits until every table of a
# subscription is synchronised. The generated step assigns node, port,
# bindir, passfile, local_db (conninfo of this host's database),
# subscription, synced_sql (true once every table is ready), and, when the
# publisher is a standby, primary and primary_conninfo: its primary is asked
# for standby snapshots meanwhile (kick, in lib.sh); both are '' otherwise.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
# in a dry run nothing that this waits for is made: the wait ends at once
if dry; then finish; fi
# shellcheck disable=SC2317 # called by wait_for
synced() {
    if [ -n "$primary" ]; then kick; fi
    answer=$(lpsql "$local_db" "$synced_sql") || return 1
    if [ "$answer" = t ]; then return 0; fi
    last_error=$answer   # what stands: the tables not synchronised yet
    return 1
}
wait_for "every table of subscription '$subscription' to be synchronised (pg_subscription_rel)" synced
if [ -n "$primary" ]; then
    say "subscription synchronised ('$primary' logged $kicks standby snapshot(s) meanwhile)"
else
    say 'subscription synchronised'
fi
finish
