#!/bin/sh
# replc: step wait-sync.sub2_from_pub.sh of node 'sub2' (cluster 'traps'). Generated; do not edit.
# wait until every table of subscription 'sub2_from_pub' is synchronised
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='sub2'
port=5432
bindir=''
passfile=''
local_db='dbname=app user=postgres'
subscription='sub2_from_pub'
synced_sql='SELECT CASE WHEN (SELECT count(*) FILTER (WHERE srsubstate NOT IN ('\''r'\'', '\''s'\'')) = 0 AND count(*) >= 1 FROM pg_subscription_rel WHERE srsubid = (SELECT oid FROM pg_subscription WHERE subname = '\''sub2_from_pub'\'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))) THEN set_config('\''synchronous_commit'\'', '\''local'\'', true) IS NOT NULL AND pg_logical_emit_message(true, '\''replc'\'', '\''synchronised'\'') IS NOT NULL ELSE false END'
primary=''
primary_conninfo=''
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
# in a dry run nothing that this waits for is made: the wait ends at once
if dry; then finish; fi
# shellcheck disable=SC2317 # called by wait_for
synced() {
    if [ -n "$primary" ]; then kick; fi
    [ "$(lpsql "$local_db" "$synced_sql")" = t ]
}
wait_for "every table of subscription '$subscription' to be synchronised (pg_subscription_rel)" synced
if [ -n "$primary" ]; then
    say "subscription synchronised ('$primary' logged $kicks standby snapshot(s) meanwhile)"
else
    say 'subscription synchronised'
fi
finish
