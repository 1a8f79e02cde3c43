#!/bin/sh
# replc: step copy-table.legacy.audit.sh of node 'sub2' (cluster 'traps'). Generated; do not edit.
# copy the definition of 'legacy.audit' from 'pub' if missing
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='sub2'
port=5432
bindir=''
passfile=''
local_db='dbname=app user=postgres'
publisher='pub'
publisher_conninfo='host=pub.example port=5432 dbname=app user=postgres'
table='legacy.audit'
exists_sql='SELECT to_regclass('\''legacy.audit'\'') IS NOT NULL'
dump_pattern='"legacy"."audit"'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
here() { [ "$(lpsql "$local_db" "$exists_sql")" = t ]; }
# shellcheck disable=SC2317 # called by wait_for
there() { [ "$(psql -XAtq -d "$publisher_conninfo" -c "$exists_sql" 2>/dev/null)" = t ]; }
if here; then say 'table already here'; finish; fi
change "copy the definition of '$table' from '$publisher'"
wait_for "table '$table' on '$publisher'" there
pg_dump --schema-only --no-owner --no-privileges --no-publications --no-subscriptions -d "$publisher_conninfo" --table="$dump_pattern" | psql -X -q -v ON_ERROR_STOP=1 -d "$local_db"
say 'table definition copied'
finish
