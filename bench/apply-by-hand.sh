#!/bin/bash
# bench/apply-by-hand.sh: the four-host cluster of the example (vm1 and vm2
# write test1 and test2 and subscribe to each other, vm3 subscribes to both,
# vm4 is a hot standby of vm3) set up the way a DBA types it at a terminal on
# the admin host: one psql or one ssh command per step, one after another,
# each as short as a person would write it, and no wait that the next
# command does not need. It is the baseline of bench/apply.sh; replc
# generates none of it.
#
# The commands, in order (22 in all, 8 of them ssh):
#   1. ssh vm1..vm4: ~/.pgpass with the password (over ssh's stdin, never on
#      a command line); vm1..vm3 connect to publishers, vm4 to vm3
#   2. psql vm1, vm2: ALTER SYSTEM SET wal_level = logical
#   3. ssh vm1, vm2: the peers' pg_hba.conf lines, pg_ctl restart (-w: the
#      next psql needs the server up); ssh vm3: vm4's replication line,
#      pg_ctl reload (vm3's defaults, wal_level replica and 10 WAL senders,
#      already serve a standby: a DBA does not restart it)
#   4. psql vm1..vm3: CREATE DATABASE; psql: the tables; psql vm1, vm2: the
#      publication
#   5. psql: the four subscriptions (each makes its slot on the publisher)
#   6. ssh vm4: stop, empty the data directory, pg_basebackup -R from vm3,
#      start (-w)
#   7. the DBA's check that it worked, polled every 0.1 s from the admin
#      host: every subscribed table synchronised (srsubstate 'r') on vm1..vm3
#      and vm4 streaming. replc --apply waits for the same before it ends.
#
# What it leaves out that replc does: the lock, the preflight checks,
# max_logical_replication_workers = 0 on vm4, vm4's pg_hba line for vm3.
#
# Usage: bench/apply-by-hand.sh   (needs the env file of tests/hosts/hosts.sh:
#        $REPLC_HOSTS_STATE/env, default /tmp/${REPLC_HOSTS_PREFIX:-replc}-hosts/env)
# The final check gives up after HAND_TIMEOUT seconds (default 120).
set -euo pipefail

# shellcheck disable=SC1091
. "${REPLC_HOSTS_STATE:-/tmp/${REPLC_HOSTS_PREFIX:-replc}-hosts}/env"
T=${HAND_TIMEOUT:-120}
D=$HOSTS_PGDATA
B=$HOSTS_PGBIN
DB=repl
export PGPASSWORD=$HOSTS_PASSWORD PGUSER=postgres PGCONNECT_TIMEOUT=10

ip() { local v=H${1}_IP; echo "${!v}"; }
sh_on() {   # sh_on I COMMAND: one ssh command on host I, as postgres
    # shellcheck disable=SC2086,SC2029 # options split on purpose; the command is built here
    ssh $HOSTS_SSH_OPTS "postgres@$(ip "$1")" "$2"
}
sql() {     # sql I [DB] SQL: one psql command from the admin host
    local i=$1 db=postgres
    [ $# = 3 ] && { db=$2; shift; }
    psql -X -q -v ON_ERROR_STOP=1 -h "$(ip "$i")" -d "$db" -c "$2"
}

# 1. ~/.pgpass
for i in 1 2 3 4; do
    printf '*:5432:*:postgres:%s\n' "$HOSTS_PASSWORD" | sh_on "$i" 'umask 077; cat > ~/.pgpass'
done

# 2. wal_level
sql 1 "ALTER SYSTEM SET wal_level = logical"
sql 2 "ALTER SYSTEM SET wal_level = logical"

# 3. pg_hba.conf, restart or reload
sh_on 1 "printf 'host $DB postgres $(ip 2)/32 scram-sha-256\nhost $DB postgres $(ip 3)/32 scram-sha-256\n' >> $D/pg_hba.conf && $B/pg_ctl -D $D -w -m fast -l /srv/replc/startup.log restart >/dev/null"
sh_on 2 "printf 'host $DB postgres $(ip 1)/32 scram-sha-256\nhost $DB postgres $(ip 3)/32 scram-sha-256\n' >> $D/pg_hba.conf && $B/pg_ctl -D $D -w -m fast -l /srv/replc/startup.log restart >/dev/null"
sh_on 3 "echo 'host replication postgres $(ip 4)/32 scram-sha-256' >> $D/pg_hba.conf && $B/pg_ctl -D $D reload >/dev/null"

# 4. database, tables, publications
for i in 1 2 3; do
    sql "$i" "CREATE DATABASE $DB"
    sql "$i" $DB "CREATE TABLE test1 (k1 int PRIMARY KEY, v1 varchar); CREATE TABLE test2 (k2 int PRIMARY KEY, v2 varchar)"
done
sql 1 $DB "CREATE PUBLICATION publ_test1 FOR TABLE test1"
sql 2 $DB "CREATE PUBLICATION publ_test2 FOR TABLE test2"

# 5. subscriptions
sql 2 $DB "CREATE SUBSCRIPTION subs_test1 CONNECTION 'host=$(ip 1) dbname=$DB user=postgres' PUBLICATION publ_test1"
sql 1 $DB "CREATE SUBSCRIPTION subs_test2 CONNECTION 'host=$(ip 2) dbname=$DB user=postgres' PUBLICATION publ_test2"
sql 3 $DB "CREATE SUBSCRIPTION subs3_test1 CONNECTION 'host=$(ip 1) dbname=$DB user=postgres' PUBLICATION publ_test1"
sql 3 $DB "CREATE SUBSCRIPTION subs3_test2 CONNECTION 'host=$(ip 2) dbname=$DB user=postgres' PUBLICATION publ_test2"

# 6. the standby
sh_on 4 "$B/pg_ctl -D $D -w -m fast stop >/dev/null && rm -rf $D/* && $B/pg_basebackup -h $(ip 3) -U postgres -D $D -R -X stream -c fast && $B/pg_ctl -D $D -w -l /srv/replc/startup.log start >/dev/null"

# 7. did it work?
check() {   # check I DB SQL: true when SQL on host I says t
    [ "$(psql -X -At -h "$(ip "$1")" -d "$2" -c "$3" 2>/dev/null)" = t ]
}
end=$((SECONDS + T))
until check 1 $DB "SELECT count(*) = 1 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel" &&
      check 2 $DB "SELECT count(*) = 1 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel" &&
      check 3 $DB "SELECT count(*) = 2 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel" &&
      check 4 postgres "SELECT status = 'streaming' FROM pg_stat_wal_receiver"; do
    [ $SECONDS -lt $end ] || { echo "apply-by-hand.sh: not converged after ${T}s" >&2; exit 1; }
    sleep 0.1
done
