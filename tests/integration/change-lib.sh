# shellcheck shell=bash
# tests/integration/change-lib.sh: what the suites of changes to a live
# cluster share (change.sh, change2.sh); sourced after lib.sh, with the
# caller's globals: ROOT, and TOPO. It sets the suites' own: HOSTS, REPLC,
# RUN_TIMEOUT, POLL_TIMEOUT, NODES, DB (and WORK, IP, PW: change_suite).
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-180}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
NODES=(vm1 vm2 vm3 vm4)
DB=repl

# change_suite NAME: as root, a work directory (WORK), four hosts up, replc
# built; everything torn down at exit (ITEST_KEEP=1 keeps it)
change_suite() {
    [ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
    WORK=$(mktemp -d "/tmp/replc-$1.XXXXXX")
    chmod 755 "$WORK"
    STATE=$WORK/hosts
    export REPLC_HOSTS_STATE=$STATE
    trap change_cleanup EXIT
    trap 'exit 130' INT TERM
    build_replc
    hosts_up
}

change_cleanup() {
    if [ "${ITEST_KEEP:-}" = 1 ]; then
        note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"
        return
    fi
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}

replc_run() {   # replc_run NAME ARGS...: sets RC and MS; NAME.out, NAME.err
    local name=$1 t; shift
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$TOPO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

# run_scripts ROUND: compile, copy each node's folder to its host (NODES: one
# a host, in order), start every run.sh at once; one check per host
run_scripts() {
    local round=$1 i node pids=() rc out=$WORK/out-$1
    rm -rf "$out"
    if ! "$REPLC" "$TOPO" -o "$out" >"$WORK/compile-$round.log" 2>&1; then
        not_ok "$round: replc -o compiles"; diag <"$WORK/compile-$round.log"; return 1
    fi
    chmod -R a+rX "$out"
    for i in $(seq ${#NODES[@]}); do
        put_tree "$out" "${NODES[$((i - 1))]}" "$i" replc-change ||
            { not_ok "$round: ${NODES[$((i - 1))]}'s folder copied to its host"; return 1; }
    done
    for i in $(seq ${#NODES[@]}); do
        node=${NODES[$((i - 1))]}
        # shellcheck disable=SC2086 # HOSTS_SSH_OPTS holds several options
        {
            timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$i]}" \
                "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd \"\$HOME\"/replc-change/$node && sh run.sh" \
                <<<"$PW" >"$WORK/run-$round-$node.log" 2>&1
            echo $? >"$WORK/run-$round-$node.rc"
        } &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for i in $(seq ${#NODES[@]}); do
        node=${NODES[$((i - 1))]}
        rc=$(cat "$WORK/run-$round-$node.rc" 2>/dev/null || echo 255)
        if [ -n "${SCRIPTS_MAY_FAIL:-}" ]; then :
        elif [ "$rc" = 0 ]; then ok "$round: $node: run.sh exits 0"
        else
            not_ok "$round: $node: run.sh exits 0 (status $rc)"; diag <"$WORK/run-$round-$node.log"
        fi
    done
}

starts() {   # starts [I...]: the start time of each server (default: each of NODES)
    local i nodes=("$@")
    [ $# -gt 0 ] || mapfile -t nodes < <(seq ${#NODES[@]})
    for i in "${nodes[@]}"; do q "$i" "select pg_postmaster_start_time()" postgres; done
}

no_restart() {   # no_restart ROUND BEFORE [I...]: the servers of starts [I...] kept running
    local after
    after=$(starts "${@:3}")
    if [ "$after" = "$2" ]; then ok "$1: no server restarted (pg_postmaster_start_time)"
    else not_ok "$1: no server restarted (pg_postmaster_start_time)"; diff <(echo "$2") <(echo "$after") | diag; fi
}

status_is() {   # status_is ROUND WANT-RC [REGEX]: --status exits WANT-RC, its output matches REGEX
    replc_run "status-$1-$2" --status
    if [ "$RC" = "$2" ]; then ok "$1: --status exits $2"
    else not_ok "$1: --status exits $2 (exit $RC)"; diag <"$WORK/status-$1-$2.out"; diag <"$WORK/status-$1-$2.err"; fi
    [ -z "${3:-}" ] || has "status-$1-$2" out "$3" "$1: --status names what differs (/$3/)"
}

second_apply_idle() {   # second_apply_idle ROUND
    replc_run "again-$1" --apply
    if [ "$RC" = 0 ] && ! grep -qE ' changed$| changed ' "$WORK/again-$1.out"; then
        ok "$1: a second --apply changes nothing"
    else
        not_ok "$1: a second --apply changes nothing (exit $RC)"; diag <"$WORK/again-$1.out"; diag <"$WORK/again-$1.err"
    fi
}

apply_ok() {   # apply_ok ROUND
    replc_run "apply-$1" --apply
    if [ "$RC" = 0 ]; then ok "$1: --apply exits 0 ($(secs "$MS") s)"
    else not_ok "$1: --apply exits 0 (exit $RC)"; diag <"$WORK/apply-$1.out"; diag <"$WORK/apply-$1.err"; fi
}

run_sql() {   # run_sql I SQL: ok unless it fails
    local out
    if out=$(q "$1" "$2"); then return 0; fi
    not_ok "on vm$1: $2"; echo "$out" | diag
}

