#!/bin/sh
# replc: step promote.sh of node 'otus11-4' (cluster 'postgres2021-2147483647'). Generated; do not edit.
# promote this standby and take over the subscriptions it carries (run by hand)
# Safe to run again: it checks what is in place first.
set -eu
PATH=/usr/lib/postgresql/15/bin:$PATH; export PATH
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node=otus11-4
say() { printf 'replc: %s: %s\n' "$node" "$*"; }
# change WHAT: about to change something (REPLC_DRY_RUN=1: say so and stop)
changed=0
change() {
    if [ "${REPLC_DRY_RUN:-0}" = 1 ]; then say "would $*"; echo 'replc-result: would-change'; exit 0; fi
    changed=1
}
# finish: the last line says whether anything changed
finish() { if [ "$changed" = 1 ]; then echo 'replc-result: changed'; else echo 'replc-result: ok'; fi; exit 0; }
# 'otus11-4' is a standby of subscriber 'otus11-3' and carries copies of its subscriptions.
# Run this only when 'otus11-3' is gone for good or stopped: the subscriptions then
# continue from here, each on a new slot of its own on the publisher. Changes
# published after 'otus11-3' last applied and before the new slot exists are not
# sent again: compare the tables with their publishers afterwards.
# peer NAME COMMAND...: run a query on a peer, its answer in $answer; keep its
# error in $last_error, and stop at once when the peer refuses the password
last_error=
peer() {
    peer_name=$1; shift
    if out=$("$@" 2>&1); then answer=$out; return 0; fi
    last_error=$out
    case $out in
    *'password authentication failed'*|*'no password supplied'*)
        say "cannot log in to $peer_name: $out"
        exit 1 ;;
    esac
    return 1
}
# wait_for WHAT CHECK...: run CHECK until it succeeds, at most $timeout seconds
wait_for() {
    what=$1; shift
    start=$(date +%s); next=$start
    until "$@"; do
        now=$(date +%s)
        if [ $((now - start)) -ge "$timeout" ]; then
            say "timed out after ${timeout}s waiting for $what"
            if [ -n "$last_error" ]; then say "last error: $last_error"; fi
            exit 1
        fi
        if [ "$now" -ge "$next" ]; then
            say "waiting for $what"
            next=$((now + 10))
        fi
        sleep 1
    done
}
pgdata=/var/lib/postgresql/15/main
q() { psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=repl user=postgres' -c "$1"; }
if [ "$(q 'SELECT pg_is_in_recovery()')" = t ]; then
    say 'promoting'
    pg_ctl -D "$pgdata" -w -t "$timeout" promote
fi
primary() { [ "$(q 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; }
wait_for 'the end of recovery' primary

# subscription 'subs3_test1' (from 'otus11-1')
slot=$(q 'SELECT coalesce(subslotname, '\'''\'') FROM pg_subscription WHERE subname = '\''subs3_test1'\'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())')
if [ "$slot" != subs3_test1_otus11_4 ]; then
    q 'ALTER SUBSCRIPTION subs3_test1 DISABLE' >/dev/null
    q 'ALTER SUBSCRIPTION subs3_test1 SET (slot_name = NONE)' >/dev/null
    psql -XAtq -v ON_ERROR_STOP=1 -d 'host=192.168.56.11 port=5432 dbname=repl user=postgres' -c 'SELECT pg_create_logical_replication_slot('\''subs3_test1_otus11_4'\'', '\''pgoutput'\'') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '\''subs3_test1_otus11_4'\'')' >/dev/null
    q 'ALTER SUBSCRIPTION subs3_test1 SET (slot_name = '\''subs3_test1_otus11_4'\'')' >/dev/null
    say 'subscription '\''subs3_test1'\'' moved to slot '\''subs3_test1_otus11_4'\'' on '\''otus11-1'\'''
fi
q 'ALTER SUBSCRIPTION subs3_test1 ENABLE' >/dev/null

# subscription 'subs3_test2' (from 'otus11-2')
slot=$(q 'SELECT coalesce(subslotname, '\'''\'') FROM pg_subscription WHERE subname = '\''subs3_test2'\'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())')
if [ "$slot" != subs3_test2_otus11_4 ]; then
    q 'ALTER SUBSCRIPTION subs3_test2 DISABLE' >/dev/null
    q 'ALTER SUBSCRIPTION subs3_test2 SET (slot_name = NONE)' >/dev/null
    psql -XAtq -v ON_ERROR_STOP=1 -d 'host=192.168.56.12 port=5432 dbname=repl user=postgres' -c 'SELECT pg_create_logical_replication_slot('\''subs3_test2_otus11_4'\'', '\''pgoutput'\'') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '\''subs3_test2_otus11_4'\'')' >/dev/null
    q 'ALTER SUBSCRIPTION subs3_test2 SET (slot_name = '\''subs3_test2_otus11_4'\'')' >/dev/null
    say 'subscription '\''subs3_test2'\'' moved to slot '\''subs3_test2_otus11_4'\'' on '\''otus11-2'\'''
fi
q 'ALTER SUBSCRIPTION subs3_test2 ENABLE' >/dev/null

# apply workers, off while this node was a standby
if [ "$(q 'SHOW max_logical_replication_workers')" -lt 4 ]; then
    q 'ALTER SYSTEM SET max_logical_replication_workers = 4' >/dev/null
    pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" restart </dev/null
fi
say 'promoted; the subscriptions run here now'
