#!/bin/bash
# tests/integration/packaged.sh: a host laid out as the PGDG (RHEL) packages
# lay PostgreSQL out (issue 9 item 5): where the topology gives neither
# pgdata nor bindir and the server is down, the scripts derive
# /var/lib/pgsql/VERSION/data and /usr/pgsql-VERSION/bin, and say so.
#
# Two hosts (tests/hosts/hosts.sh): h1 runs the primary p (plain layout);
# on h2 the server is stopped and, in h2's own mount namespace only, a tmpfs
# on /var/lib/pgsql holds an empty /var/lib/pgsql/15 (what the package makes
# before initdb) and a tmpfs on /usr/pgsql-15 a bin link to the real server
# programs; the test hosts see neither this machine's Debian cluster
# (/etc/postgresql) nor its /usr/local/bin/pg_ctl (hosts.sh hides them), so
# pg_ctl is on no other PATH. The topology's standby s on
# h2 names neither pgdata nor bindir. p's run.sh, then s's run.sh: s is
# rebuilt into /var/lib/pgsql/15/data, started with pg_ctl from
# /usr/pgsql-15/bin, and streams from p; the plan and the step say what was
# assumed. p's pg_wal is a symbolic link out of its data directory; the
# standby's copy has a pg_wal directory of its own (pg_basebackup -X stream
# writes it). The server is real PostgreSQL 15; only the paths imitate PGDG's.
#
# Usage (root):  tests/integration/packaged.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, per run.sh, default 90),
#      ITEST_POLL_TIMEOUT (s, 30), REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-90}
export POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30} DB=repl EXAMPLE_NODES=2

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

MADE=   # mount points this test made on the machine (empty directories)
# shellcheck disable=SC2317 # called by bed_cleanup
bed_extra() { for d in $MADE; do rmdir "$d" 2>/dev/null || true; done; }
bed_begin packaged
hosts_up

# ------------------------------------------------------------------ h2 as a PGDG host

# shellcheck disable=SC2086 # options split
sshh() { local i=$1; shift; timeout "$RUN_TIMEOUT" ssh $HOSTS_SSH_OPTS "postgres@${IP[$i]}" "$@"; }
for d in /var/lib/pgsql /usr/pgsql-15; do
    [ -e "$d" ] || { mkdir "$d" && MADE="$MADE $d"; }
done
# shellcheck disable=SC2016 # $1 is the inner shell's
if sshh 2 "'$HOSTS_PGBIN/pg_ctl' stop -D '$HOSTS_PGDATA' -m fast" >"$WORK/stop.log" 2>&1 &&
    "$HOSTS" exec 2 sh -c 'mount -t tmpfs tmpfs /var/lib/pgsql && mkdir /var/lib/pgsql/15 &&
        chown postgres:postgres /var/lib/pgsql/15 && chmod 700 /var/lib/pgsql/15 &&
        mount -t tmpfs tmpfs /usr/pgsql-15 && ln -s "$1" /usr/pgsql-15/bin' sh "$HOSTS_PGBIN" >>"$WORK/stop.log" 2>&1; then
    ok "h2: server stopped; in its mount namespace /var/lib/pgsql/15 (empty), /usr/pgsql-15/bin, no Debian cluster, no pg_ctl elsewhere on the PATH"
else
    not_ok "h2: server stopped; in its mount namespace /var/lib/pgsql/15 (empty), /usr/pgsql-15/bin, no Debian cluster, no pg_ctl elsewhere on the PATH"
    diag <"$WORK/stop.log"; finish
fi
if [ -z "$(sshh 2 'command -v pg_ctl' 2>/dev/null)" ]; then
    ok "h2: pg_ctl is not on the PATH of its postgres user (only /usr/pgsql-15/bin has it)"
else
    not_ok "h2: pg_ctl is not on the PATH of its postgres user (only /usr/pgsql-15/bin has it)"
fi

# p's pg_wal is a symbolic link to a directory outside its data directory
# (issue 9 item 4): the standby's copy gets a pg_wal of its own
if sshh 1 "set -e; '$HOSTS_PGBIN/pg_ctl' stop -D '$HOSTS_PGDATA' -m fast; mv '$HOSTS_PGDATA/pg_wal' /srv/replc/wal-elsewhere;
        ln -s /srv/replc/wal-elsewhere '$HOSTS_PGDATA/pg_wal'; '$HOSTS_PGBIN/pg_ctl' start -w -D '$HOSTS_PGDATA' -l /srv/replc/log/restart.log" \
        >"$WORK/wal.log" 2>&1; then
    ok "h1: p's pg_wal is a symbolic link to /srv/replc/wal-elsewhere, p runs"
else
    not_ok "h1: p's pg_wal is a symbolic link to /srv/replc/wal-elsewhere, p runs"; diag <"$WORK/wal.log"
fi

# ------------------------------------------------------------------ topology and scripts

TOPO=$WORK/pkg.rc
cat >"$TOPO" <<EOF
cluster pkg;
defaults { version 15; database $DB; password env REPLC_TEST_PASSWORD; }
node p { host "$H1_IP"; pgdata "$HOSTS_PGDATA"; bindir "$HOSTS_PGBIN"; }
node s { host "$H2_IP"; standby from p; }
EOF
OUT=$WORK/tree
if "$REPLC" "$TOPO" -o "$OUT" >"$WORK/compile.log" 2>&1; then ok "the topology compiles"
else not_ok "the topology compiles"; diag <"$WORK/compile.log"; finish; fi
if grep -qF 'pgdata (asked of the running server, else the Debian cluster of version 15, else /var/lib/pgsql/15/data when /var/lib/pgsql/15 is there (PGDG))' "$OUT/plan.txt" &&
    grep -qF '/usr/pgsql-15/bin, first)' "$OUT/plan.txt"; then
    ok "plan.txt says what it assumes for s's pgdata and bindir (PGDG's paths among them)"
else
    not_ok "plan.txt says what it assumes for s's pgdata and bindir (PGDG's paths among them)"
    grep -A3 '^node s' "$OUT/plan.txt" | diag
fi

# run_node NODE I: copy OUT/NODE to host I and run its run.sh there
run_node() {
    put_tree "$OUT" "$1" "$2" replc-pkg &&
        printf '%s\n' "$PW" | sshh "$2" \
            "IFS= read -r REPLC_TEST_PASSWORD; export REPLC_TEST_PASSWORD; cd \"\$HOME/replc-pkg/$1\" && sh run.sh" \
            >"$WORK/run-$1.log" 2>&1
}

# p without bindir: its plain host has no pg_ctl on the PATH (nor PGDG's
# directory): run.sh stops before its first step, naming what to write
sed 's/ bindir "[^"]*";//' "$TOPO" >"$WORK/nobin.rc"
p_state() { sshh 1 "ls -a ~ | grep -vx replc-pkg; md5sum '$HOSTS_PGDATA/pg_hba.conf' '$HOSTS_PGDATA/postgresql.auto.conf'"; }
before=$(p_state)
if "$REPLC" "$WORK/nobin.rc" -o "$WORK/nobin" >"$WORK/nobin-compile.log" 2>&1 && OUT=$WORK/nobin run_node p 1; then
    not_ok "p without bindir, no pg_ctl on the PATH: run.sh stops"; diag <"$WORK/run-p.log"
elif grep -qF "replc: p: no pg_ctl here: not in the PATH (" "$WORK/run-p.log" &&
    grep -qF 'write in the topology the directory of this server'"'"'s programs (pg_ctl, postgres), e.g. bindir "/usr/lib/postgresql/15/bin";' "$WORK/run-p.log" &&
    ! grep -q ': changed$\|: ok$' "$WORK/run-p.log"; then
    ok "p without bindir, no pg_ctl on the PATH: run.sh stops before its first step, saying to write bindir"
else
    not_ok "p without bindir, no pg_ctl on the PATH: run.sh stops before its first step, saying to write bindir"
    cat "$WORK/nobin-compile.log" "$WORK/run-p.log" | diag
fi
if [ "$(p_state)" = "$before" ]; then ok "p without bindir: nothing changed on h1"
else not_ok "p without bindir: nothing changed on h1"; diff <(echo "$before") <(p_state) | diag; fi

if run_node p 1; then ok "p: run.sh exits 0"; else not_ok "p: run.sh exits 0"; diag <"$WORK/run-p.log"; fi
if run_node s 2; then ok "s: run.sh exits 0"; else not_ok "s: run.sh exits 0"; diag <"$WORK/run-s.log"; fi
if grep -qF 'replc: s: data directory /var/lib/pgsql/15/data (the PGDG (RHEL) layout of version 15; pgdata not given)' "$WORK/run-s.log"; then
    ok "s: the step says it took the PGDG data directory /var/lib/pgsql/15/data"
else
    not_ok "s: the step says it took the PGDG data directory /var/lib/pgsql/15/data"; diag <"$WORK/run-s.log"
fi
poll "s: its server runs from /var/lib/pgsql/15/data" 2 "show data_directory" /var/lib/pgsql/15/data postgres
poll "s: in recovery, streaming from p" 2 \
    "select pg_is_in_recovery() || ' ' || (select status || ' ' || sender_host from pg_stat_wal_receiver)" \
    "true streaming $H1_IP" postgres
if sshh 2 '[ -d /var/lib/pgsql/15/data/pg_wal ] && [ ! -L /var/lib/pgsql/15/data/pg_wal ]'; then
    ok "s: built from a source whose pg_wal is a link, its own pg_wal is a directory in its data directory"
else
    not_ok "s: built from a source whose pg_wal is a link, its own pg_wal is a directory in its data directory"
fi
finish
