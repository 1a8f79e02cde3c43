#!/bin/bash
# tests/integration/hba.sh: replc's pg_hba.conf lines take effect, on three
# real hosts (tests/hosts/hosts.sh): vm1 publishes, vm2 subscribes, vm3 is
# vm1's standby. Each case edits vm1's pg_hba.conf by hand first, then runs
# vm1's hba step (OUT/vm1/hba.sh, on the host) or replc --apply:
#
#   (a) an earlier 'reject' line for vm2, after a line of the same method
#       that may match vm2 (a host name): the hba step exits 1 naming it
#       (pg_hba.conf:N and its text), the file is as before, the server did
#       not reload (pg_conf_load_time); vm1's 'host all all' line for vm3
#       does not count against vm3's 'replication' line;
#   (b) the same with --apply: exits 1, its output names pg_hba.conf:N;
#   (c) a line with an error in the file (not loaded yet): the hba step exits
#       1 naming it, the file is as before, no reload;
#   (d) a file without its final newline: the step adds replc's lines, the
#       last line stays whole, the file has no error;
#   (e) the line written another way (no quotes) and replc's block gone:
#       not added again, twice in a row;
#   (f) the reject line gone: --apply converges, rows reach vm2, vm3 streams.
#
# Usage (root): tests/integration/hba.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (120), ITEST_POLL_TIMEOUT (30),
#      REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET (the test bed's names).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}
DB=repl
EXAMPLE_NODES=3

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*)"
    finish
fi

WORK=$(mktemp -d /tmp/replc-hba.XXXXXX)
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
TOPO=$WORK/hba.rc
cat >"$TOPO" <<EOF
# replc's pg_hba.conf lines take effect (tests/integration/hba.sh)
cluster hbatest;

defaults {
    version  15;
    port     5432;
    database $DB;
    user     postgres;
    password env REPLC_TEST_PASSWORD;
    pgdata   "$HOSTS_PGDATA";
    bindir   "$HOSTS_PGBIN";
}

table test1 (k1 int primary key, v1 varchar);

node vm1 {
    host "$H1_IP";
    publish publ_test1 (test1);
}
node vm2 {
    host "$H2_IP";
    subscribe subs_test1 to vm1 (publ_test1);
}
node vm3 {
    host "$H3_IP";
    standby from vm1;
}
EOF
HBA=$HOSTS_CONFDIR/pg_hba.conf
# replc's lines on vm1, as the hba step writes them
LINE2="host \"$DB\" \"postgres\" $H2_IP/32 scram-sha-256"
LINE3="host replication \"postgres\" $H3_IP/32 scram-sha-256"

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

# on1 COMMAND: a shell command on vm1, as postgres
on1() { "$HOSTS" ssh 1 "$1"; }

# step NAME: vm1's hba step (OUT/vm1/hba.sh) on vm1; NAME.out (with its
# errors), RC; LOADED: pg_conf_load_time before it, MD5: the file's md5sum
step() {
    LOADED=$(q 1 'select pg_conf_load_time()' postgres)
    MD5=$(on1 "md5sum < $HBA")
    on1 'sh "$HOME"/replc-itest/vm1/hba.sh' >"$WORK/$1.out" 2>&1
    RC=$?
}

# unchanged_after DESC: the file and the server's load time as before step
unchanged_after() {
    is "$1: vm1's pg_hba.conf is as before" "$(on1 "md5sum < $HBA")" "$MD5"
    is "$1: vm1 did not reload (pg_conf_load_time)" "$(q 1 'select pg_conf_load_time()' postgres)" "$LOADED"
}

# rules_for IP: how many rules of vm1's pg_hba.conf name IP, and how many have errors
rules_for() {
    q 1 "select count(*) filter (where address = '$1') || ' ' || count(*) filter (where error is not null)
         from pg_hba_file_rules" postgres
}

if "$REPLC" "$TOPO" -o "$WORK/out" >"$WORK/compile.log" 2>&1; then ok "replc -o OUT compiles the topology"
else not_ok "replc -o OUT compiles the topology"; diag <"$WORK/compile.log"; finish; fi
chmod -R a+rX "$WORK/out"
if put_tree "$WORK/out" vm1 1 replc-itest; then ok "OUT/vm1 copied to vm1"
else not_ok "OUT/vm1 copied to vm1"; finish; fi

# ------------------------------------------------------------------ (a)
# vm1's own pg_hba.conf: a line with replc's method for a host name (it
# may match vm2, or not: no reason to stop, nor to stop looking), a reject
# line for vm2, and one for every database of vm3, which a replication
# connection does not match
on1 "printf 'host all all nohost.invalid scram-sha-256\nhost all all %s/32 reject\nhost all all %s/32 reject\n' $H2_IP $H3_IP >> $HBA" &&
    q 1 'select pg_reload_conf()' postgres >/dev/null
REJECT=$(on1 "grep -n '^host all all $H2_IP/32 reject\$' $HBA | cut -d: -f1")
step a
is "(a) the hba step exits 1 with an earlier reject line for vm2" "$RC" 1
has a out "$HBA:$REJECT: 'host all all $H2_IP/32 reject' takes the connection of subscription 'subs_test1' of node 'vm2' first" \
    "(a) it names the line (pg_hba.conf:$REJECT), its text and whose connection it takes"
has a out "remove or narrow that line" "(a) it says what to do"
hasnt a out "$H3_IP" "(a) 'host all all ... reject' for vm3 does not count against vm3's replication line"
hasnt a out "pg_hba.conf: added" "(a) it does not say 'added'"
unchanged_after "(a)"

# ------------------------------------------------------------------ (b)
replc_run b --apply
expect_rc b 1 "(b) --apply exits 1 with the reject line"
has b out "$HBA:$REJECT: 'host all all $H2_IP/32 reject'" "(b) --apply's output names pg_hba.conf:$REJECT and the reject line"
is "(b) vm1's pg_hba.conf is as before" "$(on1 "md5sum < $HBA")" "$MD5"

# ------------------------------------------------------------------ (c)
# a typo in the file, not loaded yet: the step's edit would load it
on1 "sed -i 's|^host all all $H2_IP/32 reject\$|host all all 10.0.0.0/33 trust|' $HBA"
step c
is "(c) the hba step exits 1 with a line in error in the file" "$RC" 1
has c out "$HBA:$REJECT: invalid" "(c) it names the line in error (pg_hba.conf:$REJECT)"
has c out "the previous pg_hba.conf is back in place; the server did not reload" "(c) it says the file is back"
unchanged_after "(c)"

# ------------------------------------------------------------------ (d)
# no error, no reject or host name line for vm2, and no final newline
on1 "sed -i -e '\\|^host all all 10.0.0.0/33 trust\$|d' -e '/^host all all nohost.invalid /d' $HBA &&
     printf '# the last line, no newline' >> $HBA"
step d
is "(d) the hba step exits 0 on a file without its final newline" "$RC" 0
has d out "pg_hba.conf: added $LINE2" "(d) it adds vm2's line"
is "(d) the last line stays whole, on a line of its own" \
    "$(on1 "grep -c '^# the last line, no newline\$' $HBA")" 1
is "(d) vm2's line once, no error in vm1's pg_hba.conf" "$(rules_for "$H2_IP")" "1 0"
is "(d) vm1's pg_hba.conf ends with a newline" "$(on1 "tail -c 1 $HBA | od -An -c | tr -d ' '")" '\n'

# ------------------------------------------------------------------ (e)
# vm2's line written another way, in place of replc's
on1 "sed -i '/^# BEGIN replc cluster hbatest\$/,/^# END replc cluster hbatest\$/d' $HBA &&
     echo 'host $DB postgres $H2_IP/32 scram-sha-256' >> $HBA"
step e
is "(e) the hba step exits 0 with vm2's line written another way" "$RC" 0
has e out "pg_hba.conf: not added, $HBA:[0-9]+ has it written another way: $LINE2" "(e) it says vm2's line is there already"
is "(e) vm2's line is not added again" "$(rules_for "$H2_IP")" "1 0"
step e2
is "(e) run again: exits 0, vm2's line still once" "$RC $(rules_for "$H2_IP")" "0 1 0"

# ------------------------------------------------------------------ (f)
on1 "sed -i '\\|^host all all $H3_IP/32 reject\$|d' $HBA"
replc_run f --apply
expect_rc f 0 "(f) with the reject lines gone, --apply converges"
is "(f) vm1's pg_hba.conf: vm2's line once, vm3's line once, no error" \
    "$(rules_for "$H2_IP") $(rules_for "$H3_IP")" "1 0 1 0"
ins 1 "insert into test1 values (1, 'a'), (2, 'b')"
poll "(f) rows reach vm2 through the subscription" 2 "select count(*) from test1" 2
poll "(f) vm3 streams from vm1" 3 "select status from pg_stat_wal_receiver" streaming postgres
replc_run g --apply
expect_rc g 0 "(f) --apply again exits 0"
is "(f) and adds nothing: vm2's line once, vm3's line once" \
    "$(rules_for "$H2_IP") $(rules_for "$H3_IP")" "1 0 1 0"
if on1 "cat $HBA" | grep -qxF "$LINE3"; then ok "(f) vm3's replication line is in vm1's pg_hba.conf"
else not_ok "(f) vm3's replication line is in vm1's pg_hba.conf"; fi

finish
