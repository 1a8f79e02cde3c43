#!/bin/sh
# run.sh: template of a host's run.sh, which runs every step of the host in
# order and stops at the first failure. The generated run.sh assigns node,
# port, bindir, passfile, local_postgres, pgdata, service, version,
# lock_timeout, lock_tries and lock_blockers_sql, and
# sets "$@" to triples, one per step: its file, what it does, and for a .sql
# step the conninfo of the database it runs in ('' for a .sh step). Before
# the first step it checks with lib.sh that the server manager can act here.
# Each step ends with a result line (replc-result: changed or ok); run.sh
# shows the step's other lines indented as they come, and for the result
# one line: the step, what it does, and changed or ok.
# shellcheck disable=SC2154 # the generated run.sh assigns the values above
set -eu
# --- step body ---
cd "$(dirname "$0")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. ./lib.sh
setup
# how the server is run here, and that it can be: before anything changes
manager_check
say "server run by $manager_how"
# sql_step FILE CONNINFO: psql runs FILE in that database. A statement
# that waited $lock_timeout s behind another session's lock fails (the
# file sets lock_timeout); the file then runs again (it checks what is in
# place first), at most $lock_tries times in all (REPLC_LOCK_TRIES), each
# time naming the transactions it may have waited behind.
sql_step() {
    tries=${REPLC_LOCK_TRIES:-$lock_tries} try=1
    while :; do
        if out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$1" 2>&1); then
            if [ -n "$out" ]; then printf '%s\n' "$out"; fi
            return 0
        else st=$?; fi
        case $out in
        *'due to lock timeout'*) ;;
        *) printf '%s\n' "$out"; return "$st" ;;
        esac
        behind=$(lpsql "$2" "$lock_blockers_sql" 2>&1) || behind="cannot tell ($behind)"
        if [ "$try" -ge "$tries" ]; then
            printf '%s\n' "$out"
            say "gave up after $tries tries: each waited ${lock_timeout}s behind another session's lock; open transactions holding locks: $behind"
            return "$st"
        fi
        say "waited ${lock_timeout}s behind another session's lock (try $try of $tries), trying again; open transactions holding locks: $behind"
        try=$((try + 1))
    done
}
# step FILE CONNINFO: one step, a .sql file with psql in that database
step() {
    case $1 in
    *.sql) sql_step "$1" "$2" ;;
    *) sh "./$1" ;;
    esac
}
# report FILE WHAT: reads a step's output, then its exit line
report() {
    result=ok
    while IFS= read -r line; do
        case $line in
        'replc-result: '*) result=${line#replc-result: } ;;
        'replc-exit: 0')
            printf 'replc: %s: %s: %s: %s\n' "$node" "$1" "$2" "$result"
            return 0 ;;
        'replc-exit: '*)
            printf 'replc: %s: step %s failed (exit %s)\n' "$node" "$1" "${line#replc-exit: }" >&2
            return 1 ;;
        *) printf '    %s\n' "$line" ;;
        esac
    done
    return 1
}
# run FILE WHAT CONNINFO
run() {
    { if step "$1" "$3" 2>&1; then echo 'replc-exit: 0'; else echo "replc-exit: $?"; fi; } | report "$1" "$2"
}
while [ $# -gt 0 ]; do
    run "$1" "$2" "$3" || exit 1
    shift 3
done
printf 'replc: %s: all steps done\n' "$node"
