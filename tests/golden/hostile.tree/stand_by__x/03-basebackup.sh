#!/bin/sh
# replc: step 03-basebackup.sh of node 'stand by $x' (cluster 'c'l; --x'). Generated; do not edit.
# rebuild the data directory from 'süb \ node' with pg_basebackup, start, wait until it streams
# Safe to run again: it checks what is in place first.
set -eu
PATH='/opt/pg bin/$(reboot)':$PATH; export PATH
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node='stand by $x'
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
pgdata='/srv/pg data/it'\''s $HOME'
marker='replc standby: node=stand_by__x source=s__b___node'
# ours: a standby that replc built from this source
ours() { [ -f "$pgdata/standby.signal" ] && [ "$(cat "$pgdata/replc_standby" 2>/dev/null)" = "$marker" ]; }
running() { pg_ctl -D "$pgdata" status >/dev/null 2>&1; }
streaming() { [ "$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user='\''us\\er$(id)`id`'\''' -c 'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null)" = streaming ]; }
if ours; then
    say 'already a standby of its source'
    if ! running; then change 'start the server'; pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" start </dev/null; fi
    wait_for ''\''stand by $x'\'' to stream from '\''süb \ node'\'' (pg_stat_wal_receiver)' streaming
    finish
fi
userdata=0
if running; then
    userdata=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user='\''us\\er$(id)`id`'\''' -c "SELECT (SELECT count(*) FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')) + (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm', 'v', 'S') AND s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%' AND s.nspname NOT LIKE 'pg_temp%')")
elif [ -d "$pgdata/base" ]; then
    userdata=$(($(ls "$pgdata/base" | wc -l) - 3))
    [ "$userdata" -ge 0 ] || userdata=0
fi
if [ "$userdata" != 0 ]; then
    say "$pgdata holds user data ($userdata database(s) or relation(s) besides the defaults); not replacing it"
    say 'to replace it anyway, write: standby from süb \ node with (force)'
    exit 1
fi
change 'rebuild /srv/pg data/it'\''s $HOME from '\''süb \ node'\'' with pg_basebackup'
source_ready() {
    peer ''\''süb \ node'\''' psql -XAtq -d 'host=sub-host.example port=5432 dbname=replication user='\''us\\er$(id)`id`'\'' replication=true connect_timeout=5' -c 'SHOW max_wal_senders' || return 1
    [ -n "$answer" ] && [ "$answer" -ge 10 ]
}
wait_for ''\''süb \ node'\'' (sub-host.example port 5432) to admit replication connections with max_wal_senders >= 10' source_ready
if running; then say 'stopping the server to rebuild it'; pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" stop </dev/null; fi
if [ -d "$pgdata" ] && [ -n "$(ls -A "$pgdata")" ]; then
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        say "$pgdata is not empty and is not a PostgreSQL data directory; not touching it"
        exit 1
    fi
    find "$pgdata" -mindepth 1 -delete
fi
mkdir -p "$pgdata"
chmod 700 "$pgdata"
psql -XAtq -d 'host=sub-host.example port=5432 dbname=replication user='\''us\\er$(id)`id`'\'' replication=true connect_timeout=5' -c 'DROP_REPLICATION_SLOT stand_by__x' >/dev/null 2>&1 || true
# no password on the command line or in primary_conninfo: ~/.pgpass has it
unset PGPASSWORD
say 'pg_basebackup (fast checkpoint, WAL streaming, slot 'stand_by__x')'
pg_basebackup -d 'host=sub-host.example port=5432 user='\''us\\er$(id)`id`'\'' application_name='\''stand by $x'\''' -D "$pgdata" -R -X stream -C -S stand_by__x -c fast
printf '%s\n' "$marker" > "$pgdata/replc_standby"
pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" start </dev/null
wait_for ''\''stand by $x'\'' to stream from '\''süb \ node'\'' (pg_stat_wal_receiver)' streaming
say 'standby streaming'
finish
