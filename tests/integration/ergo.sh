#!/bin/bash
# tests/integration/ergo.sh: operator ergonomics of replc --apply on real
# hosts (tests/hosts/hosts.sh, four PostgreSQL 15 servers). The topology puts
# two nodes in two databases of one server (a1 and a2 on h1), which h2's node
# b subscribes to:
#
#   (a) on a terminal (a pseudo-terminal made by script(1)), --apply shows the
#       change set and asks; answered 'n', it changes nothing;
#   (b) --status on the fresh cluster: its own lock does not stop it (the two
#       nodes of h1 share one lock), exit 1, its summary counts differences;
#       --apply (stdin not a terminal: no question) exits 0, rows replicate;
#       --status then exits 0;
#   (c) the cluster lock held on h1 by a psql session: a second --apply of
#       the same cluster is refused, naming it; another cluster on the same
#       servers applies meanwhile;
#   (d) --limit: node c (h3) added, subscribing to a publication that a2
#       does not have yet: --limit c refuses and changes nothing on c;
#       --limit a2,c applies, c gets the rows, and b's server is untouched;
#   (e) TLS: h3's server gets a self-signed certificate made here (openssl)
#       and ssl = on; a cluster whose publisher p (h3) says `sslmode
#       require` replicates to a subscriber (h1) and a standby (h4), and
#       pg_stat_ssl on h3 shows both connections encrypted; p's pg_hba.conf
#       admits them with hostssl lines.
#
# Usage (root): tests/integration/ergo.sh. Env as apply.sh (REPLC, ITEST_KEEP,
# ITEST_RUN_TIMEOUT, ITEST_POLL_TIMEOUT, REPLC_HOSTS_PREFIX/NET).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=da

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*)"
    finish
fi

WORK=$(mktemp -d /tmp/replc-ergo.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE
LOCKER_PID=
cleanup() {
    if [ -n "$LOCKER_PID" ]; then exec 7>&- 2>/dev/null; kill "$LOCKER_PID" 2>/dev/null; fi
    if [ "${ITEST_KEEP:-}" = 1 ]; then note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"; return; fi
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_replc
hosts_up

# topology FILE [EXTRA]: cluster ergo; EXTRA is appended (more nodes)
topology() {
    cat >"$1" <<EOF
cluster ergo;
defaults {
    version 15; port 5432; user postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata "$HOSTS_PGDATA"; bindir "$HOSTS_PGBIN";
}
table t1 (k int primary key, v text);
table t2 (k int primary key, v text);
node a1 { host "$H1_IP"; database da; publish pa (t1); }
node a2 { host "$H1_IP"; database db; publish pb (t2);${3:+ $3} }
node b  { host "$H2_IP"; database dbb; subscribe sb1 to a1 (pa); subscribe sb2 to a2 (pb); }
${2:-}
EOF
}
TOPO=$WORK/ergo.rc
topology "$TOPO"

# run NAME ARGS...: replc ARGS (stdin not a terminal); NAME.out, NAME.err; RC, MS
run() {
    local name=$1 t; shift
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

# ------------------------------------------------------------------ (a) the question

note "(a) --apply on a terminal asks first"
printf 'n\n' | REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
    timeout "$RUN_TIMEOUT" script -qec "$REPLC --apply $TOPO" /dev/null >"$WORK/ask.out" 2>&1
RC=$? MS=0
touch "$WORK/ask.err"
expect_rc ask 1 "(a) --apply answered 'n' on a terminal exits 1"
has ask out 'a1 +[^ ]*database[^ ]* +would change' "(a) it showed the change set first (a1's database would change)"
has ask out 'apply these [0-9]+ change\(s\) to the live servers\? \[y/N\]' "(a) it asked before changing anything"
has ask out 'nothing was changed' "(a) answered 'n': it says nothing was changed"
got=$(q 1 "select count(*) from pg_database where datname in ('da', 'db')" postgres)
if [ "$got" = 0 ]; then ok "(a) answered 'n': no database was created on h1"; else not_ok "(a) answered 'n': no database was created on h1 ($got)"; fi

# ------------------------------------------------------------------ (b) status and apply

note "(b) two nodes in two databases of one server"
run status0 --status "$TOPO"
expect_rc status0 1 "(b) --status on the fresh cluster exits 1 (it differs)"
hasnt status0 err 'another replc --apply' "(b) --status is not stopped by its own lock (a1 and a2 share h1)"
has status0 out '^[1-9][0-9]* differ, [0-9]+ as described, 0 failed, 0 not checked, total ' \
    "(b) --status's summary counts differences, not changes"
hasnt status0 out ' changed, ' "(b) --status never says 'changed'"
run apply1 --apply "$TOPO"
expect_rc apply1 0 "(b) --apply of two nodes on one server exits 0 (no question: stdin is not a terminal)"
hasnt apply1 out 'apply these' "(b) no question when stdin is not a terminal"
q 1 "insert into t1 values (1, 'one')" da >/dev/null
q 1 "insert into t2 values (2, 'two')" db >/dev/null
poll "(b) b receives a1's row (database da of h1)" 2 "select v from t1 where k = 1" one dbb
poll "(b) b receives a2's row (database db of h1)" 2 "select v from t2 where k = 2" two dbb
run status1 --status "$TOPO"
expect_rc status1 0 "(b) --status after the apply exits 0"
run quiet --status --quiet "$TOPO"
expect_rc quiet 0 "(b) --status --quiet exits 0"
hasnt quiet out '^\[[0-9]+/[0-9]+\]|preflight' "(b) --status --quiet prints no step and no preflight line"
has quiet out 'the cluster is as described' "(b) --status --quiet prints the summary"

# ------------------------------------------------------------------ (c) locks

note "(c) the cluster lock"
KEY=$(lock_key ergo)
mkfifo "$WORK/locker.in"
PGPASSWORD=$PW PGAPPNAME=ergo-locker psql -X -q -At -h "$H1_IP" -U postgres -d postgres \
    <"$WORK/locker.in" >"$WORK/locker.out" 2>&1 &
LOCKER_PID=$!
exec 7>"$WORK/locker.in"
echo "SELECT pg_advisory_lock(727270, $KEY);" >&7
LOCKQ="select count(*) from pg_locks l join pg_stat_activity a using (pid)
       where l.locktype = 'advisory' and l.classid = 727270 and l.objid = $KEY and l.granted
         and a.application_name = 'ergo-locker'"
poll "(c) a psql session holds cluster ergo's lock on h1 (727270, $KEY)" 1 "$LOCKQ" 1 postgres
run locked --apply "$TOPO"
expect_rc locked 1 "(c) a second --apply of cluster ergo is refused while its lock is held"
has locked err "^  - node 'a1': another replc --apply is running \(ergo-locker from " \
    "(c) it names the holder on a1's server"
hasnt locked out '^\[[0-9]+/[0-9]+\] ' "(c) it started no step"
OTHER=$WORK/other.rc
cat >"$OTHER" <<EOF
cluster other;
defaults {
    version 15; port 5432; user postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata "$HOSTS_PGDATA"; bindir "$HOSTS_PGBIN";
}
table o (k int primary key);
node o1 { host "$H1_IP"; database od; publish po (o); }
node o2 { host "$H2_IP"; database od; subscribe so to o1 (po); }
EOF
run other --apply "$OTHER"
expect_rc other 0 "(c) another cluster on the same servers applies while ergo's lock is held"
exec 7>&-
wait "$LOCKER_PID" 2>/dev/null
LOCKER_PID=

# ------------------------------------------------------------------ (d) --limit

note "(d) --limit"
topology "$TOPO" "node c { host \"$H3_IP\"; database dc; subscribe sc to a2 (pc); }" "publish pc (t2);"
before2=$(q 2 "select pg_postmaster_start_time() || ' ' || pg_conf_load_time()" postgres)
run limit1 --apply --limit c "$TOPO"
expect_rc limit1 1 "(d) --limit c, which needs a2's new publication, is refused"
has limit1 err 'limit: steps of other nodes that the chosen nodes need are not in place' \
    "(d) it says what the chosen node needs is not in place"
has limit1 out 'a2 +[^ ]*publications[^ ]* +differs' "(d) it shows a2's publications step as the one missing"
got=$(q 3 "select count(*) from pg_database where datname = 'dc'" postgres)
if [ "$got" = 0 ]; then ok "(d) refused: nothing was made on c's server"; else not_ok "(d) refused: nothing was made on c's server ($got)"; fi
run limit2 --apply --limit a2,c "$TOPO"
expect_rc limit2 0 "(d) --limit a2,c exits 0"
hasnt limit2 out '^\[[0-9]+/[0-9]+\] (a1|b) ' "(d) --limit a2,c ran no step of a1 or b"
q 1 "insert into t2 values (3, 'three')" db >/dev/null
poll "(d) c receives a2's rows" 3 "select string_agg(v, ',' order by k) from t2" two,three dc
after2=$(q 2 "select pg_postmaster_start_time() || ' ' || pg_conf_load_time()" postgres)
if [ "$before2" = "$after2" ]; then ok "(d) b's server was neither restarted nor reloaded"; else not_ok "(d) b's server was neither restarted nor reloaded ($before2 -> $after2)"; fi

# ------------------------------------------------------------------ (e) TLS

note "(e) sslmode require"
if "$HOSTS" ssh 3 "cd $HOSTS_PGDATA && openssl req -new -x509 -days 2 -nodes -subj /CN=h3 \
        -keyout server.key -out server.crt && chmod 600 server.key" >"$WORK/cert.log" 2>&1 &&
   q 3 "ALTER SYSTEM SET ssl = on" postgres >>"$WORK/cert.log" && q 3 "SELECT pg_reload_conf()" postgres >>"$WORK/cert.log"; then
    poll "(e) h3 has a self-signed certificate and ssl = on" 3 "SHOW ssl" on postgres
else
    not_ok "(e) h3 has a self-signed certificate and ssl = on"; diag <"$WORK/cert.log"
fi
TLS=$WORK/tls.rc
cat >"$TLS" <<EOF
cluster tls;
defaults {
    version 15; port 5432; user postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata "$HOSTS_PGDATA"; bindir "$HOSTS_PGBIN";
}
table s (k int primary key, v text);
node p { host "$H3_IP"; database dt; sslmode require; publish ps (s); }
node q { host "$H1_IP"; database dt; subscribe sq to p (ps); }
node r { host "$H4_IP"; standby from p; }
EOF
run tls --apply "$TLS"
expect_rc tls 0 "(e) --apply of a cluster whose publisher says sslmode require exits 0"
q 3 "insert into s values (1, 'secret')" dt >/dev/null
poll "(e) the subscriber receives the publisher's row" 1 "select v from s where k = 1" secret dt
poll "(e) the standby streams from p" 4 "select status from pg_stat_wal_receiver" streaming postgres
poll "(e) pg_stat_ssl: the subscription's connection to p is encrypted" 3 \
    "select coalesce(bool_and(s.ssl)::text, 'none') from pg_stat_ssl s join pg_stat_activity a using (pid) where a.backend_type = 'walsender' and a.application_name = 'sq'" true postgres
poll "(e) pg_stat_ssl: the standby's connection to p is encrypted" 3 \
    "select coalesce(bool_and(s.ssl)::text, 'none') from pg_stat_ssl s join pg_stat_activity a using (pid) where a.backend_type = 'walsender' and a.application_name = 'r'" true postgres
# libpq's default (prefer) encrypts too when the server can: what makes it a
# requirement is the sslmode in the connection strings
poll "(e) the subscription's connection string says sslmode=require" 1 \
    "select (subconninfo like '%sslmode=require%')::text from pg_subscription where subname = 'sq'" true dt
poll "(e) the standby's primary_conninfo says sslmode=require" 4 \
    "select (conninfo like '%sslmode=require%')::text from pg_stat_wal_receiver" true postgres
# (h3 also holds case (d)'s cluster's line for h1, a subscriber c admitting
# its publisher: another cluster's block, with another database)
poll "(e) p admits its peers with hostssl lines only" 3 \
    "select string_agg(distinct type, ',') from pg_hba_file_rules where address in ('$H1_IP', '$H4_IP') and ('dt' = any (database) or 'replication' = any (database))" hostssl postgres
finish
