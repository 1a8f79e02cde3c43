#!/bin/sh
# promote.sh: template of promote.sh, run by hand (or by replc --promote) on
# a standby of a subscriber: once the old subscriber is gone, promote this
# standby and let its copies of the subscriptions take over the ORIGINAL
# slots on the publishers, each resuming from the replication origin position
# this standby replayed (docs/failover.md). It drops nothing.
# The generated step assigns node, port, bindir, passfile, local_db, pgdata
# ('' to ask the server), service, workers and workers_sql (the apply workers
# it needs, and the statement that sets them), old and old_conninfo (the old
# subscriber: it must not answer), sequences_sql (advances the sequences of
# the tables it receives; '' when none), and sets "$@" to one row of 8 values per
# subscription: its name, its publisher's name and conninfo, the slot's
# name, and the statements: the slot's state on the publisher, end the
# connection holding it there, the origin position replayed here, enable.
# REPLC_FORCE=1: go on although the old subscriber answers, and end the
# connections still holding the slots (only when it is fenced off for good).
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
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
