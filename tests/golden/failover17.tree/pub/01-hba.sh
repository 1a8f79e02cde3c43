#!/bin/sh
# replc: step 01-hba.sh of node 'pub' (cluster 'failover17'). Generated; do not edit.
# admit 1 peer line(s) in pg_hba.conf, reload
# Safe to run again: it checks what is in place first.
set -eu
PGPORT=${PGPORT:-5432}; export PGPORT
timeout=${REPLC_TIMEOUT:-300}
node=pub
say() { printf 'replc: %s: %s\n' "$node" "$*"; }
# change WHAT: about to change something (REPLC_DRY_RUN=1: say so and stop)
changed=0
change() {
    if [ "${REPLC_DRY_RUN:-0}" = 1 ]; then say "would $*"; echo 'replc-result: would-change'; exit 0; fi
    changed=1
}
# finish: the last line says whether anything changed
finish() { if [ "$changed" = 1 ]; then echo 'replc-result: changed'; else echo 'replc-result: ok'; fi; exit 0; }
hba=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SHOW hba_file')
if [ ! -f "$hba" ]; then say "cannot find pg_hba.conf ($hba)"; exit 1; fi
add() {
    if ! grep -qxF -- "$1" "$hba"; then
        change "add to pg_hba.conf: $1"
        printf '%s\n' "$1" >> "$hba"
        say "pg_hba.conf: added $1"
    fi
}
add 'host "app" "postgres" 10.7.0.2/32 scram-sha-256'
if [ "$changed" = 1 ]; then
    psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT pg_reload_conf()' >/dev/null
fi
bad=$(psql -XAtq -v ON_ERROR_STOP=1 -d 'dbname=postgres user=postgres' -c 'SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL')
if [ "$bad" != 0 ]; then say "pg_hba.conf has $bad line(s) with errors (see pg_hba_file_rules)"; exit 1; fi
finish
