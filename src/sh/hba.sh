#!/bin/sh
# hba.sh: template of the step that adds this host's derived lines to
# pg_hba.conf and reloads. The generated step assigns node, port, bindir,
# passfile, local_postgres (conninfo of the local 'postgres' database), and
# sets "$@" to the lines, each quoted for pg_hba.conf.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
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
