#!/bin/sh
# replc: step 08-slot-gamma_t.sh of node 'gamma' (cluster 'standby-publisher'). Generated; do not edit.
# create slot 'gamma_t' on standby 'beta', 'alpha' logging standby snapshots meanwhile
# Safe to run again: it checks what is in place first.
set -eu
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node=gamma
say() { printf 'replc: %s: %s\n' "$node" "$*"; }
# change WHAT: about to change something (REPLC_DRY_RUN=1: say so and stop)
changed=0
change() {
    if [ "${REPLC_DRY_RUN:-0}" = 1 ]; then say "would $*"; echo 'replc-result: would-change'; exit 0; fi
    changed=1
}
# finish: the last line says whether anything changed
finish() { if [ "$changed" = 1 ]; then echo 'replc-result: changed'; else echo 'replc-result: ok'; fi; exit 0; }
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
# kick: ask the primary 'alpha' to log a standby snapshot; a slot on standby
# 'beta' (the subscription's, or a table-sync worker's) waits for one
kicks=0
kick() {
    if peer ''\''alpha'\''' psql -XAtq -d 'host=10.2.0.1 port=5432 dbname=repl user=postgres connect_timeout=5' -c 'SELECT pg_log_standby_snapshot()'; then kicks=$((kicks + 1)); fi
}
on_standby() { psql -XAtq -v ON_ERROR_STOP=1 -d 'host=10.2.0.2 port=5432 dbname=repl user=postgres connect_timeout=5' -c "$1"; }
slot=gamma_t
standby=beta
primary=alpha
if [ "$(on_standby 'SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '\''gamma_t'\'')')" = f ]; then say "slot $slot exists on '$standby'"; finish; fi
change "create slot $slot on standby '$standby'"
log=${TMPDIR:-/tmp}/replc-slot.$$
# the server gives up by itself after $timeout seconds
PGOPTIONS="-c statement_timeout=${timeout}s" on_standby 'SELECT pg_create_logical_replication_slot('\''gamma_t'\'', '\''pgoutput'\'', false, false, false)' >"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do kick; sleep 1; done
if wait "$pid"; then
    rm -f "$log"
    say "slot $slot created on '$standby' ('$primary' logged $kicks standby snapshot(s) meanwhile)"
    finish
fi
say "could not create slot $slot on '$standby': $(cat "$log")"
if [ -n "$last_error" ]; then say "last answer of '$primary': $last_error"; fi
rm -f "$log"
exit 1
