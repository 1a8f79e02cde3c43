#!/bin/sh
# replc: step 05-wait-publisher-sub_from_pub.sh of node 'sub' (cluster 'failover17'). Generated; do not edit.
# wait until 'pub' has the publications of subscription 'sub_from_pub'
# Safe to run again: it checks what is in place first.
set -eu
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node=sub
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
if [ "${REPLC_DRY_RUN:-0}" = 1 ]; then finish; fi
ready() {
    peer ''\''pub'\''' psql -XAtq -d 'host=10.7.0.1 port=5432 dbname=app user=postgres connect_timeout=5' -c 'SELECT (SELECT count(*) FROM pg_publication WHERE pubname IN ('\''p'\'')) + (SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\''sub_from_pub'\'')' || return 1
    [ "$answer" = 2 ]
}
wait_for 'the publication(s) and slot of subscription '\''sub_from_pub'\'' on '\''pub'\'' (10.7.0.1 port 5432)' ready
say 'publisher ready'
finish
