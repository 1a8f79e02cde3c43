#!/bin/sh
# restart.sh: template of the step that reloads the configuration and
# restarts the server when a setting waits for a restart. The generated step
# assigns node, port, bindir, passfile, local_postgres, pgdata ('' to ask the
# server), service, pending_sql (the names of the settings replc sets that
# wait for a restart: the only cause of one), others_sql (those waiting that
# replc does not set: reported, left to their owner), and sets "$@" to triples, one per streaming standby below a
# primary, that must raise its settings first: what to say while waiting,
# the standby's conninfo, and a query that is true once it has.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
# shellcheck disable=SC2317 # called by wait_for
up() { try lpsql "$local_postgres" 'SELECT 1'; }
wait_for 'the server to accept connections' up
# a reload applies what needs no restart, and marks what does as pending
if ! dry; then
    before=$(lpsql "$local_postgres" 'SELECT pg_conf_load_time()')
    lpsql "$local_postgres" 'SELECT pg_reload_conf()' >/dev/null
    # shellcheck disable=SC2317 # called by wait_for
    reloaded() { [ "$(lpsql "$local_postgres" 'SELECT pg_conf_load_time()')" != "$before" ]; }
    wait_for 'the server to reload its configuration' reloaded
fi
others=$(lpsql "$local_postgres" "$others_sql")
if [ -n "$others" ]; then
    say "notice: waiting for a restart, not set by replc (left to you): $others"
fi
pending=$(lpsql "$local_postgres" "$pending_sql")
if [ -z "$pending" ]; then
    say 'no restart needed'
    finish
fi
manager_check
change "restart to apply: $pending"
# Before a primary restarts, each standby below it that answers must have
# raised its settings (its raise step), or its replay would pause on the
# primary's higher settings. One that does not answer is not streaming yet:
# its base backup brings the new settings.
# standby_raised CONNINFO QUERY: true when the standby does not answer, or
# answers that its settings are high enough
# shellcheck disable=SC2317 # called by wait_for
standby_raised() {
    out=$(psql -XAtq -d "$1" -c "$2" 2>/dev/null) || return 0
    [ "$out" = t ]
}
while [ $# -gt 0 ]; do
    wait_for "$1" standby_raised "$2" "$3"
    shift 3
done
server restart
wait_for 'the server to accept connections after the restart' up
finish
