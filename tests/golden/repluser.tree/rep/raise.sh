#!/bin/sh
# replc: step raise.sh of node 'rep' (cluster 'repluser'). Generated; do not edit.
# if already a standby, raise the settings that may not be lower than on its primary, before 'pub' restarts
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='rep'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
pgdata='/var/lib/postgresql/16/main'
marker='replc standby: node=rep source=pub'
service='auto'
version=16
set -- \
    'current_setting('\''max_wal_senders'\'')::bigint < 2 OR (current_setting('\''max_wal_senders'\'')::bigint < 10 AND (current_setting('\''wal_level'\'') <> '\''logical'\'' OR current_setting('\''max_wal_senders'\'')::bigint < 2 OR current_setting('\''max_replication_slots'\'')::bigint < 0 OR current_setting('\''max_logical_replication_workers'\'')::bigint < 0 OR current_setting('\''max_worker_processes'\'')::bigint < 1 OR current_setting('\''hot_standby'\'') <> '\''on'\''))' 'ALTER SYSTEM SET max_wal_senders = 10' \
    'current_setting('\''max_worker_processes'\'')::bigint < 1 OR (current_setting('\''max_worker_processes'\'')::bigint < 8 AND (current_setting('\''wal_level'\'') <> '\''logical'\'' OR current_setting('\''max_wal_senders'\'')::bigint < 2 OR current_setting('\''max_replication_slots'\'')::bigint < 0 OR current_setting('\''max_logical_replication_workers'\'')::bigint < 0 OR current_setting('\''max_worker_processes'\'')::bigint < 1 OR current_setting('\''hot_standby'\'') <> '\''on'\''))' 'ALTER SYSTEM SET max_worker_processes = 8'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
manager_check
if ! ours; then
    say 'not a standby yet: its base backup brings the source'\''s settings'
    finish
fi
# stopped, it would refuse to start once its source runs with higher values
if ! running; then
    change 'start the server'
    server start
fi
q() { lpsql "$local_postgres" "$1"; }
# shellcheck disable=SC2317 # called by wait_for
up() { try q 'SELECT 1'; }
wait_for 'the server to accept connections' up
# raise GUARD STATEMENT: run the statement when the guard holds
raise() {
    if [ "$(q "SELECT $1")" = t ]; then
        change "$2"
        q "$2" >/dev/null
        say "$2"
    fi
}
while [ $# -gt 0 ]; do
    raise "$1" "$2"
    shift 2
done
if [ "$changed" = 0 ]; then finish; fi
# each of these takes effect only at a restart
server restart
wait_for "'$node' to stream again (pg_stat_wal_receiver)" streaming
finish
