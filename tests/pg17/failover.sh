#!/bin/bash
# tests/pg17/failover.sh: failover of a subscriber to its standby on real
# PostgreSQL 17 (docs/failover.md), three hosts:
#
#   pub  (h1) writes t and publishes it;
#   sub  (h2) subscribes to pub;
#   sub2 (h3) is a hot standby of sub.
#
# The npm build has no pg_basebackup: sub2 is built the way standby.sh builds
# beta (a copy of sub's stopped data directory, standby.signal,
# primary_conninfo, a physical slot), before sub's scripts run; then every
# host's run.sh, at once. Checked: rows before; replc --promote sub2 refuses
# while sub runs; sub stops (immediate); rows inserted, updated and deleted
# on pub meanwhile; replc --promote sub2 succeeds; rows after; sub2 holds
# every row exactly once, out of recovery, on the original slot on pub,
# which nothing dropped.
#
# Prints `ok - ...` / `not ok - ...` per check and `N passed, M failed` last.
# Needs root (network namespaces).
set -uo pipefail

# shellcheck source=tests/pg17/lib.sh
. "$(dirname "$0")/lib.sh"
ARRIVE_TIMEOUT=${ARRIVE_TIMEOUT:-60}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}

pg17_setup failover 3
: "${H2_IP:?} ${H3_IP:?}"
D=${HOSTS_PGDATA:-/srv/replc/data}
IP=("" "$H1_IP" "$H2_IP" "$H3_IP")

# shellcheck disable=SC2029   # the remote command is built to expand there
on() { local i=$1; shift; ssh "${SSH_OPTS[@]}" "postgres@${IP[$i]}" "PATH=$(printf '%q' "$PG17BIN"):\$PATH; $*"; }
sql() { PGPASSWORD=$HOSTS_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -At -v ON_ERROR_STOP=1 \
            -h "${IP[$1]}" -U postgres -d "${3:-repl}" -c "$2" 2>&1; }
poll() {
    local desc=$1 i=$2 q=$3 want=$4 db=${5:-repl} got deadline=$(( $(date +%s) + ARRIVE_TIMEOUT ))
    while :; do
        got=$(sql "$i" "$q" "$db")
        [ "$got" = "$want" ] && { ok "$desc"; return 0; }
        [ "$(date +%s)" -ge "$deadline" ] && break
        sleep 0.5
    done
    not_ok "$desc"; printf 'query on h%s: %s\nwant: %s\ngot: %s\n' "$i" "$q" "$want" "$got" | diag
    return 1
}
ins() { local out; if out=$(sql "$1" "$2"); then return 0; fi; not_ok "on h$1: $2"; echo "$out" | diag; return 1; }

TOPO=$WORK/failover17.rc
cat >"$TOPO" <<EOF
cluster failover17;
defaults { version 17; database repl; user postgres; password env REPLC_TEST_PASSWORD; pgdata "$D"; bindir "$PG17BIN"; }
table t (id int primary key, v text);
node pub  { host "$H1_IP"; publish pub_t (t); }
node sub  { host "$H2_IP"; subscribe sub_t to pub (pub_t); }
node sub2 { host "$H3_IP"; standby from sub; }
EOF
OUT=$WORK/out
if "$REPLC" "$TOPO" -o "$OUT" >"$WORK/replc.out" 2>"$WORK/replc.err"; then ok "replc compiles the topology"
else not_ok "replc compiles the topology"; cat "$WORK/replc.out" "$WORK/replc.err" | diag; finish; fi
chmod -R a+rX "$OUT"

run_host() {   # NODE I
    local q; q=$(printf '%q' "$OUT/$1")
    timeout "$RUN_TIMEOUT" ssh "${SSH_OPTS[@]}" "postgres@${IP[$2]}" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $q && sh run.sh" \
        <<<"$HOSTS_PASSWORD" >"$WORK/run-$1.log" 2>&1
}
promote() {   # NAME: replc --promote sub2; NAME.out, RC
    REPLC_SSH="ssh ${HOSTS_SSH_OPTS:-}" REPLC_TEST_PASSWORD=$HOSTS_PASSWORD \
        timeout "$RUN_TIMEOUT" "$REPLC" --promote sub2 "$TOPO" >"$WORK/$1.out" 2>&1
    RC=$?
}
slots() { sql 1 "select string_agg(slot_name, ' ' order by slot_name) from pg_replication_slots" postgres; }

# --- sub2: what pg_basebackup -R -C -S sub2 would make, from the fresh sub ------
{
    on 3 "pg_ctl -D $D -m fast -w stop" &&
    on 2 "pg_ctl -D $D -m fast -w stop" &&
    rm -rf "$REPLC_HOSTS_STATE/h3/srv/data" &&
    cp -a "$REPLC_HOSTS_STATE/h2/srv/data" "$REPLC_HOSTS_STATE/h3/srv/data" &&
    rm -f "$REPLC_HOSTS_STATE/h3/srv/data/postmaster.pid" &&
    on 2 "pg_ctl -D $D -l $D/replc-server.log -w start" &&
    sql 2 "select pg_create_physical_replication_slot('sub2', true)" postgres &&
    on 3 "touch $D/standby.signal &&
          printf '%s\n' \"primary_conninfo = 'host=$H2_IP port=5432 user=postgres application_name=sub2'\" \
                        \"primary_slot_name = 'sub2'\" >>$D/postgresql.auto.conf &&
          printf '%s\n' 'replc standby: node=sub2 source=sub' >$D/replc_standby"
} >"$WORK/sub2-build.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then ok "sub2 built from a copy of sub's data directory (stopped), as a standby of sub"
else not_ok "sub2 built as a standby of sub (exit $rc)"; diag <"$WORK/sub2-build.log"; finish; fi

run_host pub 1 & p1=$!
run_host sub 2 & p2=$!
run_host sub2 3 & p3=$!
failed=0
for n in pub:$p1 sub:$p2 sub2:$p3; do
    if wait "${n#*:}"; then ok "${n%:*}'s run.sh succeeds"
    else not_ok "${n%:*}'s run.sh succeeds"; diag <"$WORK/run-${n%:*}.log"; failed=1; fi
done
[ "$failed" = 0 ] || finish

ins 1 "insert into t select g, 'before-' || g from generate_series(1, 5) g"
poll "rows written on pub before arrive on sub2 (through sub)" 3 "select count(*) from t" 5
poll "sub2 is sub's synchronous standby" 2 \
    "select string_agg(application_name || ' ' || sync_state, ',') from pg_stat_replication" "sub2 sync" postgres
before=$(slots)

promote refuse
if [ "$RC" = 1 ] && grep -q "'sub' still answers" "$WORK/refuse.out"; then ok "replc --promote sub2 refuses while sub runs (exit 1), and says so"
else not_ok "replc --promote sub2 refuses while sub runs (exit $RC)"; diag <"$WORK/refuse.out"; fi
poll "sub2 is still a standby" 3 "select pg_is_in_recovery()" t postgres

if on 2 "pg_ctl -D $D -m immediate stop" >"$WORK/stop.log" 2>&1; then ok "sub stopped (immediate)"
else not_ok "sub stopped (immediate)"; diag <"$WORK/stop.log"; fi
ins 1 "insert into t select g, 'down-' || g from generate_series(6, 10) g"
ins 1 "update t set v = 'down-upd' where id = 1"
ins 1 "delete from t where id = 2"

promote promote
if [ "$RC" = 0 ]; then ok "replc --promote sub2 exits 0 once sub is down"
else not_ok "replc --promote sub2 exits 0 once sub is down (exit $RC)"; diag <"$WORK/promote.out"; fi
ins 1 "insert into t select g, 'after-' || g from generate_series(11, 15) g"

want=$(sql 1 "select string_agg(id || ':' || v, ',' order by id) from t")
poll "sub2's t is pub's: rows before, during the outage and after" 3 "select string_agg(id || ':' || v, ',' order by id) from t" "$want"
poll "sub2: 14 rows, 14 distinct ids" 3 "select count(*) || ' ' || count(distinct id) from t" "14 14"
poll "sub2 is out of recovery" 3 "select pg_is_in_recovery()" f postgres
poll "sub2's subscription is enabled, on the original slot" 3 \
    "select subname || ' ' || subenabled || ' ' || subslotname from pg_subscription" "sub_t true sub_t"
poll "pub: slot sub_t is streamed by sub2" 1 \
    "select host(a.client_addr) from pg_replication_slots s join pg_stat_replication a on a.pid = s.active_pid where s.slot_name = 'sub_t'" \
    "$H3_IP" postgres
after=$(slots)
if [ "$before" = "$after" ]; then ok "pub's slots are as before ($after)"
else not_ok "pub's slots are as before"; printf 'before: %s\nafter: %s\n' "$before" "$after" | diag; fi
note "total $(elapsed)"
finish
