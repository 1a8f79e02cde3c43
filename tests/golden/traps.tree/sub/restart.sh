#!/bin/sh
# replc: step restart.sh of node 'sub' (cluster 'traps'). Generated; do not edit.
# restart 'sub' only when one of replc's settings waits for it (wal_level, max_wal_senders, max_replication_slots, max_logical_replication_workers, max_worker_processes); wait until the server accepts connections
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='sub'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
pgdata=''
service='auto'
version=16
pending_sql='SELECT coalesce(string_agg(name, '\'', '\'' ORDER BY name), '\'''\'') FROM pg_settings WHERE pending_restart AND name IN ('\''wal_level'\'', '\''max_wal_senders'\'', '\''max_replication_slots'\'', '\''max_logical_replication_workers'\'', '\''max_worker_processes'\'')'
others_sql='SELECT coalesce(string_agg(name, '\'', '\'' ORDER BY name), '\'''\'') FROM pg_settings WHERE pending_restart AND name NOT IN ('\''wal_level'\'', '\''max_wal_senders'\'', '\''max_replication_slots'\'', '\''max_logical_replication_workers'\'', '\''max_worker_processes'\'')'
set --
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
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
