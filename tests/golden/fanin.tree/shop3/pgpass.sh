#!/bin/sh
# replc: step pgpass.sh of node 'shop3' (cluster 'fanin'). Generated; do not edit.
# write the peers' password lines into ~/.pgpass
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='shop3'
port=5432
bindir=''
passfile=''
set -- \
    'wh.example:5432:*:replicator' 'SHOP_PW'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
# The password never appears in this file: it is read from the environment.
file=$HOME/.pgpass
umask 077
# put HOST:PORT:DB:USER VAR: one line for that peer, password from $VAR
# shellcheck disable=SC2088 # '~/.pgpass' in a message, not a path
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
while [ $# -gt 0 ]; do
    put "$1" "$2"
    shift 2
done
finish
