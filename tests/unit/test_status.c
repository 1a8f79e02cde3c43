/* test_status.c: --status's JSON document (docs/status.md) and the drift
 * lines, rendered from a known status, byte for byte. */
#include <stdlib.h>

#include "status.h"
#include "unit.h"

static void *item(Arena *a, Vec *v, size_t size)
{
    void *p = arena_alloc(a, size);
    vec_push(a, v, p);
    return p;
}

int main(void)
{
    Arena a;
    arena_init(&a);
    Status st = {0};
    st.cluster = "c\"1";
    st.as_described = false;
    StatusStep *s = item(&a, &st.steps, sizeof *s);
    *s = (StatusStep){"vm1", "01-hba.sh", "admit 1 peer line(s) in pg_hba.conf, reload", "ok"};
    s = item(&a, &st.steps, sizeof *s);
    *s = (StatusStep){"vm3", "09-subscribe-s.sql", "create subscription 's' if missing", "differs"};
    DriftItem *d = item(&a, &st.drift.items, sizeof *d);
    *d = (DriftItem){"vm3", "subscription", "old_sub", "old_sub", true};
    d = item(&a, &st.drift.items, sizeof *d);
    *d = (DriftItem){"vm3", "publication", "hand\\pub", "", false};
    d = item(&a, &st.drift.items, sizeof *d);
    *d = (DriftItem){"vm1", "publication table", "extra", "publ_test1", false};
    SubHealth *h = item(&a, &st.subs, sizeof *h);
    *h = (SubHealth){"vm3", "s", true, false, 2, 0, 1, false};
    h = item(&a, &st.subs, sizeof *h);
    *h = (SubHealth){"vm9", "old14", false, false, 0, -1, -1, false};
    h = item(&a, &st.subs, sizeof *h);
    *h = (SubHealth){"vm2", "halted", false, false, 0, 3, 0, true};
    SlotHealth *sl = item(&a, &st.slots, sizeof *sl);
    *sl = (SlotHealth){"vm1", "s", "logical", true, 11320, "reserved", -1};
    sl = item(&a, &st.slots, sizeof *sl);
    *sl = (SlotHealth){"vm4", "x", "physical", false, -1, "", -1};
    sl = item(&a, &st.slots, sizeof *sl);
    *sl = (SlotHealth){"vm2", "y", "logical", false, 9000, "extended", 4096};
    StandbyHealth *sb = item(&a, &st.standbys, sizeof *sb);
    *sb = (StandbyHealth){"vm3", "10.0.0.14", "walreceiver", "streaming", 0};
    vec_push(&a, &st.errors, "node 'vm5': connection refused");

    StrBuf b;
    sb_init(&b);
    status_json(&b, &st);
    unit_str("status JSON, byte for byte", b.s,
             "{\n"
             "  \"cluster\": \"c\\\"1\",\n"
             "  \"as_described\": false,\n"
             "  \"steps\": [\n"
             "    {\"node\": \"vm1\", \"step\": \"01-hba.sh\", \"what\": \"admit 1 peer line(s) in pg_hba.conf, reload\", \"state\": \"ok\"},\n"
             "    {\"node\": \"vm3\", \"step\": \"09-subscribe-s.sql\", \"what\": \"create subscription 's' if missing\", \"state\": \"differs\"}\n"
             "  ],\n"
             "  \"undeclared\": [\n"
             "    {\"node\": \"vm3\", \"kind\": \"subscription\", \"name\": \"old_sub\", \"detail\": \"old_sub\", \"replc\": true},\n"
             "    {\"node\": \"vm3\", \"kind\": \"publication\", \"name\": \"hand\\\\pub\", \"detail\": \"\", \"replc\": false},\n"
             "    {\"node\": \"vm1\", \"kind\": \"publication table\", \"name\": \"extra\", \"detail\": \"publ_test1\", \"replc\": false}\n"
             "  ],\n"
             "  \"health\": {\n"
             "    \"subscriptions\": [\n"
             "      {\"node\": \"vm3\", \"name\": \"s\", \"enabled\": true, \"worker\": false, \"tables_not_ready\": 2, \"apply_errors\": 0, \"sync_errors\": 1, \"disabled_by_error\": false},\n"
             "      {\"node\": \"vm9\", \"name\": \"old14\", \"enabled\": false, \"worker\": false, \"tables_not_ready\": 0, \"apply_errors\": null, \"sync_errors\": null, \"disabled_by_error\": false},\n"
             "      {\"node\": \"vm2\", \"name\": \"halted\", \"enabled\": false, \"worker\": false, \"tables_not_ready\": 0, \"apply_errors\": 3, \"sync_errors\": 0, \"disabled_by_error\": true}\n"
             "    ],\n"
             "    \"slots\": [\n"
             "      {\"node\": \"vm1\", \"name\": \"s\", \"type\": \"logical\", \"active\": true, \"wal_retained_bytes\": 11320, \"wal_status\": \"reserved\", \"safe_wal_bytes\": null},\n"
             "      {\"node\": \"vm4\", \"name\": \"x\", \"type\": \"physical\", \"active\": false, \"wal_retained_bytes\": null, \"wal_status\": null, \"safe_wal_bytes\": null},\n"
             "      {\"node\": \"vm2\", \"name\": \"y\", \"type\": \"logical\", \"active\": false, \"wal_retained_bytes\": 9000, \"wal_status\": \"extended\", \"safe_wal_bytes\": 4096}\n"
             "    ],\n"
             "    \"standbys\": [\n"
             "      {\"node\": \"vm3\", \"client\": \"10.0.0.14\", \"application_name\": \"walreceiver\", \"state\": \"streaming\", \"replay_lag_bytes\": 0}\n"
             "    ]\n"
             "  },\n"
             "  \"errors\": [\n"
             "    \"node 'vm5': connection refused\"\n"
             "  ]\n"
             "}\n");

    Status empty = {0};
    empty.cluster = "c";
    empty.as_described = true;
    sb_reset(&b);
    status_json(&b, &empty);
    unit_str("status JSON of an empty status, byte for byte", b.s,
             "{\n"
             "  \"cluster\": \"c\",\n"
             "  \"as_described\": true,\n"
             "  \"steps\": [],\n"
             "  \"undeclared\": [],\n"
             "  \"health\": {\n"
             "    \"subscriptions\": [],\n"
             "    \"slots\": [],\n"
             "    \"standbys\": []\n"
             "  },\n"
             "  \"errors\": []\n"
             "}\n");

    sb_reset(&b);
    status_health_text(&b, &st);
    unit_str("health lines: a subscription disabled after an error, each slot's WAL and its bound", b.s,
             "health: subscription 's' on node 'vm3': enabled, worker not running, 2 table(s) not ready, "
             "0 apply error(s), 1 sync error(s)\n"
             "health: subscription 'old14' on node 'vm9': disabled, worker not running, 0 table(s) not ready\n"
             "health: subscription 'halted' on node 'vm2': disabled after an error, worker not running, "
             "0 table(s) not ready, 3 apply error(s), 0 sync error(s) (disable_on_error: the error is in "
             "node 'vm2''s server log; fix its cause, then ALTER SUBSCRIPTION ... ENABLE)\n"
             "health: logical slot 's' on node 'vm1': active, 11320 byte(s) of WAL retained, wal_status reserved, "
             "no bound (max_slot_wal_keep_size = -1)\n"
             "health: physical slot 'x' on node 'vm4': inactive\n"
             "health: logical slot 'y' on node 'vm2': inactive, 9000 byte(s) of WAL retained, wal_status extended, "
             "4096 byte(s) before max_slot_wal_keep_size invalidates it\n"
             "health: standby at 10.0.0.14 (walreceiver) of node 'vm3': streaming, replay 0 byte(s) behind\n");
    sb_reset(&b);
    drift_text(&b, &st.drift, false);
    unit_str("drift lines without --prune: replc's left in place, the rest left alone", b.s,
             "- subscription 'old_sub' (slot 'old_sub') on node 'vm3': made by replc, no longer in the topology; "
             "left in place (--prune drops it)\n"
             "? publication 'hand\\pub' on node 'vm3': not in the topology and not made by replc; left alone\n"
             "? publication table 'extra' in publication 'publ_test1' on node 'vm1': not in the topology; "
             "--prune does not remove tables from publications\n");
    sb_reset(&b);
    drift_text(&b, &st.drift, true);
    unit_str("drift lines with --prune: replc's dropped", b.s,
             "- subscription 'old_sub' (slot 'old_sub') on node 'vm3': made by replc, no longer in the topology; "
             "dropped by --prune\n"
             "? publication 'hand\\pub' on node 'vm3': not in the topology and not made by replc; left alone\n"
             "? publication table 'extra' in publication 'publ_test1' on node 'vm1': not in the topology; "
             "--prune does not remove tables from publications\n");
    sb_free(&b);
    arena_free(&a);
    return unit_done();
}
