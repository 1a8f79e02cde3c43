#!/bin/bash
# tests/integration/fault-matrix.sh: a fault right after each step of
# `replc --apply`, then a second apply converges (issue 10, item 6).
# PostgreSQL 15 hosts, LANGUAGE.md's example (lib.sh's example_topology):
#
#   vm1 publishes test1, subscribes to vm2's test2
#   vm2 publishes test2, subscribes to vm1's test1
#   vm3 subscribes to both
#   vm4 is a hot standby of vm3
#
# The steps are the plan's (`replc --plan --format json`). For each step S
# and a fault kind F, one case, from the same starting point (the hosts as
# hosts.sh made them, with the DBA's data: database repl on vm1 with test1
# rows 1..100, on vm2 with test2 rows 1001..1100; restored from a copy of the
# stopped data directories and homes, which is cheaper than new hosts):
#
#   1. replc --apply --timeout FAULT_WAIT (default 10 s, so that a wait on the
#      broken host ends); the moment S's finish line ("[n/m] NODE FILE
#      changed|ok") appears on replc's output, replc is stopped (SIGSTOP),
#      the fault is made on S's host, and replc goes on (SIGCONT). replc may
#      have started the steps that S's end made ready before it was stopped
#      (it prints the line, then starts them): the fault comes after S and
#      before or while they run, never before S ends.
#        server  its PostgreSQL stops: pg_ctl -m immediate stop (a crash);
#        ssh     the ssh link to it is cut: its ssh ControlMaster is closed
#                and the REPLC_SSH wrapper refuses every later connection to
#                it ("Connection refused", status 255).
#      That apply exits 1 with a FAILED line, or 0 when nothing after the
#      fault needed that host (then it reports every step ok/changed);
#   2. the host is restored (server started / ssh let through again); rows
#      test1 101..150 and test2 1101..1150 are inserted on vm1 and vm2;
#   3. replc --apply again (--timeout 3/4 of ITEST_RUN_TIMEOUT: a wait that
#      does not end is then named by replc's FAILED line, with its last
#      error): exit 0, 0 failed, 0 not run;
#   4. rows test1 151..160 and test2 1151..1160; then on every node test1
#      holds exactly the 160 rows 1..160 and test2 the 160 rows 1001..1160
#      (count = distinct keys = range; no row lost, none twice), the
#      subscriptions are all synchronised, vm4 is in recovery and streams from
#      vm3, the slots are exactly the cluster's (no leftover of the broken
#      run), and a third replc --apply says "nothing to do".
#
# Which cases: by default every step once, the fault kind alternating along
# the plan (server, ssh, server, ...), and at the last step of a kind that
# got one fault kind only, the other too (raise and basebackup occur once:
# both), so that both kinds hit every kind of step (49 cases for the
# example's 45 steps). FAULT_FULL=1, what make check runs (tests/run.sh):
# every step with both kinds (90 cases).
# FAULT_ONLY="vm1/config:ssh vm3/restart:server" runs those cases only.
#
# The cases run FAULT_WORKERS (default 4, 1..4) at a time, each worker on
# four hosts of its own (one test bed of 4 x FAULT_WORKERS hosts), each
# worker taking the next case nobody has taken as soon as it is free. What
# makes it fast enough for make check (docs/fault-matrix.md has the numbers):
# the hosts (network namespaces, sshd, initdb, the DBA's data) are made once
# and every case starts from a copy of their stopped data directories; the
# work dir, so the data directories too, is on a tmpfs (FAULT_TMPDIR,
# default /dev/shm when it has 3 GB free); the suite's psql is the server
# build's, not Debian's perl wrapper. Each case notes the time of its phases
# (reset, apply to the fault, after the fault, restore, apply again, settle,
# third apply); setup and teardown are noted too.
#
# A matrix (step, fault, the faulty apply's exit, time, outcome) is printed last.
#
# Usage (root):  tests/integration/fault-matrix.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per replc run, default 120),
#      ITEST_POLL_TIMEOUT (s, 30), FAULT_FULL, FAULT_ONLY, FAULT_REPEAT (each
#      case N times), FAULT_WORKERS, FAULT_WAIT, FAULT_TMPDIR; REPLC_HOSTS_PREFIX
#      and REPLC_HOSTS_NET name the test bed (tests/hosts/README.md).
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=repl

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*: another run is using the harness)"
    finish
fi

# The work dir (the hosts' data directories, their copies, every log) on a
# tmpfs when there is one with room (/dev/shm): copying data directories for
# every case, the servers' fsyncs and checkpoints, pg_basebackup and the last
# rm cost memory copies there instead of disk writes that every other suite
# of make check waits for too. The faults are a server process killed and an
# ssh link cut: what the disk keeps across a machine crash is not under test.
# FAULT_TMPDIR names another place (e.g. /tmp).
fault_tmpdir() {
    local d=/dev/shm
    if [ "$(stat -f -c %T "$d" 2>/dev/null)" = tmpfs ] &&
       [[ ,$(findmnt -no OPTIONS "$d" | head -1), != *,noexec,* ]] &&
       [ "$(df -Pk "$d" | awk 'NR == 2 { print $4 }')" -gt $((3 * 1024 * 1024)) ]; then
        echo "$d"
    else
        echo /tmp
    fi
}
WORK=$(mktemp -d "${FAULT_TMPDIR:-$(fault_tmpdir)}/replc-fmatrix.XXXXXX")
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE
CTL=$WORK/ctl                      # + worker: replc's ssh control sockets (REPLC_SSH_CONTROL_DIR)
FAULT_WAIT=${FAULT_WAIT:-10}       # --timeout of the apply with the fault: a wait on the host it broke ends

# shellcheck disable=SC2317   # called by the trap
cleanup() {
    [ -n "${WATCHDOG:-}" ] && { pkill -P "$WATCHDOG"; kill "$WATCHDOG"; } 2>/dev/null
    # interrupted: the workers (and what they run) first
    local p
    for p in ${WORKER_PIDS[@]+"${WORKER_PIDS[@]}"}; do pkill -P "$p"; kill "$p"; done 2>/dev/null
    if [ "${ITEST_KEEP:-}" = 1 ]; then
        note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"
        return
    fi
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T_START=$(now_ms)
WORKERS=${FAULT_WORKERS:-4}
case $WORKERS in [1-4]) ;; *) not_ok "FAULT_WORKERS is 1..4 (got $WORKERS)"; finish ;; esac
build_replc
# shellcheck disable=SC2119   # no options: Debian's 15
EXAMPLE_NODES=$((4 * WORKERS)) hosts_up
D=$HOSTS_PGDATA
# this suite's own psql (q, some 50 a case): the server build's, not Debian's
# wrapper (a perl start each time, 5 times the CPU)
[ -x "$HOSTS_PGBIN/psql" ] && PATH=$HOSTS_PGBIN:$PATH
TOPO=$WORK/itest.rc
example_topology "$TOPO" "a fault after each step"

# ------------------------------------------------------------------ the steps

# "ID NODE FILE KIND" per step, in plan order
"$REPLC" "$TOPO" --plan --format json 2>"$WORK/plan.err" |
    sed -n 's/^ *{"id": "\([^"]*\)", "node": "\([^"]*\)", "kind": "\([^"]*\)", "file": "\([^"]*\)".*/\1 \2 \4 \3/p' \
    >"$WORK/steps"
NSTEPS=$(wc -l <"$WORK/steps")
if [ "$NSTEPS" -ge 30 ]; then
    ok "the plan of the example has $NSTEPS steps"
else
    not_ok "the plan of the example lists its steps (got $NSTEPS)"; diag <"$WORK/plan.err"; finish
fi

# the cases: "ID NODE FILE FAULT"
declare -A got=()
n=0
while read -r id node file kind; do
    n=$((n + 1))
    if [ -n "${FAULT_ONLY:-}" ]; then
        for f in server ssh; do
            case " $FAULT_ONLY " in *" $id:$f "*) echo "$id $node $file $f" ;; esac
        done
    elif [ "${FAULT_FULL:-0}" = 1 ]; then
        echo "$id $node $file server"; echo "$id $node $file ssh"
    else
        f=$([ $((n % 2)) = 1 ] && echo server || echo ssh)
        echo "$id $node $file $f"
        got[$kind]+=" $f"
        # a kind of step that has had one fault only so far, at its last step: the other too
        if ! grep -q " $kind\$" <(cut -d' ' -f4 <"$WORK/steps" | tail -n +$((n + 1)) | sed 's/^/ /') &&
           { [[ ${got[$kind]} != *server* ]] || [[ ${got[$kind]} != *ssh* ]]; }; then
            echo "$id $node $file $([ "$f" = server ] && echo ssh || echo server)"
        fi
    fi
done <"$WORK/steps" >"$WORK/cases"
# FAULT_REPEAT=N: each case N times (to catch a failure that comes once in a while)
case ${FAULT_REPEAT:-1} in
1) ;;
[2-9]|[1-9][0-9]) awk -v n="$FAULT_REPEAT" '{ for (i = 0; i < n; i++) print }' "$WORK/cases" >"$WORK/cases.n" &&
    mv "$WORK/cases.n" "$WORK/cases" ;;
*) not_ok "FAULT_REPEAT is 1..99 (got $FAULT_REPEAT)"; finish ;;
esac
note "$(wc -l <"$WORK/cases") case(s)$([ "${FAULT_FULL:-0}" = 1 ] && echo ' (FAULT_FULL=1: every step, both faults)')"

# ------------------------------------------------------------------ the starting point

# pgctl I CMD: CMD as postgres inside host I's namespaces (nsenter, cheaper
# than an ssh login on a loaded machine), the server's programs first on PATH
pgctl() {
    local i=$1; shift
    nsenter -t "$(cat "$STATE/h$i/sshd.pid")" -n -m -- \
        runuser -u postgres -- sh -c "cd / && PATH=$(printf '%q' "$HOSTS_PGBIN"):\$PATH && $*" </dev/null
}

host_no() { echo "${1#vm}"; }      # vmI -> I (the example's nodes are h1..h4 of a worker)

# the DBA's data (on each worker's vm1 and vm2), then a copy of every stopped data directory
seed_ok=1
: >"$WORK/seed.log"
for ((o = 0; o < 4 * WORKERS; o += 4)); do
    q $((o + 1)) "create database $DB" postgres >>"$WORK/seed.log" &&
    q $((o + 1)) "create table test1 (k1 int primary key, v1 varchar);
                  insert into test1 select g, 'before' from generate_series(1, 100) g" >>"$WORK/seed.log" &&
    q $((o + 2)) "create database $DB" postgres >>"$WORK/seed.log" &&
    q $((o + 2)) "create table test2 (k2 int primary key, v2 varchar);
                  insert into test2 select g, 'before' from generate_series(1001, 1100) g" >>"$WORK/seed.log" ||
        seed_ok=
done
if [ -n "$seed_ok" ]; then
    ok "the DBA's data: test1 rows 1..100 on vm1, test2 rows 1001..1100 on vm2"
else
    not_ok "the DBA's data on vm1 and vm2"; diag <"$WORK/seed.log"; finish
fi
pristine_ok=1
pids=()
for ((i = 1; i <= 4 * WORKERS; i++)); do
    { pgctl "$i" "pg_ctl -D $D -m fast -w stop" && cp -a "$STATE/h$i/srv/data" "$WORK/pristine-h$i" &&
      cp -a "$STATE/h$i/home" "$WORK/pristine-home-h$i" &&
      pgctl "$i" "pg_ctl -D $D -l /srv/replc/log/restart.log -w start"; } >"$WORK/pristine-h$i.log" 2>&1 &
    pids+=($!)
done
for ((i = 1; i <= 4 * WORKERS; i++)); do
    wait "${pids[i - 1]}" || { pristine_ok=; diag <"$WORK/pristine-h$i.log"; }
done
if [ -n "$pristine_ok" ]; then ok "a copy of every host's stopped data directory and home, to start each case from"
else not_ok "a copy of every host's stopped data directory"; finish; fi
note "setup: $(secs $(( $(now_ms) - T_START ))) s (hosts up, the DBA's data, the copies; work dir in ${WORK%/*})"

# reset: every host back to the copy (server stopped, data and home restored, started)
reset_hosts() {
    local i pids=() rc=0 try bad
    for ((i = OFF + 1; i <= OFF + 4; i++)); do : >"$WORK/reset-h$i.log"; rm -f "$WORK/reset-h$i.failed"; done
    for try in 1 2; do
        pids=()
        for ((i = OFF + 1; i <= OFF + 4; i++)); do
            [ "$try" = 1 ] || [ -e "$WORK/reset-h$i.failed" ] || continue
            {
                pgctl "$i" "pg_ctl -D $D -m immediate stop" >/dev/null 2>&1
                # the home is the host's mount point: its contents are replaced
                rm -rf "$STATE/h$i/srv/data" &&
                find "$STATE/h$i/home" -mindepth 1 -delete &&
                cp -a "$WORK/pristine-h$i" "$STATE/h$i/srv/data" &&
                cp -a "$WORK/pristine-home-h$i/." "$STATE/h$i/home/" &&
                pgctl "$i" "pg_ctl -D $D -l /srv/replc/log/restart.log -w start"
                st=$?
                if [ "$st" = 0 ]; then rm -f "$WORK/reset-h$i.failed"; else echo "$st" >"$WORK/reset-h$i.failed"; fi
            } >>"$WORK/reset-h$i.log" 2>&1 &
            pids+=($!)
        done
        for i in "${pids[@]}"; do wait "$i"; done
        bad=
        for ((i = OFF + 1; i <= OFF + 4; i++)); do
            [ -e "$WORK/reset-h$i.failed" ] && bad+=" h$i (exit $(cat "$WORK/reset-h$i.failed"))"
        done
        [ -z "$bad" ] && break
        # a reset the harness could not do is the harness's, not replc's: once more, said
        if [ "$try" = 1 ]; then
            note "resetting$bad failed; once more (their logs follow)"
            for ((i = OFF + 1; i <= OFF + 4; i++)); do
                if [ -e "$WORK/reset-h$i.failed" ]; then note "h$i:"; diag <"$WORK/reset-h$i.log"; fi
            done
        fi
    done
    for ((i = OFF + 1; i <= OFF + 4; i++)); do rm -f "$WORK/cut-${IP[$i]}"; done
    [ -z "$bad" ] || { note "reset of$bad failed twice"; rc=1; }
    return $rc
}

# ------------------------------------------------------------------ faults

# REPLC_SSH: ssh, unless the link to the destination is cut (WORK/cut-IP)
cat >"$WORK/ssh-wrap" <<EOF
#!/bin/bash
dest=\${*: -2:1}
if [ -e "$WORK/cut-\${dest#*@}" ]; then
    echo "ssh: connect to host \${dest#*@} port 22: Connection refused" >&2
    exit 255
fi
exec ssh "\$@"
EOF
chmod 755 "$WORK/ssh-wrap"

# fault KIND I: make the fault on host I (LOG: what it did)
fault() {
    if [ "$1" = server ]; then
        pgctl "$2" "pg_ctl -D $D -m immediate stop"
    else
        touch "$WORK/cut-${IP[$2]}"
        # shellcheck disable=SC2086
        ssh $HOSTS_SSH_OPTS -o ControlPath="$CTL$W/%C" -O exit "postgres@${IP[$2]}" 2>&1 || true
    fi
}

# restore KIND I: undo it (start the server unless it runs)
restore() {
    if [ "$1" = server ]; then
        # the apply may have started it again itself (vm4's base backup rebuilds and starts it)
        pgctl "$2" "pg_ctl -D $D status >/dev/null || pg_ctl -D $D -l /srv/replc/log/restart.log -w -t 60 start"
    else
        rm -f "$WORK/cut-${IP[$2]}"
    fi
}

# replc_run NAME ARGS...: replc TOPO ARGS with the wrapper; NAME.out, NAME.err; RC
replc_run() {
    local name=$1; shift
    REPLC_SSH="$WORK/ssh-wrap $HOSTS_SSH_OPTS" REPLC_SSH_CONTROL_DIR=$CTL$W REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$WTOPO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
}

# faulty_run NAME NODE FILE KIND: replc --apply; the fault on NODE's host as
# soon as FILE's finish line appears (replc stopped meanwhile). RC; FIRED=1
# when the fault was made.
faulty_run() {
    local name=$1 node=$2 file=$3 kind=$4 i pid line re
    i=$((OFF + $(host_no "$node")))
    re="^\[[0-9]+/[0-9]+\] +$node +${file//./\\.} +(changed|ok) +\("
    FIRED=
    rm -f "$WORK/$name.fifo"; mkfifo "$WORK/$name.fifo"
    REPLC_SSH="$WORK/ssh-wrap $HOSTS_SSH_OPTS" REPLC_SSH_CONTROL_DIR=$CTL$W REPLC_TEST_PASSWORD=$PW \
        "$REPLC" "$WTOPO" --apply --timeout "$FAULT_WAIT" >"$WORK/$name.fifo" 2>"$WORK/$name.err" </dev/null &
    pid=$!
    { sleep "$RUN_TIMEOUT" && kill "$pid"; } >/dev/null 2>&1 &
    WATCHDOG=$!
    : >"$WORK/$name.out"
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$WORK/$name.out"
        if [ -z "$FIRED" ] && [[ $line =~ $re ]]; then
            kill -STOP "$pid"
            fault "$kind" "$i" >"$WORK/$name.fault" 2>&1
            echo "exit $?" >>"$WORK/$name.fault"
            kill -CONT "$pid"
            FIRED=1 FIRED_T=$(now_ms)
            echo "--- fault ($kind on $node) made here" >>"$WORK/$name.out"
        fi
    done <"$WORK/$name.fifo"
    wait "$pid"; RC=$?
    { pkill -P "$WATCHDOG"; kill "$WATCHDOG"; wait "$WATCHDOG"; } 2>/dev/null; WATCHDOG=
}

C1='select count(*) || $$ rows, $$ || count(distinct k1) || $$ keys $$ || coalesce(min(k1) || $$..$$ || max(k1), $$-$$) || $$, $$ || count(distinct v1) || $$ kinds$$ from test1'
C2='select count(*) || $$ rows, $$ || count(distinct k2) || $$ keys $$ || coalesce(min(k2) || $$..$$ || max(k2), $$-$$) || $$, $$ || count(distinct v2) || $$ kinds$$ from test2'
W1='160 rows, 160 keys 1..160, 3 kinds'
W2='160 rows, 160 keys 1001..1160, 3 kinds'
SLOTS='select coalesce(string_agg(slot_name || $$ $$ || slot_type, $$,$$ order by slot_name), $$-$$) from pg_replication_slots'
WANT_SLOTS=("" "subs3_test1 logical,subs_test1 logical" "subs3_test2 logical,subs_test2 logical" "vm4 physical" "-")

# settle DESC: poll every node until the cluster is as it should be (one
# query a node a round); one check
NODEQ="select ($C1) || ' | ' || ($C2) || ' | ' || ($SLOTS)
        || ' | ' || (select count(*) filter (where srsubstate <> 'r') || ' ' || count(*) from pg_subscription_rel)
        || ' | ' || (select count(*) filter (where subenabled) from pg_subscription)
        || ' | ' || pg_is_in_recovery()
        || ' | ' || coalesce((select status || ' ' || sender_host from pg_stat_wal_receiver), '-')"
settle() {
    local deadline i got want bad
    local -a tail=("" "0 1 | 1 | false | -" "0 1 | 1 | false | -" "0 2 | 2 | false | -" "0 2 | 2 | true | streaming $H3_IP")
    deadline=$(( $(now_ms) + POLL_TIMEOUT * 1000 ))
    while :; do
        bad=
        for i in 1 2 3 4; do
            want="$W1 | $W2 | ${WANT_SLOTS[$i]} | ${tail[$i]}"
            got=$(q $((OFF + i)) "$NODEQ")
            [ "$got" = "$want" ] || bad+="vm$i: $got"$'\n'"want $want"$'\n'
        done
        [ -z "$bad" ] && { ok "$1"; return 0; }
        [ "$(now_ms)" -lt "$deadline" ] || break
        sleep 0.3
    done
    not_ok "$1"
    { echo "test1 | test2 | slots | subscribed tables not ready, all | enabled subscriptions | in recovery | wal receiver"
      printf '%s' "$bad"; } | diag
    return 1
}

# ------------------------------------------------------------------ the cases

# next_case: the number of the next case no worker has taken yet (a counter
# in WORK/next under a lock), nothing when every case is taken. Workers take
# cases as they get free: a worker whose cases were quick does not wait idle
# while another still has a queue of slow ones.
next_case() {
    local k
    {
        flock 9
        k=$(( $(cat "$WORK/next" 2>/dev/null || echo 0) + 1 ))
        echo "$k" >"$WORK/next"
    } 9>>"$WORK/next.lock"
    [ "$k" -le "$NCASES" ] && echo "$k"
}

# worker W: the next case nobody has taken, until none is left, on hosts
# h(4W+1)..h(4W+4); its TAP lines into WORK/wW.tap, its rows of the matrix
# into WORK/mK (case K)
worker() {
    W=$1 OFF=$(($1 * 4)) TAP_PASS=0 TAP_FAIL=0 FRESH=1
    local k
    H1_IP=${IP[OFF + 1]} H2_IP=${IP[OFF + 2]} H3_IP=${IP[OFF + 3]} H4_IP=${IP[OFF + 4]}
    WTOPO=$WORK/itest-w$W.rc
    example_topology "$WTOPO" "a fault after each step, worker $W"
    mkdir -m 700 "$CTL$W"
    while k=$(next_case) && [ -n "$k" ]; do
        # shellcheck disable=SC2046   # case K's line: ID NODE FILE FAULT
        one_case "$k" $(sed -n "${k}p" "$WORK/cases")
        FRESH=
    done
    summary
}

phase() {   # phase NAME: the time since the last phase, into PHASES
    local t; t=$(now_ms)
    PHASES+=" $1 $(secs $((t - PHASE_T))) s,"
    PHASE_T=$t
}

# one_case N ID NODE FILE FAULT
one_case() {
    local ncase=$1 id=$2 node=$3 file=$4 kind=$5 c name i h failed_before t0 first second outcome
    c="$id/$kind"
    name=c$ncase
    PHASES='' PHASE_T=$(now_ms)
    i=$((OFF + $(host_no "$node")))
    failed_before=$TAP_FAIL t0=$(now_ms)
    note "case $ncase: $kind fault on $node right after $id"
    if [ -z "$FRESH" ] && ! reset_hosts; then
        not_ok "$c: the hosts are back to the starting point"
        for ((i = OFF + 1; i <= OFF + 4; i++)); do
            if [ -e "$WORK/reset-h$i.failed" ]; then note "h$i:"; diag <"$WORK/reset-h$i.log"; fi
        done
        printf '%-34s %-7s %-12s %-6s %s\n' "$id" "$kind" - - "FAIL (reset)" >"$WORK/m$ncase"
        return
    fi

    for h in 1 2 3 4; do
        LOGPOS[h]=$(stat -c %s "$STATE/h$((OFF + h))/srv/log/postgresql.log" 2>/dev/null || echo 0)
    done

    # 1. the faulty apply
    phase reset
    faulty_run "$name" "$node" "$file" "$kind"
    if [ -n "$FIRED" ]; then
        PHASES+=" apply to the fault $(secs $((FIRED_T - PHASE_T))) s," PHASE_T=$FIRED_T
        phase "after the fault"
    else
        phase "apply with the fault"
    fi
    first=$RC
    if [ -n "$FIRED" ] && grep -q '^exit 0$' "$WORK/$name.fault"; then
        ok "$c: the fault was made right after the step ended"
    else
        not_ok "$c: the fault was made right after the step ended$([ -z "$FIRED" ] && echo " (the step's finish line never came)")"
        diag <"$WORK/$name.fault"; show "$name"
    fi
    case $RC in
    1)  has "$name" out '^FAILED: ' "$c: the apply with the fault exits 1 and says what FAILED" ;;
    0)  has "$name" out "^[0-9]+ changed, [0-9]+ ok, 0 failed, 0 not run, total " \
            "$c: the apply with the fault exits 0: nothing after the fault needed $node, and every step ended ok" ;;
    *)  not_ok "$c: the apply with the fault exits 0 or 1 (exit $RC$([ "$RC" = 143 ] && echo ", killed after ${RUN_TIMEOUT}s"))"
        show "$name" ;;
    esac

    # 2. restored; rows meanwhile
    if restore "$kind" "$i" >"$WORK/$name.restore" 2>&1; then :; else
        not_ok "$c: $node restored ($kind)"; diag <"$WORK/$name.restore"
    fi
    ins $((OFF + 1)) "insert into test1 select g, 'between' from generate_series(101, 150) g"
    ins $((OFF + 2)) "insert into test2 select g, 'between' from generate_series(1101, 1150) g"

    # 3. the apply again
    phase restore
    replc_run "$name-2" --apply --timeout $((RUN_TIMEOUT * 3 / 4))
    phase "apply again"
    second=$RC
    RC=$second MS=0
    if [ "$RC" = 0 ]; then
        has "$name-2" out '^[0-9]+ changed, [0-9]+ ok, 0 failed, 0 not run, total ' "$c: --apply again exits 0, 0 failed, 0 not run"
    else
        not_ok "$c: --apply again exits 0 (exit $RC)"; show "$name-2"
    fi

    # 4. rows after; the cluster as it should be; a third apply does nothing
    ins $((OFF + 1)) "insert into test1 select g, 'after' from generate_series(151, 160) g"
    ins $((OFF + 2)) "insert into test2 select g, 'after' from generate_series(1151, 1160) g"
    settle "$c: every node holds test1 1..160 and test2 1001..1160 exactly once, subscriptions ready, vm4 streams from vm3, the slots are the cluster's"
    phase settle
    replc_run "$name-3" --apply
    phase "third apply"
    if [ "$RC" = 0 ] && grep -q '^nothing to do: the cluster is as described$' "$WORK/$name-3.out"; then
        ok "$c: a third --apply says nothing to do"
    else
        not_ok "$c: a third --apply says nothing to do (exit $RC)"; show "$name-3"
    fi

    note "$c: ${PHASES# }"
    if [ "$TAP_FAIL" = "$failed_before" ]; then outcome=converged
    else
        outcome="FAIL (apply again: exit $second)"
        # what the servers say now and said meanwhile, for a failure seen once in a while
        for h in 1 2 3 4; do
            note "vm$h now: processes (not idle), slots, subscribed tables:"
            q $((OFF + h)) "select backend_type || ' ' || pid || coalesce(' ' || application_name, '') || coalesce(' ' || state, '')
                                   || coalesce(' wait ' || wait_event_type || '/' || wait_event, '') || coalesce(' xid ' || backend_xid, '')
                                   || coalesce(' xmin ' || backend_xmin, '') || coalesce(': ' || left(query, 80), '')
                            from pg_stat_activity where pid <> pg_backend_pid() and coalesce(state, '') <> 'idle'
                            union all
                            select 'slot ' || slot_name || ' ' || slot_type || ' active ' || active || coalesce(' pid ' || active_pid, '')
                                   || coalesce(' restart ' || restart_lsn, '') || coalesce(' xmin ' || catalog_xmin, '')
                            from pg_replication_slots" postgres | diag
            q $((OFF + h)) "select 'table ' || srrelid::regclass || ' state ' || srsubstate::text || coalesce(' lsn ' || srsublsn, '')
                            from pg_subscription_rel" | diag
        done
        for h in 1 2 3 4; do
            note "vm$h's server log during this case (errors, warnings, logical replication; the last 40):"
            tail -c +$((LOGPOS[h] + 1)) "$STATE/h$((OFF + h))/srv/log/postgresql.log" 2>/dev/null |
                grep -E 'ERROR|FATAL|PANIC|WARNING|logical replication|replication slot' | tail -40 | diag
        done
    fi
    printf '%-34s %-7s %-12s %-6s %s\n' "$id" "$kind" "exit $first" "$(secs $(( $(now_ms) - t0 )))" "$outcome" >"$WORK/m$ncase"
}

NCASES=$(wc -l <"$WORK/cases")
note "$WORKERS worker(s) side by side, each with its own four hosts, each taking the next case as it gets free"
WORKER_PIDS=()
for ((w = 0; w < WORKERS; w++)); do
    worker "$w" >"$WORK/w$w.tap" 2>&1 &
    WORKER_PIDS+=($!)
done
for p in "${WORKER_PIDS[@]}"; do wait "$p"; done
WORKER_PIDS=()
for ((w = 0; w < WORKERS; w++)); do
    note "worker $w:"
    grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$WORK/w$w.tap"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$WORK/w$w.tap" | tail -1)
    f=${line#* passed, }
    if [ -n "$line" ]; then tap_add "${line%% passed*}" "${f%% failed*}"
    else not_ok "worker $w ended with its counts"; fi
done
ncase=$(wc -l <"$WORK/cases")
note "fault matrix ($ncase case(s), $(secs $(( $(now_ms) - T_START ))) s):"
{
    printf '%-34s %-7s %-12s %-6s %s\n' step fault "faulty-apply" secs outcome
    for ((k = 1; k <= ncase; k++)); do
        cat "$WORK/m$k" 2>/dev/null || echo "case $k: no result"
    done
} | diag
if [ "${ITEST_KEEP:-}" != 1 ]; then
    t=$(now_ms)
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
    note "teardown (hosts down, work dir removed): $(secs $(( $(now_ms) - t ))) s; in all $(secs $(( $(now_ms) - T_START ))) s"
fi
finish
