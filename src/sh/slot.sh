#!/bin/sh
# slot.sh: template of the step that creates a subscription's slot on the
# standby it subscribes to. A slot made on a standby is ready only after the
# primary logs a snapshot of its running transactions, which an idle primary
# does not do by itself: while the slot is made, this asks the primary for one
# every second (kick, in lib.sh). The generated step assigns node, port,
# bindir, passfile, standby (the publisher's name), standby_conninfo, primary
# (the name of the standby's primary), primary_conninfo, slot, missing_sql
# (a query, true when the slot is missing) and create_sql.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
on_standby() { psql -XAtq -v ON_ERROR_STOP=1 -d "$standby_conninfo" -c "$1"; }
if [ "$(on_standby "$missing_sql")" = f ]; then say "slot $slot exists on '$standby'"; finish; fi
change "create slot $slot on standby '$standby'"
log=${TMPDIR:-/tmp}/replc-slot.$$
# the server gives up by itself after $timeout seconds
PGOPTIONS="-c statement_timeout=${timeout}s" on_standby "$create_sql" >"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do kick; nap; done
if wait "$pid"; then
    rm -f "$log"
    say "slot $slot created on '$standby' ('$primary' logged $kicks standby snapshot(s) meanwhile)"
    finish
fi
say "could not create slot $slot on '$standby': $(cat "$log")"
if [ -n "$last_error" ]; then say "last answer of '$primary': $last_error"; fi
rm -f "$log"
exit 1
