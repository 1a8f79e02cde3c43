#!/bin/sh
# shellcheck disable=SC2317   # nowhere runs through check
# tests/promises.sh REPLC: CLI.md's promises that need no server, and what
# -o does with errors and with its output directory. (Runnable and idempotent
# scripts are proven on real servers by tests/integration/scripts.sh; the
# command line's options and exit statuses by tests/cli.sh.)
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# nowhere REGEX PATH: PATH (a directory or a file) holds files and none of
# them matches REGEX (a missing or empty PATH fails: nothing to vouch for)
nowhere() {
    [ -n "$(find "$2" -type f 2>/dev/null | head -1)" ] || { echo "no generated file in $2"; return 1; }
    grep -rlE -- "$1" "$2"
    [ $? = 1 ]
}

# 1. deterministic: twice, and from another directory with another path
"$replc" examples/topology.rc -o "$tmp/a" 2>/dev/null
"$replc" examples/topology.rc -o "$tmp/b" 2>/dev/null
(cd "$tmp" && cp "$top/examples/topology.rc" t.rc && "$replc" "$tmp/t.rc" -o "$tmp/c" 2>/dev/null)
check "deterministic: the same input twice gives byte-identical trees" diff -r "$tmp/a" "$tmp/b"
check "deterministic: another working directory and path give the same tree" diff -r "$tmp/a" "$tmp/c"
check "deterministic: no absolute path of this machine in the output" nowhere "$top" "$tmp/a"

# 4. no secrets: a literal password and an environment password
cat > "$tmp/secret.rc" <<'RC'
cluster s;
defaults { version 15; database d; }
table t (id int primary key);
node a { host "10.0.0.1"; password "Lit3ral-S3cret"; publish p (t); }
node b { host "10.0.0.2"; password env B_PASSWORD; subscribe to a (p); }
node c { host "10.0.0.3"; standby from b; pgdata "/d"; }
RC
B_PASSWORD=Env-S3cret PGPASSWORD=Env-S3cret2 "$replc" "$tmp/secret.rc" -o "$tmp/s" 2> "$tmp/s.err"
check "no secrets: a literal password is warned about" grep -q 'literal-password' "$tmp/s.err"
check "no secrets: the literal password is in no generated file" nowhere 'Lit3ral-S3cret' "$tmp/s"
check "no secrets: passwords from the environment are in no generated file" nowhere 'Env-S3cret' "$tmp/s"
check "no secrets: nor in the diagnostics" nowhere 'Lit3ral-S3cret|Env-S3cret' "$tmp/s.err"
check "no secrets: scripts read the password from the named variable" grep -rq 'B_PASSWORD' "$tmp/s/c/pgpass.sh"

# nothing written when there is an error
printf 'node a { publish p (nope); }\n' > "$tmp/bad.rc"
"$replc" "$tmp/bad.rc" -o "$tmp/bad-out" 2>/dev/null; st=$?
check "an error exits 1" test "$st" = 1
check "an error writes nothing" test ! -e "$tmp/bad-out"

# output directory handling
mkdir "$tmp/foreign"; echo keep > "$tmp/foreign/notes.txt"
"$replc" examples/topology.rc -o "$tmp/foreign" 2>/dev/null; st=$?
check "refuses a non-empty directory replc did not write" test "$st" = 1
check "and leaves its files alone" test -f "$tmp/foreign/notes.txt"
"$replc" examples/topology.rc -o "$tmp/re" 2>/dev/null
echo mine > "$tmp/re/otus11-1/NOTES"
sed '/^node otus11-4/,/^}/d' examples/topology.rc > "$tmp/three.rc"
"$replc" "$tmp/three.rc" -o "$tmp/re" 2>/dev/null
check "recompiling removes the scripts of a node that is gone" test ! -e "$tmp/re/otus11-4"
check "recompiling keeps files replc did not write" test -f "$tmp/re/otus11-1/NOTES"
# step files of an older replc (numbered) and of a subscription now gone are replc's
echo old > "$tmp/re/otus11-1/05-database.sql"
echo old > "$tmp/re/otus11-1/09-subscribe-subs_test2.sql"
echo mine > "$tmp/re/otus11-1/my-notes.sql"
sed 's/^    subscribe subs_test2 to otus11-2 (publ_test2);$//' "$tmp/three.rc" > "$tmp/nosub.rc"
"$replc" "$tmp/nosub.rc" -o "$tmp/re" 2>/dev/null
check "recompiling removes a gone subscription's step files" \
    test ! -e "$tmp/re/otus11-1/subscribe.subs_test2.sql" -a ! -e "$tmp/re/otus11-1/wait-sync.subs_test2.sh"
check "recompiling removes the numbered step files of an older replc" \
    test ! -e "$tmp/re/otus11-1/05-database.sql" -a ! -e "$tmp/re/otus11-1/09-subscribe-subs_test2.sql"
check "recompiling keeps a .sql file replc would not write" test -f "$tmp/re/otus11-1/my-notes.sql"
check "recompiling writes the current step files" test -f "$tmp/re/otus11-1/database.sql"

for code in $(sed -n 's/^    {"\([a-z-]*\)",.*/\1/p' src/explain.c); do
    grep -q "\[$code\]\|\"$code\"" src/*.c grammar/*.y grammar/*.l 2>/dev/null || not_ok "explain code $code is never reported"
done
finish
