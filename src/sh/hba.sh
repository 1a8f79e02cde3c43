#!/bin/sh
# hba.sh: template of the step that writes this host's derived lines into
# replc's block of pg_hba.conf and reloads. The generated step assigns node,
# port, bindir, passfile, local_postgres (conninfo of the local 'postgres'
# database), mark ('replc cluster NAME'), slots (the physical slots replc
# makes on this host for its standbys, one a line), prune (1: drop the
# block's lines that are no longer derived), sql_equivalent and sql_shadowed
# (queries of stepsql.c: sql_hba_equivalent, sql_hba_shadowed), and sets
# "$@" to the lines, each quoted for pg_hba.conf.
#
# The block:
#     # BEGIN replc cluster NAME
#     host ...                   (the derived lines)
#     # slot NAME                (a physical slot replc made here: --prune
#                                 drops it once no standby declares it)
#     # END replc cluster NAME
# A derived line found outside the block (replc wrote them unmarked before)
# moves into it; one the file has written another way (same type, database,
# user, address and method) is not added. Lines that are no longer derived
# stay until --prune.
#
# The new file is checked before the server loads it (pg_hba_file_rules
# reads the file on disk): no line with an error, and each of replc's lines
# takes its peer's connection: no rule before it (or before one with the
# same method) that may match the connection has another method; there is
# no fall-through past a 'reject' line. Otherwise the previous file is put
# back, nothing is reloaded, and the step stops naming the lines (file:line).
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
hba=$(lpsql "$local_postgres" 'SHOW hba_file')
if [ ! -f "$hba" ]; then say "cannot find pg_hba.conf ($hba)"; exit 1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
us=$(printf '\037')
# the derived lines, then the slot records
for line do printf '%s\n' "$line"; done > "$tmp/derived"
if [ -n "$slots" ]; then printf '%s\n' "$slots" | sed 's/^/# slot /' >> "$tmp/derived"; fi
if [ ! -s "$tmp/derived" ] && ! grep -qxF -- "# BEGIN $mark" "$hba"; then finish; fi
# what the old block holds
BEGIN_MARK="# BEGIN $mark" END_MARK="# END $mark" awk '
    $0 == ENVIRON["BEGIN_MARK"] { inb = 1; next }
    $0 == ENVIRON["END_MARK"] { inb = 0; next }
    inb { print }' "$hba" > "$tmp/old"
# the block's body: the derived lines, but one the file has written another
# way and the block does not hold yet; then what the old block holds
# besides, unless pruning
lpsql "$local_postgres" "$sql_equivalent" > "$tmp/equivalent"
: > "$tmp/body"
while IFS= read -r line; do
    where=
    if ! grep -qxF -- "$line" "$tmp/old"; then
        where=$(L=$line awk -F "$us" '$1 == ENVIRON["L"] { print $2; exit }' "$tmp/equivalent")
    fi
    if [ -n "$where" ]; then
        say "pg_hba.conf: not added, $where has it written another way: $line"
    else
        printf '%s\n' "$line" >> "$tmp/body"
    fi
done < "$tmp/derived"
cp "$tmp/body" "$tmp/keep"
while IFS= read -r line; do
    if ! grep -qxF -- "$line" "$tmp/derived"; then
        if [ "$prune" = 1 ]; then
            change "remove from pg_hba.conf's block (no longer derived): $line"
            say "pg_hba.conf: removed $line"
        else
            printf '%s\n' "$line" >> "$tmp/body"
        fi
    fi
done < "$tmp/old"
# the file with the block in place (where it was, else at the end), and
# without the block's lines outside it; awk ends every line, a last line
# without its newline too
BEGIN_MARK="# BEGIN $mark" END_MARK="# END $mark" BODY="$tmp/body" STRIP="$tmp/keep" awk '
    BEGIN { while ((getline l < ENVIRON["STRIP"]) > 0) strip[l] = 1
            n = 0; while ((getline l < ENVIRON["BODY"]) > 0) body[++n] = l }
    function put(  i) { print ENVIRON["BEGIN_MARK"]; for (i = 1; i <= n; i++) print body[i]
                        print ENVIRON["END_MARK"]; done = 1 }
    $0 == ENVIRON["BEGIN_MARK"] { inb = 1; if (!done) put(); next }
    inb && $0 == ENVIRON["END_MARK"] { inb = 0; next }
    inb { next }
    ($0 in strip) && $0 !~ /^#/ { next }
    { print }
    END { if (!done) put() }' "$hba" > "$tmp/new"
written=0
if ! cmp -s "$hba" "$tmp/new"; then
    while IFS= read -r line; do
        if ! grep -qxF -- "$line" "$tmp/old"; then
            case $line in
            '# slot '*) ;;
            *) if grep -qxF -- "$line" "$hba"; then
                   change "move into replc's block of pg_hba.conf: $line"
               else
                   change "add to pg_hba.conf: $line"
                   printf '%s\n' "$line" >> "$tmp/added"
               fi ;;
            esac
        fi
    done < "$tmp/keep"
    change "write replc's block of pg_hba.conf ($mark)"
    cp -p "$hba" "$tmp/previous"
    cat "$tmp/new" > "$hba"
    written=1
fi
# refuse: the file on disk must not be loaded; the previous one is put back
refuse() {
    if [ "$written" = 1 ]; then
        cat "$tmp/previous" > "$hba"
        say "the previous pg_hba.conf is back in place; the server did not reload"
    fi
    exit 1
}
errors=$(lpsql "$local_postgres" "SELECT coalesce(to_jsonb(h) ->> 'file_name', current_setting('hba_file')) || ':' || h.line_number || ': ' || h.error FROM pg_hba_file_rules h WHERE h.error IS NOT NULL")
if [ -n "$errors" ]; then
    printf '%s\n' "$errors" | while IFS= read -r e; do say "pg_hba.conf has an error: $e"; done
    refuse
fi
shadowed=$(lpsql "$local_postgres" "$sql_shadowed")
if [ -n "$shadowed" ]; then
    printf '%s\n' "$shadowed" | while IFS=$us read -r line why where text; do
        if [ -n "$where" ]; then
            say "$where: '$text' takes the connection of $why first, so replc's line '$line' would not take effect (a rule that matches ends the search)"
        else
            say "no rule of pg_hba.conf takes the connection of $why: '$line'"
        fi
    done
    say "remove or narrow that line, or move it below replc's block ('# BEGIN $mark'), then run replc again"
    refuse
fi
if [ "$written" = 1 ]; then
    lpsql "$local_postgres" 'SELECT pg_reload_conf()' >/dev/null
    if [ -f "$tmp/added" ]; then
        while IFS= read -r line; do say "pg_hba.conf: added $line"; done < "$tmp/added"
    fi
fi
finish
