#!/bin/sh
# replc: step basebackup.sh of node 'otus11-4' (cluster 'postgres2021-2147483647'). Generated; do not edit.
# rebuild the data directory from 'otus11-3' with pg_basebackup, start, wait until it streams
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='otus11-4'
port=5432
bindir='/usr/lib/postgresql/15/bin'
passfile=''
local_postgres='dbname=postgres user=postgres'
pgdata='/var/lib/postgresql/15/main'
marker='replc standby: node=otus11_4 source=otus11_3'
service='auto'
version=15
force=0
userdata_sql='SELECT (SELECT count(*) FROM pg_database WHERE datname NOT IN ('\''postgres'\'', '\''template0'\'', '\''template1'\'')) + (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE c.relkind IN ('\''r'\'', '\''p'\'', '\''m'\'', '\''v'\'', '\''S'\'') AND s.nspname NOT IN ('\''pg_catalog'\'', '\''information_schema'\'') AND s.nspname NOT LIKE '\''pg_toast%'\'' AND s.nspname NOT LIKE '\''pg_temp%'\'')'
source='otus11-3'
source_host='192.168.56.13'
source_port=5432
senders=10
repl_conninfo='host=192.168.56.13 port=5432 dbname=replication user=postgres replication=true connect_timeout=5'
backup_conninfo='host=192.168.56.13 port=5432 user=postgres application_name=otus11-4'
slot='otus11_4'
conninfo_sql='ALTER SYSTEM SET primary_conninfo = '\''host=192.168.56.13 port=5432 user=postgres application_name=otus11-4'\'''
slot_sql='ALTER SYSTEM SET primary_slot_name = '\''otus11_4'\'''
create_slot_sql='CREATE_REPLICATION_SLOT otus11_4 PHYSICAL RESERVE_WAL'
delay_setting=''
delay_differs_sql='SELECT NOT (EXISTS (SELECT FROM pg_settings WHERE name = '\''recovery_min_apply_delay'\'' AND CASE WHEN vartype = '\''bool'\'' THEN setting = '\''off'\'' WHEN vartype IN ('\''integer'\'', '\''real'\'') THEN setting::numeric = 0 WHEN vartype = '\''enum'\'' THEN lower(setting) = lower('\''0'\'') ELSE setting = '\''0'\'' END) OR current_setting('\''recovery_min_apply_delay'\'', true) = '\''0'\'')'
delay_sql='ALTER SYSTEM RESET recovery_min_apply_delay'
settings='wal_level = '\''replica'\''
max_wal_senders = 10
max_replication_slots = 10
max_logical_replication_workers = 0
max_worker_processes = 8
hot_standby = '\''on'\'''
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
manager_check
new=$pgdata.replc-new old=$pgdata.replc-old
# a data directory an earlier rebuild replaced ($old.PID, below) whose
# deletion in the background was cut short (the host went down): finished
# now, in the background as then
for d in "$old".*; do
    case ${d#"$old".} in ''|*[!0-9]*) continue ;; esac
    [ -d "$d" ] || continue
    change "remove $d, the data directory an earlier rebuild replaced (its deletion was cut short)"
    say "removing $d in the background (the data directory an earlier rebuild replaced)"
    (exec </dev/null >/dev/null 2>&1; rm -rf "$d" &)
done
# wait for the source: it admits us and its settings are in place
# shellcheck disable=SC2317 # called by wait_for
source_ready() {
    peer "'$source'" psql -XAtq -d "$repl_conninfo" -c 'SHOW max_wal_senders' || return 1
    [ -n "$answer" ] && [ "$answer" -ge "$senders" ]
}
# shellcheck disable=SC2317 # called by wait_for
streams_here() {
    [ "$(lpsql "$local_postgres" "SELECT status || ' ' || sender_host || ' ' || sender_port FROM pg_stat_wal_receiver" 2>/dev/null)" = "streaming $source_host $source_port" ]
}
# make_slot: the slot on the source, kept when it is there
make_slot() {
    if ! out=$(psql -XAtq -d "$repl_conninfo" -c "$create_slot_sql" 2>&1); then
        case $out in
        *'already exists'*) say "slot $slot is there on '$source'; it is used" ;;
        *) say "cannot make slot $slot on '$source': $out"; return 1 ;;
        esac
    fi
}
# shellcheck disable=SC2317 # called by wait_for
streams_slot() {
    [ "$(lpsql "$local_postgres" "SELECT status || ' ' || slot_name FROM pg_stat_wal_receiver" 2>/dev/null)" = "streaming $slot" ]
}
# drop_old_slot CONNINFO SLOT: the slot this standby used before, on the
# source it reached by CONNINFO (slot names are [a-z0-9_])
drop_old_slot() {
    case $2 in
    ''|*[!a-z0-9_]*) ;;
    *)
        if psql -XAtq -d "$1 dbname=replication replication=true connect_timeout=5" \
            -c "DROP_REPLICATION_SLOT $2" >/dev/null 2>&1; then
            say "slot $2 dropped on the old source"
        else
            say "could not drop slot $2 on the old source; drop it there: SELECT pg_drop_replication_slot('$2')"
        fi ;;
    esac
}
# already built: make sure it runs and streams, with its slot and apply
# delay as declared now (both take a reload, 13+)
if ours; then
    say 'already a standby of its source'
    if ! running; then change 'start the server'; server start; fi
    old_slot=$(lpsql "$local_postgres" 'SHOW primary_slot_name')
    reload=0
    if [ "$old_slot" != "$slot" ]; then
        change "use slot $slot on '$source' instead of ${old_slot:-none}"
        make_slot
        lpsql "$local_postgres" "$slot_sql" >/dev/null
        reload=1
    fi
    if [ "$(lpsql "$local_postgres" "$delay_differs_sql")" = t ]; then
        change "set recovery_min_apply_delay as the topology says (${delay_setting:-none})"
        lpsql "$local_postgres" "$delay_sql" >/dev/null
        reload=1
    fi
    if [ "$reload" = 1 ]; then lpsql "$local_postgres" 'SELECT pg_reload_conf()' >/dev/null; fi
    if [ "$old_slot" != "$slot" ]; then
        wait_for "'$node' to stream from '$source' through slot $slot" streams_slot
        drop_old_slot "$(lpsql "$local_postgres" 'SHOW primary_conninfo')" "$old_slot"
    fi
    wait_for "'$node' to stream from '$source' (pg_stat_wal_receiver)" streaming
    if [ -d "$old" ]; then change "remove $old, the data directory it replaced"; rm -rf "$old"; fi
    finish
fi
# a standby replc built from another source: moved when that is of the same cluster
was=$(cat "$pgdata/replc_standby" 2>/dev/null || true)
if [ -f "$pgdata/standby.signal" ] && [ -n "$was" ] && [ "${was% source=*}" = "${marker% source=*}" ] && running; then
    # a dry run (--dry-run, --status) does not wait for the new source: the
    # steps that make it admit this standby do not run then
    if dry && ! source_ready; then
        change "move from '${was#* source=}' to '$source' (slot $slot there), without a rebuild, once '$source' admits it (rebuilt instead if it is of another cluster)"
    fi
    wait_for "'$source' ($source_host port $source_port) to admit replication connections with max_wal_senders >= $senders" source_ready
    here=$(lpsql "$local_postgres" 'SELECT system_identifier FROM pg_control_system()')
    if ! peer "'$source'" psql -XAtq -d "$repl_conninfo" -c 'IDENTIFY_SYSTEM'; then
        say "cannot ask '$source' for its system identifier: $last_error"
        exit 1
    fi
    if [ "${answer%%|*}" = "$here" ]; then
        old_conninfo=$(lpsql "$local_postgres" 'SHOW primary_conninfo')
        old_slot=$(lpsql "$local_postgres" 'SHOW primary_slot_name')
        change "move from '${was#* source=}' to '$source' (slot $slot there), without a rebuild"
        make_slot
        lpsql "$local_postgres" "$conninfo_sql" >/dev/null
        lpsql "$local_postgres" "$slot_sql" >/dev/null
        if [ "$(lpsql "$local_postgres" 'SHOW server_version_num')" -ge 130000 ]; then
            lpsql "$local_postgres" 'SELECT pg_reload_conf()' >/dev/null
        else
            server restart
        fi
        wait_for "'$node' to stream from '$source' ($source_host port $source_port)" streams_here
        printf '%s\n' "$marker" > "$pgdata/replc_standby"
        # the old source is reached as the standby reached it
        drop_old_slot "$old_conninfo" "$old_slot"
        say "standby moved; streaming from '$source'"
        finish
    fi
    say "'$source' is another cluster (system identifier ${answer%%|*}, here $here): a rebuild"
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
if [ -d "$pgdata" ] && [ -n "$(ls -A "$pgdata")" ] && [ ! -f "$pgdata/PG_VERSION" ]; then
    say "$pgdata is not empty and is not a PostgreSQL data directory; not touching it"
    exit 1
fi
# tablespaces_in DIR: the locations of the tablespaces of the data directory DIR
tablespaces_in() {
    for l in "$1"/pg_tblspc/*; do
        if [ -L "$l" ]; then printf '%s\n' "$(readlink "$l")"; fi
    done
}
# no_tablespaces WHOSE LOCATIONS: replc builds a standby only without
# tablespaces; say what to do by hand, and stop
no_tablespaces() {
    say "$1 tablespaces outside the data directory, in $(printf '%s\n' "$2" | paste -sd, - | sed 's/,/, /g'); replc builds a standby only without them; $pgdata is as it was"
    say "move their relations to pg_default on '$source' (ALTER TABLE ... SET TABLESPACE pg_default; DROP TABLESPACE ...), or build this standby by hand: pg_basebackup -D $pgdata -R -X stream -S $slot --tablespace-mapping=OLDDIR=NEWDIR (one per tablespace), then: echo '$marker' > $pgdata/replc_standby (docs/packaged.md)"
    exit 1
}
spaces=$(tablespaces_in "$pgdata")
if [ -n "$spaces" ]; then no_tablespaces "$pgdata has" "$spaces"; fi
if [ -L "$pgdata/pg_wal" ]; then
    say "$pgdata/pg_wal is a symbolic link ($(readlink "$pgdata/pg_wal")); replc rebuilds a standby only with pg_wal inside its data directory"
    exit 1
fi
if [ -e "$old" ]; then
    say "$old is there from an earlier rebuild; remove it (or move it back to $pgdata) first"
    exit 1
fi
change "rebuild $pgdata from '$source' with pg_basebackup"
wait_for "'$source' ($source_host port $source_port) to admit replication connections with max_wal_senders >= $senders" source_ready
# the settings the standby may not have lower than its source, as the source
# runs now: one session, one line each
set -- max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction
values=$(psql -XAtq -d "$repl_conninfo" -c "SHOW $1" -c "SHOW $2" -c "SHOW $3" -c "SHOW $4" -c "SHOW $5")
live=
for value in $values; do
    live="$live $1=$value"
    shift
done
rm -rf "$new"
mkdir -p "$new"
chmod 700 "$new"
# a server here that streams through the slot holds it: stop it for the
# backup (the slot keeps its WAL, so it can start again if the backup fails)
stopped=0
if running && [ "$(lpsql "$local_postgres" 'SELECT slot_name FROM pg_stat_wal_receiver' 2>/dev/null)" = "$slot" ]; then
    say "this server streams through slot $slot; stopping it for the backup (started again if the backup fails)"
    server stop
    stopped=1
fi
# the slot: kept when it is there (an earlier attempt's, or this standby's), else made now
if ! make_slot; then
    if [ "$stopped" = 1 ]; then server start; fi
    exit 1
fi
# no password on the command line or in primary_conninfo: ~/.pgpass has it
unset PGPASSWORD
say "pg_basebackup into $new (fast checkpoint, WAL streaming, slot $slot)"
# pg_basebackup syncs each file it wrote, one fsync at a time; one syncfs of
# the file system (GNU sync -f) makes the same durable, in a fraction of the
# time. Where sync -f fails, pg_basebackup syncs as usual.
nosync=
if sync -f "$new" 2>/dev/null; then nosync=--no-sync; fi
if ! pg_basebackup -d "$backup_conninfo" -D "$new" -R -X stream -S "$slot" -c fast $nosync ||
    { [ -n "$nosync" ] && ! sync -f "$new"; }; then
    rm -rf "$new"
    say "pg_basebackup failed; $pgdata is as it was"
    if [ "$stopped" = 1 ]; then server start; fi
    exit 1
fi
# the source's tablespaces (this host cannot ask its catalog: its line in the
# source's pg_hba.conf is for replication only): pg_basebackup wrote them at
# their own locations here, each of which was missing or empty (it refuses
# any other); what it wrote there goes with the copy, and so does each
# location, now empty again
spaces=$(tablespaces_in "$new")
if [ -n "$spaces" ]; then
    printf '%s\n' "$spaces" | while IFS= read -r t; do rm -rf "${t:?}"/PG_*; rmdir "$t" 2>/dev/null || true; done
    rm -rf "$new"
    if [ "$stopped" = 1 ]; then server start; fi
    no_tablespaces "'$source' has" "$spaces"
fi
# the standby's own configuration files, where they live in the data directory
for f in postgresql.conf pg_hba.conf pg_ident.conf conf.d; do
    if [ -e "$pgdata/$f" ]; then rm -rf "${new:?}/$f"; cp -pR "$pgdata/$f" "$new/$f"; fi
done
if [ "$port" != "$source_port" ]; then
    printf 'port = %s\n' "$port" >> "$new/postgresql.auto.conf"
fi
if [ -n "$delay_setting" ]; then
    printf '%s\n' "$delay_setting" >> "$new/postgresql.auto.conf"
fi
if [ -n "$settings" ]; then
    printf '%s\n' "$settings" >> "$new/postgresql.auto.conf"
fi
printf '%s\n' "$marker" > "$new/replc_standby"
if running; then say 'stopping the server to replace its data directory'; server stop; fi
if [ -d "$pgdata" ]; then mv "$pgdata" "$old"; fi
mv "$new" "$pgdata"
# raise what the standby's configuration sets lower than the source runs with
conf=$pgdata/postgresql.conf
if [ -n "${cl_version:-}" ]; then conf=/etc/postgresql/$cl_version/$cl_name/postgresql.conf; fi
for pair in $live; do
    name=${pair%%=*} want=${pair#*=}
    have=$(postgres -C "$name" -D "$pgdata" -c config_file="$conf" 2>/dev/null) || have=
    if [ -n "$have" ] && [ "$have" -lt "$want" ]; then
        printf '%s = %s\n' "$name" "$want" >> "$pgdata/postgresql.auto.conf"
        say "$name = $want, as on '$source' (the standby had $have)"
    fi
done
# a base backup starts as after a crash: the server first fsyncs every file
# of its data directory one by one (seconds), though sync -f above synced
# them all; from 14 on, one syncfs() for that first start only
syncfs=0
if [ -n "$nosync" ] && [ "$version" -ge 14 ] && [ "$(uname -s)" = Linux ]; then
    printf '%s\n' "recovery_init_sync_method = 'syncfs'" >> "$pgdata/postgresql.auto.conf"
    syncfs=1
fi
server start
wait_for "'$node' to stream from '$source' (pg_stat_wal_receiver)" streaming
if [ "$syncfs" = 1 ]; then lpsql "$local_postgres" 'ALTER SYSTEM RESET recovery_init_sync_method' >/dev/null; fi
# the directory it replaced goes away in the background: deleting tens of
# thousands of files can take seconds, and nothing waits for it
if [ -d "$old" ]; then
    mv "$old" "$old.$$"
    # (no descriptor of this session kept open: ssh does not wait for it)
    (exec </dev/null >/dev/null 2>&1; rm -rf "$old.$$" &)
fi
say 'standby streaming'
finish
