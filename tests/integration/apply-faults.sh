#!/bin/bash
# tests/integration/apply-faults.sh: replc --apply when things go wrong, on
# four fresh hosts (tests/hosts/hosts.sh), with apply.sh's topology:
#
#   vm1 publishes test1, subscribes to vm2's test2
#   vm2 publishes test2, subscribes to vm1's test1
#   vm3 subscribes to both
#   vm4 is a hot standby of vm3
#
#   (a) ssh does not reach a host: vm2's `ssh` names a port where nothing
#       listens; then REPLC_SSH with a key no host accepts. Exit 1 in
#       preflight, the message names the node(s), nothing changed anywhere.
#   (b) a wrong password: vm1's pg_hba.conf asks the admin side for
#       scram-sha-256 (the harness trusts it), REPLC_TEST_PASSWORD=wrong.
#       Exit 1 in preflight naming vm1, nothing changed; with the right
#       password the same preflight passes (--dry-run).
#   (b2) the password variable is not set at all: exit 1 naming the
#       variable, in preflight, nothing changed.
#   (c) the standby's data directory holds user data (a table on vm4):
#       exit 1 in preflight naming vm4 and 'with (force)', nothing changed.
#   (e) the DBA created the database on the subscriber vm3 beforehand (empty):
#       preflight passes (--dry-run).
#   (d) vm2's server stops in the middle of an apply (stopped by a REPLC_SSH
#       wrapper right after vm2's restart.sh step, so the moment is always
#       the same): exit 1, "FAILED: ... on vm2", the steps that do not need
#       vm2 complete (vm1's own, vm3's subscription to vm1, vm4's rebuild).
#       vm2 started again, --apply again converges, and every table holds
#       exactly the rows inserted before, between and after (no second copy).
#   (f) the wrong password again, on the converged cluster: preflight names
#       vm1's password and nothing else (nothing claimed about the slot that
#       vm1's own subscription uses on vm2, since vm1 was not reached).
#   (g) the link goes while vm2's restart step restarts its server: the step
#       (from `replc -o`) run over ssh with max_wal_senders pending a
#       restart, its output read by nobody (as a cut link leaves it). The
#       server must be up afterwards, with the new value: pg_ctl used to die
#       writing to the closed link, between its stop and its start.
#   (h) the subscriber crashes right after --apply saw its table synchronised:
#       vm2's subscription to vm1 dropped and test1 emptied by the DBA, vm2's
#       WAL writer slowed (wal_writer_delay 10 s: the subscription's commits,
#       synchronous_commit off, stay in memory meanwhile), --apply copies
#       test1 again, and vm2 stops immediately as soon as it ends. Started
#       again, vm2 holds the state the wait saw: no table-sync worker starts
#       again (before the fix, the table went back to FINISHEDCOPY or
#       earlier: its sync slot on vm1 was gone, so the copy looped on
#       "replication slot ... does not exist" for ever, or ran again), and
#       test1 holds each row once, new rows arriving.
#   (i) an initial copy that cannot finish: vm2's subscription dropped and
#       test1 emptied again, a session of the DBA holds test1 in SHARE mode
#       (the table-sync worker's COPY waits behind it): --apply --timeout 5
#       fails on vm2's sync wait, naming what stands ("not synchronised
#       yet: test1 in state d"); once the session ends, --apply converges.
#
# Usage (root):  tests/integration/apply-faults.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per replc run, default 120),
#      ITEST_POLL_TIMEOUT (s, 30): as apply.sh.
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

WORK=$(mktemp -d /tmp/replc-faults.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE

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

# ------------------------------------------------------------------ build, hosts

build_replc

hosts_up

sql() {   # sql DESC I SQL [DATABASE]: a change made by the DBA; a check of its own
    local out
    if out=$(q "$2" "$3" "${4:-$DB}"); then ok "$1"; return 0; fi
    not_ok "$1"; echo "$out" | diag; return 1
}
on_host() {   # on_host DESC I CMD: a command as postgres on host I
    local out
    if out=$("$HOSTS" ssh "$2" "$3" </dev/null 2>&1); then ok "$1"; return 0; fi
    not_ok "$1"; echo "$out" | diag; return 1
}

# ------------------------------------------------------------------ topology

TOPO=$WORK/itest.rc
example_topology "$TOPO" "replc --apply faults test"
TOPO_PORT=$WORK/itest-ssh-port.rc
example_topology "$TOPO_PORT" "replc --apply faults test, vm2 reached on ssh port 2222" "ssh \"postgres@$H2_IP:2222\";"
for f in "$TOPO" "$TOPO_PORT"; do
    if "$REPLC" --check "$f" >"$WORK/check.log" 2>&1; then ok "replc --check $(basename "$f") exits 0"
    else not_ok "replc --check $(basename "$f") exits 0"; diag <"$WORK/check.log"; finish; fi
done

# ------------------------------------------------------------------ running replc

# replc_run NAME ARGS...: replc R_TOPO ARGS; NAME.out, NAME.err; sets RC, MS.
# R_TOPO, R_SSH, R_PW (the password; R_PW_UNSET=1: the variable not set) may
# be given on the call.
replc_run() {
    local name=$1 t envs; shift
    envs=("REPLC_SSH=${R_SSH:-ssh $HOSTS_SSH_OPTS}")
    if [ "${R_PW_UNSET:-}" = 1 ]; then envs=(-u REPLC_TEST_PASSWORD "${envs[@]}")
    else envs+=("REPLC_TEST_PASSWORD=${R_PW-$PW}"); fi
    t=$(now_ms)
    env "${envs[@]}" timeout "$RUN_TIMEOUT" "$REPLC" "${R_TOPO:-$TOPO}" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}
preflight_stop() {   # preflight_stop NAME LABEL: exit 1, stopped in preflight, no step started
    expect_rc "$1" 1 "$2 replc --apply exits 1"
    has "$1" err '^replc: preflight found [0-9]+ problem\(s\); nothing was changed:$' "$2 it stops in preflight"
    hasnt "$1" out '^\[[0-9]+/[0-9]+\] ' "$2 it started no step"
}

# preflight_case NAME LABEL [replc args...]: catalog, replc --apply, catalog; the common checks
preflight_case() {
    local name=$1 label=$2; shift 2
    catalog >"$WORK/$name.before"
    replc_run "$name" --apply "$@"
    catalog >"$WORK/$name.after"
    preflight_stop "$name" "$label"
    unchanged "$WORK/$name.before" "$WORK/$name.after" "$label nothing changed on any node"
}

# admin_auth METHOD: vm1's pg_hba.conf line for the admin side, then reload
admin_auth() {
    "$HOSTS" ssh 1 "sed -i -E 's|^(host +all +all +$ADMIN_IP/32 +)[a-z0-9-]+\$|\\1$1|' $HOSTS_PGDATA/pg_hba.conf &&
                    grep -E '^host +all +all +$ADMIN_IP/32 +$1\$' $HOSTS_PGDATA/pg_hba.conf >/dev/null &&
                    $HOSTS_PGBIN/pg_ctl -D $HOSTS_PGDATA reload >/dev/null" </dev/null 2>&1
}
# wait (bounded) until a connection without password to vm1 gives WANT (ok|fails)
admin_nopw() {
    local want=$1 deadline got
    deadline=$(( $(now_ms) + 10000 ))
    while :; do
        if PGCONNECT_TIMEOUT=5 psql -X -w -At -h "$H1_IP" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1
        then got=ok; else got=fails; fi
        [ "$got" = "$want" ] && return 0
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# ------------------------------------------------------------------ (a) ssh

note "(a) ssh does not reach a host"
R_TOPO=$TOPO_PORT preflight_case a1 "(a1) vm2's ssh port 2222 (nothing listens):"
has a1 err "^  - node 'vm2': .*ssh.*(2222|refused)" "(a1) the problem names vm2 and its ssh"
hasnt a1 err "^  - node 'vm[134]'" "(a1) no problem reported for vm1, vm3, vm4"

ssh-keygen -q -t ed25519 -N '' -C itest-wrong-key -f "$WORK/wrong_key" </dev/null >/dev/null 2>&1
WRONG_SSH="ssh -i $WORK/wrong_key -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=10"
R_SSH=$WRONG_SSH preflight_case a2 "(a2) REPLC_SSH with a key no host accepts:"
for n in vm1 vm2 vm3 vm4; do
    has a2 err "^  - node '$n': .*ssh" "(a2) the problems name $n's ssh"
done

# ------------------------------------------------------------------ (b) wrong password

note "(b) a wrong password (vm1 asks the admin side for scram-sha-256)"
if out=$(admin_auth scram-sha-256) && admin_nopw fails; then
    ok "(b) vm1's pg_hba.conf: the admin side needs a password (scram-sha-256)"
    R_PW=wrong preflight_case b "(b) REPLC_TEST_PASSWORD=wrong:"
    has b err "^  - node 'vm1'.*password authentication failed" "(b) the problem names vm1 and the failed password"
    hasnt b err "^  - node 'vm[234]'" "(b) no problem reported for vm2, vm3, vm4"
    replc_run b_right --apply --dry-run
    expect_rc b_right 3 "(b) with the right password the same preflight passes (--dry-run: exit 3, changes pending)"
else
    not_ok "(b) vm1's pg_hba.conf: the admin side needs a password (scram-sha-256)"; echo "${out:-}" | diag
fi
if out=$(admin_auth trust) && admin_nopw ok; then ok "(b) vm1's pg_hba.conf: the admin side trusted again"
else not_ok "(b) vm1's pg_hba.conf: the admin side trusted again"; echo "${out:-}" | diag; finish; fi

note "(b2) the password variable is not set"
catalog >"$WORK/b2.before"
R_PW_UNSET=1 replc_run b2 --apply
catalog >"$WORK/b2.after"
expect_rc b2 1 "(b2) REPLC_TEST_PASSWORD unset: replc --apply exits 1"
if grep -q 'REPLC_TEST_PASSWORD' "$WORK/b2.err" "$WORK/b2.out"; then ok "(b2) the error names REPLC_TEST_PASSWORD"
else not_ok "(b2) the error names REPLC_TEST_PASSWORD"; show b2; fi
unchanged "$WORK/b2.before" "$WORK/b2.after" "(b2) nothing changed on any node"
has b2 err '^replc: preflight found [0-9]+ problem\(s\); nothing was changed:$' "(b2) it stops in preflight"

# ------------------------------------------------------------------ (c) user data on the standby

note "(c) vm4's data directory holds user data"
if sql "(c) a table with a row on vm4 (database postgres)" 4 \
        "create table keep_me (i int); insert into keep_me values (42)" postgres; then
    preflight_case c "(c) user data on the standby:"
    has c err "^  - .*standby 'vm4'.*user data.*with \(force\)" "(c) the problem names vm4, its user data and 'with (force)'"
    poll "(c) vm4's table still holds its row" 4 "select string_agg(i::text, ',') from keep_me" 42 postgres
    sql "(c) the table dropped again" 4 "drop table keep_me" postgres
fi

# ------------------------------------------------------------------ (e) database made beforehand

note "(e) the DBA created the database on the subscriber vm3 beforehand"
if sql "(e) database repl created (empty) on vm3" 3 "create database $DB" postgres; then
    replc_run e --apply --dry-run
    expect_rc e 3 "(e) preflight passes with an existing empty database on vm3 (--dry-run: exit 3, changes pending)"
    hasnt e err "cannot check subscriber tables" "(e) preflight can check vm3's subscriber tables"
    sql "(e) database repl dropped again on vm3" 3 "drop database $DB" postgres
fi

# ------------------------------------------------------------------ (d) a server stops mid-apply

note "(d) vm2's server stops in the middle of an apply"
# data the DBA had before: vm1 writes test1, vm2 writes test2
sql "(d) before: vm1 has database repl and test1 with rows 1..100" 1 "create database $DB" postgres &&
    sql "(d) ... table" 1 "create table test1 (k1 int primary key, v1 varchar);
                           insert into test1 select g, 'before' from generate_series(1, 100) g"
sql "(d) before: vm2 has database repl and test2 with rows 1001..1100" 2 "create database $DB" postgres &&
    sql "(d) ... table" 2 "create table test2 (k2 int primary key, v2 varchar);
                           insert into test2 select g, 'before' from generate_series(1001, 1100) g"

# REPLC_SSH for the faulty run: ssh, and as soon as vm2's restart.sh step
# has ended (before replc hears of it), stop vm2's server (immediate).
cat >"$WORK/ssh-fault" <<EOF
#!/bin/bash
in=\$(mktemp "$WORK/ssh-in.XXXXXX")
cat >"\$in"
ssh "\$@" <"\$in"
rc=\$?
if grep -q "^# replc: step restart.sh of node 'vm2'" "\$in" && mkdir "$WORK/vm2-stopped" 2>/dev/null; then
    ssh $HOSTS_SSH_OPTS postgres@$H2_IP '$HOSTS_PGBIN/pg_ctl -D $HOSTS_PGDATA stop -m immediate' \\
        </dev/null >"$WORK/vm2-stop.log" 2>&1
    echo "exit \$?" >>"$WORK/vm2-stop.log"
fi
rm -f "\$in"
exit \$rc
EOF
chmod 755 "$WORK/ssh-fault"

R_SSH="$WORK/ssh-fault $HOSTS_SSH_OPTS" replc_run d1 --apply --timeout 30
if [ -d "$WORK/vm2-stopped" ] && grep -q '^exit 0$' "$WORK/vm2-stop.log"; then
    ok "(d) vm2's server was stopped right after its restart.sh step"
else
    not_ok "(d) vm2's server was stopped right after its restart.sh step"; cat "$WORK/vm2-stop.log" 2>/dev/null | diag
fi
expect_rc d1 1 "(d) the apply during which vm2 stops exits 1"
# vm2 goes down just after its restart: the restart step (which re-takes the
# cluster lock once the server is back) or the next step reports it
has d1 out '^FAILED: (restart\.sh|database\.sql) on vm2$' "(d) it names the failed step and host: FAILED: restart.sh or database.sql on vm2"
hasnt d1 out '^FAILED: .* on vm[134]$' "(d) no step of vm1, vm3, vm4 failed"
# (vm4's last step, restart.sh, has nothing to restart: the base backup put
# vm4's settings in place before its first start)
for s in "vm1 publications.sql changed" "vm3 subscribe.subs3_test1.sql changed" \
         "vm4 basebackup.sh changed" "vm4 restart.sh ok"; do
    read -r n f r <<<"$s"
    has d1 out "^\[[0-9]+/[0-9]+\] $n +${f//./\\.} +$r " "(d) a step that does not need vm2 completed: $f on $n ($r)"
done
has d1 out '^not run: subscribe\.subs_test2\.sql on vm1 \(needs (restart\.sh|database\.sql) on vm2\)$' \
    "(d) vm1's subscription to vm2 not run (needs a step of vm2)"
has d1 out '^not run: subscribe\.subs3_test2\.sql on vm3 \(needs (restart\.sh|database\.sql) on vm2\)$' \
    "(d) vm3's subscription to vm2 not run (needs a step of vm2)"
has d1 out '^[0-9]+ changed, [0-9]+ ok, 1 failed, [1-9][0-9]* not run, total ' "(d) summary: 1 failed, some not run"
poll "(d) meanwhile vm3 has test1's 100 rows (its subscription to vm1)" 3 "select count(*) from test1" 100
poll "(d) meanwhile vm4 has them too (standby of vm3)" 4 "select count(*) from test1" 100

# between: more rows on vm1 while vm2 is down, then vm2 back with more rows
sql "(d) between: rows 101..150 inserted on vm1 while vm2 is down" 1 \
    "insert into test1 select g, 'between' from generate_series(101, 150) g"
on_host "(d) vm2's server started again" 2 "$HOSTS_PGBIN/pg_ctl -D $HOSTS_PGDATA -l /srv/replc/startup.log -w -t 60 start >/dev/null"
poll "(d) vm2 accepts connections" 2 "select 1" 1 postgres
sql "(d) between: rows 1101..1150 inserted on vm2" 2 \
    "insert into test2 select g, 'between' from generate_series(1101, 1150) g"
SUB3_OID=$(q 3 "select oid from pg_subscription where subname = 'subs3_test1'" postgres)
VM4_SYSID=$(q 4 "select system_identifier from pg_control_system()" postgres)

replc_run d2 --apply --timeout 60
CONVERGED=1
if ! expect_rc d2 0 "(d) --apply again, with vm2 up: exits 0"; then
    CONVERGED=
    POLL_TIMEOUT=${ITEST_POLL_TIMEOUT_AFTER_FAIL:-2}
    note "the second apply failed: the checks below poll for ${POLL_TIMEOUT}s only"
fi
has d2 out '^[1-9][0-9]* changed, [0-9]+ ok, 0 failed, 0 not run, total ' "(d) ... summary: 0 failed, 0 not run"
has d2 out '^\[[0-9]+/[0-9]+\] vm4 +basebackup\.sh +ok ' "(d) ... vm4 is not rebuilt again (basebackup.sh ok)"
poll "(d) ... vm3's subscription to vm1 is the same one (oid $SUB3_OID)" 3 \
    "select oid from pg_subscription where subname = 'subs3_test1'" "$SUB3_OID" postgres
poll "(d) ... vm4 is the same standby (system identifier)" 4 \
    "select system_identifier from pg_control_system()" "$VM4_SYSID" postgres

# after: more rows on both writers
sql "(d) after: rows 151..160 inserted on vm1" 1 "insert into test1 select g, 'after' from generate_series(151, 160) g"
sql "(d) after: rows 1151..1160 inserted on vm2" 2 "insert into test2 select g, 'after' from generate_series(1151, 1160) g"
C1='select count(*) || $$ rows, keys $$ || min(k1) || $$..$$ || max(k1) || $$, $$ || count(distinct v1) || $$ kinds$$ from test1'
C2='select count(*) || $$ rows, keys $$ || min(k2) || $$..$$ || max(k2) || $$, $$ || count(distinct v2) || $$ kinds$$ from test2'
for i in 1 2 3 4; do
    poll "(d) vm$i: test1 holds exactly rows 1..160" "$i" "$C1" '160 rows, keys 1..160, 3 kinds'
    poll "(d) vm$i: test2 holds exactly rows 1001..1160" "$i" "$C2" '160 rows, keys 1001..1160, 3 kinds'
done
for i in 1 2 3; do
    poll "(d) vm$i: every subscribed table synchronised (state r)" "$i" \
        "select count(*) filter (where srsubstate <> 'r') || ' ' || count(*) from pg_subscription_rel" \
        "0 $( [ $i = 3 ] && echo 2 || echo 1 )"
done
dups=
for i in 1 2 3 4; do
    n=$("$HOSTS" log "$i" 2>/dev/null | grep -c 'duplicate key value violates unique constraint')
    [ "$n" = 0 ] || dups+=" vm$i:$n"
done
if [ -z "$dups" ]; then ok "(d) no duplicate-key error in any server log (no table copied twice)"
else not_ok "(d) no duplicate-key error in any server log (no table copied twice):$dups"; fi

# ------------------------------------------------------------------ (f) wrong password, converged cluster

note "(f) the wrong password on the converged cluster"
if [ -z "$CONVERGED" ]; then
    not_ok "(f) skipped: the cluster did not converge in (d)"
elif out=$(admin_auth scram-sha-256) && admin_nopw fails; then
    ok "(f) vm1's pg_hba.conf: the admin side needs a password again"
    R_PW=wrong preflight_case f "(f) REPLC_TEST_PASSWORD=wrong, converged cluster:"
    has f err "^  - node 'vm1'.*password authentication failed" "(f) the problem names vm1 and the failed password"
    hasnt f err "slot 'subs_test2'" \
        "(f) no claim about the slot of vm1's subscription on vm2 (vm1 was not reached: nothing is known of it)"
    has f err '^replc: preflight found 1 problem\(s\)' "(f) one problem: vm1's password"
    admin_auth trust >/dev/null && admin_nopw ok
else
    not_ok "(f) vm1's pg_hba.conf: the admin side needs a password again"; echo "${out:-}" | diag
fi

# ------------------------------------------------------------------ (g) the link goes during a restart

note "(g) the link goes while vm2's restart step restarts the server"
senders=$(q 2 'SHOW max_wal_senders' postgres)
if ! "$REPLC" "$TOPO" -o "$WORK/g-tree" >"$WORK/g-compile.log" 2>&1; then
    not_ok "(g) replc -o writes the tree"; diag <"$WORK/g-compile.log"
elif ! put_tree "$WORK/g-tree" vm2 2 g-tree; then
    not_ok "(g) vm2's steps copied to its host"
elif ! [[ $senders =~ ^[0-9]+$ ]] || ! out=$(q 2 "ALTER SYSTEM SET max_wal_senders = $((senders + 1))" postgres); then
    not_ok "(g) max_wal_senders $senders -> $((senders + 1)) on vm2, pending a restart"; echo "${senders} ${out:-}" | diag
else
    ok "(g) max_wal_senders $senders -> $((senders + 1)) on vm2, pending a restart"
    # nobody reads the step's output (true exits at once): its first line
    # ends ssh here, and the host's next write meets a closed link, as when
    # the link goes while the step runs. The step writes nothing before the
    # restart but, maybe, that it waits for the reload.
    # shellcheck disable=SC2016 # $HOME is the host's
    "$HOSTS" ssh 2 'sh "$HOME/g-tree/vm2/restart.sh"' </dev/null 2>"$WORK/g.err" | true
    poll "(g) vm2's server is up after its restart step lost its link, with max_wal_senders $((senders + 1))" 2 \
        'SHOW max_wal_senders' "$((senders + 1))" postgres || diag <"$WORK/g.err"
fi

# ------------------------------------------------------------------ (h) a crash right after the sync wait

note "(h) vm2 crashes right after --apply saw its copy of test1 synchronised"
SYNC_STARTED='table synchronization worker for subscription "subs_test1", table "test1" has started'
if [ -z "$CONVERGED" ]; then
    not_ok "(h) skipped: the cluster did not converge in (d)"
elif sql "(h) vm2: subscription subs_test1 dropped (the DBA)" 2 "drop subscription subs_test1" &&
     sql "(h) vm2: test1 emptied" 2 "truncate test1" &&
     sql "(h) vm2: wal_writer_delay 10 s" 2 "alter system set wal_writer_delay = '10s'" postgres &&
     sql "(h) vm2: reloaded" 2 "select pg_reload_conf()" postgres; then
    replc_run h --apply
    # no pause between the end of the apply and the crash: the WAL writer
    # has not written the subscription's last commits yet
    "$HOSTS" ssh 2 "$HOSTS_PGBIN/pg_ctl -D $HOSTS_PGDATA stop -m immediate >/dev/null" </dev/null >"$WORK/h-stop.log" 2>&1
    stop_rc=$?
    expect_rc h 0 "(h) replc --apply exits 0: subs_test1 made again, test1 copied"
    if [ "$stop_rc" = 0 ]; then ok "(h) vm2 stopped (immediate) as soon as the apply ended"
    else not_ok "(h) vm2 stopped (immediate) as soon as the apply ended"; diag <"$WORK/h-stop.log"; fi
    before=$("$HOSTS" log 2 2>/dev/null | grep -c "$SYNC_STARTED")
    on_host "(h) vm2 started again" 2 "$HOSTS_PGBIN/pg_ctl -D $HOSTS_PGDATA -l /srv/replc/startup.log -w -t 60 start >/dev/null"
    sql "(h) a row inserted on vm1 after the crash" 1 "insert into test1 values (161, 'after the crash')"
    poll "(h) vm2: test1 holds rows 1..161, each once" 2 \
        'select count(*) || $$ rows, $$ || count(distinct k1) || $$ keys $$ || min(k1) || $$..$$ || max(k1) from test1' \
        '161 rows, 161 keys 1..161'
    poll "(h) vm2: test1 synchronised (state r)" 2 "select srsubstate from pg_subscription_rel" r
    sleep 1
    after=$("$HOSTS" log 2 2>/dev/null | grep -c "$SYNC_STARTED")
    if [ "$after" = "$before" ]; then
        ok "(h) vm2 kept the state the wait saw: no table-sync worker started after the crash"
    else
        not_ok "(h) vm2 kept the state the wait saw: no table-sync worker started after the crash ($((after - before)) started)"
        "$HOSTS" log 2 2>/dev/null | grep -E 'synchronization|does not exist' | tail -8 | diag
    fi
    q 2 "alter system reset wal_writer_delay" postgres >/dev/null && q 2 "select pg_reload_conf()" postgres >/dev/null
fi

# ------------------------------------------------------------------ (i) a copy that cannot finish

note "(i) vm2's copy of test1 waits behind a DBA's lock"
if [ -z "$CONVERGED" ]; then
    not_ok "(i) skipped: the cluster did not converge in (d)"
elif sql "(i) vm2: subscription subs_test1 dropped (the DBA)" 2 "drop subscription subs_test1" &&
     sql "(i) vm2: test1 emptied" 2 "truncate test1"; then
    # the DBA's session: test1 in SHARE mode (reads pass, the COPY's inserts wait)
    q 2 "begin; lock table test1 in share mode; select pg_sleep(60); commit" >"$WORK/i-lock.log" 2>&1 &
    locker=$!
    poll "(i) vm2: a session holds test1 in SHARE mode" 2 \
        "select count(*) from pg_locks where relation = 'test1'::regclass and mode = 'ShareLock' and granted" 1
    replc_run i --apply --timeout 5
    expect_rc i 1 "(i) replc --apply --timeout 5 exits 1"
    has i out "^FAILED: wait-sync\.subs_test1\.sh on vm2" "(i) the FAILED line names vm2's sync wait"
    has i out "not synchronised yet: test1 in state d" "(i) it says what stands: test1 in state d (the copy under way)"
    q 2 "select pg_terminate_backend(pid) from pg_locks where relation = 'test1'::regclass and mode = 'ShareLock'" >/dev/null
    wait "$locker" 2>/dev/null
    replc_run i2 --apply
    expect_rc i2 0 "(i) once the DBA's session ended, replc --apply exits 0"
    poll "(i) vm2: test1 holds rows 1..161, each once" 2 \
        'select count(*) || $$ rows, $$ || count(distinct k1) || $$ keys $$ || min(k1) || $$..$$ || max(k1) from test1' \
        '161 rows, 161 keys 1..161'
fi

finish
