#!/bin/bash
# tests/integration/tablespace.sh: a standby's source with a tablespace
# (issue 9 item 4): replc builds a standby only without tablespaces, and
# refuses before the standby's data directory is touched.
#
# Two hosts (PostgreSQL 15, plain layout): h1 runs p, with tablespace ts1 in
# /srv/replc/ts1 holding a table; h2 runs s, a server of its own with a table
# of rows, which the topology makes a standby of p ('with (force)': its user
# data may go, so only the tablespace stops it).
#   (1) replc --apply stops in preflight, naming s, p, ts1 and its location;
#       nothing changed on h1 nor h2
#   (2) p's run.sh, then s's run.sh: s's base backup step stops, naming the
#       location and what to do by hand; s still runs its own data (its rows,
#       its system identifier, not in recovery), nothing left beside its data
#       directory, nothing left in /srv/replc/ts1 on h2
#   (3) the table moved to pg_default and ts1 dropped on p, as the message
#       says: s's run.sh builds the standby, which streams from p
#
# Usage (root):  tests/integration/tablespace.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per run, default 120),
#      ITEST_POLL_TIMEOUT (s, 30), REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
export POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30} DB=postgres EXAMPLE_NODES=2

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

bed_begin tablespace
hosts_up

hssh() {   # hssh I COMMAND: as postgres on host I
    # shellcheck disable=SC2086
    timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$1]}" "$2" </dev/null 2>&1
}
if hssh 1 'mkdir /srv/replc/ts1' >"$WORK/ts.log" &&
    q 1 "create tablespace ts1 location '/srv/replc/ts1'" >>"$WORK/ts.log" &&
    q 1 "create table in_ts1 (k int) tablespace ts1; insert into in_ts1 select generate_series(1, 100)" >>"$WORK/ts.log" &&
    q 2 "create table mine (k int); insert into mine select generate_series(1, 7)" >>"$WORK/ts.log"; then
    ok "h1: p has tablespace ts1 in /srv/replc/ts1 with a table; h2: s has a table of 7 rows of its own"
else
    not_ok "h1: p has tablespace ts1 in /srv/replc/ts1 with a table; h2: s has a table of 7 rows of its own"
    diag <"$WORK/ts.log"; finish
fi

TOPO=$WORK/ts.rc
cat >"$TOPO" <<EOF
cluster ts;
defaults { version 15; database $DB; password env REPLC_TEST_PASSWORD; bindir "$HOSTS_PGBIN"; }
node p { host "$H1_IP"; set max_slot_wal_keep_size = "1GB"; }
node s { host "$H2_IP"; standby from p with (force); }
EOF
if "$REPLC" "$TOPO" -o "$WORK/out" >"$WORK/compile.log" 2>&1; then chmod -R a+rX "$WORK/out"; ok "the topology compiles"
else not_ok "the topology compiles"; diag <"$WORK/compile.log"; finish; fi

# h2_state: s's own data, as it must stay
h2_state() {
    q 2 "select (select count(*) from mine), pg_is_in_recovery(), (select system_identifier from pg_control_system()),
                pg_postmaster_start_time()"
    hssh 2 'ls -a /srv/replc /srv/replc/data; ls -A /srv/replc/ts1 2>/dev/null'
}
h1_state() {
    q 1 "select (select count(*) from pg_replication_slots), pg_postmaster_start_time(), pg_conf_load_time()"
    hssh 1 'md5sum /srv/replc/data/pg_hba.conf /srv/replc/data/postgresql.auto.conf; ls -a ~'
}

# ------------------------------------------------------------------ (1) --apply

before1=$(h1_state) before2=$(h2_state)
REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW timeout "$RUN_TIMEOUT" \
    "$REPLC" "$TOPO" --apply --yes >"$WORK/apply.out" 2>"$WORK/apply.err" </dev/null
RC=$?
if [ "$RC" != 0 ] && grep -qF "nothing was changed" "$WORK/apply.err" &&
    grep -qF "standby 's' would be built from 'p', but 'p' has tablespaces outside its data directory (ts1 in /srv/replc/ts1)" "$WORK/apply.err" &&
    grep -qF -- '--tablespace-mapping' "$WORK/apply.err"; then
    ok "(1) --apply stops in preflight, naming s, p, ts1 in /srv/replc/ts1 and --tablespace-mapping"
else
    not_ok "(1) --apply stops in preflight, naming s, p, ts1 in /srv/replc/ts1 and --tablespace-mapping (exit $RC)"
    cat "$WORK/apply.out" "$WORK/apply.err" | tail -30 | diag
fi
after1=$(h1_state) after2=$(h2_state)
if [ "$before1$before2" = "$after1$after2" ]; then ok "(1) nothing changed on h1 nor h2"
else not_ok "(1) nothing changed on h1 nor h2"; diff <(echo "$before1$before2") <(echo "$after1$after2") | diag; fi

# ------------------------------------------------------------------ (2) scripts

run_tree out p 1
if [ "$RC" = 0 ]; then ok "(2) p's run.sh exits 0"; else not_ok "(2) p's run.sh exits 0 (exit $RC)"; diag <"$WORK/out-p.out"; fi
before2=$(h2_state)
run_tree out s 2
if [ "$RC" != 0 ] &&
    grep -qF "replc: s: 'p' has tablespaces outside the data directory, in /srv/replc/ts1; replc builds a standby only without them; /srv/replc/data is as it was" "$WORK/out-s.out" &&
    grep -qF -- "--tablespace-mapping=OLDDIR=NEWDIR" "$WORK/out-s.out"; then
    ok "(2) s's base backup step stops, naming /srv/replc/ts1 and what to do by hand"
else
    not_ok "(2) s's base backup step stops, naming /srv/replc/ts1 and what to do by hand (exit $RC)"; diag <"$WORK/out-s.out"
fi
after2=$(h2_state)
if [ "$before2" = "$after2" ]; then
    ok "(2) s runs its own data as before: its 7 rows, its system identifier, not in recovery, not restarted; nothing left beside its data directory nor in /srv/replc/ts1"
else
    not_ok "(2) s runs its own data as before"; diff <(echo "$before2") <(echo "$after2") | diag
fi

# ------------------------------------------------------------------ (3) without the tablespace

if q 1 "alter table in_ts1 set tablespace pg_default" >"$WORK/drop.log" && q 1 "drop tablespace ts1" >>"$WORK/drop.log"; then
    ok "(3) p: the table moved to pg_default, ts1 dropped"
else
    not_ok "(3) p: the table moved to pg_default, ts1 dropped"; diag <"$WORK/drop.log"
fi
run_tree out s 2
if [ "$RC" = 0 ]; then ok "(3) s's run.sh exits 0"; else not_ok "(3) s's run.sh exits 0 (exit $RC)"; diag <"$WORK/out-s.out"; fi
poll "(3) s is in recovery, streaming from p" 2 \
    "select pg_is_in_recovery() || ' ' || (select status || ' ' || sender_host from pg_stat_wal_receiver)" \
    "true streaming $H1_IP"
poll "(3) s has p's table" 2 "select count(*) from in_ts1" 100
finish
