#!/bin/sh
# replc: step 02-hba.sh of node 'otus11-2' (cluster 'postgres2021-2147483647'). Generated; do not edit.
# admit 3 peer line(s) in pg_hba.conf, reload
# Safe to run again: it checks what is in place first.
set -eu
PATH=/usr/lib/postgresql/15/bin:$PATH; export PATH
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node=otus11-2
say() { printf 'replc: %s: %s\n' "$node" "$*"; }
hba=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SHOW hba_file')
if [ ! -f "$hba" ]; then say "cannot find pg_hba.conf ($hba)"; exit 1; fi
changed=0
add() {
    if ! grep -qxF -- "$1" "$hba"; then
        printf '%s\n' "$1" >> "$hba"
        changed=1
        say "pg_hba.conf: added $1"
    fi
}
add 'host "repl" "postgres" 192.168.56.11/32 scram-sha-256'
add 'host "repl" "postgres" 192.168.56.13/32 scram-sha-256'
add 'host "repl" "postgres" 192.168.56.14/32 scram-sha-256'
if [ "$changed" = 1 ]; then
    psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT pg_reload_conf()' >/dev/null
fi
bad=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL')
if [ "$bad" != 0 ]; then say "pg_hba.conf has $bad line(s) with errors (see pg_hba_file_rules)"; exit 1; fi
