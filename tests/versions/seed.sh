#!/bin/bash
# tests/versions/seed.sh MAJOR scripts|apply: the seed's cluster
# (LANGUAGE.md's example, tests/integration/lib.sh's example_topology) with
# `version MAJOR`, on test hosts running PostgreSQL MAJOR
# (tests/lib/pgnpm.sh: npm's 14, 16, 17, 18; Debian's 15), set up either by
# its generated scripts (every host's run.sh at once, over ssh as postgres)
# or by `replc --apply` from the admin side.
#
#   vm1 publishes test1, subscribes to vm2's test2
#   vm2 publishes test2, subscribes to vm1's test1
#   vm3 subscribes to both
#   vm4 is a hot standby of vm3
#
# For 14 and 15 vm4's base backup is taken by replc's step with Debian's
# pg_basebackup 15 (the one on the hosts' PATH: the npm bindir has none),
# which copies a 14 server. For 16 and later there is no pg_basebackup that
# copies the server (npm has none; Debian's 15 refuses a newer one), so the
# test builds vm4 itself before replc runs, as tests/pg17/standby.sh does:
# a copy of vm3's data directory taken while vm3 is stopped, standby.signal,
# primary_conninfo, a physical slot on vm3, replc's marker, started (it
# cannot stream before replc admits it on vm3); replc's base-backup step then
# finds it in place and waits for it to stream. SEED_NO_STANDBY=1 leaves vm4
# out (the logical part, vm1..vm3).
#
# Checked, as a DBA would (example_checks): rows, UPDATE and DELETE both ways
# and on the reader (and the standby: in recovery, streaming from vm3); then
# a second run (every run.sh again, or a second --apply that says "nothing to
# do") changes nothing: row counts, subscription oids, slots, server start
# times, pg_hba rules; a row written afterwards still arrives.
#
# Usage (root):  tests/versions/seed.sh 14 scripts
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per run.sh or --apply,
#      default 180), ITEST_POLL_TIMEOUT (s, 30); REPLC_HOSTS_PREFIX and
#      REPLC_HOSTS_NET name the test bed (tests/hosts/README.md).
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-180}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=repl
MAJOR=${1:-}
HOW=${2:-}
case $MAJOR in 14|15|16|17|18) ;; *) echo "usage: $0 14|15|16|17|18 scripts|apply" >&2; exit 2 ;; esac
case $HOW in scripts|apply) ;; *) echo "usage: $0 14|15|16|17|18 scripts|apply" >&2; exit 2 ;; esac
EXAMPLE_VERSION=$MAJOR
EXAMPLE_NODES=4
[ "${SEED_NO_STANDBY:-}" = 1 ] && EXAMPLE_NODES=3
NODES=(vm1 vm2 vm3 vm4)
NODES=("${NODES[@]:0:$EXAMPLE_NODES}")

# shellcheck source=tests/integration/lib.sh
. "$ROOT/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*: another run is using the harness)"
    finish
fi

WORK=$(mktemp -d "/tmp/replc-seed$MAJOR-$HOW.XXXXXX")
chmod 755 "$WORK"                      # run.sh is run in place by postgres
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE
hosts_started=

# shellcheck disable=SC2317   # called by the trap
cleanup() {
    if [ "${ITEST_KEEP:-}" = 1 ]; then
        note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"
        return
    fi
    [ -n "$hosts_started" ] && "$HOSTS" down >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note "the seed's cluster ($EXAMPLE_NODES nodes) on PostgreSQL $MAJOR, by $([ "$HOW" = apply ] && echo 'replc --apply' || echo 'its scripts')"
[ "$EXAMPLE_NODES" = 3 ] && note "SEED_NO_STANDBY=1: the logical part only, no standby vm4"

build_replc
if PGBIN=$("$ROOT/tests/lib/pgnpm.sh" "$MAJOR" 2>"$WORK/pgnpm.log"); then
    ok "PostgreSQL $MAJOR binaries in $PGBIN"
else
    not_ok "tests/lib/pgnpm.sh $MAJOR"; diag <"$WORK/pgnpm.log"; finish
fi
hosts_started=1
hosts_up --pgbin "$PGBIN"
for i in $(seq "$EXAMPLE_NODES"); do
    v=$(q "$i" "show server_version_num" postgres)
    check "vm$i runs PostgreSQL $MAJOR (server_version_num $v)" [ "${v:0:2}" = "$MAJOR" ]
done

if [ "$EXAMPLE_NODES" = 4 ]; then
    bb=$(on 4 "command -v pg_basebackup && pg_basebackup --version" 2>&1 | tr '\n' ' ')
    if [ "$MAJOR" -le 15 ]; then
        note "vm4's base backup is taken by replc's step with: $bb"
    else
        note "no pg_basebackup copies a PostgreSQL $MAJOR server here (on the hosts: $bb): vm4 is built by copying vm3's stopped data directory, as tests/pg17/standby.sh does"
        if copy_standby; then
            ok "vm4 built from a copy of vm3's data directory (stopped), as a standby of vm3 with replc's marker"
        else
            not_ok "vm4 built from a copy of vm3's data directory"; diag <"$WORK/copy-standby.log"; finish
        fi
    fi
fi
TOPO=$WORK/seed$MAJOR.rc
example_topology "$TOPO" "the seed's cluster on PostgreSQL $MAJOR"

# ------------------------------------------------------------------ the two ways

OUT=$WORK/out
compile() {
    if "$REPLC" "$TOPO" -o "$OUT" >"$WORK/replc.out" 2>"$WORK/replc.err"; then
        ok "replc compiles the seed's cluster with version $MAJOR"
    else
        not_ok "replc compiles the seed's cluster with version $MAJOR (exit $?)"
        cat "$WORK/replc.out" "$WORK/replc.err" | diag; finish
    fi
    chmod -R a+rX "$OUT"
}

# run_scripts ROUND: every node's run.sh at once, in place; FAILED counts failures
run_scripts() {
    local i node pids=() rc
    FAILED=0
    for i in $(seq "$EXAMPLE_NODES"); do
        node=${NODES[$((i - 1))]}
        [ -f "$OUT/$node/run.sh" ] || { not_ok "replc wrote $node/run.sh"; FAILED=$((FAILED + 1)); continue; }
        {
            # shellcheck disable=SC2086
            timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$i]}" \
                "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd $(printf '%q' "$OUT/$node") && sh run.sh" \
                <<<"$PW" >"$WORK/run$1-$node.log" 2>&1
            echo $? >"$WORK/run$1-$node.rc"
        } &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for i in $(seq "$EXAMPLE_NODES"); do
        node=${NODES[$((i - 1))]}
        rc=$(cat "$WORK/run$1-$node.rc" 2>/dev/null || echo 255)
        if [ "$rc" = 0 ]; then
            ok "$node: run.sh ($1. run) exits 0"
        else
            FAILED=$((FAILED + 1))
            not_ok "$node: run.sh ($1. run) exits 0 (status $rc$([ "$rc" = 124 ] && echo ", timed out after ${RUN_TIMEOUT}s"))"
            diag <"$WORK/run$1-$node.log"
            note "$node's server log, last 20 lines:"; "$HOSTS" log "$i" 2>&1 | tail -n 20 | diag
        fi
    done
}

# run_apply NAME: replc --apply from the admin side; RC, NAME.out, NAME.err
run_apply() {
    local t
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$TOPO" --apply >"$WORK/$1.out" 2>"$WORK/$1.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

if [ "$HOW" = scripts ]; then
    compile
    run_scripts 1
    if [ "$FAILED" != 0 ]; then POLL_TIMEOUT=2; note "$FAILED run.sh failed: the checks below poll for ${POLL_TIMEOUT}s only"; fi
else
    run_apply apply1
    expect_rc apply1 0 "replc --apply exits 0" || POLL_TIMEOUT=2
    FAILED=$([ "$RC" = 0 ] && echo 0 || echo 1)
fi

example_checks ""

# ------------------------------------------------------------------ a second run

if [ "$FAILED" != 0 ]; then
    not_ok "second run: skipped, the first failed"
    finish
fi
state_snapshot "$WORK/before"
note "before the second run:"; diag <"$WORK/before"
if [ "$HOW" = scripts ]; then
    run_scripts 2
else
    run_apply apply2
    expect_rc apply2 0 "second replc --apply exits 0"
    has apply2 out '^0 changed, [0-9]+ ok, 0 failed, 0 not run, total [0-9.]+s$' "second --apply: 0 changed, 0 failed, 0 not run"
    has apply2 out '^nothing to do: the cluster is as described$' "second --apply says: nothing to do"
fi
state_snapshot "$WORK/after"
unchanged "$WORK/before" "$WORK/after" \
    "the second run changed nothing (row counts, subscription oids, slots, server start times, pg_hba rules)"

if ins 1 "insert into test1 values (4, 'd1')" && ins 2 "insert into test2 values (40, 'w2')"; then
    for i in $(seq 2 "$EXAMPLE_NODES"); do
        poll "after the second run, a new test1 row reaches vm$i" "$i" "$T1" '1:a1,2:b1-upd,4:d1'
    done
    for i in 1 $(seq 3 "$EXAMPLE_NODES"); do
        poll "after the second run, a new test2 row reaches vm$i" "$i" "$T2" '20:y2-upd,30:z2,40:w2'
    done
fi

finish
