#!/bin/sh
# tests/plan-review.sh REPLC: plan.txt is the review document. For every
# property of the language (LANGUAGE.md, walked setting by setting), a copy of
# one topology with only that property changed must give a different plan.txt
# and a different plan.json, and plan.json must parse. A change that leaves
# the plan byte-identical is a change a reviewer would not see.
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The base: every kind of statement, most options given, some left to their
# defaults (a variant then gives them).
cat > "$tmp/base.rc" <<'EOF'
cluster review;
defaults {
    version  17;
    port     5432;
    database app;
    user     repl;
    password env APP_PW;
    pgdata   "/var/lib/postgresql/17/main";
    bindir   "/usr/lib/postgresql/17/bin";
}
table orders (id int primary key, note varchar(20) not null);
table sales.items (a int, b int, c text, primary key (a, b)) replica identity full;
table ext.legacy;
node pub1 {
    host    "10.0.0.1";
    ssh     "postgres@10.0.0.1";
    service pg_ctl;
    set work_mem = "8MB";
    publish p_orders (orders, sales.items) with (publish = "insert, update");
    publish p_legacy (ext.legacy);
}
node pub2 {
    host "10.0.0.4";
    publish p_all all tables;
}
node sub1 {
    host "10.0.0.2";
    subscribe s_orders to pub1 (p_orders) with (binary = true, streaming = on, origin = none, disable_on_error = true);
    subscribe s_legacy to pub1 (p_legacy);
}
node sub2 {
    host "10.0.0.5";
    subscribe to pub2 (p_all);
}
node st1 {
    host "10.0.0.3";
    standby from pub1 with (slot = st1_slot, delay = "5min");
}
EOF

if "$replc" --color never "$tmp/base.rc" -o "$tmp/base" > /dev/null 2> "$tmp/base.err"; then
    ok "the base topology compiles"
else
    not_ok "the base topology compiles"; diag < "$tmp/base.err"; finish
fi
check "the base plan.json parses" python3 -m json.tool "$tmp/base/plan.json"

# variant DESC SED: the base with SED applied must compile to a different
# plan.txt and plan.json (and the sed must change the file: else the test
# itself is wrong)
n=0
variant() {
    n=$((n + 1))
    v=$tmp/v$n
    sed "$2" "$tmp/base.rc" > "$v.rc"
    if cmp -s "$tmp/base.rc" "$v.rc"; then
        not_ok "$1: (the test's sed changes nothing)"; return
    fi
    if ! "$replc" --color never "$v.rc" -o "$v" > /dev/null 2> "$v.err"; then
        not_ok "$1: (the changed topology does not compile)"; diag < "$v.err"; return
    fi
    if cmp -s "$tmp/base/plan.txt" "$v/plan.txt"; then
        not_ok "$1: plan.txt shows it"
    else
        ok "$1: plan.txt shows it"
    fi
    if cmp -s "$tmp/base/plan.json" "$v/plan.json"; then
        not_ok "$1: plan.json shows it"
    elif ! python3 -m json.tool "$v/plan.json" > /dev/null 2> "$v.json.err"; then
        not_ok "$1: plan.json shows it (and parses)"; diag < "$v.json.err"
    else
        ok "$1: plan.json shows it (and parses)"
    fi
}

# same DESC SED: a change that does not change what replc does leaves
# plan.txt and plan.json byte-identical (so a review diff shows only changes)
same() {
    n=$((n + 1))
    v=$tmp/v$n
    sed "$2" "$tmp/base.rc" > "$v.rc"
    if cmp -s "$tmp/base.rc" "$v.rc"; then
        not_ok "$1: (the test's sed changes nothing)"; return
    fi
    if ! "$replc" --color never "$v.rc" -o "$v" > /dev/null 2> "$v.err"; then
        not_ok "$1: (the changed topology does not compile)"; diag < "$v.err"; return
    fi
    check "$1: plan.txt stays the same" cmp "$tmp/base/plan.txt" "$v/plan.txt"
    check "$1: plan.json stays the same" cmp "$tmp/base/plan.json" "$v/plan.json"
}

note "what does not change replc's work leaves the plan alone"
same "a comment" 's/^table orders/# orders: the shop'"'"'s orders\ntable orders/'
same "spacing" 's/host    "10.0.0.1";/host "10.0.0.1";/'
same "a bare option means true" 's/binary = true/binary/'

note "the cluster"
variant "cluster name" 's/^cluster review;/cluster review2;/'

note "settings (defaults and node)"
variant "version" 's/version  17;/version  16;/'
variant "port" 's/port     5432;/port     5433;/'
variant "database" 's/database app;/database app2;/'
variant "user" 's/user     repl;/user     repl2;/'
variant "password env NAME" 's/password env APP_PW;/password env OTHER_PW;/'
variant "password file" 's|password env APP_PW;|password file "/etc/replc/pgpass";|'
variant "password literal" 's/password env APP_PW;/password "s3cret";/'
variant "pgdata" 's|pgdata   "/var/lib/postgresql/17/main";|pgdata   "/srv/pg";|'
variant "bindir" 's|bindir   "/usr/lib/postgresql/17/bin";|bindir   "/opt/pg/bin";|'
variant "host" 's/host "10.0.0.2";/host "10.0.0.9";/'
variant "ssh" 's/ssh     "postgres@10.0.0.1";/ssh     "admin@10.0.0.1:2222";/'
variant "ssh local" 's/ssh     "postgres@10.0.0.1";/ssh     local;/'
variant "service" 's/service pg_ctl;/service "systemctl restart pg";/'
variant "a node's own setting overrides the defaults" 's/host "10.0.0.4";/host "10.0.0.4"; port 6000;/'
variant "set GUC value" 's/set work_mem = "8MB";/set work_mem = "16MB";/'
variant "set another GUC" 's/set work_mem = "8MB";/set work_mem = "8MB"; set max_connections = 300;/'
variant "set a derived GUC" 's/set work_mem = "8MB";/set work_mem = "8MB"; set max_wal_senders = 40;/'

note "tables"
variant "column type" 's/note varchar(20) not null/note varchar(40) not null/'
variant "column name" 's/note varchar(20)/remark varchar(20)/'
variant "column added" 's/note varchar(20) not null)/note varchar(20) not null, extra int)/'
variant "not null" 's/note varchar(20) not null/note varchar(20)/'
variant "column primary key" 's/(id int primary key, note varchar(20) not null)/(id int not null, note varchar(20) not null primary key)/'
variant "table primary key" 's/primary key (a, b)/primary key (a)/'
variant "replica identity full" 's/ replica identity full;/;/'
variant "schema" 's/sales\.items/shop.items/g'
variant "a table without columns gets columns" 's/^table ext\.legacy;/table ext.legacy (x int primary key);/'

note "publications"
variant "publication name" 's/p_orders/p_orders2/g'
variant "publication tables" 's/publish p_orders (orders, sales.items)/publish p_orders (orders)/; s/table sales.items.*;//'
variant "publication for all tables" 's/publish p_legacy (ext.legacy);/publish p_legacy (ext.legacy); publish p_every all tables;/'
variant "publish option" 's/publish = "insert, update"/publish = "insert"/'
variant "publish option dropped" 's/ with (publish = "insert, update")//'
variant "publish_via_partition_root" 's/publish = "insert, update"/publish = "insert, update", publish_via_partition_root = true/'

note "subscriptions"
variant "subscription name" 's/s_orders/s_orders2/'
variant "default subscription name replaced by a name" 's/subscribe to pub2/subscribe s_all to pub2/'
variant "publisher and publications" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub2 (p_all);/; s/subscribe to pub2 (p_all);/subscribe to pub1 (p_legacy);/'
variant "publications added" 's/subscribe s_orders to pub1 (p_orders)/subscribe s_orders to pub1 (p_orders, p_legacy)/; s/subscribe s_legacy to pub1 (p_legacy);//'
variant "binary dropped" 's/binary = true, //'
variant "binary = false" 's/binary = true/binary = false/'
variant "streaming" 's/streaming = on/streaming = parallel/'
variant "streaming dropped (replc says off)" 's/streaming = on, //'
variant "origin" 's/origin = none/origin = any/'
variant "disable_on_error" 's/, disable_on_error = true//'
variant "connect = false" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (connect = false);/'
variant "copy_data = false" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (copy_data = false);/'
variant "create_slot = true" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (create_slot = true);/'
variant "enabled = false" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (enabled = false);/'
variant "failover" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (failover = true);/'
variant "password_required" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (password_required = false);/'
variant "run_as_owner" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (run_as_owner = true);/'
variant "slot_name" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (slot_name = legacy_slot);/'
variant "synchronous_commit" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (synchronous_commit = "remote_apply");/'
variant "two_phase" 's/subscribe s_legacy to pub1 (p_legacy);/subscribe s_legacy to pub1 (p_legacy) with (two_phase = true);/'

note "standbys"
variant "standby source" 's/standby from pub1/standby from pub2/'
variant "standby slot" 's/slot = st1_slot/slot = other_slot/'
variant "standby default slot" 's/slot = st1_slot, //'
variant "standby delay" 's/delay = "5min"/delay = "10min"/'
variant "standby delay dropped" 's/, delay = "5min"//'
variant "standby sync" 's/delay = "5min"/delay = "5min", sync = true/'
variant "standby force" 's/delay = "5min"/delay = "5min", force/'

finish
