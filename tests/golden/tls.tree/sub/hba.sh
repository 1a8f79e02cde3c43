#!/bin/sh
# replc: step hba.sh of node 'sub' (cluster 'tls'). Generated; do not edit.
# admit 1 peer line(s) in pg_hba.conf, reload
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='sub'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
mark='replc cluster tls'
slots=''
prune=0
set -- \
    'hostssl "app" "postgres" 10.3.0.1/32 scram-sha-256'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
setup
hba=$(lpsql "$local_postgres" 'SHOW hba_file')
if [ ! -f "$hba" ]; then say "cannot find pg_hba.conf ($hba)"; exit 1; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the derived lines, then the slot records: the block's body
for line do printf '%s\n' "$line"; done > "$tmp/derived"
if [ -n "$slots" ]; then printf '%s\n' "$slots" | sed 's/^/# slot /' >> "$tmp/derived"; fi
cp "$tmp/derived" "$tmp/body"
if [ ! -s "$tmp/derived" ] && ! grep -qxF -- "# BEGIN $mark" "$hba"; then finish; fi
# what the old block holds besides: kept, unless pruning
BEGIN_MARK="# BEGIN $mark" END_MARK="# END $mark" awk '
    $0 == ENVIRON["BEGIN_MARK"] { inb = 1; next }
    $0 == ENVIRON["END_MARK"] { inb = 0; next }
    inb { print }' "$hba" > "$tmp/old"
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
# without the derived lines outside it
BEGIN_MARK="# BEGIN $mark" END_MARK="# END $mark" BODY="$tmp/body" STRIP="$tmp/derived" awk '
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
if ! cmp -s "$hba" "$tmp/new"; then
    while IFS= read -r line; do
        if ! grep -qxF -- "$line" "$tmp/old"; then
            case $line in
            '# slot '*) ;;
            *) if grep -qxF -- "$line" "$hba"; then
                   change "move into replc's block of pg_hba.conf: $line"
               else
                   change "add to pg_hba.conf: $line"
                   say "pg_hba.conf: added $line"
               fi ;;
            esac
        fi
    done < "$tmp/derived"
    change "write replc's block of pg_hba.conf ($mark)"
    cat "$tmp/new" > "$hba"
    lpsql "$local_postgres" 'SELECT pg_reload_conf()' >/dev/null
fi
bad=$(lpsql "$local_postgres" 'SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL')
if [ "$bad" != 0 ]; then say "pg_hba.conf has $bad line(s) with errors (see pg_hba_file_rules)"; exit 1; fi
finish
