#!/bin/bash
# tests/integration/failover.sh [MAJOR]: failover of a subscriber to its
# standby (docs/failover.md), on four PostgreSQL MAJOR hosts (default 15,
# Debian's; 14, 16, 17, 18: npm's builds, tests/lib/pgnpm.sh) with
# LANGUAGE.md's example (vm1, vm2 write; vm3 subscribes to both; vm4 is a hot
# standby of vm3), `version MAJOR`:
#
# On 14 and 15 vm4 is built by replc's base-backup step (Debian's
# pg_basebackup 15 copies a 14 server). On 16 and later no pg_basebackup on
# the hosts copies the server, so vm4 is built before replc runs by copying
# vm3's stopped data directory (lib.sh's copy_standby, as
# tests/versions/seed.sh does); replc's step finds it in place.
#
#   (a) replc --apply builds the cluster; rows inserted on vm1 and vm2
#       arrive on vm4 (through vm3);
#   (b) while vm3 runs, the generated promote.sh (run on vm4's host) and
#       replc --promote vm4 both refuse, saying vm3 still answers; vm4 stays
#       a standby and the publishers' slots are untouched;
#   (c) vm3 stops (immediate, as a crash); rows are inserted, updated and
#       deleted on vm1 and vm2 while it is down;
#   (d) replc --promote vm4 (ITEST_PROMOTE=script: the generated promote.sh,
#       run on vm4's host): exit 0; rows inserted after it;
#   (e) on vm4, test1 and test2 hold every row exactly once, as the
#       publishers do (contents and counts); vm4 is out of recovery, its
#       subscriptions are enabled on the ORIGINAL slot names, which vm4 now
#       streams from on vm1 and vm2; no slot was dropped on the publishers;
#       a second replc --promote is a no-op (exit 0);
#   (f) sequences: vm1 also publishes orders (id bigserial) in publ_test1;
#       the promote step advanced orders_id_seq on vm4, so an INSERT without
#       id on vm4 succeeds with a key above every replicated one;
#   (g) disable_on_error (replc's default on 15+): a duplicate key on vm2
#       disables vm2's subscription subs_test1; replc --status --limit vm2
#       says "disabled after an error" and is not as described; replc
#       --apply --limit vm2 says it leaves it disabled, and it stays so
#       (with the topology of vm1 and vm2 only: vm3 is gone).
#
# Usage (root):  tests/integration/failover.sh [14|15|16|17|18]
# Env: REPLC (default: ./replc of the repo, built with make when missing),
#      ITEST_PROMOTE=script (promote with the generated promote.sh in (d)),
#      ITEST_SKIP_REFUSE=1 (leave (b) out: to see (e) fail with a promote
#      step that does not refuse, such as the old one),
#      ITEST_KEEP=1 (leave the hosts up and the work dir in place),
#      ITEST_RUN_TIMEOUT (s, per replc run, default 180), ITEST_POLL_TIMEOUT (s, 60).
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-180}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-60}
DB=repl
MAJOR=${1:-15}
case $MAJOR in 14|15|16|17|18) ;; *) echo "usage: $0 [14|15|16|17|18]" >&2; exit 2 ;; esac
EXAMPLE_VERSION=$MAJOR

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*: another run is using the harness)"
    finish
fi

WORK=$(mktemp -d "/tmp/replc-failover$MAJOR.XXXXXX")
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE

# shellcheck disable=SC2317   # called by the trap
cleanup() {
    if [ "${ITEST_KEEP:-}" = 1 ]; then
        note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"
        return
    fi
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_replc
if [ "$MAJOR" = 15 ]; then
    hosts_up
else
    if PGBIN=$("$ROOT/tests/lib/pgnpm.sh" "$MAJOR" 2>"$WORK/pgnpm.log"); then
        ok "PostgreSQL $MAJOR binaries in $PGBIN"
    else
        not_ok "tests/lib/pgnpm.sh $MAJOR"; diag <"$WORK/pgnpm.log"; finish
    fi
    hosts_up --pgbin "$PGBIN"
fi
v=$(q 4 "show server_version_num" postgres)
check "the hosts run PostgreSQL $MAJOR (vm4: server_version_num $v)" [ "${v:0:2}" = "$MAJOR" ]
if [ "$MAJOR" -ge 16 ]; then
    if copy_standby; then
        ok "vm4 built from a copy of vm3's data directory (stopped), as a standby of vm3 with replc's marker"
    else
        not_ok "vm4 built from a copy of vm3's data directory"; diag <"$WORK/copy-standby.log"; finish
    fi
fi

TOPO=$WORK/itest.rc
example_topology "$TOPO" "failover of vm3 to its standby vm4"
# (f): a table fed by a sequence, published with test1
sed -i 's/^    publish   publ_test1 (test1);/    publish   publ_test1 (test1, orders);/' "$TOPO"
echo 'table orders (id bigserial primary key, note text);' >>"$TOPO"

replc_run() {   # replc_run NAME ARGS...: replc TOPO ARGS; NAME.out, NAME.err; sets RC and MS
    local name=$1 t; shift
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$@" "$TOPO" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

# the slots on vm1 and vm2, by name (none may go)
slots() { for i in 1 2; do echo "vm$i: $(q "$i" "select string_agg(slot_name, ' ' order by slot_name) from pg_replication_slots" postgres)"; done; }

# ------------------------------------------------------------------ (a)

note "(a) replc --apply; rows before the failover"
replc_run apply --apply
expect_rc apply 0 "(a) replc --apply exits 0" || finish
ins 1 "insert into test1 select g, 'before-' || g from generate_series(1, 5) g"
ins 2 "insert into test2 select g, 'before-' || g from generate_series(101, 105) g"
ins 1 "insert into orders (note) select 'before-' || g from generate_series(1, 5) g"
poll "(a) rows inserted on vm1 arrive on vm4" 4 "select count(*) from test1" 5
poll "(a) orders inserted on vm1 (ids from vm1's sequence) arrive on vm4" 4 "select count(*) from orders" 5
poll "(a) rows inserted on vm2 arrive on vm4" 4 "select count(*) from test2" 5
poll "(a) vm3 lists vm4 as its synchronous standby" 3 \
    "select string_agg(application_name || ' ' || sync_state, ',') from pg_stat_replication" "vm4 sync" postgres
slots >"$WORK/slots.before"

# ------------------------------------------------------------------ (b)

"$REPLC" "$TOPO" -o "$WORK/tree" >/dev/null 2>&1
if ! tar -C "$WORK/tree/vm4" -cf - . | "$HOSTS" ssh 4 'rm -rf ~/failover-tree && mkdir ~/failover-tree && tar -C ~/failover-tree -xf -'; then
    not_ok "the tree replc -o writes for vm4 is copied to vm4's host"
fi
if [ "${ITEST_SKIP_REFUSE:-0}" = 1 ]; then
    note "(b) left out (ITEST_SKIP_REFUSE=1)"
else
    note "(b) promote while vm3 still runs: refused"
    if "$HOSTS" ssh 4 'cd ~/failover-tree && sh promote.sh' >"$WORK/script.out" 2>&1 </dev/null; then
        not_ok "(b) the generated promote.sh on vm4 refuses while vm3 answers (it exited 0)"; diag <"$WORK/script.out"
    else
        has script out "'vm3' still answers" "(b) the generated promote.sh on vm4 refuses while vm3 answers, and says so"
    fi
    replc_run refuse --promote vm4
    expect_rc refuse 1 "(b) replc --promote vm4 exits 1 while vm3 answers"
    has refuse out "'vm3' still answers" "(b) replc --promote vm4 says vm3 still answers"
    poll "(b) vm4 is still a standby" 4 "select pg_is_in_recovery()" t postgres
    slots >"$WORK/slots.refused"
    unchanged "$WORK/slots.before" "$WORK/slots.refused" "(b) the publishers' slots are as before"
fi

# ------------------------------------------------------------------ (c)

note "(c) vm3 crashes; rows while it is down"
if "$HOSTS" ssh 3 "$HOSTS_PGBIN/pg_ctl -D $HOSTS_PGDATA -m immediate stop" >"$WORK/stop.out" 2>&1 </dev/null; then
    ok "(c) vm3 stopped (immediate)"
else
    not_ok "(c) vm3 stopped (immediate)"; diag <"$WORK/stop.out"
fi
ins 1 "insert into test1 select g, 'down-' || g from generate_series(6, 10) g"
ins 1 "update test1 set v1 = 'down-upd' where k1 = 1"
ins 1 "delete from test1 where k1 = 2"
ins 2 "insert into test2 select g, 'down-' || g from generate_series(106, 110) g"
ins 2 "update test2 set v2 = 'down-upd' where k2 = 101"
ins 1 "insert into orders (note) select 'down-' || g from generate_series(1, 3) g"

# ------------------------------------------------------------------ (d)

if [ "${ITEST_PROMOTE:-replc}" = script ]; then
    note "(d) the generated promote.sh on vm4's host; rows after"
    t=$(now_ms)
    "$HOSTS" ssh 4 "cd ~/failover-tree && REPLC_TIMEOUT=$RUN_TIMEOUT sh promote.sh" \
        >"$WORK/promote.out" 2>"$WORK/promote.err" </dev/null
    RC=$? MS=$(( $(now_ms) - t ))
    expect_rc promote 0 "(d) the generated promote.sh on vm4 exits 0 once vm3 is down"
else
    note "(d) replc --promote vm4; rows after"
    replc_run promote --promote vm4
    expect_rc promote 0 "(d) replc --promote vm4 exits 0 once vm3 is down"
fi
has promote out "takes over slot 'subs3_test1' on 'vm1'" "(d) it says subs3_test1 takes over its original slot on vm1"
ins 1 "insert into test1 select g, 'after-' || g from generate_series(11, 15) g"
ins 2 "insert into test2 select g, 'after-' || g from generate_series(111, 115) g"

# ------------------------------------------------------------------ (e)

note "(e) every row on vm4 exactly once"
W1=$(q 1 "$T1"); W2=$(q 2 "$T2")
poll "(e) vm4's test1 is vm1's: before, during the outage and after (14 rows)" 4 "$T1" "$W1"
poll "(e) vm4's test2 is vm2's: before, during the outage and after (15 rows)" 4 "$T2" "$W2"
poll "(e) vm4: test1 has 14 rows, 14 distinct keys; test2 15 and 15" 4 \
    "select (select count(*) || ' ' || count(distinct k1) from test1) || ' ' || (select count(*) || ' ' || count(distinct k2) from test2)" \
    "14 14 15 15"
poll "(e) vm4 is out of recovery" 4 "select pg_is_in_recovery()" f postgres
poll "(e) vm4's subscriptions are enabled, on the original slots" 4 \
    "select string_agg(subname || ' ' || subenabled || ' ' || subslotname, ',' order by subname) from pg_subscription" \
    "subs3_test1 true subs3_test1,subs3_test2 true subs3_test2"
poll "(e) vm1: slot subs3_test1 is streamed by vm4" 1 \
    "select string_agg(host(a.client_addr), ',') from pg_replication_slots s join pg_stat_replication a on a.pid = s.active_pid where s.slot_name = 'subs3_test1'" \
    "$H4_IP" postgres
poll "(e) vm2: slot subs3_test2 is streamed by vm4" 2 \
    "select string_agg(host(a.client_addr), ',') from pg_replication_slots s join pg_stat_replication a on a.pid = s.active_pid where s.slot_name = 'subs3_test2'" \
    "$H4_IP" postgres
slots >"$WORK/slots.after"
unchanged "$WORK/slots.before" "$WORK/slots.after" "(e) no slot was dropped or added on vm1 and vm2"
ins 1 "insert into test1 values (16, 'last')"
poll "(e) a row inserted on vm1 after all that arrives on vm4" 4 "select count(*) from test1 where k1 = 16" 1
replc_run again --promote vm4
expect_rc again 0 "(e) a second replc --promote vm4 exits 0 (already promoted)"

# ------------------------------------------------------------------ (f)

note "(f) sequences on the promoted vm4"
has promote out "orders_id_seq" "(f) the promote step says it advanced orders_id_seq"
poll "(f) vm4 holds vm1's 8 orders (ids 1 to 8 from vm1's sequence)" 4 "select count(*) || ' ' || max(id) from orders" "8 8"
if id=$(q 4 "insert into orders (note) values ('on vm4') returning id"); then
    if [ "${id:-0}" -gt 8 ] 2>/dev/null; then
        ok "(f) an INSERT without id on the promoted vm4 succeeds, with key $id above every replicated one"
    else
        not_ok "(f) an INSERT without id on the promoted vm4 gets a key above 8 (got '$id')"
    fi
else
    not_ok "(f) an INSERT without id on the promoted vm4 succeeds (it collides without the promote step's setval)"
    echo "$id" | diag
fi

# ------------------------------------------------------------------ (g)

# disable_on_error exists from 15 on
[ "$MAJOR" -ge 15 ] || finish
note "(g) a conflict on vm2 disables its subscription; replc says so and leaves it"
# vm3 is gone and vm4 promoted: the topology of vm1 and vm2 alone
# disable_on_error written (replc leaves it at PostgreSQL's default, false)
awk '/^node vm[34] /{skip=1} !skip{print} skip&&/^}/{skip=0}' "$TOPO" |
    sed 's/subscribe subs_test1 to vm1 (publ_test1);/subscribe subs_test1 to vm1 (publ_test1) with (disable_on_error = true);/' >"$WORK/two.rc"
TOPO=$WORK/two.rc
replc_run doe --apply --limit vm2
expect_rc doe 0 "(g) replc --apply --limit vm2 sets disable_on_error on subs_test1"
ins 2 "insert into test1 values (100, 'vm2 first')"
ins 1 "insert into test1 values (100, 'vm1 too')"
poll "(g) vm2's subs_test1 is disabled after the duplicate key (disable_on_error)" 2 \
    "select subenabled::text || ' ' || subdisableonerr::text from pg_subscription where subname = 'subs_test1'" "false true"
replc_run status --status --limit vm2
expect_rc status 1 "(g) replc --status --limit vm2 exits 1 (not as described)"
has status out "subscription 'subs_test1' on node 'vm2': disabled after an error" \
    "(g) replc --status says subs_test1 on vm2 is disabled after an error"
replc_run reapply --apply --limit vm2
has reapply out "subscription subs_test1 was disabled after an error .*replc leaves it disabled" \
    "(g) replc --apply --limit vm2 says it leaves subs_test1 disabled"
poll "(g) vm2's subs_test1 is still disabled after --apply" 2 \
    "select subenabled from pg_subscription where subname = 'subs_test1'" f
finish
