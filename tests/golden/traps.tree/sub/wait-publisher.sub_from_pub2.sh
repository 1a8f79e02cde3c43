#!/bin/sh
# replc: step wait-publisher.sub_from_pub2.sh of node 'sub' (cluster 'traps'). Generated; do not edit.
# wait until 'pub2' has the publications of subscription 'sub_from_pub2'
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='sub'
port=5432
bindir=''
passfile=''
publisher='pub2'
publisher_conninfo='host=pub2.example port=5432 dbname=app user=postgres connect_timeout=5'
count_sql='SELECT 0 + (SELECT count(*) FROM pg_publication p WHERE p.pubname = '\''more'\'' AND (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '\''{}'\'') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '\''{}'\'') FROM unnest(ARRAY[to_regclass('\''orders'\'')::oid]::oid[]) x)) + (SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\''sub_from_pub2'\'')'
ready_count=2
waiting='the publication(s) and slot of subscription '\''sub_from_pub2'\'' on '\''pub2'\'' (pub2.example port 5432)'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
# in a dry run nothing that this waits for is made: the wait ends at once
if dry; then finish; fi
# shellcheck disable=SC2317 # called by wait_for
ready() {
    peer "'$publisher'" psql -XAtq -d "$publisher_conninfo" -c "$count_sql" || return 1
    [ "$answer" = "$ready_count" ]
}
wait_for "$waiting" ready
say 'publisher ready'
finish
