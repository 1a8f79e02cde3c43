#!/bin/bash
# tests/pg17/twoway.sh [MAJOR]: two-way logical replication on real PostgreSQL
# MAJOR (16, 17 or 18; default 17: origin = none exists from 16 on).
#
# Two test hosts (tests/hosts/hosts.sh), each running a PostgreSQL MAJOR server
# from tests/lib/pgnpm.sh. Compiles a topology where a and b publish the same
# table and subscribe to each other with origin = none, runs both hosts'
# run.sh at the same time over ssh as postgres, then checks that a row written
# on either side arrives exactly once on both and stays that way (no loop).
# Finally checks that the same topology with `version 15` is refused, since
# origin = none does not exist before 16 and the cycle would loop.
#
# Prints `ok - ...` / `not ok - ...` per check and `N passed, M failed` last;
# exits non-zero when a check failed. Needs root (network namespaces).
set -uo pipefail

PG_MAJOR=${1:-17}
case $PG_MAJOR in 16|17|18) ;; *) echo "usage: $0 [16|17|18]" >&2; exit 2 ;; esac
# shellcheck source=tests/pg17/lib.sh
. "$(dirname "$0")/lib.sh"
ARRIVE_TIMEOUT=${ARRIVE_TIMEOUT:-60}   # seconds for a row to reach the peer
RUN_TIMEOUT=${RUN_TIMEOUT:-300}        # seconds for one host's run.sh
SETTLE=${SETTLE:-10}                   # seconds to wait before the loop check

pg17_setup twoway 2
: "${H2_IP:?}"
PGDATA_ON_HOSTS=${HOSTS_PGDATA:-/srv/replc/data}

# Run a shell command as postgres on host IP; extra ssh stdin comes from ours.
# shellcheck disable=SC2029   # the remote command is built to expand there
on() { local ip=$1; shift; ssh "${SSH_OPTS[@]}" "postgres@$ip" "$@"; }
# One SQL query on host IP's database repl, through its local socket; the
# result unaligned, tuples only.
sql() { on "$1" "psql -X -q -d repl -v ON_ERROR_STOP=1 -Atc $(printf '%q' "$2")"; }

for ip in "$H1_IP" "$H2_IP"; do
    v=$(on "$ip" "psql -X -d postgres -Atc 'show server_version_num'" 2>&1)
    check "server on $ip is PostgreSQL $PG_MAJOR ($v)" [ "${v:0:2}" = "$PG_MAJOR" ]
done

# --- compile ----------------------------------------------------------------
if [ ! -x "$REPLC" ]; then not_ok "$REPLC is missing"; finish; fi

write_topology() {   # VERSION FILE
    cat >"$2" <<EOF
cluster twoway$1;
defaults { version $1; database repl; user postgres; password env REPLC_TEST_PASSWORD; pgdata "$PGDATA_ON_HOSTS"; bindir "$PG17BIN"; }
table t (id int primary key, v text);
node a { host "$H1_IP"; publish pub_a (t); subscribe a_from_b to b (pub_b) with (origin = none, copy_data = false); }
node b { host "$H2_IP"; publish pub_b (t); subscribe b_from_a to a (pub_a) with (origin = none, copy_data = false); }
EOF
}

write_topology "$PG_MAJOR" "$WORK/twoway$PG_MAJOR.rc"
OUT=$WORK/out
if "$REPLC" "$WORK/twoway$PG_MAJOR.rc" -o "$OUT" >"$WORK/replc.out" 2>"$WORK/replc.err"; then
    ok "replc compiles the two-way topology with version $PG_MAJOR"
    [ -s "$WORK/replc.err" ] && { note "replc stderr:"; diag <"$WORK/replc.err"; }
else
    not_ok "replc compiles the two-way topology with version $PG_MAJOR (exit $?)"
    cat "$WORK/replc.out" "$WORK/replc.err" | diag; finish
fi
chmod -R a+rX "$OUT"
for n in a b; do
    [ -f "$OUT/$n/run.sh" ] || { not_ok "replc wrote $n/run.sh"; finish; }
done

# --- run both hosts' scripts at the same time --------------------------------
run_host() {   # NODE IP
    local q; q=$(printf '%q' "$OUT/$1")
    timeout "$RUN_TIMEOUT" ssh "${SSH_OPTS[@]}" "postgres@$2" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $q && sh run.sh" \
        <<<"$HOSTS_PASSWORD" >"$WORK/run-$1.log" 2>&1
}
r0=$(date +%s)
run_host a "$H1_IP" & pa=$!
run_host b "$H2_IP" & pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
note "both run.sh finished in $(( $(date +%s) - r0 ))s"
for n in a b; do
    eval "rc=\$r$n"
    if [ "$rc" = 0 ]; then
        ok "run.sh on $n succeeds"
        diag <"$WORK/run-$n.log"
    else
        not_ok "run.sh on $n succeeds (exit $rc$([ "$rc" = 124 ] && echo ", timed out after ${RUN_TIMEOUT}s"))"
        diag <"$WORK/run-$n.log"
    fi
done
if [ "$ra" != 0 ] || [ "$rb" != 0 ]; then
    for i in 1 2; do
        note "server log of h$i (last 40 lines):"
        "$HOSTS" log "$i" 2>&1 | tail -n 40 | diag
    done
    finish
fi

# --- replication both ways, exactly once ---------------------------------
counts() {   # IP -> "count(id=1) count(id=2) count(*)"
    sql "$1" "select count(*) filter (where id = 1), count(*) filter (where id = 2), count(*) from t" \
        2>>"$WORK/counts.err" | tr '|' ' '
}
if sql "$H1_IP" "insert into t values (1, 'written on a')" >"$WORK/ins-a.log" 2>&1; then
    ok "insert a row on a"
else
    not_ok "insert a row on a"; diag <"$WORK/ins-a.log"
fi
if sql "$H2_IP" "insert into t values (2, 'written on b')" >"$WORK/ins-b.log" 2>&1; then
    ok "insert a row on b"
else
    not_ok "insert a row on b"; diag <"$WORK/ins-b.log"
fi

deadline=$(( $(date +%s) + ARRIVE_TIMEOUT ))
while :; do
    ca=$(counts "$H1_IP"); cb=$(counts "$H2_IP")
    [ "$ca" = "1 1 2" ] && [ "$cb" = "1 1 2" ] && break
    [ "$(date +%s)" -ge "$deadline" ] && break
    sleep 0.5
done
check "both rows exactly once on a (id=1 id=2 total: $ca)" [ "$ca" = "1 1 2" ]
check "both rows exactly once on b (id=1 id=2 total: $cb)" [ "$cb" = "1 1 2" ]

note "waiting ${SETTLE}s for any loop to show"
sleep "$SETTLE"
ca=$(counts "$H1_IP"); cb=$(counts "$H2_IP")
check "after ${SETTLE}s still exactly once on a ($ca)" [ "$ca" = "1 1 2" ]
check "after ${SETTLE}s still exactly once on b ($cb)" [ "$cb" = "1 1 2" ]

# A loop with a primary key shows as apply errors (duplicate key) rather than
# as duplicate rows: the subscriptions must have none and be streaming.
sub_healthy() {   # NODE IP SUBSCRIPTION
    local st
    st=$(sql "$2" "select s.apply_error_count, s.sync_error_count, w.pid is not null
                   from pg_stat_subscription_stats s join pg_stat_subscription w using (subid)
                   where s.subname = '$3' and w.relid is null" 2>&1 | tr '|' ' ')
    check "subscription $3 on $1 has no apply errors and a running worker ($st)" [ "$st" = "0 0 t" ]
}
sub_healthy a "$H1_IP" a_from_b
sub_healthy b "$H2_IP" b_from_a

# --- the same topology for version 15 is refused ---------------------------
write_topology 15 "$WORK/twoway15.rc"
OUT15=$WORK/out15
"$REPLC" "$WORK/twoway15.rc" -o "$OUT15" >"$WORK/replc15.out" 2>"$WORK/replc15.err"; rc=$?
check "replc refuses the version 15 topology with exit status 1 (got $rc)" [ "$rc" = 1 ]
if grep -qi cycle "$WORK/replc15.err"; then
    ok "the version 15 diagnostic mentions a replication cycle"
else
    not_ok "the version 15 diagnostic mentions a replication cycle"
fi
diag <"$WORK/replc15.err"
check "replc writes no scripts for the refused topology" \
    bash -c "! ls '$OUT15'/*/run.sh >/dev/null 2>&1"

note "total $(elapsed)"
finish
