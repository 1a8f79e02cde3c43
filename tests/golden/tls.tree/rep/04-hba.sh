#!/bin/sh
# replc: step 04-hba.sh of node 'rep' (cluster 'tls'). Generated; do not edit.
# admit 1 peer line(s) in pg_hba.conf, reload
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='rep'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
set -- \
    'hostssl "postgres" "postgres" 10.3.0.1/32 scram-sha-256'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
hba=$(lpsql "$local_postgres" 'SHOW hba_file')
if [ ! -f "$hba" ]; then say "cannot find pg_hba.conf ($hba)"; exit 1; fi
# add LINE: append the line unless the file has it
add() {
    if ! grep -qxF -- "$1" "$hba"; then
        change "add to pg_hba.conf: $1"
        printf '%s\n' "$1" >> "$hba"
        say "pg_hba.conf: added $1"
    fi
}
for line do
    add "$line"
done
if [ "$changed" = 1 ]; then
    lpsql "$local_postgres" 'SELECT pg_reload_conf()' >/dev/null
fi
bad=$(lpsql "$local_postgres" 'SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL')
if [ "$bad" != 0 ]; then say "pg_hba.conf has $bad line(s) with errors (see pg_hba_file_rules)"; exit 1; fi
finish
