#!/bin/sh
# replc: step hba.sh of node 'delta' (cluster 'standby-publisher'). Generated; do not edit.
# admit 1 peer line(s) in pg_hba.conf, reload
# Safe to run again: it checks what is in place first.
# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \ in them stays literal
set -eu
node='delta'
port=5432
bindir=''
passfile=''
local_postgres='dbname=postgres user=postgres'
mark='replc cluster standby-publisher'
slots=''
prune=0
sql_equivalent='WITH r AS (SELECT coalesce(to_jsonb(h) ->> '\''file_name'\'', current_setting('\''hba_file'\'')) AS file, h.line_number AS line, coalesce((to_jsonb(h) ->> '\''rule_number'\'')::int, h.line_number) AS n, h.type, h.database, h.user_name, h.address, h.netmask, h.auth_method, h.options FROM pg_hba_file_rules h WHERE h.error IS NULL), w0 (k, text, why, type, db, phys, usr, ip, cidr, addr, method) AS (VALUES (0, '\''host "repl" "postgres" 10.2.0.1/32 scram-sha-256'\'', '\''its publisher '\'''\''alpha'\'''\'' checks its columns before adding them'\'', '\''host'\'', '\''repl'\'', false, '\''postgres'\'', '\''10.2.0.1'\''::inet, '\''10.2.0.1/32'\''::inet, '\''10.2.0.1/32'\'', '\''scram-sha-256'\'')), w AS (SELECT w0.*, (WITH RECURSIVE m (oid) AS (SELECT oid FROM pg_roles WHERE rolname = w0.usr UNION SELECT am.roleid FROM pg_auth_members am JOIN m ON am.member = m.oid) SELECT array_agg(g.rolname) FROM m JOIN pg_roles g ON g.oid = m.oid) AS roles FROM w0) SELECT w.text || chr(31) || r.file || '\'':'\'' || r.line FROM w JOIN r ON r.type = w.type AND r.database = ARRAY[w.db] AND r.user_name = ARRAY[w.usr] AND r.auth_method = w.method AND r.options IS NULL AND CASE WHEN w.ip IS NULL OR r.netmask IS NULL THEN r.address = w.addr ELSE r.address = host(w.ip) AND r.netmask::inet = netmask(w.cidr) END WHERE split_part(pg_read_file(r.file), E'\''\n'\'', r.line) <> w.text ORDER BY w.k, r.n'
sql_shadowed='WITH r AS (SELECT coalesce(to_jsonb(h) ->> '\''file_name'\'', current_setting('\''hba_file'\'')) AS file, h.line_number AS line, coalesce((to_jsonb(h) ->> '\''rule_number'\'')::int, h.line_number) AS n, h.type, h.database, h.user_name, h.address, h.netmask, h.auth_method, h.options FROM pg_hba_file_rules h WHERE h.error IS NULL), w0 (k, text, why, type, db, phys, usr, ip, cidr, addr, method) AS (VALUES (0, '\''host "repl" "postgres" 10.2.0.1/32 scram-sha-256'\'', '\''its publisher '\'''\''alpha'\'''\'' checks its columns before adding them'\'', '\''host'\'', '\''repl'\'', false, '\''postgres'\'', '\''10.2.0.1'\''::inet, '\''10.2.0.1/32'\''::inet, '\''10.2.0.1/32'\'', '\''scram-sha-256'\'')), w AS (SELECT w0.*, (WITH RECURSIVE m (oid) AS (SELECT oid FROM pg_roles WHERE rolname = w0.usr UNION SELECT am.roleid FROM pg_auth_members am JOIN m ON am.member = m.oid) SELECT array_agg(g.rolname) FROM m JOIN pg_roles g ON g.oid = m.oid) AS roles FROM w0) SELECT w.text || chr(31) || w.why || chr(31) || coalesce(f.file || '\'':'\'' || f.line || chr(31) || f.raw, '\'''\'') FROM w LEFT JOIN LATERAL (SELECT min(r.n) AS n FROM r WHERE r.type IN ('\''host'\'', w.type) AND CASE WHEN w.phys THEN '\''replication'\'' = ANY (r.database) ELSE '\''all'\'' = ANY (r.database) OR w.db = ANY (r.database) END AND ('\''all'\'' = ANY (r.user_name) OR w.usr = ANY (r.user_name)) AND CASE WHEN r.address = '\''all'\'' THEN true WHEN r.netmask IS NULL OR w.ip IS NULL THEN r.netmask IS NULL AND r.address = w.addr WHEN family(r.address::inet) <> family(w.ip) THEN false ELSE (w.ip & r.netmask::inet) = (r.address::inet & r.netmask::inet) END AND r.options IS NULL AND (r.auth_method = w.method OR (w.method = '\''scram-sha-256'\'' AND r.auth_method = '\''md5'\''))) t ON true LEFT JOIN LATERAL (SELECT r.*, split_part(pg_read_file(r.file), E'\''\n'\'', r.line) AS raw FROM r WHERE r.type <> '\''local'\'' AND NOT (w.type = '\''hostssl'\'' AND r.type IN ('\''hostnossl'\'', '\''hostgssenc'\'')) AND EXISTS (SELECT FROM unnest(r.database) d WHERE CASE WHEN w.phys THEN d = '\''replication'\'' ELSE d IN ('\''all'\'', w.db) OR (d = '\''sameuser'\'' AND w.db = w.usr) OR (d IN ('\''samerole'\'', '\''samegroup'\'') AND coalesce(w.db = ANY (w.roles), true)) OR (d LIKE '\''/%'\'' AND current_setting('\''server_version_num'\'')::int >= 160000 AND w.db ~ substr(d, 2)) END) AND EXISTS (SELECT FROM unnest(r.user_name) u WHERE u IN ('\''all'\'', w.usr) OR (u LIKE '\''+%'\'' AND coalesce(substr(u, 2) = ANY (w.roles), true)) OR (u LIKE '\''/%'\'' AND current_setting('\''server_version_num'\'')::int >= 160000 AND w.usr ~ substr(u, 2))) AND CASE WHEN r.netmask IS NULL OR w.ip IS NULL THEN true WHEN family(r.address::inet) <> family(w.ip) THEN false ELSE (w.ip & r.netmask::inet) = (r.address::inet & r.netmask::inet) END AND NOT (r.options IS NULL AND (r.auth_method = w.method OR (w.method = '\''scram-sha-256'\'' AND r.auth_method = '\''md5'\''))) AND (t.n IS NULL OR r.n < t.n) ORDER BY r.n LIMIT 1) f ON true WHERE f.line IS NOT NULL OR t.n IS NULL ORDER BY w.k'
set -- \
    'host "repl" "postgres" 10.2.0.1/32 scram-sha-256'
# the common functions, from this directory (replc --apply sends them ahead)
# shellcheck source-path=SCRIPTDIR source=lib.sh
[ -n "${replc_lib:-}" ] || . "$(dirname "$0")/lib.sh"
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
