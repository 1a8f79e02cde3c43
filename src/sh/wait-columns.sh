#!/bin/sh
# wait-columns.sh: template of the step that, before the publisher adds a
# column to a table it publishes, waits until a subscriber has it
# (PostgreSQL's order: subscribers first; a row that carries the new column
# stops at a subscriber that lacks it). The generated step assigns node,
# port, bindir, passfile, local_db, add_sql (on this server: how many
# columns its columns step will add; 0: no wait), subscriber (its name; ''
# when no order can hold), subscriber_conninfo, missing_sql (on the
# subscriber: how many of the columns it lacks) and waiting.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
if [ -z "$subscriber" ]; then finish; fi
# nothing to add here (or the tables are still to be made): nothing to wait for
if ! to_add=$(lpsql "$local_db" "$add_sql" 2>/dev/null) || [ "$to_add" = 0 ]; then finish; fi
if dry; then finish; fi
# shellcheck disable=SC2317 # called by wait_for
ready() {
    peer "'$subscriber'" psql -XAtq -d "$subscriber_conninfo" -c "$missing_sql" || return 1
    if [ "$answer" = 0 ]; then return 0; fi
    last_error="'$subscriber' lacks $answer column(s)"
    return 1
}
wait_for "$waiting" ready
say "'$subscriber' has the columns"
finish
