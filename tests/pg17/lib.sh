# tests/pg17/lib.sh: what the PostgreSQL 17 tests share. Sourced by bash.
#
#   pg17_setup NAME N   a work dir (WORK, removed at exit), PostgreSQL
#                       $PG_MAJOR binaries (default 17; tests/lib/pgnpm.sh) in
#                       PG17BIN (whatever the version), N test hosts running them
#                       (tests/hosts/hosts.sh, torn down at exit unless
#                       ITEST_KEEP=1), their env (H1_IP..., HOSTS_PASSWORD,
#                       SSH_OPTS as an array)
#   ok / not_ok / check DESC CMD... / note / diag <FILE / finish: tests/lib/tap.sh
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
PG_MAJOR=${PG_MAJOR:-17}
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"

t0=$(date +%s)
elapsed() { printf '%ss' $(( $(date +%s) - t0 )); }

hosts_up=    # set once we call `hosts.sh up`: never tear down a test bed not ours
# shellcheck disable=SC2317   # called by the trap
pg17_cleanup() {
    if [ -n "$hosts_up" ]; then
        if [ "${ITEST_KEEP:-}" = 1 ]; then note "ITEST_KEEP=1: hosts left up, work dir $WORK"; return; fi
        "$HOSTS" down >"$WORK/down.log" 2>&1 || { note "hosts.sh down failed:"; diag <"$WORK/down.log"; }
    fi
    rm -rf "$WORK"
}

pg17_setup() {   # pg17_setup NAME N
    [ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
    if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
        not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*: another run is using the harness)"
        finish
    fi
    WORK=$(mktemp -d "/tmp/replc-pg$PG_MAJOR-$1.XXXXXX")
    chmod 755 "$WORK"                      # run.sh is run by postgres from here
    export REPLC_HOSTS_STATE=$WORK/hosts
    trap pg17_cleanup EXIT
    trap 'exit 130' INT TERM
    if PG17BIN=$("$ROOT/tests/lib/pgnpm.sh" "$PG_MAJOR" 2>"$WORK/pgnpm.log"); then
        ok "PostgreSQL $PG_MAJOR binaries in $PG17BIN ($(elapsed))"
    else
        not_ok "tests/lib/pgnpm.sh $PG_MAJOR failed"; diag <"$WORK/pgnpm.log"; finish
    fi
    if [ ! -x "$HOSTS" ]; then not_ok "tests/hosts/hosts.sh is missing"; finish; fi
    hosts_up=1
    if "$HOSTS" up "$2" --pgbin "$PG17BIN" >"$WORK/up.log" 2>&1; then
        ok "hosts.sh up $2 --pgbin (pg$PG_MAJOR) ($(elapsed))"
    else
        not_ok "hosts.sh up $2 --pgbin (pg$PG_MAJOR)"; diag <"$WORK/up.log"; finish
    fi
    if ! "$HOSTS" env >"$WORK/env.sh" 2>"$WORK/env.err"; then
        not_ok "hosts.sh env"; diag <"$WORK/env.err"; finish
    fi
    # shellcheck disable=SC1091
    . "$WORK/env.sh"
    : "${H1_IP:?} ${HOSTS_PASSWORD:?}"
    read -ra SSH_OPTS <<<"${HOSTS_SSH_OPTS:-}"   # a list of options, split as words
}
