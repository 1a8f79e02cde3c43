#!/bin/sh
# replc: step wait-columns.sub.sh of node 'pub' (cluster 'traps'). Generated; do not edit.
# when a column is to be added here to a table that 'sub' receives, wait until 'sub' has it
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='pub'
port=5432
bindir=''
passfile=''
local_db='dbname=app user=postgres'
add_sql='SELECT count(*) FROM (VALUES ('\''orders'\'', '\''id'\''), ('\''orders'\'', '\''note'\'')) AS d(rel, col) WHERE d.rel IS NOT NULL AND to_regclass(d.rel) IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass(d.rel) AND attname = d.col AND attnum > 0 AND NOT attisdropped)'
subscriber='sub'
subscriber_conninfo='host=sub.example port=5432 dbname=app user=postgres connect_timeout=5'
missing_sql='SELECT count(*) FROM (VALUES ('\''orders'\'', '\''id'\''), ('\''orders'\'', '\''note'\'')) AS d(rel, col) WHERE d.rel IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass(d.rel) AND attname = d.col AND attnum > 0 AND NOT attisdropped)'
waiting=''\''sub'\'' (sub.example port 5432) to have the columns added to the tables it receives from here (subscribers first)'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
if [ -z "$subscriber" ]; then finish; fi
# nothing to add here (or the tables are still to be made): nothing to wait for
if ! to_add=$(lpsql "$local_db" "$add_sql" 2>/dev/null) || [ "$to_add" = 0 ]; then finish; fi
if dry; then finish; fi
# shellcheck disable=SC2317 # called by wait_for
ready() {
    peer "'$subscriber'" psql -XAtq -d "$subscriber_conninfo" -c "$missing_sql" || return 1
    if [ "$answer" = 0 ]; then return 0; fi
    last_error="'$subscriber' lacks $answer column(s)"
    return 1
}
wait_for "$waiting" ready
say "'$subscriber' has the columns"
finish
