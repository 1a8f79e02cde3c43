#!/bin/bash
# tests/pg17/standby.sh: subscriptions whose publisher is a standby, on real
# PostgreSQL 17 (logical decoding on a standby needs 16 or later).
#
#   alpha (h1) writes t and publishes it;
#   beta  (h2) is a hot standby of alpha;
#   gamma (h3) subscribes to beta (not to alpha);
#   delta (h4) also subscribes to beta, added later and built by --apply.
#
# The npm build of PostgreSQL 17 has no pg_basebackup, so this test builds
# beta itself the way `pg_basebackup -R -C -S beta` would (a copy of alpha's
# data directory taken while alpha is stopped, standby.signal,
# primary_conninfo, a physical slot on alpha) and marks it as replc's
# standby; replc's base-backup step then finds it in place and starts it.
# Everything else is replc's: gamma's scripts (run.sh, run at the same time
# as beta's), then `replc --apply` for delta. Checked: rows written on alpha,
# before and after, reach gamma and delta through beta; the slots live on
# beta; beta stays in recovery with hot_standby_feedback on; a second run
# changes nothing.
#
# Prints `ok - ...` / `not ok - ...` per check and `N passed, M failed` last;
# exits non-zero when a check failed. Needs root (network namespaces).
set -uo pipefail

# shellcheck source=tests/pg17/lib.sh
. "$(dirname "$0")/lib.sh"
ARRIVE_TIMEOUT=${ARRIVE_TIMEOUT:-60}   # seconds for a row to arrive
RUN_TIMEOUT=${RUN_TIMEOUT:-300}        # seconds for one host's run.sh or an --apply

pg17_setup standby 4
: "${H2_IP:?} ${H3_IP:?} ${H4_IP:?}"
D=${HOSTS_PGDATA:-/srv/replc/data}
IP=("" "$H1_IP" "$H2_IP" "$H3_IP" "$H4_IP")

# shellcheck disable=SC2029   # the remote command is built to expand there
on() { local i=$1; shift; ssh "${SSH_OPTS[@]}" "postgres@${IP[$i]}" "PATH=$(printf '%q' "$PG17BIN"):\$PATH; $*"; }
# One query on host I (database repl unless given), from the admin side.
sql() { PGPASSWORD=$HOSTS_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -At -v ON_ERROR_STOP=1 \
            -h "${IP[$1]}" -U postgres -d "${3:-repl}" -c "$2" 2>&1; }
# poll DESC I SQL WANT [DB]: ok once SQL on host I gives WANT, within ARRIVE_TIMEOUT
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

# --- the topology ---------------------------------------------------------------
write_topology() {   # FILE [with delta]
    cat >"$1" <<EOF
cluster standby17;
defaults { version 17; database repl; user postgres; password env REPLC_TEST_PASSWORD; pgdata "$D"; bindir "$PG17BIN"; }
table t (id int primary key, v text);
node alpha { host "$H1_IP"; publish pub_t (t); }
node beta  { host "$H2_IP"; standby from alpha; }
node gamma { host "$H3_IP"; subscribe gamma_t to beta (pub_t); }
EOF
    [ "${2:-}" = delta ] && echo "node delta { host \"$H4_IP\"; subscribe delta_t to beta (pub_t); }" >>"$1"
}
write_topology "$WORK/standby.rc"
OUT=$WORK/out
if "$REPLC" "$WORK/standby.rc" -o "$OUT" >"$WORK/replc.out" 2>"$WORK/replc.err"; then
    ok "replc compiles a subscription to a standby at version 17"
else
    not_ok "replc compiles a subscription to a standby at version 17"; cat "$WORK/replc.out" "$WORK/replc.err" | diag; finish
fi
chmod -R a+rX "$OUT"
check "gamma's plan makes the slot on beta with snapshots from alpha" \
    grep -q "gamma/slot.gamma_t  create slot 'gamma_t' on standby 'beta', 'alpha' logging standby snapshots" "$OUT/plan.txt"

run_host() {   # NODE I: the node's run.sh on host I, as postgres; log in run-NODE.log
    local q; q=$(printf '%q' "$OUT/$1")
    timeout "$RUN_TIMEOUT" ssh "${SSH_OPTS[@]}" "postgres@${IP[$2]}" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $q && sh run.sh" \
        <<<"$HOSTS_PASSWORD" >"$WORK/run-$1.log" 2>&1
}
host_log() { note "server log of h$1 (last 30 lines):"; "$HOSTS" log "$1" 2>&1 | tail -n 30 | diag; }

# --- alpha: configured by its scripts, with rows before anyone subscribes ------
if run_host alpha 1; then ok "alpha's run.sh succeeds"; else not_ok "alpha's run.sh succeeds"; diag <"$WORK/run-alpha.log"; host_log 1; finish; fi
if sql 1 "insert into t values (1, 'early'), (2, 'early')" >"$WORK/ins12.log"; then
    ok "two rows written on alpha before anyone subscribes"
else not_ok "two rows written on alpha before anyone subscribes"; diag <"$WORK/ins12.log"; fi

# --- beta: what pg_basebackup -R -C -S beta would make -------------------------
{
    on 2 "pg_ctl -D $D -m fast -w stop" &&
    on 1 "pg_ctl -D $D -m fast -w stop" &&
    rm -rf "$REPLC_HOSTS_STATE/h2/srv/data" &&
    cp -a "$REPLC_HOSTS_STATE/h1/srv/data" "$REPLC_HOSTS_STATE/h2/srv/data" &&
    rm -f "$REPLC_HOSTS_STATE/h2/srv/data/postmaster.pid" &&
    on 1 "pg_ctl -D $D -l $D/replc-server.log -w start" &&
    sql 1 "select pg_create_physical_replication_slot('beta', true)" postgres &&
    on 2 "touch $D/standby.signal &&
          printf '%s\n' \"primary_conninfo = 'host=$H1_IP port=5432 user=postgres application_name=beta'\" \
                        \"primary_slot_name = 'beta'\" >>$D/postgresql.auto.conf &&
          printf '%s\n' 'replc standby: node=beta source=alpha' >$D/replc_standby"
} >"$WORK/beta-build.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then ok "beta built from a copy of alpha's data directory (stopped), as a standby of alpha"
else not_ok "beta built as a standby of alpha (exit $rc)"; diag <"$WORK/beta-build.log"; finish; fi

# --- beta and gamma: their scripts at the same time ------------------------------
run_host beta 2 & pb=$!
run_host gamma 3 & pg=$!
wait "$pb"; rb=$?
wait "$pg"; rg=$?
for n in beta gamma; do
    eval "rc=\$r${n:0:1}"
    if [ "$rc" = 0 ]; then ok "$n's run.sh succeeds"; diag <"$WORK/run-$n.log"
    else not_ok "$n's run.sh succeeds (exit $rc)"; diag <"$WORK/run-$n.log"; fi
done
if [ "$rb" != 0 ] || [ "$rg" != 0 ]; then host_log 1; host_log 2; host_log 3; finish; fi
check "gamma's slot step asked alpha for snapshots and made the slot on beta" \
    grep -q "slot gamma_t created on 'beta'" "$WORK/run-gamma.log"

poll "beta is in recovery" 2 "select pg_is_in_recovery()" t postgres
poll "beta streams from alpha" 2 "select status from pg_stat_wal_receiver" streaming postgres
poll "beta has wal_level = logical" 2 "show wal_level" logical postgres
poll "beta has hot_standby_feedback = on" 2 "show hot_standby_feedback" on postgres
poll "the slot gamma_t is a logical slot on beta, in use" 2 \
    "select slot_type || ' ' || active::text from pg_replication_slots where slot_name = 'gamma_t'" "logical true" postgres
poll "alpha has no slot of gamma (only beta's physical slot)" 1 \
    "select string_agg(slot_name || ' ' || slot_type, ',') from pg_replication_slots" "beta physical" postgres
poll "gamma got the rows written on alpha before it subscribed (initial copy via beta)" 3 \
    "select string_agg(id || ':' || v, ',' order by id) from t" "1:early,2:early"
if sql 1 "insert into t values (3, 'later')" >"$WORK/ins3.log"; then
    poll "a row written on alpha afterwards reaches gamma through beta" 3 \
        "select string_agg(id || ':' || v, ',' order by id) from t" "1:early,2:early,3:later"
else not_ok "insert a row on alpha"; diag <"$WORK/ins3.log"; fi

# --- a second run changes nothing ------------------------------------------------
for n in beta:2 gamma:3; do
    if run_host "${n%:*}" "${n#*:}" && ! grep -q 'replc-result: changed' "$WORK/run-${n%:*}.log"; then
        ok "${n%:*}'s run.sh again: succeeds, changes nothing"
    else
        not_ok "${n%:*}'s run.sh again: succeeds, changes nothing"; diag <"$WORK/run-${n%:*}.log"
    fi
done

# --- delta, added and built by --apply -------------------------------------------
write_topology "$WORK/standby4.rc" delta
REPLC_SSH="ssh ${HOSTS_SSH_OPTS:-}" REPLC_TEST_PASSWORD=$HOSTS_PASSWORD \
    timeout "$RUN_TIMEOUT" "$REPLC" --apply "$WORK/standby4.rc" >"$WORK/apply.out" 2>&1
rc=$?
if [ "$rc" = 0 ]; then ok "replc --apply with delta subscribing to beta exits 0"
else not_ok "replc --apply with delta subscribing to beta exits 0 (exit $rc)"; diag <"$WORK/apply.out"; host_log 2; fi
check "--apply made delta's slot on beta (its slot step changed)" \
    grep -qE '\] delta +slot\.delta_t\.sh +changed' "$WORK/apply.out"
check "--apply restarted or rebuilt nothing and left gamma as it was" \
    bash -c "! grep -E '\] (alpha|beta) +(raise|basebackup|restart)\.sh +changed|\] gamma +[^ ]+ +changed' '$WORK/apply.out'"
poll "delta got every row of t through beta" 4 \
    "select string_agg(id || ':' || v, ',' order by id) from t" "1:early,2:early,3:later"
poll "the slot delta_t is on beta" 2 \
    "select count(*) from pg_replication_slots where slot_name = 'delta_t' and slot_type = 'logical'" 1 postgres
if sql 1 "insert into t values (4, 'last')" >"$WORK/ins4.log"; then
    for i in 3 4; do
        poll "a row written on alpha after --apply reaches h$i" "$i" "select count(*) from t where id = 4" 1
    done
else not_ok "insert a row on alpha"; diag <"$WORK/ins4.log"; fi

# --- the converged cluster: --status and a dry run say so, and ask for nothing --
# alpha logs every statement for this window, between two marker statements;
# its server log then shows exactly what was asked of it in between.
alpha_log_statements() {   # VALUE: set log_statement (reset: back to alpha's own), wait for it
    local want=$1
    if [ "$1" = reset ]; then
        sql 1 "alter system reset log_statement" postgres >/dev/null
        want=$log_statement_before
    else
        sql 1 "alter system set log_statement = '$1'" postgres >/dev/null
    fi
    sql 1 "select pg_reload_conf()" postgres >/dev/null
    poll "alpha's log_statement is '$want'" 1 "show log_statement" "$want" postgres
}
window_mark() { sql 1 "select 'replc-window-$1'" postgres >/dev/null; }
log_statement_before=$(sql 1 "show log_statement" postgres)
alpha_log_statements all
window_mark start
REPLC_SSH="ssh ${HOSTS_SSH_OPTS:-}" REPLC_TEST_PASSWORD=$HOSTS_PASSWORD \
    timeout "$RUN_TIMEOUT" "$REPLC" --status "$WORK/standby4.rc" >"$WORK/status.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -q 'the cluster is as described' "$WORK/status.out"; then
    ok "replc --status on the converged cluster: exit 0, as described"
else not_ok "replc --status on the converged cluster: exit 0, as described (exit $rc)"; diag <"$WORK/status.out"; fi
REPLC_SSH="ssh ${HOSTS_SSH_OPTS:-}" REPLC_TEST_PASSWORD=$HOSTS_PASSWORD \
    timeout "$RUN_TIMEOUT" "$REPLC" --apply --dry-run "$WORK/standby4.rc" >"$WORK/dry.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -qE '^0 would change, [0-9]+ ok, 0 failed, 0 not run' "$WORK/dry.out"; then
    ok "replc --apply --dry-run on the converged cluster: exit 0, nothing would change"
else not_ok "replc --apply --dry-run on the converged cluster: exit 0, nothing would change (exit $rc)"; diag <"$WORK/dry.out"; fi
window_mark end
# the logging collector writes asynchronously: wait for the end marker
deadline=$(( $(date +%s) + ARRIVE_TIMEOUT ))
until "$HOSTS" log 1 2>/dev/null | grep -q "replc-window-end"; do
    [ "$(date +%s)" -lt "$deadline" ] || break
    sleep 0.5
done
"$HOSTS" log 1 2>&1 | sed -n '/replc-window-start/,/replc-window-end/p' >"$WORK/alpha-window.log"
alpha_log_statements reset
statements=$(grep -cE 'LOG: +(statement|execute [^:]*):' "$WORK/alpha-window.log")
if grep -q 'replc-window-end' "$WORK/alpha-window.log" && [ "$statements" -gt 2 ]; then
    ok "alpha's server log holds the window: $statements statements, --status's and --dry-run's among them"
else
    not_ok "alpha's server log holds the window (markers and the runs' statements; $statements statements)"
    tail -n 30 "$WORK/alpha-window.log" | diag
fi
check "neither asked alpha for a standby snapshot (no pg_log_standby_snapshot in alpha's log)" \
    not grep -i 'pg_log_standby_snapshot' "$WORK/alpha-window.log"

note "total $(elapsed)"
finish
