#!/bin/sh
# wait-publisher.sh: template of the step that waits, before a subscription
# is created, until its publisher has the publications (and the slot, when
# the subscription needs one made first). The generated step assigns node,
# port, bindir, passfile, publisher (its name), publisher_conninfo, count_sql
# (a query on the publisher), ready_count (its answer once all are there),
# and waiting (what to say while waiting).
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
# in a dry run nothing that this waits for is made: the wait ends at once
if dry; then finish; fi
# shellcheck disable=SC2317 # called by wait_for
ready() {
    peer "'$publisher'" psql -XAtq -d "$publisher_conninfo" -c "$count_sql" || return 1
    [ "$answer" = "$ready_count" ]
}
wait_for "$waiting" ready
say 'publisher ready'
finish
