/* status.c: replication health for --status, and its JSON document. */
#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "pgconn.h"
#include "quote.h"

/* Column 0: the kind of row ('sub', 'slot', 'standby'); then its fields. */
static const char *health_sql(const MNode *n)
{
    (void)n;
    return "SELECT 'slot', slot_name::text, slot_type, active::text, "
           "CASE WHEN pg_is_in_recovery() OR restart_lsn IS NULL THEN '-1' "
           "ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text END, "
           "coalesce(wal_status, ''), coalesce(safe_wal_size, -1)::text "
           "FROM pg_replication_slots "
           "UNION ALL SELECT 'standby', coalesce(host(r.client_addr), 'local'), coalesce(r.application_name, ''), "
           "coalesce(r.state, ''), CASE WHEN r.replay_lsn IS NULL THEN '-1' ELSE pg_wal_lsn_diff(CASE WHEN "
           "pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, r.replay_lsn)"
           "::bigint::text END, '', '' FROM pg_stat_replication r WHERE NOT EXISTS (SELECT FROM "
           "pg_replication_slots s WHERE s.active_pid = r.pid AND s.slot_type = 'logical') "
           "ORDER BY 1, 2";
}

static const char *sub_sql(const MNode *n)
{
    if (n->version >= 15)
        return "SELECT s.subname::text, s.subenabled::text, EXISTS (SELECT FROM pg_stat_subscription w "
               "WHERE w.subid = s.oid AND w.pid IS NOT NULL AND w.relid IS NULL)::text, (SELECT count(*) FROM "
               "pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate <> 'r')::text, "
               "coalesce(t.apply_error_count, 0)::text, coalesce(t.sync_error_count, 0)::text, "
               "(NOT s.subenabled AND s.subdisableonerr AND "
               "coalesce(t.apply_error_count + t.sync_error_count, 0) > 0)::text "
               "FROM pg_subscription s LEFT JOIN pg_stat_subscription_stats t ON t.subid = s.oid "
               "WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1";
    return "SELECT s.subname::text, s.subenabled::text, EXISTS (SELECT FROM pg_stat_subscription w "
           "WHERE w.subid = s.oid AND w.pid IS NOT NULL AND w.relid IS NULL)::text, (SELECT count(*) FROM "
           "pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate <> 'r')::text, '-1', '-1', "
           "'false' FROM pg_subscription s "
           "WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1";
}

static void failed(Arena *a, Status *st, const MNode *n, PgConn *c)
{
    char *e = pg_error(c);
    vec_push(a, &st->errors, arena_printf(a, "node '%s': %s", n->name, e));
    free(e);
}

void status_health(Arena *a, const Model *m, Status *st, int timeout_ms)
{
    int n = m->nodes.n;
    PgConn **c = calloc((size_t)n * 2 + 1, sizeof(PgConn *));
    const char **sql = calloc((size_t)n * 2 + 1, sizeof(char *));
    for (int i = 0; i < n; i++) {
        const MNode *node = m->nodes.items[i];
        c[i] = pg_open(node, "postgres");
        sql[i] = health_sql(node);
        if (!node->standby && node->subs.n) {
            c[n + i] = pg_open(node, node->conf->database);
            sql[n + i] = sub_sql(node);
        }
    }
    pg_run_all(c, sql, n * 2, timeout_ms);
    for (int i = 0; i < n; i++) {
        const MNode *node = m->nodes.items[i];
        if (pg_state(c[i]) != PG_DONE)
            failed(a, st, node, c[i]);
        else
            for (int r = 0; r < pg_nrows(c[i]); r++) {
                if (strcmp(pg_get(c[i], r, 0), "slot") == 0) {
                    SlotHealth *h = arena_alloc(a, sizeof *h);
                    h->node = node->name;
                    h->name = arena_strdup(a, pg_get(c[i], r, 1));
                    h->type = arena_strdup(a, pg_get(c[i], r, 2));
                    h->active = pg_is_true(c[i], r, 3) || strcmp(pg_get(c[i], r, 3), "true") == 0;
                    h->wal_retained = strtoll(pg_get(c[i], r, 4), NULL, 10);
                    h->wal_status = arena_strdup(a, pg_get(c[i], r, 5));
                    h->safe_wal_size = strtoll(pg_get(c[i], r, 6), NULL, 10);
                    vec_push(a, &st->slots, h);
                } else {
                    StandbyHealth *h = arena_alloc(a, sizeof *h);
                    h->node = node->name;
                    h->client = arena_strdup(a, pg_get(c[i], r, 1));
                    h->application_name = arena_strdup(a, pg_get(c[i], r, 2));
                    h->state = arena_strdup(a, pg_get(c[i], r, 3));
                    h->replay_lag = strtoll(pg_get(c[i], r, 4), NULL, 10);
                    vec_push(a, &st->standbys, h);
                }
            }
        pg_close(c[i]);
        PgConn *k = c[n + i];
        if (!k)
            continue;
        if (pg_state(k) != PG_DONE)
            failed(a, st, node, k);
        else
            for (int r = 0; r < pg_nrows(k); r++) {
                SubHealth *h = arena_alloc(a, sizeof *h);
                h->node = node->name;
                h->name = arena_strdup(a, pg_get(k, r, 0));
                h->enabled = strcmp(pg_get(k, r, 1), "true") == 0;
                h->worker = strcmp(pg_get(k, r, 2), "true") == 0;
                h->tables_not_ready = strtol(pg_get(k, r, 3), NULL, 10);
                h->apply_errors = strtol(pg_get(k, r, 4), NULL, 10);
                h->sync_errors = strtol(pg_get(k, r, 5), NULL, 10);
                h->disabled_by_error = strcmp(pg_get(k, r, 6), "true") == 0;
                vec_push(a, &st->subs, h);
            }
        pg_close(k);
    }
    free(c);
    free(sql);
}

void status_health_text(StrBuf *b, const Status *st)
{
    for (int i = 0; i < st->subs.n; i++) {
        const SubHealth *h = st->subs.items[i];
        sb_printf(b, "health: subscription '%s' on node '%s': %s, worker %s, %ld table(s) not ready",
                  h->name, h->node,
                  h->disabled_by_error ? "disabled after an error" : h->enabled ? "enabled" : "disabled",
                  h->worker ? "running" : "not running", h->tables_not_ready);
        if (h->apply_errors >= 0)
            sb_printf(b, ", %ld apply error(s), %ld sync error(s)", h->apply_errors, h->sync_errors);
        if (h->disabled_by_error)
            sb_printf(b, " (disable_on_error: the error is in node '%s''s server log; fix its cause, then "
                         "ALTER SUBSCRIPTION ... ENABLE)", h->node);
        sb_puts(b, "\n");
    }
    for (int i = 0; i < st->slots.n; i++) {
        const SlotHealth *h = st->slots.items[i];
        sb_printf(b, "health: %s slot '%s' on node '%s': %s", h->type, h->name, h->node,
                  h->active ? "active" : "inactive");
        if (h->wal_retained >= 0)
            sb_printf(b, ", %lld byte(s) of WAL retained", h->wal_retained);
        if (*h->wal_status)
            sb_printf(b, ", wal_status %s", h->wal_status);
        if (h->safe_wal_size >= 0)
            sb_printf(b, ", %lld byte(s) before max_slot_wal_keep_size invalidates it", h->safe_wal_size);
        else if (*h->wal_status && strcmp(h->wal_status, "lost") != 0)
            sb_puts(b, ", no bound (max_slot_wal_keep_size = -1)");
        if (strcmp(h->wal_status, "lost") == 0)
            sb_puts(b, " (the WAL it needs is gone: its subscriber or standby must be set up again)");
        sb_puts(b, "\n");
    }
    for (int i = 0; i < st->standbys.n; i++) {
        const StandbyHealth *h = st->standbys.items[i];
        sb_printf(b, "health: standby at %s (%s) of node '%s': %s", h->client, h->application_name, h->node,
                  h->state);
        if (h->replay_lag >= 0)
            sb_printf(b, ", replay %lld byte(s) behind", h->replay_lag);
        sb_puts(b, "\n");
    }
}

static void key(StrBuf *b, const char *k, bool first)
{
    sb_puts(b, first ? "" : ", ");
    q_json(b, k);
    sb_puts(b, ": ");
}

static void jstr(StrBuf *b, const char *k, const char *v, bool first)
{
    key(b, k, first);
    q_json(b, v);
}

static void jbool(StrBuf *b, const char *k, bool v)
{
    key(b, k, false);
    sb_puts(b, v ? "true" : "false");
}

/* a count, or null when not known (< 0) */
static void jnum(StrBuf *b, const char *k, long long v)
{
    key(b, k, false);
    if (v < 0)
        sb_puts(b, "null");
    else
        sb_printf(b, "%lld", v);
}

static void list_open(StrBuf *b, const char *k, int n)
{
    sb_puts(b, "  ");
    q_json(b, k);
    sb_puts(b, n ? ": [" : ": []");
}

static void item_open(StrBuf *b, int i, const char *indent)
{
    sb_printf(b, "%s\n%s{", i ? "," : "", indent);
}

void status_json(StrBuf *b, const Status *st)
{
    sb_puts(b, "{\n");
    sb_puts(b, "  \"cluster\": ");
    q_json(b, st->cluster);
    sb_printf(b, ",\n  \"as_described\": %s,\n", st->as_described ? "true" : "false");
    list_open(b, "steps", st->steps.n);
    for (int i = 0; i < st->steps.n; i++) {
        const StatusStep *s = st->steps.items[i];
        item_open(b, i, "    ");
        jstr(b, "node", s->node, true);
        jstr(b, "step", s->step, false);
        jstr(b, "what", s->what, false);
        jstr(b, "state", s->state, false);
        sb_puts(b, "}");
    }
    sb_puts(b, st->steps.n ? "\n  ],\n" : ",\n");
    list_open(b, "undeclared", st->drift.items.n);
    for (int i = 0; i < st->drift.items.n; i++) {
        const DriftItem *it = st->drift.items.items[i];
        item_open(b, i, "    ");
        jstr(b, "node", it->node, true);
        jstr(b, "kind", it->kind, false);
        jstr(b, "name", it->name, false);
        jstr(b, "detail", it->detail, false);
        jbool(b, "replc", it->ours);
        sb_puts(b, "}");
    }
    sb_puts(b, st->drift.items.n ? "\n  ],\n" : ",\n");
    sb_puts(b, "  \"health\": {\n  ");
    list_open(b, "subscriptions", st->subs.n);
    for (int i = 0; i < st->subs.n; i++) {
        const SubHealth *h = st->subs.items[i];
        item_open(b, i, "      ");
        jstr(b, "node", h->node, true);
        jstr(b, "name", h->name, false);
        jbool(b, "enabled", h->enabled);
        jbool(b, "worker", h->worker);
        jnum(b, "tables_not_ready", h->tables_not_ready);
        jnum(b, "apply_errors", h->apply_errors);
        jnum(b, "sync_errors", h->sync_errors);
        jbool(b, "disabled_by_error", h->disabled_by_error);
        sb_puts(b, "}");
    }
    sb_puts(b, st->subs.n ? "\n    ],\n  " : ",\n  ");
    list_open(b, "slots", st->slots.n);
    for (int i = 0; i < st->slots.n; i++) {
        const SlotHealth *h = st->slots.items[i];
        item_open(b, i, "      ");
        jstr(b, "node", h->node, true);
        jstr(b, "name", h->name, false);
        jstr(b, "type", h->type, false);
        jbool(b, "active", h->active);
        jnum(b, "wal_retained_bytes", h->wal_retained);
        key(b, "wal_status", false);
        if (*h->wal_status)
            q_json(b, h->wal_status);
        else
            sb_puts(b, "null");
        jnum(b, "safe_wal_bytes", h->safe_wal_size);
        sb_puts(b, "}");
    }
    sb_puts(b, st->slots.n ? "\n    ],\n  " : ",\n  ");
    list_open(b, "standbys", st->standbys.n);
    for (int i = 0; i < st->standbys.n; i++) {
        const StandbyHealth *h = st->standbys.items[i];
        item_open(b, i, "      ");
        jstr(b, "node", h->node, true);
        jstr(b, "client", h->client, false);
        jstr(b, "application_name", h->application_name, false);
        jstr(b, "state", h->state, false);
        jnum(b, "replay_lag_bytes", h->replay_lag);
        sb_puts(b, "}");
    }
    sb_puts(b, st->standbys.n ? "\n    ]\n  },\n" : "\n  },\n");
    list_open(b, "errors", st->errors.n);
    for (int i = 0; i < st->errors.n; i++) {
        sb_puts(b, i ? ",\n    " : "\n    ");
        q_json(b, st->errors.items[i]);
    }
    sb_puts(b, st->errors.n ? "\n  ]\n}\n" : "\n}\n");
}
