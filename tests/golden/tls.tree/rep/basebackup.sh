#!/bin/sh
# replc: step basebackup.sh of node 'rep' (cluster 'tls'). Generated; do not edit.
# rebuild the data directory from 'pub' with pg_basebackup, start, wait until it streams
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
service='pg_ctl'
force=0
userdata_sql='SELECT (SELECT count(*) FROM pg_database WHERE datname NOT IN ('\''postgres'\'', '\''template0'\'', '\''template1'\'')) + (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE c.relkind IN ('\''r'\'', '\''p'\'', '\''m'\'', '\''v'\'', '\''S'\'') AND s.nspname NOT IN ('\''pg_catalog'\'', '\''information_schema'\'') AND s.nspname NOT LIKE '\''pg_toast%'\'' AND s.nspname NOT LIKE '\''pg_temp%'\'')'
source='pub'
source_host='10.3.0.1'
source_port=5432
senders=10
repl_conninfo='host=10.3.0.1 port=5432 dbname=replication user=postgres sslmode=require replication=true connect_timeout=5'
backup_conninfo='host=10.3.0.1 port=5432 user=postgres sslmode=require application_name=rep'
slot='rep'
drop_slot_sql='DROP_REPLICATION_SLOT rep'
delay_setting=''
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
find_pgdata
# already built: make sure it runs and streams
if ours; then
    say 'already a standby of its source'
    if ! running; then change 'start the server'; server start; fi
    wait_for "'$node' to stream from '$source' (pg_stat_wal_receiver)" streaming
    finish
fi
# refuse to wipe user data
userdata=0
if running; then
    userdata=$(lpsql "$local_postgres" "$userdata_sql")
elif [ -d "$pgdata/base" ]; then
    # shellcheck disable=SC2012 # counts entries; their names are numbers
    userdata=$(($(ls "$pgdata/base" | wc -l) - 3))
    [ "$userdata" -ge 0 ] || userdata=0
fi
if [ "$userdata" != 0 ]; then
    if [ "$force" = 1 ]; then
        say "replacing $pgdata, which holds user data, as 'with (force)' says"
    else
        say "$pgdata holds user data ($userdata database(s) or relation(s) besides the defaults); not replacing it"
        say "to replace it anyway, write: standby from $source with (force)"
        exit 1
    fi
fi
change "rebuild $pgdata from '$source' with pg_basebackup"
# wait for the source: it admits us and its settings are in place
# shellcheck disable=SC2317 # called by wait_for
source_ready() {
    peer "'$source'" psql -XAtq -d "$repl_conninfo" -c 'SHOW max_wal_senders' || return 1
    [ -n "$answer" ] && [ "$answer" -ge "$senders" ]
}
wait_for "'$source' ($source_host port $source_port) to admit replication connections with max_wal_senders >= $senders" source_ready
if running; then say 'stopping the server to rebuild it'; server stop; fi
if [ -d "$pgdata" ] && [ -n "$(ls -A "$pgdata")" ]; then
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        say "$pgdata is not empty and is not a PostgreSQL data directory; not touching it"
        exit 1
    fi
    find "$pgdata" -mindepth 1 -delete
fi
mkdir -p "$pgdata"
chmod 700 "$pgdata"
# a slot left by an earlier failed attempt would make -C fail
psql -XAtq -d "$repl_conninfo" -c "$drop_slot_sql" >/dev/null 2>&1 || true
# no password on the command line or in primary_conninfo: ~/.pgpass has it
unset PGPASSWORD
say "pg_basebackup (fast checkpoint, WAL streaming, slot $slot)"
pg_basebackup -d "$backup_conninfo" -D "$pgdata" -R -X stream -C -S "$slot" -c fast
if [ "$port" != "$source_port" ]; then
    printf 'port = %s\n' "$port" >> "$pgdata/postgresql.auto.conf"
fi
if [ -n "$delay_setting" ]; then
    printf '%s\n' "$delay_setting" >> "$pgdata/postgresql.auto.conf"
fi
printf '%s\n' "$marker" > "$pgdata/replc_standby"
server start
wait_for "'$node' to stream from '$source' (pg_stat_wal_receiver)" streaming
say 'standby streaming'
finish
