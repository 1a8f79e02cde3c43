#!/bin/sh
# tests/split.sh REPLC: a topology cut into many files (bench/split-topology.py)
# compiles to what the same topology in one file does: `--check` prints the
# same, the -o trees are the same. replc gives back each file's part of the
# syntax tree, strings included, once its last node is resolved, and copies
# into the model what it keeps (src/check.c keep_str, grammar/lex.h LexLife):
# this guards that nothing read later was in a file given back. The
# topology is bench/gen-topology.py's 2,000 nodes and, in the last files,
# nodes that use what the model copies (settings, server settings in the
# defaults and a node, options, names of subscriptions, schemas, column
# types of several words, a standby's options) and refer to the first files.
set -u
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() { fail=$((fail + 1)); echo "not ok - $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$top/bench/gen-topology.py" 2000 --seed 3 > "$tmp/gen.rc" || { echo "Bail out! gen-topology.py"; exit 1; }
# the defaults of the generated topology get server settings (in the first file)
awk '{ print } /^defaults \{/ { print "    set work_mem = \"8MB\";"; print "    set pg_stat_statements.max = 5000;";
       print "    sslmode prefer;"; print "    service pg_ctl;" }' "$tmp/gen.rc" > "$tmp/one.rc"
cat >> "$tmp/one.rc" <<'EOF'
table app.accounts (id bigint primary key, owner text not null, balance numeric(12, 2), tags text[],
    created timestamp with time zone);
table "Ledger" (entry bigint, line int, note character varying(200), primary key (entry, line)) replica identity full;
node hub {
    host "10.9.0.1";
    port 5433;
    database ledger;
    user admin;
    pgdata "/srv/pg/hub";
    bindir "/usr/lib/postgresql/16/bin";
    version 16;
    ssh "ops@jump-hub";
    replication_user replicator;
    replication_password env REPL_PW;
    password file "/etc/replc/hub.pw";
    set max_wal_senders = 40;
    set auto_explain.log_min_duration = "250ms";
    publish ledger_pub (app.accounts, "Ledger") with (publish = "insert, update", publish_via_partition_root);
    publish everything all tables;
    subscribe from_first to n_0 (pub_0) with (slot_name = hub_slot_0, synchronous_commit = "off", binary);
    subscribe to n_1 (pub_1);
}
node "edge-1" {
    host "10.9.0.2";
    version 16;
    user admin;
    sslmode require;
    subscribe ledger_copy to hub (ledger_pub) with (streaming = parallel, origin = none, copy_data = false);
    subscribe to n_2 (pub_2);
}
node hub_standby {
    host "10.9.0.3";
    version 16;
    standby from hub with (slot = hub_standby_slot, delay = "5min");
}
node late_standby {
    host "10.9.0.4";
    standby from n_0;
}
EOF
python3 "$top/bench/split-topology.py" "$tmp/one.rc" "$tmp/split" 40000 > /dev/null
nfiles=$(find "$tmp/split" -type f | wc -l)
if [ "$nfiles" -ge 8 ]; then
    ok "the topology is cut into $nfiles files"
else
    nok "the topology is cut into $nfiles files (want at least 8)"
fi

"$replc" --check "$tmp/one.rc" > "$tmp/check.one" 2> "$tmp/err.one"
a=$?
"$replc" --check "$tmp/split/main.rc" > "$tmp/check.split" 2> "$tmp/err.split"
b=$?
sed "s|$tmp/one\.rc|SOURCE|" "$tmp/check.one" > "$tmp/a"
sed "s|$tmp/split/main\.rc|SOURCE|" "$tmp/check.split" > "$tmp/b"
if [ "$a" = 0 ] && [ "$b" = 0 ] && grep -q "2004 nodes" "$tmp/a" && cmp -s "$tmp/a" "$tmp/b"; then
    ok "--check prints the same for one file and for $nfiles files"
else
    nok "--check prints the same for one file and for $nfiles files (exit $a, $b)"
    diff "$tmp/a" "$tmp/b" | head -20 | sed 's/^/# /'
    head -5 "$tmp/err.one" "$tmp/err.split" | sed 's/^/# /'
fi
# its warnings, but for where they are (the file and line; the excerpt)
for f in one split; do
    sed -E 's|^[^ ]*:[0-9]+:[0-9]+: ||; /^ *[0-9]* [|]/d; /^ *[|]/d' "$tmp/err.$f" > "$tmp/w.$f"
done
if grep -q "warning: node 'n_0' holds" "$tmp/w.one" && cmp -s "$tmp/w.one" "$tmp/w.split"; then
    ok "the same warnings for one file and for $nfiles files"
else
    nok "the same warnings for one file and for $nfiles files"
    diff "$tmp/w.one" "$tmp/w.split" | head -20 | sed 's/^/# /'
fi

"$replc" "$tmp/one.rc" -o "$tmp/out.one" > /dev/null 2>&1
a=$?
"$replc" "$tmp/split/main.rc" -o "$tmp/out.split" > /dev/null 2>&1
b=$?
# the plan names its source; every other byte is the same
if [ "$a" = 0 ] && [ "$b" = 0 ] && [ -f "$tmp/out.one/hub/run.sh" ] &&
    diff -r -x plan.txt -x plan.json "$tmp/out.one" "$tmp/out.split" > "$tmp/tree.diff"; then
    ok "-o writes the same tree for one file and for $nfiles files"
else
    nok "-o writes the same tree for one file and for $nfiles files (exit $a, $b)"
    head -20 "$tmp/tree.diff" | sed 's/^/# /'
fi
for f in plan.txt plan.json; do
    if [ -f "$tmp/out.one/$f" ] &&
        sed 's|one\.rc|SOURCE|g' "$tmp/out.one/$f" > "$tmp/a" && sed 's|split/main\.rc|SOURCE|g' "$tmp/out.split/$f" > "$tmp/b" &&
        cmp -s "$tmp/a" "$tmp/b"; then
        ok "$f is the same but for the source's name"
    else
        nok "$f is the same but for the source's name"
        diff "$tmp/a" "$tmp/b" | head -10 | sed 's/^/# /'
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
