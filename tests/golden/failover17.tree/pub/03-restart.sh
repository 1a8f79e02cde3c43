#!/bin/sh
# replc: step 03-restart.sh of node 'pub' (cluster 'failover17'). Generated; do not edit.
# restart if a setting waits for it; wait until the server accepts connections
# Safe to run again: it checks what is in place first.
set -eu
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node=pub
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
up() { psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT 1' >/dev/null 2>&1; }
wait_for 'the server to accept connections' up
# a reload applies what needs no restart, and marks what does as pending
if [ "${REPLC_DRY_RUN:-0}" != 1 ]; then
    before=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT pg_conf_load_time()')
    psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT pg_reload_conf()' >/dev/null
    reloaded() { [ "$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT pg_conf_load_time()')" != "$before" ]; }
    wait_for 'the server to reload its configuration' reloaded
fi
pending=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT coalesce(string_agg(name, '\'', '\'' ORDER BY name), '\'''\'') FROM pg_settings WHERE pending_restart')
if [ -z "$pending" ]; then
    say 'no restart needed'
    finish
fi
pgdata=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SHOW data_directory')
change "restart to apply: $pending"
pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" restart </dev/null
wait_for 'the server to accept connections after the restart' up
finish
