#!/bin/bash
# tests/integration/prune.sh: ownership marks, drift and --prune on four
# real hosts (tests/hosts/hosts.sh), LANGUAGE.md's example cluster:
#
#   (a) --apply builds the cluster; rows flow; by hand, without replc's mark:
#       a publication and a subscription (connect = false) on vm3, and a
#       table added to vm1's publ_test1;
#   (b) subs3_test2 (vm3) and the standby vm4 leave the file (vm4 stopped,
#       as its owner would): --status exits 1 and names both in its JSON
#       (parsed with python3), the hand-made objects as not replc's;
#       --apply (no --prune) drops nothing and says how to;
#   (c) --apply --dry-run --prune lists them with '-', exits 3, changes nothing;
#   (d) --apply --prune: the subscription, its slot on vm2 and vm4's slot on
#       vm3 are gone; the rows stay (exact counts); the hand-made objects
#       survive; a second --apply --dry-run --prune exits 0; --status exits
#       0, listing the hand-made objects (no mark: not drift);
#   (e) subs3_test1 leaves the file: -o DIR --prune, every run.sh at once:
#       the subscription and its slot on vm1 are gone, the rows stay.
#
# Usage (root): tests/integration/prune.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (120), ITEST_POLL_TIMEOUT (30),
#      REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET (the test bed's names).
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
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*)"
    finish
fi

WORK=$(mktemp -d /tmp/replc-prune.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE

cleanup() {
    if [ "${ITEST_KEEP:-}" = 1 ]; then note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"; return; fi
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_replc
hosts_up
TOPO=$WORK/itest.rc
example_topology "$TOPO" "replc --prune integration test"

# is DESC GOT WANT
is() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; printf 'expected: %s\ngot: %s\n' "$3" "$2" | diag; fi
}

# replc_run NAME ARGS...: replc TOPO ARGS; NAME.out, NAME.err; sets RC and MS
replc_run() {
    local name=$1 t; shift
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$TOPO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

# ------------------------------------------------------------------ (a)
replc_run apply --apply
expect_rc apply 0 "(a) --apply builds the cluster" || finish
ins 1 "insert into test1 values (1, 'a'), (2, 'b')"
ins 2 "insert into test2 values (10, 'x'), (20, 'y'), (30, 'z')"
poll "(a) test2 rows arrive on vm3" 3 "select count(*) from test2" 3
poll "(a) test1 rows arrive on vm3" 3 "select count(*) from test1" 2
poll "(a) vm4 streams from vm3" 4 "select status from pg_stat_wal_receiver" streaming postgres
is "(a) replc's publication publ_test1 carries the mark" \
    "$(q 1 "select obj_description(oid, 'pg_publication') from pg_publication where pubname = 'publ_test1'")" \
    "replc cluster itest"
replc_run json0 --status --format json
expect_rc json0 0 "(a) --status --format json on the converged cluster exits 0"
if python3 - "$WORK/json0.out" "$H4_IP" >"$WORK/json0.check" 2>&1 <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["as_described"] is True, doc
assert doc["undeclared"] == [], doc["undeclared"]
assert all(s["state"] == "ok" for s in doc["steps"]), [s for s in doc["steps"] if s["state"] != "ok"]
sb = [s for s in doc["health"]["standbys"] if s["node"] == "vm3" and s["client"] == sys.argv[2]]
assert len(sb) == 1 and sb[0]["state"] == "streaming" and isinstance(sb[0]["replay_lag_bytes"], int), doc["health"]
subs = {(s["node"], s["name"]): s for s in doc["health"]["subscriptions"]}
assert len(subs) == 4 and all(s["enabled"] and s["worker"] for s in subs.values()), subs
print("ok")
EOF
then ok "(a) its JSON: as described, nothing undeclared, vm4 streams from vm3, four subscriptions running"
else not_ok "(a) its JSON: as described, nothing undeclared, vm4 streams from vm3, four subscriptions running"
     diag <"$WORK/json0.check"; diag <"$WORK/json0.out"; fi
# by hand, without replc's mark
ins 3 "create publication hand_pub for table test2"
ins 3 "create subscription hand_sub connection 'host=${IP[1]} dbname=$DB user=postgres' publication publ_test1 with (connect = false)"
ins 1 "create table extra (k int primary key)"
ins 1 "alter publication publ_test1 add table extra"

# ------------------------------------------------------------------ (b)
"$HOSTS" ssh 4 "$HOSTS_PGBIN/pg_ctl -D $HOSTS_PGDATA -m fast -w stop" >"$WORK/stop4.log" 2>&1 ||
    { not_ok "(b) vm4 stops"; diag <"$WORK/stop4.log"; }
sed -i -e '/subscribe subs3_test2 to vm2/d' -e '/^node vm4 {/,/^}/d' "$TOPO"
poll "(b) vm3's slot vm4 is inactive once vm4 stopped" 3 \
    "select active from pg_replication_slots where slot_name = 'vm4'" f postgres

replc_run status --status
expect_rc status 1 "(b) --status exits 1 with a subscription and a standby gone from the file"
has status out "^- subscription 'subs3_test2' .*on node 'vm3'" "(b) --status names subscription subs3_test2 on vm3"
has status out "^- physical slot 'vm4' on node 'vm3'" "(b) --status names vm4's slot on vm3"
has status out "^\\? publication 'hand_pub' on node 'vm3'.*not made by replc" "(b) --status names hand_pub as not replc's"
has status out "^\\? subscription 'hand_sub' .*on node 'vm3'.*not made by replc" "(b) --status names hand_sub as not replc's"
has status out "publication table 'extra' in publication 'publ_test1' on node 'vm1'" \
    "(b) --status names the table added to publ_test1 by hand"

replc_run json --status --format json
expect_rc json 1 "(b) --status --format json exits 1"
if python3 - "$WORK/json.out" >"$WORK/json.check" 2>&1 <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["cluster"] == "itest", doc["cluster"]
assert doc["as_described"] is False
und = {(u["node"], u["kind"], u["name"]): u for u in doc["undeclared"]}
assert und[("vm3", "subscription", "subs3_test2")]["replc"] is True, und
assert und[("vm3", "physical slot", "vm4")]["replc"] is True, und
assert und[("vm3", "publication", "hand_pub")]["replc"] is False, und
assert und[("vm3", "subscription", "hand_sub")]["replc"] is False, und
subs = {(s["node"], s["name"]): s for s in doc["health"]["subscriptions"]}
s = subs[("vm1", "subs_test2")]
assert s["enabled"] is True and s["worker"] is True and s["tables_not_ready"] == 0, s
assert s["apply_errors"] == 0 and s["sync_errors"] == 0, s
slots = {(s["node"], s["name"]): s for s in doc["health"]["slots"]}
assert slots[("vm1", "subs_test1")]["active"] is True, slots
assert isinstance(slots[("vm3", "vm4")]["wal_retained_bytes"], int), slots
print("ok")
EOF
then ok "(b) --status --format json parses and names what differs, with health"
else not_ok "(b) --status --format json parses and names what differs, with health"; diag <"$WORK/json.check"; diag <"$WORK/json.out"; fi

replc_run keep --apply
expect_rc keep 0 "(b) --apply without --prune exits 0"
has keep out "left in place; replc --apply --prune drops them" "(b) --apply says how to drop what left the file"
is "(b) without --prune, subs3_test2 stays on vm3" \
    "$(q 3 "select count(*) from pg_subscription where subname = 'subs3_test2'")" 1
is "(b) without --prune, vm3's slot vm4 stays" \
    "$(q 3 "select count(*) from pg_replication_slots where slot_name = 'vm4'" postgres)" 1

# ------------------------------------------------------------------ (c)
# what --prune would drop, on the three hosts that run (vm4 is stopped)
objects() {
    local i
    for i in 1 2 3; do
        echo "vm$i subscriptions: $(q "$i" "select string_agg(subname || ' ' || subenabled, ',' order by subname) from pg_subscription")"
        echo "vm$i publications: $(q "$i" "select string_agg(pubname, ',' order by pubname) from pg_publication")"
        echo "vm$i slots: $(q "$i" "select string_agg(slot_name, ',' order by slot_name) from pg_replication_slots" postgres)"
        echo "vm$i pg_hba.conf: $(q "$i" "select md5(pg_read_file(current_setting('hba_file')))" postgres)"
    done
}
objects >"$WORK/c.before"
replc_run dry --apply --dry-run --prune
objects >"$WORK/c.after"
expect_rc dry 3 "(c) --apply --dry-run --prune exits 3 (changes pending)"
has dry out "^- subscription 'subs3_test2' \\(slot 'subs3_test2'\\) on node 'vm3'" "(c) the change set drops subs3_test2"
has dry out "^- physical slot 'vm4' on node 'vm3'" "(c) the change set drops vm4's slot"
has dry out "^replc: plan: [0-9]+ to add, [0-9]+ to change, [1-9][0-9]* to drop" "(c) the summary counts the drops"
hasnt dry out "^- .*hand_" "(c) the change set drops nothing made by hand"
unchanged "$WORK/c.before" "$WORK/c.after" "(c) --dry-run --prune changed nothing"

# ------------------------------------------------------------------ (d)
replc_run prune --apply --prune
expect_rc prune 0 "(d) --apply --prune exits 0"
is "(d) subs3_test2 is dropped on vm3" "$(q 3 "select count(*) from pg_subscription where subname = 'subs3_test2'")" 0
poll "(d) its slot subs3_test2 is dropped on vm2" 2 \
    "select count(*) from pg_replication_slots where slot_name = 'subs3_test2'" 0 postgres
is "(d) vm4's slot is dropped on vm3" "$(q 3 "select count(*) from pg_replication_slots where slot_name = 'vm4'" postgres)" 0
is "(d) vm3 keeps its test2 rows" "$(q 3 "select count(*) from test2")" 3
is "(d) vm3 keeps its test1 rows" "$(q 3 "select count(*) from test1")" 2
is "(d) hand_pub survives on vm3" "$(q 3 "select count(*) from pg_publication where pubname = 'hand_pub'")" 1
is "(d) hand_sub survives on vm3" "$(q 3 "select count(*) from pg_subscription where subname = 'hand_sub'")" 1
# publ_test1 is replc's: its tables are the file's (--apply converges it, as
# any other property); the table itself is never touched
is "(d) the table added by hand to replc's publication is out of it again, and still there" \
    "$(q 1 "select (select count(*) from pg_publication_tables where pubname = 'publ_test1' and tablename = 'extra') || ':' || (select count(*) from pg_class where relname = 'extra')")" 0:1
ins 1 "insert into test1 values (3, 'c')"
poll "(d) subs3_test1 still replicates to vm3" 3 "select count(*) from test1" 3
replc_run again --apply --dry-run --prune
expect_rc again 0 "(d) --apply --dry-run --prune afterwards exits 0 (nothing pending)"
# what has no mark of replc's is listed, never touched, and is no difference
replc_run status-d --status
expect_rc status-d 0 "(d) --status exits 0 with only objects made by hand left undeclared"
has status-d out "^\\? publication 'hand_pub' on node 'vm3'.*not made by replc" "(d) --status still lists hand_pub"
has status-d out "^\\? subscription 'hand_sub' .*on node 'vm3'.*not made by replc" "(d) --status still lists hand_sub"
has status-d out "2 object\\(s\\) not made by replc .*not a difference" "(d) --status says they are not a difference"

# ------------------------------------------------------------------ (e)
sed -i -e '/subscribe subs3_test1 to vm1/d' "$TOPO"
OUT=$WORK/out
REPLC_SSH= "$REPLC" "$TOPO" -o "$OUT" --prune >"$WORK/o.out" 2>"$WORK/o.err"
RC=$?; MS=0
expect_rc o 0 "(e) replc -o DIR --prune exits 0"
pids=()
for i in 1 2 3; do put_tree "$OUT" "vm$i" "$i" replc-prune || not_ok "OUT/vm$i copied to its host"; done
for i in 1 2 3; do
    # shellcheck disable=SC2086
    { timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$i]}" \
        "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd \"\$HOME\"/replc-prune/vm$i && sh run.sh" <<<"$PW"
      echo $? >"$WORK/run-vm$i.rc"; } >"$WORK/run-vm$i.log" 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
for i in 1 2 3; do
    if [ "$(cat "$WORK/run-vm$i.rc")" = 0 ]; then ok "(e) vm$i: run.sh exits 0"
    else not_ok "(e) vm$i: run.sh exits 0"; diag <"$WORK/run-vm$i.log"; fi
done
is "(e) subs3_test1 is dropped on vm3" "$(q 3 "select count(*) from pg_subscription where subname = 'subs3_test1'")" 0
poll "(e) its slot subs3_test1 is dropped on vm1" 1 \
    "select count(*) from pg_replication_slots where slot_name = 'subs3_test1'" 0 postgres
is "(e) vm3 keeps its test1 rows" "$(q 3 "select count(*) from test1")" 3
is "(e) hand_sub still survives on vm3" "$(q 3 "select count(*) from pg_subscription where subname = 'hand_sub'")" 1
finish
