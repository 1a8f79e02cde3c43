#!/bin/sh
# replc: step promote.sh of node 'otus11-4' (cluster 'postgres2021-2147483647'). Generated; do not edit.
# promote this standby and take over the subscriptions it carries (run by hand)
# Safe to run again: it checks what is in place first.
# 'otus11-4' is a standby of subscriber 'otus11-3' and carries copies of its subscriptions.
# Run this only when 'otus11-3' is gone for good or stopped: the subscriptions then
# continue from here, each on a new slot of its own on the publisher. Changes
# published after 'otus11-3' last applied and before the new slot exists are not
# sent again: compare the tables with their publishers afterwards.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='otus11-4'
port=5432
bindir='/usr/lib/postgresql/15/bin'
passfile=''
local_db='dbname=repl user=postgres'
pgdata='/var/lib/postgresql/15/main'
service='auto'
version=15
workers=4
workers_sql='ALTER SYSTEM SET max_logical_replication_workers = 4'
set -- \
    'subs3_test1' 'otus11-1' 'host=192.168.56.11 port=5432 dbname=repl user=postgres' '' '' 'subs3_test1_otus11_4' 'SELECT coalesce(subslotname, '\'''\'') FROM pg_subscription WHERE subname = '\''subs3_test1'\'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())' 'ALTER SUBSCRIPTION subs3_test1 DISABLE' 'ALTER SUBSCRIPTION subs3_test1 SET (slot_name = NONE)' 'SELECT pg_create_logical_replication_slot('\''subs3_test1_otus11_4'\'', '\''pgoutput'\'') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '\''subs3_test1_otus11_4'\'')' 'ALTER SUBSCRIPTION subs3_test1 SET (slot_name = '\''subs3_test1_otus11_4'\'')' 'ALTER SUBSCRIPTION subs3_test1 ENABLE' \
    'subs3_test2' 'otus11-2' 'host=192.168.56.12 port=5432 dbname=repl user=postgres' '' '' 'subs3_test2_otus11_4' 'SELECT coalesce(subslotname, '\'''\'') FROM pg_subscription WHERE subname = '\''subs3_test2'\'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())' 'ALTER SUBSCRIPTION subs3_test2 DISABLE' 'ALTER SUBSCRIPTION subs3_test2 SET (slot_name = NONE)' 'SELECT pg_create_logical_replication_slot('\''subs3_test2_otus11_4'\'', '\''pgoutput'\'') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '\''subs3_test2_otus11_4'\'')' 'ALTER SUBSCRIPTION subs3_test2 SET (slot_name = '\''subs3_test2_otus11_4'\'')' 'ALTER SUBSCRIPTION subs3_test2 ENABLE'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
local_postgres=$local_db
find_pgdata
q() { lpsql "$local_db" "$1"; }
if [ "$(q 'SELECT pg_is_in_recovery()')" = t ]; then
    say 'promoting'
    q "SELECT pg_promote(true, $timeout)" >/dev/null
fi
# shellcheck disable=SC2317 # called by wait_for
promoted() { [ "$(q 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; }
wait_for 'the end of recovery' promoted
while [ $# -gt 0 ]; do
    subscription=$1 publisher=$2 publisher_conninfo=$3 primary=$4 primary_conninfo=$5 new_slot=$6
    slot_sql=$7 disable_sql=$8 detach_sql=$9 create_sql=${10} attach_sql=${11} enable_sql=${12}
    shift 12
    slot=$(q "$slot_sql")
    if [ "$slot" != "$new_slot" ]; then
        q "$disable_sql" >/dev/null
        q "$detach_sql" >/dev/null
        if [ -n "$primary" ]; then
            # a slot on a standby waits for the primary's next standby snapshot
            ( while :; do kick; sleep 1; done ) & kicker=$!
            psql -XAtq -v ON_ERROR_STOP=1 -d "$publisher_conninfo" -c "$create_sql" >/dev/null || { kill "$kicker"; exit 1; }
            kill "$kicker"
        else
            psql -XAtq -v ON_ERROR_STOP=1 -d "$publisher_conninfo" -c "$create_sql" >/dev/null
        fi
        q "$attach_sql" >/dev/null
        say "subscription '$subscription' moved to slot '$new_slot' on '$publisher'"
    fi
    q "$enable_sql" >/dev/null
done
# apply workers, off while this node was a standby
if [ "$(q 'SHOW max_logical_replication_workers')" -lt "$workers" ]; then
    q "$workers_sql" >/dev/null
    server restart
fi
say 'promoted; the subscriptions run here now'
