/* drift.c: what the servers hold that the topology no longer declares. */
#include "drift.h"

#include <stdlib.h>
#include <string.h>

#include "pgconn.h"
#include "quote.h"
#include "stepsql.h"

static void add_item(Arena *a, Drift *d, const MNode *n, const char *kind, const char *name,
                     const char *detail, bool ours)
{
    DriftItem *it = arena_alloc(a, sizeof *it);
    it->node = n->name;
    it->kind = arena_strdup(a, kind);
    it->name = arena_strdup(a, name);
    it->detail = arena_strdup(a, detail ? detail : "");
    it->ours = ours;
    vec_push(a, &d->items, it);
}

/* ARRAY['a', 'b']::text[] */
static void text_array(StrBuf *b, const Vec *names)
{
    sb_puts(b, "ARRAY[");
    for (int i = 0; i < names->n; i++) {
        if (i)
            sb_puts(b, ", ");
        q_literal(b, names->items[i]);
    }
    sb_puts(b, "]::text[]");
}

/* Rows (kind, name, ours: a boolean, detail) of node n's database. */
static void db_query(Arena *a, StrBuf *b, const MNode *n)
{
    Vec subs = {0}, pubs = {0};
    for (int i = 0; i < n->subs.n; i++)
        vec_push(a, &subs, (void *)((const MSub *)n->subs.items[i])->name);
    for (int i = 0; i < n->pubs.n; i++)
        vec_push(a, &pubs, (void *)((const MPub *)n->pubs.items[i])->name);
    const char *mark = model_mark(a, n->conf->cluster);
    sb_puts(b, "SELECT 'subscription', s.subname::text, coalesce(");
    sql_marked(a, b, "obj_description(s.oid, 'pg_subscription')", n->conf->cluster);
    sb_puts(b, ", false), coalesce(s.subslotname::text, '') FROM pg_subscription s "
               "WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
               "AND s.subname <> ALL (");
    text_array(b, &subs);
    sb_puts(b, ") UNION ALL SELECT 'publication', p.pubname::text, coalesce(obj_description(p.oid, 'pg_publication') = ");
    q_literal(b, mark);
    sb_puts(b, ", false), '' FROM pg_publication p WHERE p.pubname <> ALL (");
    text_array(b, &pubs);
    sb_puts(b, ")");
    for (int i = 0; i < n->pubs.n; i++) {
        const MPub *p = n->pubs.items[i];
        if (p->all_tables)
            continue;
        /* a table added to a declared publication by hand */
        sb_puts(b, " UNION ALL SELECT 'publication table', r.prrelid::regclass::text, false, p.pubname::text "
                   "FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = ");
        q_literal(b, p->name);
        sb_puts(b, " AND r.prrelid NOT IN (SELECT x FROM unnest(ARRAY[");
        for (int k = 0; k < p->tables.n; k++) {
            const MTable *t = p->tables.items[k];
            sb_puts(b, k ? ", to_regclass(" : "to_regclass(");
            q_regclass(b, t->schema, t->name);
            sb_puts(b, ")");
        }
        sb_puts(b, "]::regclass[]) x WHERE x IS NOT NULL)");
    }
    sb_puts(b, " ORDER BY 1, 2, 4");
}

/* replc's block of pg_hba.conf in hba (the file's text): its lines that are
 * no longer derived, and its slot records of slots that exist (slots:
 * "name type" lines) and the topology no longer makes */
static void hba_block(Arena *a, Drift *d, const MNode *n, const char *hba, const char *slots)
{
    const char *mark = model_mark(a, n->conf->cluster);
    char *begin = arena_printf(a, "# BEGIN %s", mark), *end = arena_printf(a, "# END %s", mark);
    bool in = false;
    for (const char *p = hba; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = arena_strndup(a, p, len);
        p += len + (nl ? 1 : 0);
        if (!in) {
            in = strcmp(line, begin) == 0;
            continue;
        }
        if (strcmp(line, end) == 0)
            break;
        if (strncmp(line, "# slot ", 7) == 0) {
            const char *slot = line + 7;
            bool declared = false;
            const char *type = NULL;
            Vec known = {0};
            model_recorded_slots(a, n, &known);
            for (int i = 0; i < known.n; i++)
                declared |= strcmp(known.items[i], slot) == 0;
            /* slots: "name type" lines */
            for (const char *s = slots; s && *s && !type;) {
                const char *e = strchr(s, '\n');
                size_t l = e ? (size_t)(e - s) : strlen(s), sl = strlen(slot);
                if (l > sl && strncmp(s, slot, sl) == 0 && s[sl] == ' ')
                    type = arena_strndup(a, s + sl + 1, l - sl - 1);
                s += l + (e ? 1 : 0);
            }
            if (!declared && type)
                add_item(a, d, n, arena_printf(a, "%s slot", type), slot, "", true);
            continue;
        }
        if (!*line || line[0] == '#')
            continue;
        /* a derived line, as the hba step writes it */
        bool derived = false;
        Vec lines = {0};
        model_server_hba(a, n, &lines);
        for (int i = 0; i < lines.n && !derived; i++) {
            StrBuf t;
            sb_init(&t);
            model_hba_line(&t, lines.items[i]);
            derived = strcmp(t.s, line) == 0;
            sb_free(&t);
        }
        if (!derived)
            add_item(a, d, n, "pg_hba.conf line", line, "", true);
    }
}

static int node_pos(const Model *m, const char *name)
{
    for (int i = 0; i < m->nodes.n; i++)
        if (strcmp(((const MNode *)m->nodes.items[i])->name, name) == 0)
            return i;
    return m->nodes.n;
}

void drift_collect(Arena *a, const Model *m, Drift *d, int timeout_ms)
{
    int n = m->nodes.n;
    PgConn **c = calloc((size_t)n * 2 + 1, sizeof(PgConn *));
    const char **sql = calloc((size_t)n * 2 + 1, sizeof(char *));
    for (int i = 0; i < n; i++) {
        const MNode *node = m->nodes.items[i];
        if (node->standby)
            continue;
        StrBuf b;
        sb_init(&b);
        sb_puts(&b, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = ");
        q_literal(&b, node->conf->database);
        sb_puts(&b, "), pg_read_file(current_setting('hba_file')), (SELECT coalesce(string_agg(slot_name || ' ' || slot_type, "
                    "E'\\n'), '') FROM pg_replication_slots)");
        sql[i] = arena_strdup(a, b.s);
        sb_free(&b);
        c[i] = pg_open(node, "postgres");
    }
    pg_run_all(c, sql, n, timeout_ms);
    for (int i = 0; i < n; i++) {
        const MNode *node = m->nodes.items[i];
        if (!c[i])
            continue;
        if (pg_state(c[i]) != PG_DONE) {
            char *e = pg_error(c[i]);
            vec_push(a, &d->errors, arena_printf(a, "node '%s': %s", node->name, e));
            free(e);
        } else {
            if (pg_is_true(c[i], 0, 0)) {
                StrBuf b;
                sb_init(&b);
                db_query(a, &b, node);
                sql[n + i] = arena_strdup(a, b.s);
                sb_free(&b);
                c[n + i] = pg_open(node, node->conf->database);
            }
            hba_block(a, d, node, pg_get(c[i], 0, 1), pg_get(c[i], 0, 2));
        }
        pg_close(c[i]);
        c[i] = NULL;
    }
    pg_run_all(c + n, sql + n, n, timeout_ms);
    for (int i = 0; i < n; i++) {
        const MNode *node = m->nodes.items[i];
        PgConn *k = c[n + i];
        if (!k)
            continue;
        if (pg_state(k) != PG_DONE) {
            char *e = pg_error(k);
            vec_push(a, &d->errors,
                     arena_printf(a, "node '%s', database '%s': %s", node->name, node->conf->database, e));
            free(e);
        } else
            for (int r = 0; r < pg_nrows(k); r++)
                add_item(a, d, node, pg_get(k, r, 0), pg_get(k, r, 1), pg_get(k, r, 3), pg_is_true(k, r, 2));
        pg_close(k);
    }
    free(c);
    free(sql);
    /* by node, in declaration order (stable: within a node, block first, then database) */
    for (int i = 1; i < d->items.n; i++) {
        void *it = d->items.items[i];
        int at = node_pos(m, ((DriftItem *)it)->node), k = i;
        for (; k > 0 && node_pos(m, ((DriftItem *)d->items.items[k - 1])->node) > at; k--)
            d->items.items[k] = d->items.items[k - 1];
        d->items.items[k] = it;
    }
}

int drift_count(const Drift *d)
{
    return d->items.n;
}

void drift_text(StrBuf *b, const Drift *d, bool prune)
{
    for (int i = 0; i < d->items.n; i++) {
        const DriftItem *it = d->items.items[i];
        bool table = strcmp(it->kind, "publication table") == 0;
        sb_printf(b, "%c %s '%s'", it->ours ? '-' : '?', it->kind, it->name);
        if (table)
            sb_printf(b, " in publication '%s'", it->detail);
        else if (*it->detail)
            sb_printf(b, " (slot '%s')", it->detail);
        sb_printf(b, " on node '%s': ", it->node);
        if (table)
            sb_puts(b, "not in the topology; --prune does not remove tables from publications\n");
        else if (!it->ours)
            sb_puts(b, "not in the topology and not made by replc; left alone\n");
        else if (prune)
            sb_puts(b, "made by replc, no longer in the topology; dropped by --prune\n");
        else
            sb_puts(b, "made by replc, no longer in the topology; left in place (--prune drops it)\n");
    }
}

void drift_json(StrBuf *b, const Drift *d)
{
    sb_puts(b, "[");
    for (int i = 0; i < d->items.n; i++) {
        const DriftItem *it = d->items.items[i];
        sb_puts(b, i ? ",\n    {\"node\": " : "\n    {\"node\": ");
        q_json(b, it->node);
        sb_puts(b, ", \"kind\": ");
        q_json(b, it->kind);
        sb_puts(b, ", \"name\": ");
        q_json(b, it->name);
        sb_puts(b, ", \"detail\": ");
        q_json(b, it->detail);
        sb_printf(b, ", \"replc\": %s}", it->ours ? "true" : "false");
    }
    sb_puts(b, d->items.n ? "\n  ]" : "]");
}
