#!/bin/sh
# lib.sh: the functions every replc shell step uses. replc writes this file
# once into each host's directory, where every step sources it; replc --apply
# sends it on ssh's standard input ahead of each step. Generated; do not edit.
#
# Its top level only defines functions and reads the environment
# (REPLC_TIMEOUT, REPLC_DRY_RUN): over ssh it runs before the step assigns
# its values. The functions read the values the step assigned before it
# calls them: node, port, bindir, passfile, local_postgres, pgdata, ...
# shellcheck disable=SC2154 # each step assigns the values these functions read

# set: the step does not source this file again (over ssh it comes first)
# shellcheck disable=SC2034 # read by the step, before it sources this file
replc_lib=1
timeout=${REPLC_TIMEOUT:-300}
changed=0
last_error=
kicks=0

# setup: this host's PostgreSQL programs ($bindir), its port for the local
# socket ($port, unless PGPORT is set) and the password file ($passfile)
setup() {
    if [ -n "$bindir" ]; then PATH=$bindir:$PATH; export PATH; fi
    PGPORT=${PGPORT:-$port}; export PGPORT
    if [ -n "$passfile" ]; then PGPASSFILE=$passfile; export PGPASSFILE; fi
}

say() { printf 'replc: %s: %s\n' "$node" "$*"; }

# dry: true in a dry run (REPLC_DRY_RUN=1), where nothing is changed
dry() { [ "${REPLC_DRY_RUN:-0}" = 1 ]; }

# change WHAT: about to change something (REPLC_DRY_RUN=1: say so and stop)
change() {
    if dry; then say "would $*"; echo 'replc-result: would-change'; exit 0; fi
    changed=1
}

# finish: the last line says whether anything changed
finish() { if [ "$changed" = 1 ]; then echo 'replc-result: changed'; else echo 'replc-result: ok'; fi; exit 0; }

# lpsql CONNINFO SQL: one query on this host's server, through the local
# socket as psql does by default; its one value on standard output
lpsql() { psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# peer NAME COMMAND...: run a query on a peer, its answer in $answer; keep its
# error in $last_error, and stop at once when the peer refuses the password
peer() {
    peer_name=$1; shift
    if out=$("$@" 2>&1); then answer=$out; return 0; fi
    last_error=$out
    case $out in
    *'password authentication failed'*|*'no password supplied'*)
        say "cannot log in to $peer_name: $out"
        exit 1 ;;
    esac
    return 1
}

# try COMMAND...: run COMMAND, its output thrown away; when it fails, its
# error output (on one line) in $last_error, for wait_for to show
try() {
    if out=$("$@" 2>&1 >/dev/null); then return 0; fi
    last_error=$(printf '%s' "$out" | tr '\n' ' ')
    if [ -z "$last_error" ]; then last_error="$1 failed without a message"; fi
    return 1
}

# wait_for WHAT CHECK...: run CHECK until it succeeds, at most $timeout
# seconds; every line about the wait carries the last error a check kept
# in $last_error (try, peer)
wait_for() {
    what=$1; shift
    last_error=
    start=$(date +%s); next=$start
    until "$@"; do
        now=$(date +%s)
        if [ $((now - start)) -ge "$timeout" ]; then
            say "timed out after ${timeout}s waiting for $what${last_error:+ (last error: $last_error)}"
            exit 1
        fi
        if [ "$now" -ge "$next" ]; then
            say "waiting for $what${last_error:+ (last error: $last_error)}"
            next=$((now + 10))
        fi
        sleep 1
    done
}

# find_pgdata: the data directory ($pgdata), asked from the server when the
# topology does not name it
find_pgdata() {
    if [ -z "$pgdata" ]; then pgdata=$(lpsql "$local_postgres" 'SHOW data_directory'); fi
}

# server ACTION: start, stop or restart this host's server: with pg_ctl
# ($service = pg_ctl), or with the topology's service command ($service), the
# first 'restart' in it replaced by ACTION
server() {
    if [ "$service" = pg_ctl ]; then
        pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$pgdata/replc-server.log" "$1" </dev/null
    else
        sh -c "${service%%restart*}$1${service#*restart}" </dev/null
    fi
}

# What a standby's steps share: its data directory ($pgdata), replc's marker
# of a standby built from its source ($marker), and whether it runs and streams.
# ours: a standby that replc built from this source
ours() { [ -f "$pgdata/standby.signal" ] && [ "$(cat "$pgdata/replc_standby" 2>/dev/null)" = "$marker" ]; }
running() { pg_ctl -D "$pgdata" status >/dev/null 2>&1; }
streaming() {
    if ! st=$(lpsql "$local_postgres" 'SELECT status FROM pg_stat_wal_receiver' 2>&1); then
        last_error=$(printf '%s' "$st" | tr '\n' ' '); return 1
    fi
    if [ "$st" = streaming ]; then return 0; fi
    last_error="no WAL receiver streaming (pg_stat_wal_receiver status: ${st:-none})"; return 1
}

# kick: ask the primary ($primary, at $primary_conninfo) to log a standby
# snapshot; a slot on a standby (a subscription's, or a table-sync worker's)
# waits for one, and an idle primary does not log one by itself
kick() {
    if peer "'$primary'" psql -XAtq -d "$primary_conninfo" -c 'SELECT pg_log_standby_snapshot()'; then kicks=$((kicks + 1)); fi
}
