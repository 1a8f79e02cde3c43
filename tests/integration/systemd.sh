#!/bin/bash
# tests/integration/systemd.sh: servers run by a systemd unit, as the PGDG
# (RHEL) packages run them (unit postgresql-15.service, PGDATA in its
# Environment), and a PostgreSQL OS user that may restart it only through
# sudo (issue 9 item 1).
#
# The test hosts are namespaces without an init system: tests/hosts/systemctl
# stands in for systemd (hosts.sh systemd I UNIT), and only for it: the
# server under the unit is each host's real PostgreSQL 15, started and
# stopped by the real pg_ctl as the postgres user; the unit is "active" only
# while the very postmaster it started runs, so a server restarted behind its
# back leaves it "failed"; start/stop/restart as anyone but root get polkit's
# "Interactive authentication required". sudo is the real sudo, with the
# host's own /etc/sudoers.d.
#
# (b), (c): two hosts, plain layout: h1 runs p (a primary whose topology sets max_connections: a
# restart), h2 runs s (standby from p: stopped, rebuilt, started), each under
# postgresql-15.service. The topology names no service.
#   (b) no sudoers rule for postgres: replc --apply stops in preflight, and
#       p's run.sh before its first step, each naming the command and the
#       sudoers line that would allow it; nothing changed on either host
#   (c) that sudoers line (taken from the message) installed on each host:
#       the run.sh of p and s exit 0; p restarted and s stopped and started
#       through their units (the stand-in's journal), both units still
#       active, s streams from p, no replc-server log (no pg_ctl fallback);
#       then replc --apply with a higher max_connections: p restarted and s
#       raised through their units, still active, s streaming
#   (d) on Debian-layout hosts (hosts.sh --layout debian), each cluster 15/main
#       under its unit postgresql@15-main: --apply without a sudo rule stops
#       in preflight; with the line it gives, p is restarted and s rebuilt
#       through their units, still active, pg_lsclusters online
#
# Usage (root):  tests/integration/systemd.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per run, default 120),
#      ITEST_POLL_TIMEOUT (s, 30), REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
export POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30} DB=repl EXAMPLE_NODES=2
UNIT=postgresql-15.service

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

command -v sudo >/dev/null || { not_ok "sudo is installed (tools/deps.sh test installs it)"; finish; }
bed_begin systemd
# units_up PREFIX: each host's server under the stand-in's unit $UNIT
units_up() {
    local i
    for i in 1 2; do
        if "$HOSTS" systemd "$i" "$UNIT" >"$WORK/unit$i.log" 2>&1; then
            ok "$1h$i: its server runs under the stand-in systemd unit $UNIT"
        else
            not_ok "$1h$i: its server runs under the stand-in systemd unit $UNIT"; diag <"$WORK/unit$i.log"; finish
        fi
    done
}
# sudoers PREFIX LINE: LINE (a sudoers rule a message gave) in each host's
# own /etc/sudoers.d/replc, checked by visudo
sudoers() {
    local i
    for i in 1 2; do
        # shellcheck disable=SC2016 # the inner shell's
        if [ -n "$2" ] && "$HOSTS" exec "$i" sh -c 'printf "%s\n" "$1" >/etc/sudoers.d/replc && chmod 440 /etc/sudoers.d/replc &&
                visudo -cf /etc/sudoers.d/replc' sh "$2" >"$WORK/sudoers$i.log" 2>&1; then
            ok "$1h$i: /etc/sudoers.d/replc holds the line from the message, visudo -c accepts it"
        else
            not_ok "$1h$i: /etc/sudoers.d/replc holds the line from the message, visudo -c accepts it"; diag <"$WORK/sudoers$i.log"
        fi
    done
}
hosts_up
units_up ""

hssh() {   # hssh I COMMAND: as postgres on host I
    # shellcheck disable=SC2086
    timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$1]}" "$2" </dev/null 2>&1
}
SYSTEMCTL=$(hssh 1 'command -v systemctl')

# topology NAME MAX_CONNECTIONS: p and its standby s; no pgdata, no service
topology() {
    cat >"$WORK/$1.rc" <<EOF
cluster sysd;
defaults { version 15; database $DB; password env REPLC_TEST_PASSWORD; bindir "$HOSTS_PGBIN"; }
node p { host "$H1_IP"; set max_connections = $2; set max_slot_wal_keep_size = "1GB"; }
node s { host "$H2_IP"; standby from p; }
EOF
    if "$REPLC" "$WORK/$1.rc" -o "$WORK/$1" >"$WORK/$1.log" 2>&1; then chmod -R a+rX "$WORK/$1"; return 0; fi
    not_ok "replc $1.rc -o $1 exits 0"; diag <"$WORK/$1.log"; return 1
}

apply() {   # apply NAME TOPOLOGY: replc --apply; WORK/NAME.out and .err, status in RC
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW timeout "$RUN_TIMEOUT" \
        "$REPLC" "$WORK/$2.rc" --apply --yes >"$WORK/$1.out" 2>"$WORK/$1.err" </dev/null
    RC=$?
}

# host_state I: what any change on host I would show
host_state() {
    hssh "$1" 'ls -a ~ /srv/replc/data; md5sum /srv/replc/data/*.conf; cat /run/systemd/standin/'"$UNIT"'.pid'
    q "$1" "select pg_postmaster_start_time(), pg_is_in_recovery(), current_setting('max_connections')" postgres
}

journal() { hssh "$1" 'cat /run/systemd/standin/journal'; }

# unit_active DESC I: the unit active (its own postmaster runs), the server
# logging where it did, no pg_ctl fallback's log in the home directory
unit_active() {
    local st
    st=$(hssh "$2" "systemctl is-active $UNIT")
    if [ "$st" = active ]; then ok "$1h$2: systemctl is-active $UNIT: active (the postmaster it started runs)"
    else not_ok "$1h$2: systemctl is-active $UNIT: active (got '$st')"; journal "$2" | diag; fi
    st=$(hssh "$2" 'ls ~/replc-server-*.log /srv/replc/data/*.log 2>/dev/null')
    if [ -z "$st" ]; then ok "$1h$2: no replc-server log (the server was not run by pg_ctl instead)"
    else not_ok "$1h$2: no replc-server log (the server was not run by pg_ctl instead)"; echo "$st" | diag; fi
}

# ------------------------------------------------------------------ (b) no sudo rule

note "(b) the postgres user may not run systemctl as root: nothing changes"
topology one 110 || finish
before1=$(host_state 1) before2=$(host_state 2)
apply apply-b one
cmd="sudo -n $SYSTEMCTL start $UNIT"
line="postgres ALL=(root) NOPASSWD: $SYSTEMCTL start $UNIT, $SYSTEMCTL stop $UNIT, $SYSTEMCTL restart $UNIT"
if [ "$RC" != 0 ] && grep -qF "preflight found" "$WORK/apply-b.err" &&
    grep -qF "node 'p'" "$WORK/apply-b.err" && grep -qF "node 's'" "$WORK/apply-b.err" &&
    grep -qF "may not run '$cmd'" "$WORK/apply-b.err" && grep -qF "$line" "$WORK/apply-b.err"; then
    ok "(b) --apply stops in preflight for p and s, naming '$cmd' and the sudoers line"
else
    not_ok "(b) --apply stops in preflight for p and s, naming '$cmd' and the sudoers line (exit $RC)"
    cat "$WORK/apply-b.out" "$WORK/apply-b.err" | tail -30 | diag
fi
run_tree one p 1
if [ "$RC" != 0 ] && grep -qF "replc: p: the server runs as systemd unit $UNIT, and the user postgres may not run '$cmd'" "$WORK/one-p.out" &&
    grep -qF "allow it in sudoers (visudo -f /etc/sudoers.d/replc): $line" "$WORK/one-p.out" &&
    ! grep -q 'replc-result\|: ok$\|: changed$' "$WORK/one-p.out"; then
    ok "(b) p's run.sh stops before its first step, naming '$cmd' and the sudoers line"
else
    not_ok "(b) p's run.sh stops before its first step, naming '$cmd' and the sudoers line (exit $RC)"; diag <"$WORK/one-p.out"
fi
after1=$(host_state 1) after2=$(host_state 2)
if [ "$before1" = "$after1" ] && [ "$before2" = "$after2" ]; then ok "(b) nothing changed on h1 nor h2"
else not_ok "(b) nothing changed on h1 nor h2"; diff <(echo "$before1$before2") <(echo "$after1$after2") | diag; fi
if journal 1 | grep -q 'uid=0'; then not_ok "(b) nothing was run as root"; journal 1 | diag
else ok "(b) nothing was run as root (the stand-in's journal)"; fi

# ------------------------------------------------------------------ (c) the sudoers line

note "(c) with the sudoers line the message gave: the runs go through the units"
sudoers "(c) " "$(sed -n 's/^replc: p: allow it in sudoers (visudo -f \/etc\/sudoers.d\/replc): //p' "$WORK/one-p.out")"
started1=$(q 1 "select pg_postmaster_start_time()" postgres)
run_tree one p 1
if [ "$RC" = 0 ]; then ok "(c) p's run.sh exits 0"; else not_ok "(c) p's run.sh exits 0 (exit $RC)"; diag <"$WORK/one-p.out"; fi
has one-p out "replc: p: server run by systemd unit $UNIT" "(c) p's run.sh finds the server run by $UNIT"
if journal 1 | grep -q "uid=0 restart $UNIT: done, active"; then ok "(c) p restarted through its unit, as root (sudo)"
else not_ok "(c) p restarted through its unit, as root (sudo)"; journal 1 | diag; fi
if [ "$(q 1 "select pg_postmaster_start_time() > '$started1'" postgres)" = t ]; then ok "(c) p runs a new postmaster (restarted)"
else not_ok "(c) p runs a new postmaster (restarted)"; fi
poll "(c) p runs with max_connections 110" 1 "show max_connections" 110 postgres
unit_active "(c) " 1
run_tree one s 2
if [ "$RC" = 0 ]; then ok "(c) s's run.sh exits 0"; else not_ok "(c) s's run.sh exits 0 (exit $RC)"; diag <"$WORK/one-s.out"; fi
if journal 2 | grep -q "uid=0 stop $UNIT: done, inactive" && journal 2 | grep -q "uid=0 start $UNIT: done, active"; then
    ok "(c) s stopped and started through its unit for the rebuild, as root (sudo)"
else
    not_ok "(c) s stopped and started through its unit for the rebuild, as root (sudo)"; journal 2 | diag
fi
poll "(c) s streams from p" 2 "select pg_is_in_recovery() || ' ' || (select status || ' ' || sender_host from pg_stat_wal_receiver)" \
    "true streaming $H1_IP" postgres
unit_active "(c) " 2

note "(c) replc --apply, max_connections 120 on p (and so on s)"
topology two 120 || finish
apply apply-c two
if [ "$RC" = 0 ]; then ok "(c) replc --apply exits 0"; else not_ok "(c) replc --apply exits 0 (exit $RC)"; tail -30 "$WORK/apply-c.err" | diag; fi
if [ "$(journal 1 | grep -c "uid=0 restart $UNIT: done, active")" = 2 ]; then ok "(c) --apply restarted p through its unit"
else not_ok "(c) --apply restarted p through its unit"; journal 1 | diag; fi
if journal 2 | grep -q "uid=0 restart $UNIT: done, active"; then ok "(c) --apply restarted s (its raise) through its unit"
else not_ok "(c) --apply restarted s (its raise) through its unit"; journal 2 | diag; fi
poll "(c) p runs with max_connections 120" 1 "show max_connections" 120 postgres
poll "(c) s runs with max_connections 120" 2 "show max_connections" 120 postgres
poll "(c) s streams from p" 2 "select status from pg_stat_wal_receiver" streaming postgres
unit_active "(c) --apply: " 1
unit_active "(c) --apply: " 2

# ------------------------------------------------------------------ (d) Debian clusters under systemd

note "(d) Debian clusters under their units postgresql@15-main, by --apply"
"$HOSTS" down >/dev/null 2>&1
hosts_up --layout debian
UNIT=postgresql@15-main.service
units_up "(d) "
cat >"$WORK/deb.rc" <<EOF
cluster sysd;
defaults { version 15; database postgres; password env REPLC_TEST_PASSWORD; }
node p { host "$H1_IP"; set max_connections = 110; set max_slot_wal_keep_size = "1GB"; }
node s { host "$H2_IP"; standby from p; }
EOF
before1=$(q 1 "select pg_postmaster_start_time()" postgres)
apply apply-d deb
line="postgres ALL=(root) NOPASSWD: $SYSTEMCTL start $UNIT, $SYSTEMCTL stop $UNIT, $SYSTEMCTL restart $UNIT"
if [ "$RC" != 0 ] && grep -qF "replc: p: the server runs as systemd unit $UNIT (Debian cluster 15/main)" "$WORK/apply-d.err" &&
    grep -qF "$line" "$WORK/apply-d.err" && [ "$(q 1 "select pg_postmaster_start_time()" postgres)" = "$before1" ]; then
    ok "(d) without a sudo rule --apply stops in preflight, naming the Debian cluster's unit and the sudoers line; p not restarted"
else
    not_ok "(d) without a sudo rule --apply stops in preflight, naming the Debian cluster's unit and the sudoers line (exit $RC)"
    tail -20 "$WORK/apply-d.err" | diag
fi
sudoers "(d) " "$(sed -n 's/^replc: p: allow it in sudoers (visudo -f \/etc\/sudoers.d\/replc): //p' "$WORK/apply-d.err")"
apply apply-d2 deb
if [ "$RC" = 0 ]; then ok "(d) with it, replc --apply exits 0"; else not_ok "(d) with it, replc --apply exits 0 (exit $RC)"; tail -30 "$WORK/apply-d2.err" | diag; fi
if journal 1 | grep -q "uid=0 restart $UNIT: done, active"; then ok "(d) p restarted through its unit $UNIT"
else not_ok "(d) p restarted through its unit $UNIT"; journal 1 | diag; fi
if journal 2 | grep -q "uid=0 stop $UNIT: done, inactive" && journal 2 | grep -q "uid=0 start $UNIT: done, active"; then
    ok "(d) s stopped and started through its unit $UNIT for the rebuild"
else
    not_ok "(d) s stopped and started through its unit $UNIT for the rebuild"; journal 2 | diag
fi
poll "(d) p runs with max_connections 110" 1 "show max_connections" 110 postgres
poll "(d) s streams from p" 2 "select pg_is_in_recovery() || ' ' || (select status || ' ' || sender_host from pg_stat_wal_receiver)" \
    "true streaming $H1_IP" postgres
for i in 1 2; do
    st=$(hssh "$i" "systemctl is-active $UNIT; pg_lsclusters -h | awk '{ print \$4 }'" | tr '\n' ' ')
    want="active online "; [ "$i" = 2 ] && want="active online,recovery "
    if [ "$st" = "$want" ]; then ok "(d) h$i: $UNIT active, pg_lsclusters: ${want#active }"
    else not_ok "(d) h$i: $UNIT active, pg_lsclusters: ${want#active }(got '$st')"; journal "$i" | diag; fi
done
finish
