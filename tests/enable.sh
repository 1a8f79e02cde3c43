#!/bin/sh
# tests/enable.sh REPLC: the enable step, as compiled. Up to PostgreSQL 15 a
# node with two or more subscriptions that run gets them created disabled
# and enabled together by enable.sql (one launcher pass); one declared
# 'enabled = no' is left out; 16 and later, and a node with one running
# subscription, are compiled as before. (On real servers:
# tests/integration/enable.sh.)
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# topo VERSION [OFF-OPTION]: p1 publishes a and c, p2 publishes b; s
# subscribes sa to p1, sb to p2, and sc to p1 with OFF-OPTION
topo() {
    cat > "$tmp/t$1.rc" <<RC
cluster e;
defaults { version $1; database d; password env PW; }
table ta (id int primary key);
table tb (id int primary key);
table tc (id int primary key);
node p1 { host "10.0.0.1"; publish pa (ta); publish pc (tc); }
node p2 { host "10.0.0.2"; publish pb (tb); }
node s {
    host "10.0.0.3";
    subscribe sa to p1 (pa);
    subscribe sb to p2 (pb) with (enabled = yes);
    subscribe sc to p1 (pc)${2:+ with ($2)};
}
RC
    PW=x "$replc" "$tmp/t$1.rc" -o "$tmp/o$1" 2>"$tmp/e$1" || { cat "$tmp/e$1"; return 1; }
}

check "version 15: compiles" topo 15 "enabled = no"
o=$tmp/o15/s
check "15: s has enable.sql" test -f "$o/enable.sql"
check "15: enable.sql enables sa and sb" grep -q 'ALTER SUBSCRIPTION sb ENABLE' "$o/enable.sql"
check "15: ... sa too" grep -q 'ALTER SUBSCRIPTION sa ENABLE' "$o/enable.sql"
check "15: ... in one DO block (one transaction)" test "$(grep -c '^DO ' "$o/enable.sql")" = 1
check "15: ... never sc (declared enabled = no)" not grep -q 'SUBSCRIPTION sc' "$o/enable.sql"
check "15: sa is created disabled" grep -q 'WITH (enabled = false' "$o/subscribe.sa.sql"
check "15: sb (enabled = yes declared) is created disabled, once" \
    test "$(grep -c 'WITH (enabled = ' "$o/subscribe.sb.sql")" = 1
check "15: ... and its subscribe step does not enable it" not grep -q '^ALTER SUBSCRIPTION sb ENABLE;' "$o/subscribe.sb.sql"
check "15: sa's mark is the enable step's, not its subscribe step's" not grep -q 'COMMENT ON' "$o/subscribe.sa.sql"
check "15: enable.sql marks sa and sb" test "$(grep -c 'COMMENT ON SUBSCRIPTION s[ab] IS' "$o/enable.sql")" = 2
check "15: sc is created as declared (enabled = false) and marked by its own step" \
    grep -q 'COMMENT ON SUBSCRIPTION sc' "$o/subscribe.sc.sql"
check "15: run.sh runs enable.sql after the subscribe steps, before the waits" \
    sh -c "grep -o \"'[a-z.-]*\\.s[qh]l*'\" '$o/run.sh' | tr -d \"'\" | tr '\n' ' ' |
           grep -q 'subscribe.sc.sql enable.sql wait-sync.sa.sh'"
check "15: plan.txt: the enable step runs whatever its dependencies' result" \
    grep -q '^  s/enable  .*whatever its result\]$' "$tmp/o15/plan.txt"
check "15: plan.json: after_any_result" grep -q '"id": "s/enable".*"after_any_result": true' "$tmp/o15/plan.json"
check "15: a wait-sync step waits for its own subscribe step" \
    grep -q '^  s/wait-sync.sb .*s/subscribe.sb' "$tmp/o15/plan.txt"

check "version 14: compiles" topo 14
check "14: s has enable.sql, with sa, sb and sc" \
    test "$(grep -c 'ALTER SUBSCRIPTION s[abc] ENABLE' "$tmp/o14/s/enable.sql")" = 3

check "version 16: compiles" topo 16
check "16: no enable step (the launcher keeps a start time per subscription)" not test -e "$tmp/o16/s/enable.sql"
check "16: nothing is created disabled" not grep -q 'WITH (enabled = false' "$tmp/o16/s/subscribe.sa.sql"
check "16: the subscribe step marks its subscription" grep -q 'COMMENT ON SUBSCRIPTION sa' "$tmp/o16/s/subscribe.sa.sql"

# one running subscription on 15 (the others declared off): nothing to batch
sed 's/subscribe sb to p2 (pb) with (enabled = yes);/subscribe sb to p2 (pb) with (enabled = no);/' \
    "$tmp/t15.rc" > "$tmp/one.rc"
PW=x "$replc" "$tmp/one.rc" -o "$tmp/one" 2>/dev/null
check "15, one subscription that runs: no enable step" not test -e "$tmp/one/s/enable.sql"
check "15, one subscription that runs: it is created enabled" not grep -q 'WITH (enabled = false' "$tmp/one/s/subscribe.sa.sql"
finish
