#!/bin/sh
# replc: step wait-publisher.subs_test1.sh of node 'otus11-2' (cluster 'postgres2021-2147483647'). Generated; do not edit.
# wait until 'otus11-1' has the publications of subscription 'subs_test1'
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='otus11-2'
port=5432
bindir='/usr/lib/postgresql/15/bin'
passfile=''
publisher='otus11-1'
publisher_conninfo='host=192.168.56.11 port=5432 dbname=repl user=postgres connect_timeout=5'
count_sql='SELECT 0 + (SELECT count(*) FROM pg_publication p WHERE p.pubname = '\''publ_test1'\'' AND (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '\''{}'\'') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '\''{}'\'') FROM unnest(ARRAY[to_regclass('\''test1'\'')::oid]::oid[]) x)) + (SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\''subs_test1'\'')'
ready_count=2
waiting='the publication(s) and slot of subscription '\''subs_test1'\'' on '\''otus11-1'\'' (192.168.56.11 port 5432)'
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
