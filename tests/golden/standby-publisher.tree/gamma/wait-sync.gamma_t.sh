#!/bin/sh
# replc: step wait-sync.gamma_t.sh of node 'gamma' (cluster 'standby-publisher'). Generated; do not edit.
# wait until every table of subscription 'gamma_t' is synchronised
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='gamma'
port=5432
bindir=''
passfile=''
local_db='dbname=repl user=postgres'
subscription='gamma_t'
synced_sql='SELECT CASE WHEN (SELECT count(*) FILTER (WHERE srsubstate NOT IN ('\''r'\'', '\''s'\'')) = 0 AND count(*) >= 1 FROM pg_subscription_rel WHERE srsubid = (SELECT oid FROM pg_subscription WHERE subname = '\''gamma_t'\'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))) THEN CASE WHEN set_config('\''synchronous_commit'\'', '\''local'\'', true) IS NOT NULL AND pg_logical_emit_message(true, '\''replc'\'', '\''synchronised'\'') IS NOT NULL THEN '\''t'\'' END ELSE (WITH s AS (SELECT oid FROM pg_subscription WHERE subname = '\''gamma_t'\'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) SELECT CASE WHEN NOT EXISTS (SELECT FROM s) THEN '\''the subscription does not exist yet'\'' ELSE coalesce('\''not synchronised yet: '\'' || string_agg(r.srrelid::regclass::text || '\'' in state '\'' || r.srsubstate::text, '\'', '\'' ORDER BY r.srrelid), '\''not all its tables are listed yet'\'') || coalesce((SELECT '\''; its table-sync workers failed '\'' || t.sync_error_count || '\'' time(s) so far (the server log says why)'\'' FROM pg_stat_subscription_stats t, s WHERE t.subid = s.oid AND t.sync_error_count > 0), '\'''\'') END FROM pg_subscription_rel r, s WHERE r.srsubid = s.oid AND r.srsubstate NOT IN ('\''r'\'', '\''s'\'')) END'
primary='alpha'
primary_conninfo='host=10.2.0.1 port=5432 dbname=repl user=postgres connect_timeout=5'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
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
