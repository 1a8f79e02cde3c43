#!/bin/sh
# replc: step slot.gamma_t.sh of node 'gamma' (cluster 'standby-publisher'). Generated; do not edit.
# create slot 'gamma_t' on standby 'beta', 'alpha' logging standby snapshots meanwhile
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='gamma'
port=5432
bindir=''
passfile=''
standby='beta'
standby_conninfo='host=10.2.0.2 port=5432 dbname=repl user=postgres connect_timeout=5'
primary='alpha'
primary_conninfo='host=10.2.0.1 port=5432 dbname=repl user=postgres connect_timeout=5'
slot='gamma_t'
missing_sql='SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '\''gamma_t'\'')'
create_sql='SELECT pg_create_logical_replication_slot('\''gamma_t'\'', '\''pgoutput'\'', false, false, false)'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
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
