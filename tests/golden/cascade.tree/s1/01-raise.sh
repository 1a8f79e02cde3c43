#!/bin/sh
# replc: step 01-raise.sh of node 's1' (cluster 'cascade'). Generated; do not edit.
# if already a standby, raise the settings that may not be lower than on its primary, before 'primary' restarts
# Safe to run again: it checks what is in place first.
set -eu
PGPORT=${PGPORT:-5432}; export PGPORT
PGPASSFILE=/etc/replc/pgpass; export PGPASSFILE
timeout=${REPLC_TIMEOUT:-300}
node=s1
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
pgdata=/var/lib/postgresql/16/main
marker='replc standby: node=s1 source=primary'
# ours: a standby that replc built from this source
ours() { [ -f "$pgdata/standby.signal" ] && [ "$(cat "$pgdata/replc_standby" 2>/dev/null)" = "$marker" ]; }
running() { pg_ctl -D "$pgdata" status >/dev/null 2>&1; }
streaming() { [ "$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null)" = streaming ]; }
if ! ours; then
    say 'not a standby yet: its base backup brings the source'\''s settings'
    finish
fi
# stopped, it would refuse to start once its source runs with higher values
if ! running; then
    change 'start the server'
    pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" start </dev/null
fi
q() { psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c "$1"; }
up() { q 'SELECT 1' >/dev/null 2>&1; }
wait_for 'the server to accept connections' up
# raise GUARD STATEMENT: run the statement when the guard holds
raise() {
    if [ "$(q "SELECT $1")" = t ]; then
        change "$2"
        q "$2" >/dev/null
        say "$2"
    fi
}
raise 'current_setting('\''max_wal_senders'\'')::bigint < 10' 'ALTER SYSTEM SET max_wal_senders = 10'
raise 'current_setting('\''max_worker_processes'\'')::bigint < 8' 'ALTER SYSTEM SET max_worker_processes = 8'
raise 'current_setting('\''max_connections'\'')::bigint < 300' 'ALTER SYSTEM SET max_connections = 300'
if [ "$changed" = 0 ]; then finish; fi
# each of these takes effect only at a restart
pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" restart </dev/null
wait_for ''\''s1'\'' to stream again (pg_stat_wal_receiver)' streaming
finish
