#!/bin/sh
# replc: step promote.sh of node 'stand by $x' (cluster 'c'l; --x'). Generated; do not edit.
# promote this standby and take over the subscriptions it carries (run by hand)
# Safe to run again: it checks what is in place first.
# 'stand by $x' is a standby of subscriber 'süb \ node' and carries copies of its subscriptions.
# Run this only when 'süb \ node' is gone for good: it refuses while 'süb \ node' answers
# (REPLC_FORCE=1: go on anyway, once it is fenced off). The subscriptions
# then continue from here on their original slots, from the positions this
# standby replayed: nothing is lost or applied twice (docs/failover.md).
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='stand by $x'
port=5432
bindir='/opt/pg bin/$(reboot)'
passfile=''
local_db='dbname='\''db name\'\''; DROP DATABASE x; --'\'' user='\''us\\er$(id)`id`'\'''
pgdata='/srv/pg data/it'\''s $HOME'
service='auto'
version=15
workers=4
workers_sql='ALTER SYSTEM SET max_logical_replication_workers = 4'
old='süb \ node'
sequences_sql='WITH t(rel) AS (SELECT x FROM unnest(ARRAY[to_regclass('\''"Sch""ema"."ta ble;--"'\'')::oid, to_regclass('\''abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'\'')::oid]::oid[]) x WHERE x IS NOT NULL), fed(seq, rel, att) AS (SELECT d.objid, d.refobjid, d.refobjsubid FROM pg_depend d WHERE d.classid = '\''pg_class'\''::regclass AND d.refclassid = '\''pg_class'\''::regclass AND d.refobjsubid > 0 AND d.deptype IN ('\''a'\'', '\''i'\'') AND d.refobjid IN (SELECT rel FROM t) UNION SELECT d.refobjid, ad.adrelid, ad.adnum FROM pg_attrdef ad JOIN pg_depend d ON d.classid = '\''pg_attrdef'\''::regclass AND d.objid = ad.oid AND d.refclassid = '\''pg_class'\''::regclass WHERE ad.adrelid IN (SELECT rel FROM t)), top(seq, target) AS (SELECT f.seq, (xpath('\''/row/m/text()'\'', query_to_xml(format('\''SELECT %s(%I)::text AS m FROM %s'\'', CASE WHEN s.seqincrement > 0 THEN '\''max'\'' ELSE '\''min'\'' END, a.attname, f.rel::regclass), false, true, '\'''\'')))[1]::text::numeric + 1000 * s.seqincrement FROM fed f JOIN pg_sequence s ON s.seqrelid = f.seq JOIN pg_attribute a ON a.attrelid = f.rel AND a.attnum = f.att), want(seq, target) AS (SELECT t.seq, CASE WHEN s.seqincrement > 0 THEN least(max(t.target), s.seqmax) ELSE greatest(min(t.target), s.seqmin) END FROM top t JOIN pg_sequence s ON s.seqrelid = t.seq WHERE t.target IS NOT NULL GROUP BY t.seq, s.seqincrement, s.seqmax, s.seqmin) SELECT coalesce(string_agg(format('\''%s %s'\'', w.seq::regclass, setval(w.seq, w.target::bigint)), '\'', '\'' ORDER BY w.seq::regclass::text), '\'''\'') FROM want w JOIN pg_sequence s ON s.seqrelid = w.seq WHERE CASE WHEN s.seqincrement > 0 THEN w.target > coalesce(pg_sequence_last_value(w.seq), s.seqmin - 1) ELSE w.target < coalesce(pg_sequence_last_value(w.seq), s.seqmax + 1) END'
old_conninfo='host=sub-host.example port=5432 dbname=postgres user='\''us\\er$(id)`id`'\'' connect_timeout=5'
set -- \
    'Süb'\''s "x"' 'pub'\''; rm -rf / #' 'host=10.9.0.1 port=5432 dbname='\''db name\'\''; DROP DATABASE x; --'\'' user='\''us\\er$(id)`id`'\'' connect_timeout=5' 'sub_slot' 'SELECT coalesce(active_pid::text, '\''inactive'\'') || '\'' '\'' || coalesce(confirmed_flush_lsn::text, '\''none'\'') FROM pg_replication_slots WHERE slot_name = '\''sub_slot'\''' 'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '\''sub_slot'\'' AND active_pid IS NOT NULL' 'SELECT coalesce((SELECT o.remote_lsn::text FROM pg_replication_origin_status o WHERE o.external_id = '\''pg_'\'' || s.oid), '\''the start'\'') FROM pg_subscription s WHERE s.subname = '\''Süb'\'''\''s "x"'\'' AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())' 'ALTER SUBSCRIPTION "Süb'\''s ""x""" ENABLE'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
local_postgres=$local_db
find_pgdata
force=${REPLC_FORCE:-0}
q() { lpsql "$local_db" "$1"; }
# slot_state ROW...: "PID-or-inactive CONFIRMED" of this row's slot on its
# publisher in $answer ('' when the slot is missing); 1 when unreachable
slot_state() { peer "'$2'" psql -XAtq -v ON_ERROR_STOP=1 -d "$3" -c "$5"; }
# shellcheck disable=SC2317 # called by wait_for
slot_free() { slot_state "$@" && [ "${answer%% *}" = inactive ]; }
rows=$(($# / 8))
# answers: 0 when the old subscriber answers (accepting or refusing
# connections, or refusing us), 1 when nothing answers, 2 when we cannot tell
answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        ready=0
        pg_isready -q -d "$old_conninfo" >/dev/null 2>&1 || ready=$?
        case $ready in 0|1) return 0 ;; 2) return 1 ;; *) return 2 ;; esac
    fi
    if out=$(psql -XAtq -d "$old_conninfo" -c 'SELECT 1' 2>&1); then return 0; fi
    case $out in *FATAL*) return 0 ;; esac
    return 1
}
recovery=$(q 'SELECT pg_is_in_recovery()')
if [ "$recovery" = t ]; then
    # check everything first: the old subscriber is gone, every slot is there
    problems=0
    answer_rc=0
    answers || answer_rc=$?
    if [ "$answer_rc" = 2 ]; then
        say "cannot tell whether '$old' answers (pg_isready says: no attempt was made)"
        problems=$((problems + 1))
    elif [ "$answer_rc" = 0 ]; then
        if [ "$force" = 1 ]; then
            say "WARNING: '$old' still answers; going on as told (REPLC_FORCE=1): it must never reach the publishers again"
        else
            say "'$old' still answers: stop it (or fence it off and force this)"
            problems=$((problems + 1))
        fi
    fi
    i=0
    while [ "$i" -lt "$rows" ]; do
        if ! slot_state "$@"; then
            say "cannot reach '$2' to check slot '$4': $last_error"
            problems=$((problems + 1))
        elif [ -z "$answer" ]; then
            say "slot '$4' is missing on '$2': the changes for subscription '$1' are gone; nothing here can resume it"
            problems=$((problems + 1))
        fi
        set -- "$@" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8"
        shift 8
        i=$((i + 1))
    done
    if [ "$problems" -gt 0 ]; then
        say "not promoted ($problems problem(s) above)"
        exit 1
    fi
    # the old subscriber's connections end with it; wait until each slot is free
    i=0
    while [ "$i" -lt "$rows" ]; do
        if [ "$force" = 1 ]; then
            peer "'$2'" psql -XAtq -v ON_ERROR_STOP=1 -d "$3" -c "$6" >/dev/null || :
        fi
        wait_for "slot '$4' on '$2' to be free (a connection of '$old' still holds it)" slot_free "$@"
        set -- "$@" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8"
        shift 8
        i=$((i + 1))
    done
    say 'promoting'
    q "SELECT pg_promote(true, $timeout)" >/dev/null
fi
# shellcheck disable=SC2317 # called by wait_for
promoted() { [ "$(q 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; }
wait_for 'the end of recovery' promoted
# the old subscriber's standbys, this one among them, confirmed its commits;
# here nobody would: commits must not wait for a standby
if [ -n "$(q 'SHOW synchronous_standby_names')" ]; then
    q 'ALTER SYSTEM RESET synchronous_standby_names' >/dev/null
    q 'SELECT pg_reload_conf()' >/dev/null
fi
# logical replication brought rows, not sequences: the sequences feeding the
# received tables are where they were; past their largest key before anyone
# here writes (a second run moves none: they are never set backwards)
if [ -n "$sequences_sql" ]; then
    advanced=$(q "$sequences_sql")
    if [ -n "$advanced" ]; then
        say "sequences advanced past the largest key of their tables (by 1000 steps): $advanced"
    fi
fi
while [ $# -gt 0 ]; do
    subscription=$1 publisher=$2 slot=$4 origin_sql=$7 enable_sql=$8
    if slot_state "$@" && [ -n "$answer" ]; then confirmed=${answer#* }; else confirmed=unknown; fi
    shift 8
    say "subscription '$subscription' takes over slot '$slot' on '$publisher' from $(q "$origin_sql") (confirmed there: $confirmed)"
    q "$enable_sql" >/dev/null
done
# apply workers, off while this node was a standby
if [ "$(q 'SHOW max_logical_replication_workers')" -lt "$workers" ]; then
    q "$workers_sql" >/dev/null
    server restart
fi
say 'promoted; the subscriptions run here now, on their original slots'
