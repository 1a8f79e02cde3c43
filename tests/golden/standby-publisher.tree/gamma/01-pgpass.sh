#!/bin/sh
# replc: step 01-pgpass.sh of node 'gamma' (cluster 'standby-publisher'). Generated; do not edit.
# write the peers' password lines into ~/.pgpass
# Safe to run again: it checks what is in place first.
set -eu
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node=gamma
say() { printf 'replc: %s: %s\n' "$node" "$*"; }
# change WHAT: about to change something (REPLC_DRY_RUN=1: say so and stop)
changed=0
change() {
    if [ "${REPLC_DRY_RUN:-0}" = 1 ]; then say "would $*"; echo 'replc-result: would-change'; exit 0; fi
    changed=1
}
# finish: the last line says whether anything changed
finish() { if [ "$changed" = 1 ]; then echo 'replc-result: changed'; else echo 'replc-result: ok'; fi; exit 0; }
# The password never appears in this file: it is read from the environment.
file=$HOME/.pgpass
umask 077
# put HOST:PORT:DB:USER VAR: one line for that peer, password from $VAR
put() {
    eval "pw=\${$2-}"
    if [ -z "$pw" ]; then
        say "environment variable $2 is not set; it holds the password for $1"
        exit 1
    fi
    esc=$(printf '%s' "$pw" | sed -e 's/\\/\\\\/g' -e 's/:/\\:/g')
    if [ -f "$file" ] && grep -qxF -- "$1:$esc" "$file"; then return; fi
    change "write the ~/.pgpass line for $1"
    [ -f "$file" ] || : > "$file"
    chmod 600 "$file"
    tmp="$file.replc.$$"
    P="$1:" awk 'index($0, ENVIRON["P"]) != 1' "$file" > "$tmp"
    printf '%s:%s\n' "$1" "$esc" >> "$tmp"
    mv "$tmp" "$file"
    say "~/.pgpass: line for $1"
}
put '10.2.0.2:5432:*:postgres' REPLC_PASSWORD
put '10.2.0.1:5432:*:postgres' REPLC_PASSWORD
put '10.2.0.6:5432:*:postgres' REPLC_PASSWORD
finish
