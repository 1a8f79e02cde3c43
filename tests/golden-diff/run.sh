#!/bin/sh
# tests/golden-diff/run.sh REPLC: adding one subscription gives a small
# review diff. before.rc and after.rc differ by one subscription; the
# `diff -r` of their compiled trees must equal expected.diff byte for byte
# (tests/update-golden.sh regenerates it): the subscription's new files, a
# few changed lines in run.sh and the plan, no file renamed. The trees are
# compiled side by side in one temporary directory and diffed by their
# relative names, so nothing needs normalising.
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/before.rc" "$here/after.rc" "$tmp/"
cd "$tmp" || exit 1
check "before.rc compiles" "$replc" --color never before.rc -o before
check "after.rc compiles" "$replc" --color never after.rc -o after
diff -r before after > got.diff
check "the diff of the two trees is expected.diff" diff -u "$here/expected.diff" got.diff
# no step file of before is missing from after: nothing renamed
missing=$(diff -r before after | grep '^Only in before' || true)
check "no file of before.rc's tree is gone from after.rc's (nothing renamed)" test -z "$missing"

# Names that map to the same file name: a_b keeps its plain name, whatever
# else the node holds; the others get a tag of their real name, and no two
# steps share a file.
cat > clash.rc <<'RC'
cluster clash;
defaults { version 15; }
table t (k int primary key);
node p { host "10.0.0.1"; publish pub (t); }
node s {
    host "10.0.0.2";
    subscribe a_b to p (pub) with (slot_name = s1);
    subscribe "a-b" to p (pub) with (slot_name = s2, copy_data = false);
    subscribe "A_B" to p (pub) with (slot_name = s3, copy_data = false);
}
RC
check "a topology whose subscription names clash as file names compiles" \
    "$replc" --color never clash.rc -o clash
check "the file-safe name keeps its plain file: subscribe.a_b.sql" test -f clash/s/subscribe.a_b.sql
subs=$(cd clash/s && printf '%s\n' subscribe.*.sql)
check "three subscriptions, three subscribe files" test "$(printf '%s\n' "$subs" | wc -l)" = 3
check "the others are a_b with a tag: subscribe.a_b-XXXXXXXX.sql" \
    test "$(printf '%s\n' "$subs" | grep -c '^subscribe\.a_b-[0-9a-f]\{8\}\.sql$')" = 2
check "run.sh runs three different subscribe files" \
    test "$(grep -o "^    'subscribe\.[^']*'" clash/s/run.sh | sort -u | wc -l)" = 3
check "the plan has three different subscribe step ids" \
    test "$(grep -o '^  s/subscribe\.[^ ]*' clash/plan.txt | sort -u | wc -l)" = 3
"$replc" --color never clash.rc -o clash2 2>/dev/null
check "the tags are the same on every run" diff -r clash clash2
finish
