#!/bin/bash
# bench/apply-by-hand.sh: the four-host cluster of tests/integration (vm1 and
# vm2 write test1 and test2 and subscribe to each other, vm3 subscribes to
# both, vm4 is a standby of vm3) set up the way a DBA does it by hand: psql,
# pg_ctl and pg_basebackup on each host over ssh, one step after another.
# Written by hand for bench/apply.sh; replc generates none of it. It is the
# baseline that `replc --apply` is compared with.
#
# The steps, in order:
#   1. ~/.pgpass with the password on every host (the password goes over
#      ssh's stdin, never onto a command line)
#   2. vm1, vm2, vm3: pg_hba.conf lines for the peers, ALTER SYSTEM SET
#      wal_level, restart
#   3. vm1, vm2, vm3: database, tables; publications on vm1 and vm2
#   4. subscriptions: vm2 to vm1, vm1 to vm2, vm3 to both
#   5. wait until every subscribed table is synchronised (srsubstate 'r'),
#      polling every 0.25 s on the host
#   6. vm4: stop, empty the data directory, pg_basebackup -R -X stream -C
#      -S vm4 -c fast from vm3, start, wait until it streams
#
# Like a DBA at a terminal, it opens one ssh session per host per step and
# runs several commands in it; no connection sharing.
#
# Usage: bench/apply-by-hand.sh   (needs the env file of tests/hosts/hosts.sh:
#        $REPLC_HOSTS_STATE/env, default /tmp/replc-hosts/env)
# Every wait is bounded (HAND_TIMEOUT seconds, default 120).
set -euo pipefail

# shellcheck disable=SC1091
. "${REPLC_HOSTS_STATE:-/tmp/replc-hosts}/env"
T=${HAND_TIMEOUT:-120}
PGBIN=$HOSTS_PGBIN
D=$HOSTS_PGDATA
DB=repl

on() {   # on I: run stdin as a shell script on host I, as postgres
    local ip=H${1}_IP
    # shellcheck disable=SC2086
    ssh $HOSTS_SSH_OPTS "postgres@${!ip}" "PATH=$PGBIN:\$PATH; export PATH; exec sh -es"
}

# 1. ~/.pgpass everywhere: subscriptions and the standby find the password there
for i in 1 2 3 4; do
    ip=H${i}_IP
    # shellcheck disable=SC2086
    printf '*:5432:*:postgres:%s\n' "$HOSTS_PASSWORD" |
        ssh $HOSTS_SSH_OPTS "postgres@${!ip}" 'umask 077 && cat > ~/.pgpass'
done

# 2. pg_hba.conf, wal_level, restart
on 1 <<EOF
cat >> $D/pg_hba.conf <<'HBA'
host $DB postgres $H2_IP/32 scram-sha-256
host $DB postgres $H3_IP/32 scram-sha-256
HBA
psql -X -q -c "ALTER SYSTEM SET wal_level = logical"
pg_ctl -D $D -w -t $T -m fast -l /srv/replc/startup.log restart >/dev/null
EOF
on 2 <<EOF
cat >> $D/pg_hba.conf <<'HBA'
host $DB postgres $H1_IP/32 scram-sha-256
host $DB postgres $H3_IP/32 scram-sha-256
HBA
psql -X -q -c "ALTER SYSTEM SET wal_level = logical"
pg_ctl -D $D -w -t $T -m fast -l /srv/replc/startup.log restart >/dev/null
EOF
on 3 <<EOF
cat >> $D/pg_hba.conf <<'HBA'
host replication postgres $H4_IP/32 scram-sha-256
HBA
psql -X -q -c "ALTER SYSTEM SET wal_level = replica"
pg_ctl -D $D -w -t $T -m fast -l /srv/replc/startup.log restart >/dev/null
EOF

# 3. database, tables, publications
for i in 1 2 3; do
    pub=
    [ "$i" = 1 ] && pub="CREATE PUBLICATION publ_test1 FOR TABLE test1;"
    [ "$i" = 2 ] && pub="CREATE PUBLICATION publ_test2 FOR TABLE test2;"
    on "$i" <<EOF
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB"
psql -X -q -v ON_ERROR_STOP=1 -d $DB <<'SQL'
CREATE TABLE test1 (k1 int PRIMARY KEY, v1 varchar);
CREATE TABLE test2 (k2 int PRIMARY KEY, v2 varchar);
$pub
SQL
EOF
done

# 4. subscriptions (each creates its slot on the publisher)
sub() {   # sub I NAME PUBLISHER-IP PUBLICATION
    on "$1" <<EOF
psql -X -q -v ON_ERROR_STOP=1 -d $DB -c "CREATE SUBSCRIPTION $2 CONNECTION 'host=$3 port=5432 dbname=$DB user=postgres' PUBLICATION $4"
EOF
}
sub 2 subs_test1 "$H1_IP" publ_test1
sub 1 subs_test2 "$H2_IP" publ_test2
sub 3 subs3_test1 "$H1_IP" publ_test1
sub 3 subs3_test2 "$H2_IP" publ_test2

# 5. wait for the initial copies
for i in 1 2 3; do
    want=1; [ "$i" = 3 ] && want=2
    on "$i" <<EOF
q="SELECT count(*) FILTER (WHERE srsubstate <> 'r') = 0 AND count(*) = $want FROM pg_subscription_rel"
end=\$((\$(date +%s) + $T))
until [ "\$(psql -X -At -d $DB -c "\$q")" = t ]; do
    [ \$(date +%s) -lt \$end ] || { echo "vm$i: tables not synchronised after ${T}s" >&2; exit 1; }
    sleep 0.25
done
EOF
done

# 6. the standby
on 4 <<EOF
pg_ctl -D $D -w -t $T -m fast stop >/dev/null
find $D -mindepth 1 -delete
pg_basebackup -h $H3_IP -p 5432 -U postgres -D $D -R -X stream -C -S vm4 -c fast
pg_ctl -D $D -w -t $T -l /srv/replc/startup.log start >/dev/null
end=\$((\$(date +%s) + $T))
until [ "\$(psql -X -At -c 'SELECT status FROM pg_stat_wal_receiver')" = streaming ]; do
    [ \$(date +%s) -lt \$end ] || { echo "vm4: not streaming after ${T}s" >&2; exit 1; }
    sleep 0.25
done
EOF
