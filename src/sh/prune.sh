#!/bin/sh
# prune.sh: template of the step that drops what replc made for this cluster
# on this host and the topology no longer declares (replc --prune). It runs
# first on the host. The generated step assigns node, port, bindir, passfile,
# local_postgres and local_db (conninfo of the local 'postgres' database and
# of the node's), database (the node's), mark ('replc cluster NAME'), and
# what the topology declares here, one name a line: keep_subs
# (subscriptions), keep_pubs (publications), keep_slots (physical slots of
# its standbys).
#
# Only what carries the mark is touched: subscriptions and publications whose
# COMMENT is the mark (or, a subscription the topology declared disabled,
# the mark and '; declared disabled': model_sub_mark), physical slots recorded
# in replc's block of pg_hba.conf ('# slot NAME'). A subscription goes the way PostgreSQL's docs
# say for a slot that must outlive it: DISABLE, SET (slot_name = NONE),
# DROP SUBSCRIPTION, then its slot is dropped on the publisher (through the
# subscription's own connection string). Tables and rows are never dropped.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
would=0
# drop WHAT: about to drop WHAT (a dry run lists every one, then stops)
drop() {
    if dry; then say "would drop $*"; would=1; return 1; fi
    changed=1
    say "dropping $*"
}
# vpsql CONNINFO SQL: SQL read from standard input, so that psql puts the
# values in (:'x' as a literal, :"x" as an identifier); no value is ever
# spliced into the text
vpsql() {
    printf '%s\n' "$2" | psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -v mark="$mark" -v keep_subs="$keep_subs" \
        -v keep_pubs="$keep_pubs" -v name="${name:-}" -v slot="${slot:-}" -v db="$database"
}
us=$(printf '\037')
# slot_gone: the slot $slot of the dropped subscription $name is gone from
# its publisher ($conninfo): dropped once its walsender has ended
slot_gone() {
    peer "the publisher of $name" vpsql "$conninfo connect_timeout=5" \
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :'slot' AND NOT active;
SELECT count(*) FROM pg_replication_slots WHERE slot_name = :'slot'" &&
        [ "$(printf '%s\n' "$answer" | tail -n 1)" = 0 ]
}

have_db=$(vpsql "$local_postgres" "SELECT EXISTS (SELECT FROM pg_database WHERE datname = :'db')")
if [ "$have_db" = t ]; then
    subs=$(vpsql "$local_db" "SELECT s.subname || chr(31) || coalesce(s.subslotname, '') || chr(31) || s.subconninfo
        FROM pg_subscription s
        WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND obj_description(s.oid, 'pg_subscription') IN (:'mark', :'mark' || '; declared disabled')
          AND s.subname <> ALL (string_to_array(:'keep_subs', E'\\n'))
        ORDER BY s.subname")
    while IFS=$us read -r name slot conninfo; do
        [ -n "$name" ] || continue
        drop "subscription $name${slot:+ and its slot $slot on the publisher}" || continue
        vpsql "$local_db" 'ALTER SUBSCRIPTION :"name" DISABLE;
ALTER SUBSCRIPTION :"name" SET (slot_name = NONE);
DROP SUBSCRIPTION :"name";' >/dev/null
        # its slot on the publisher: dropped from here when the publisher answers,
        # else by the publisher's own prune step (it records the slot)
        # (for about 10 s: its walsender may take a moment to end)
        deadline=$(($(date +%s) + 10))
        while [ -n "$slot" ] && ! slot_gone; do
            if [ "$(date +%s)" -ge "$deadline" ]; then
                say "slot $slot on the publisher of $name not dropped from here (${last_error:-busy}); the publisher's prune step drops it"
                break
            fi
            nap
        done
    done <<END
$subs
END
    pubs=$(vpsql "$local_db" "SELECT pubname FROM pg_publication
        WHERE obj_description(oid, 'pg_publication') = :'mark'
          AND pubname <> ALL (string_to_array(:'keep_pubs', E'\\n'))
        ORDER BY pubname")
    while IFS= read -r name; do
        [ -n "$name" ] || continue
        drop "publication $name" || continue
        vpsql "$local_db" 'DROP PUBLICATION :"name";' >/dev/null
    done <<END
$pubs
END
fi

# the slots recorded in replc's block that the topology no longer makes: a
# standby's physical slot, a subscriber's logical slot
hba=$(lpsql "$local_postgres" 'SHOW hba_file')
recorded=$(BEGIN_MARK="# BEGIN $mark" END_MARK="# END $mark" awk '
    $0 == ENVIRON["BEGIN_MARK"] { inb = 1; next }
    $0 == ENVIRON["END_MARK"] { inb = 0; next }
    inb && /^# slot / { print substr($0, 8) }' "$hba")
# slot_dropped: $slot is gone, dropped here once its consumer released it; a
# removed subscription's subscriber may drop it at the same time (its error
# then is no error)
# shellcheck disable=SC2317 # called by wait_for
slot_dropped() {
    vpsql "$local_postgres" "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :'slot' AND NOT active" >/dev/null 2>&1 || true
    [ "$(vpsql "$local_postgres" "SELECT count(*) FROM pg_replication_slots WHERE slot_name = :'slot'")" = 0 ]
}
while IFS= read -r slot; do
    [ -n "$slot" ] || continue
    if printf '%s\n' "$keep_slots" | grep -qxF -- "$slot"; then continue; fi
    state=$(vpsql "$local_postgres" "SELECT coalesce((SELECT slot_type || ' ' || active FROM pg_replication_slots WHERE slot_name = :'slot'), 'none')")
    case $state in
    none) continue ;;
    'physical true')
        say "physical slot $slot is in use: its standby, no longer in the topology, still streams; stop it first"
        exit 1 ;;
    esac
    drop "${state%% *} slot $slot (no longer in the topology)" || continue
    # a removed subscription's slot is busy until its subscriber's prune step disables it
    wait_for "slot $slot to be released by its consumer, which is no longer in the topology" slot_dropped
done <<END
$recorded
END
if [ "$would" = 1 ]; then echo 'replc-result: would-change'; exit 0; fi
finish
