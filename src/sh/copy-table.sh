#!/bin/sh
# copy-table.sh: template of the step that copies a table's definition from
# its publisher when this host does not have the table. The generated step
# assigns node, port, bindir, passfile, local_db, publisher (its name),
# publisher_conninfo, table (its name as the topology writes it), exists_sql
# (true when the table exists) and dump_pattern (pg_dump's --table pattern).
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
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
