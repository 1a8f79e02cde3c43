#!/bin/sh
# replc: step wait-columns.otus11-2.sh of node 'otus11-1' (cluster 'postgres2021-2147483647'). Generated; do not edit.
# when a column is to be added here to a table that 'otus11-2' receives, wait until 'otus11-2' has it
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='otus11-1'
port=5432
bindir='/usr/lib/postgresql/15/bin'
passfile=''
local_db='dbname=repl user=postgres'
add_sql='SELECT count(*) FROM (VALUES ('\''test1'\'', '\''k1'\''), ('\''test1'\'', '\''v1'\'')) AS d(rel, col) WHERE d.rel IS NOT NULL AND to_regclass(d.rel) IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass(d.rel) AND attname = d.col AND attnum > 0 AND NOT attisdropped)'
subscriber='otus11-2'
subscriber_conninfo='host=192.168.56.12 port=5432 dbname=repl user=postgres connect_timeout=5'
missing_sql='SELECT count(*) FROM (VALUES ('\''test1'\'', '\''k1'\''), ('\''test1'\'', '\''v1'\'')) AS d(rel, col) WHERE d.rel IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass(d.rel) AND attname = d.col AND attnum > 0 AND NOT attisdropped)'
waiting=''\''otus11-2'\'' (192.168.56.12 port 5432) to have the columns added to the tables it receives from here (subscribers first)'
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
