/* stepsql.c: guarded statements of the SQL steps; readiness queries. */
#include "stepsql.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "quote.h"

static SqlStmt *stmt(Arena *a, Vec *v, const char *comment, StrBuf *guard, StrBuf *sql)
{
    SqlStmt *st = arena_alloc(a, sizeof *st);
    st->comment = comment;
    st->guard = guard && guard->s ? arena_strdup(a, guard->s) : NULL;
    st->sql = sql->s ? arena_strdup(a, sql->s) : NULL;
    vec_push(a, v, st);
    sb_reset(guard);
    sb_reset(sql);
    return st;
}

SqlStmt *sql_push(Arena *a, Vec *v, const char *comment, StrBuf *guard, StrBuf *sql)
{
    return stmt(a, v, comment, guard, sql);
}

/* The value a derived numeric setting may not be below: what correctness
 * needs. Above it, up to d->value, is parallelism for initial copies: set
 * only when the server restarts anyway. A user's value, a standby's floor
 * settings and the raise step's are floors themselves. */
static long guc_floor(const MNode *n, GucId id, const Derived *d, bool floor_only)
{
    (void)floor_only;
    if (d->exact || (d->user && (d->verdict == USER_USED || d->verdict == USER_BELOW_PEAK)))
        return d->value;
    long fl = d->floor < d->value ? d->floor : d->value;
    /* a standby: not below what its source needs (it raises to more, with
     * its source, when a restart comes anyway) */
    const MNode *src = n->standby ? n->standby->source : NULL;
    if (src && guc_standby_floor(id) && src->guc[id].set) {
        long sf = guc_floor(src, id, &src->guc[id], false);
        if (sf > fl)
            fl = sf;
    }
    return fl < d->value ? fl : d->value;
}

/* The guard that holds when the node's text setting id is not as derived. */
static void text_guard(StrBuf *g, GucId id, const Derived *d)
{
    const char *name = guc_name(id);
    if (id == GUC_WAL_LEVEL) {
        if (strcmp(d->text, "logical") == 0)
            sb_puts(g, "current_setting('wal_level') <> 'logical'");
        else if (strcmp(d->text, "replica") == 0)
            sb_puts(g, "current_setting('wal_level') = 'minimal'");
        else {
            sb_puts(g, "current_setting('wal_level') <> ");
            q_literal(g, d->text);
        }
    } else {
        sb_printf(g, "current_setting('%s') <> ", name);
        q_literal(g, d->text);
    }
}

/* A value as PostgreSQL compares it: pg_settings' setting times its unit,
 * so that '4096kB' equals the server's '4MB' and 'true' its 'on'. Gives
 * the condition "setting name has value" (q_literal'd). */
static void setting_equals(StrBuf *g, const char *name, const char *value)
{
    const char *p = value;
    while (*p == ' ')
        p++;
    const char *num = p;
    while ((*p >= '0' && *p <= '9') || *p == '.')
        p++;
    size_t nlen = (size_t)(p - num);
    while (*p == ' ')
        p++;
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "us", "ms", "s", "min", "h", "d"};
    static const char *const mult[] = {"1", "1024", "1048576", "1073741824", "1099511627776",
                                       "0.001", "1", "1000", "60000", "3600000", "86400000"};
    const char *unit_mult = NULL;
    bool numeric = nlen > 0 && !(nlen == 1 && *num == '.');
    if (numeric && *p) {
        numeric = false;
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (strcmp(p, units[i]) == 0) {
                unit_mult = mult[i];
                numeric = true;
            }
    }
    const char *boolean = NULL;
    static const char *const yes[] = {"on", "true", "yes", "1"}, *const no[] = {"off", "false", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(value, yes[i]) == 0)
            boolean = "on";
        if (strcasecmp(value, no[i]) == 0)
            boolean = "off";
    }
    sb_puts(g, "(EXISTS (SELECT FROM pg_settings WHERE name = ");
    q_literal(g, name);
    sb_puts(g, " AND CASE");
    if (boolean)
        sb_printf(g, " WHEN vartype = 'bool' THEN setting = '%s'", boolean);
    if (numeric) {
        char *n = strndup(num, nlen);
        sb_puts(g, " WHEN vartype IN ('integer', 'real') THEN ");
        if (unit_mult)
            sb_printf(g, "setting::numeric * coalesce(nullif(substring(unit from '^[0-9]+'), '')::numeric, 1)"
                         " * CASE substring(unit from '[A-Za-z]+$') WHEN 'B' THEN 1 WHEN 'kB' THEN 1024"
                         " WHEN 'MB' THEN 1048576 WHEN 'GB' THEN 1073741824 WHEN 'TB' THEN 1099511627776"
                         " WHEN 'us' THEN 0.001 WHEN 'ms' THEN 1 WHEN 's' THEN 1000 WHEN 'min' THEN 60000"
                         " WHEN 'h' THEN 3600000 WHEN 'd' THEN 86400000 ELSE 1 END = %s * %s",
                      n, unit_mult);
        else
            sb_printf(g, "setting::numeric = %s", n);
        free(n);
    }
    sb_puts(g, " WHEN vartype = 'enum' THEN lower(setting) = lower(");
    q_literal(g, value);
    sb_puts(g, ") ELSE setting = ");
    q_literal(g, value);
    sb_puts(g, " END) OR current_setting(");
    q_literal(g, name);
    sb_puts(g, ", true) = ");
    q_literal(g, value);
    sb_puts(g, ")");
}

void sql_setting_equals(StrBuf *g, const char *name, const char *value)
{
    setting_equals(g, name, value);
}

/* A node for which replc no longer derives synchronous_standby_names (its
 * standbys left the topology or moved to another source, or it no longer
 * subscribes): the synchronous standbys replc named for it
 * (docs/failover.md) would stall every commit there. Reset when every name
 * listed is a node of this cluster, or, on a subscriber, when none of them
 * streams from it; a synchronous standby of the DBA's own belongs in the
 * topology (set synchronous_standby_names). */
static void sync_reset(Arena *a, Vec *v, const MNode *n)
{
    const Derived *d = &n->guc[GUC_SYNCHRONOUS_STANDBY_NAMES];
    if (n->standby || d->set || d->user || !n->conf->cluster_nodes)
        return;
    static const char names[] =
        "regexp_split_to_table(regexp_replace(current_setting('synchronous_standby_names'), "
        "'^\\s*((FIRST|ANY)\\s+)?[0-9]+\\s*\\(|\\)\\s*$', '', 'gi'), '\\s*,\\s*') x";
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    /* every name is a node of this cluster: replc named it, and it is no
     * longer a standby of n (it moved to another source) */
    sb_printf(&g, "current_setting('synchronous_standby_names') <> '' AND (NOT EXISTS (SELECT FROM %s "
                  "WHERE btrim(x, ' \"') <> ALL (ARRAY[", names);
    for (int i = 0; i < n->conf->cluster_nodes->n; i++) {
        sb_puts(&g, i ? ", " : "");
        q_literal(&g, ((const MNode *)n->conf->cluster_nodes->items[i])->name);
    }
    sb_puts(&g, "]::text[]))");
    /* a subscriber: also when none of the names streams from it (its
     * standby left the topology) */
    if (n->subs.n)
        sb_printf(&g, " OR NOT EXISTS (SELECT FROM %s WHERE btrim(x, ' \"') IN "
                      "(SELECT application_name FROM pg_stat_replication))", names);
    sb_puts(&g, ")");
    sb_puts(&q, "ALTER SYSTEM RESET synchronous_standby_names");
    stmt(a, v, "synchronous_standby_names: it names standbys that are no longer this node's", &g, &q)->guc =
        "synchronous_standby_names";
    sb_free(&g);
    sb_free(&q);
}

/* floor_only: the raise step of a standby, only what its primary's WAL checks */
static void config(Arena *a, Vec *v, const MNode *n, bool floor_only)
{
    StrBuf g, q, anyway;
    sb_init(&g);
    sb_init(&q);
    sb_init(&anyway);
    /* the server restarts anyway when one of these holds (all of them wait
     * for a restart): then raising to the peak values costs nothing */
    for (int id = 0; id < GUC_COUNT; id++) {
        const Derived *d = &n->guc[id];
        if (!d->set || id == GUC_HOT_STANDBY_FEEDBACK)
            continue;
        sb_puts(&anyway, anyway.len ? " OR " : "");
        if (!guc_is_numeric((GucId)id))
            text_guard(&anyway, (GucId)id, d);
        else if (d->exact)
            sb_printf(&anyway, "current_setting('%s')::bigint <> %ld", guc_name((GucId)id), d->value);
        else
            sb_printf(&anyway, "current_setting('%s')::bigint < %ld", guc_name((GucId)id),
                      guc_floor(n, (GucId)id, d, false));
    }
    for (int id = 0; id < GUC_COUNT; id++) {
        const Derived *d = &n->guc[id];
        if (!d->set || (floor_only && !guc_standby_floor((GucId)id)))
            continue;
        const char *name = guc_name((GucId)id);
        if (!guc_is_numeric((GucId)id)) {
            text_guard(&g, (GucId)id, d);
            sb_printf(&q, "ALTER SYSTEM SET %s = ", name);
            q_literal(&q, d->text);
        } else {
            long fl = guc_floor(n, (GucId)id, d, floor_only);
            if (d->exact)
                sb_printf(&g, "current_setting('%s')::bigint <> %ld", name, d->value);
            else if (fl >= d->value)
                sb_printf(&g, "current_setting('%s')::bigint < %ld", name, d->value);
            else if (fl <= 0)
                sb_printf(&g, "current_setting('%s')::bigint < %ld AND (%s)", name, d->value, anyway.s);
            else
                sb_printf(&g, "current_setting('%s')::bigint < %ld OR (current_setting('%s')::bigint < %ld AND (%s))",
                          name, fl, name, d->value, anyway.s);
            sb_printf(&q, "ALTER SYSTEM SET %s = %ld", name, d->value);
        }
        const char *why = !guc_is_numeric((GucId)id) || d->exact || guc_floor(n, (GucId)id, d, floor_only) >= d->value
                              ? d->why
                              : arena_printf(a, "%s; at least %ld, %ld when the server restarts anyway",
                                             d->why, guc_floor(n, (GucId)id, d, floor_only), d->value);
        stmt(a, v, arena_printf(a, "%s: %s", name, why), &g, &q)->guc = name;
        /* a value the user lowered in the topology: replc never lowers one */
        if (!floor_only && guc_is_numeric((GucId)id) && !d->exact && d->user &&
            (d->verdict == USER_USED || d->verdict == USER_BELOW_PEAK)) {
            sb_printf(&g, "current_setting('%s')::bigint > %ld", name, d->value);
            SqlStmt *st = stmt(a, v, NULL, &g, &q);
            st->sql = NULL;
            st->notice = arena_printf(a, "%s is higher on the server than the topology's %ld; replc never lowers a "
                                         "setting: lower it by hand (ALTER SYSTEM SET %s = %ld, then restart)",
                                      name, d->value, name, d->value);
        }
    }
    if (!floor_only)
        sync_reset(a, v, n);
    for (int i = 0; i < n->conf->user_gucs.n && !floor_only; i++) {
        const UserGuc *u = n->conf->user_gucs.items[i];
        bool derived = false;
        for (int id = 0; id < GUC_COUNT; id++)
            if (strcmp(guc_name((GucId)id), u->name) == 0)
                derived = true;
        if (derived)
            continue;
        sb_puts(&g, "NOT ");
        setting_equals(&g, u->name, u->value);
        sb_printf(&q, "ALTER SYSTEM SET %s = ", u->name);   /* checked: letters, digits, '_', '.' */
        q_literal(&q, u->value);
        stmt(a, v, arena_printf(a, "%s: set in the topology", u->name), &g, &q)->guc = u->name;
    }
    sb_free(&g);
    sb_free(&q);
    sb_free(&anyway);
}

static void database(Arena *a, Vec *v, const MNode *n)
{
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    sb_puts(&g, "NOT EXISTS (SELECT FROM pg_database WHERE datname = ");
    q_literal(&g, n->conf->database);
    sb_puts(&g, ")");
    sb_puts(&q, "CREATE DATABASE ");
    q_ident(&q, n->conf->database);
    stmt(a, v, NULL, &g, &q);
    sb_free(&g);
    sb_free(&q);
}

/* pg_attribute rows of table t's live columns, ending "WHERE ... " */
static void live_columns(StrBuf *b, const MTable *t)
{
    sb_puts(b, "FROM pg_attribute WHERE attrelid = to_regclass(");
    q_regclass(b, t->schema, t->name);
    sb_puts(b, ") AND attnum > 0 AND NOT attisdropped");
}

/* A statement that fails with message (a RAISE format: each % is the
 * next of args, SQL expressions) and hint: what to do by hand. */
static void refuse(StrBuf *q, const char *decl, const char *pre, const char *message, const char *args,
                   const char *hint)
{
    StrBuf body;
    sb_init(&body);
    sb_printf(&body, "DECLARE %s; BEGIN %s", decl, pre);
    sb_puts(&body, "RAISE EXCEPTION ");
    q_literal(&body, message);
    sb_printf(&body, ", %s USING HINT = ", args);
    q_literal(&body, hint);
    sb_puts(&body, "; END");
    sb_puts(q, "DO ");
    q_literal(q, body.s);
    sb_free(&body);
}

/* A declared table that exists already: columns added to the topology are
 * added; a column whose type differs, or one the topology no longer
 * declares, is refused (replc never rewrites nor drops data). */
static void columns(Arena *a, Vec *v, const MTable *t)
{
    StrBuf g, q, names, decl;
    sb_init(&g);
    sb_init(&q);
    sb_init(&names);
    sb_init(&decl);
    for (int k = 0; k < t->columns.n; k++) {
        const MColumn *c = t->columns.items[k];
        sb_puts(&names, k ? ", " : "ARRAY[");
        q_literal(&names, c->name);
        sb_puts(&decl, k ? ", (" : "(VALUES (");
        q_literal(&decl, c->name);
        sb_puts(&decl, ", ");
        q_literal(&decl, c->type);
        sb_puts(&decl, ")");
    }
    sb_puts(&names, "]::name[]");
    sb_puts(&decl, ") AS d(name, type)");

    /* each column the live table lacks (one statement each: no notice
     * about the columns it has) */
    for (int k = 0; k < t->columns.n; k++) {
        const MColumn *c = t->columns.items[k];
        sb_puts(&g, "to_regclass(");
        q_regclass(&g, t->schema, t->name);
        sb_puts(&g, ") IS NOT NULL AND NOT EXISTS (SELECT ");
        live_columns(&g, t);
        sb_puts(&g, " AND attname = ");
        q_literal(&g, c->name);
        sb_puts(&g, ")");
        sb_puts(&q, "ALTER TABLE ");
        q_qualified(&q, t->schema, t->name);
        sb_puts(&q, " ADD COLUMN ");
        q_ident(&q, c->name);
        sb_printf(&q, " %s%s", c->type, c->not_null ? " NOT NULL" : "");
        stmt(a, v, k ? NULL : arena_printf(a, "columns of table %s added to the topology since", t->display),
             &g, &q);
    }

    /* a column whose type is not the declared one */
    StrBuf from, body;
    sb_init(&from);
    sb_init(&body);
    sb_puts(&from, "FROM pg_attribute JOIN ");
    sb_puts(&from, decl.s);
    sb_puts(&from, " ON attname = d.name WHERE attrelid = to_regclass(");
    q_regclass(&from, t->schema, t->name);
    sb_puts(&from, ") AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)");
    sb_printf(&g, "EXISTS (SELECT %s)", from.s);
    sb_printf(&body, "SELECT string_agg(format('%%I is %%s, not %%s', attname, format_type(atttypid, atttypmod), "
                     "d.type), '; ' ORDER BY attnum) INTO cols %s; ", from.s);
    StrBuf args;
    sb_init(&args);
    q_literal(&args, t->display);
    sb_puts(&args, ", cols");
    refuse(&q, "cols text", body.s, "table '%' on the server: %", args.s,
           "replc never changes a column's type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) "
           "on every node, subscribers first, or write the server's type in the topology.");
    stmt(a, v, arena_printf(a, "columns of table %s whose type differs: refused", t->display), &g, &q);

    /* a live column the topology does not declare */
    sb_reset(&from);
    sb_reset(&body);
    live_columns(&from, t);
    sb_printf(&from, " AND attname <> ALL (%s)", names.s);
    sb_printf(&g, "EXISTS (SELECT %s)", from.s);
    sb_printf(&body, "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols %s; ", from.s);
    refuse(&q, "cols text", body.s, "table '%' has column(s) % on the server that the topology does not declare",
           args.s,
           "replc never drops a column: drop it by hand on every node, publisher first, or declare it "
           "in the topology.");
    stmt(a, v, arena_printf(a, "columns of table %s no longer declared: refused", t->display), &g, &q);
    sb_free(&args);
    sb_free(&from);
    sb_free(&body);
    sb_free(&g);
    sb_free(&q);
    sb_free(&names);
    sb_free(&decl);
}

static void tables(Arena *a, Vec *v, const MNode *n)
{
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    for (int i = 0; i < n->tables.n; i++) {
        const MTable *t = n->tables.items[i];
        if (!t->has_columns || !t->schema)
            continue;
        bool seen = false;
        for (int k = 0; k < i; k++) {
            const MTable *o = n->tables.items[k];
            if (o->has_columns && o->schema && strcmp(o->schema, t->schema) == 0)
                seen = true;
        }
        if (seen)
            continue;
        sb_puts(&g, "NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = ");
        q_literal(&g, t->schema);
        sb_puts(&g, ")");
        sb_puts(&q, "CREATE SCHEMA IF NOT EXISTS ");
        q_ident(&q, t->schema);
        stmt(a, v, NULL, &g, &q);
    }
    for (int i = 0; i < n->tables.n; i++) {
        const MTable *t = n->tables.items[i];
        if (!t->has_columns)
            continue;
        sb_puts(&g, "to_regclass(");
        q_regclass(&g, t->schema, t->name);
        sb_puts(&g, ") IS NULL");
        sb_puts(&q, "CREATE TABLE IF NOT EXISTS ");
        q_qualified(&q, t->schema, t->name);
        sb_puts(&q, " (");
        for (int k = 0; k < t->columns.n; k++) {
            const MColumn *c = t->columns.items[k];
            sb_puts(&q, k ? ",\n    " : "\n    ");
            q_ident(&q, c->name);
            sb_printf(&q, " %s%s", c->type, c->not_null ? " NOT NULL" : "");
        }
        if (t->pkey.n) {
            sb_puts(&q, ",\n    PRIMARY KEY (");
            for (int k = 0; k < t->pkey.n; k++) {
                if (k)
                    sb_puts(&q, ", ");
                q_ident(&q, t->pkey.items[k]);
            }
            sb_puts(&q, ")");
        }
        sb_puts(&q, "\n)");
        stmt(a, v, arena_printf(a, "table %s", t->display), &g, &q);
        if (!model_defers_columns(a, n, t))   /* else its columns step, after the subscribers' */
            columns(a, v, t);
        if (t->replica_full) {
            sb_puts(&g, "(SELECT relreplident FROM pg_class WHERE oid = to_regclass(");
            q_regclass(&g, t->schema, t->name);
            sb_puts(&g, ")) <> 'f'");
            sb_puts(&q, "ALTER TABLE ");
            q_qualified(&q, t->schema, t->name);
            sb_puts(&q, " REPLICA IDENTITY FULL");
            stmt(a, v, NULL, &g, &q);
        }
    }
    sb_free(&g);
    sb_free(&q);
}

/* The columns of the tables n publishes, once every subscriber has them. */
static void published_columns(Arena *a, Vec *v, const MNode *n)
{
    for (int i = 0; i < n->tables.n; i++)
        if (model_defers_columns(a, n, n->tables.items[i]))
            columns(a, v, n->tables.items[i]);
}

/* How many declared columns of tables[] the server lacks: each column
 * whose table is missing too when `missing` counts them, else only those
 * of tables that exist. */
static char *columns_lacking(Arena *a, const Vec *tables, bool missing)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT count(*) FROM (VALUES ");
    int n = 0;
    for (int i = 0; i < tables->n; i++) {
        const MTable *t = tables->items[i];
        for (int k = 0; k < t->columns.n; k++) {
            sb_puts(&b, n++ ? ", (" : "(");
            q_regclass(&b, t->schema, t->name);
            sb_puts(&b, ", ");
            q_literal(&b, ((const MColumn *)t->columns.items[k])->name);
            sb_puts(&b, ")");
        }
    }
    if (!n)
        sb_puts(&b, "(NULL, NULL)");
    sb_puts(&b, ") AS d(rel, col) WHERE d.rel IS NOT NULL AND ");
    if (!missing)
        sb_puts(&b, "to_regclass(d.rel) IS NOT NULL AND ");
    sb_puts(&b, "NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass(d.rel) "
                "AND attname = d.col AND attnum > 0 AND NOT attisdropped)");
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

char *sql_columns_to_add(Arena *a, const MNode *pub)
{
    Vec t = {0};
    for (int i = 0; i < pub->tables.n; i++)
        if (model_defers_columns(a, pub, pub->tables.items[i]))
            vec_push(a, &t, pub->tables.items[i]);
    return columns_lacking(a, &t, false);
}

char *sql_columns_missing(Arena *a, const MNode *pub, const MNode *sub_node)
{
    Vec t = {0};
    model_received_tables(a, pub, sub_node, &t);
    return columns_lacking(a, &t, true);
}

/* One given subscription option as CREATE SUBSCRIPTION takes it: booleans
 * bare, everything else as a literal. */
static void sub_option(StrBuf *b, const SubOptions *o, SubOpt id)
{
    sb_printf(b, "%s = ", subopt_name(id));
    switch (id) {
    case SUBOPT_ORIGIN: q_literal(b, o->origin == ORIGIN_NONE ? "none" : "any"); break;
    case SUBOPT_STREAMING:
        q_literal(b, o->streaming == STREAM_PARALLEL ? "parallel" : o->streaming == STREAM_ON ? "on" : "off");
        break;
    case SUBOPT_SLOT_NAME: q_literal(b, o->slot_name); break;
    case SUBOPT_SYNCHRONOUS_COMMIT: q_literal(b, o->synchronous_commit); break;
    default: sb_puts(b, subopt_bool(o, id) ? "true" : "false"); break;
    }
}

static void pub_option(StrBuf *b, const PubOptions *o, PubOpt id)
{
    sb_printf(b, "%s = ", pubopt_name(id));
    switch (id) {
    case PUBOPT_PUBLISH: q_literal(b, o->publish); break;
    case PUBOPT_PUBLISH_GENERATED_COLUMNS: q_literal(b, o->generated_stored ? "stored" : "none"); break;
    default: sb_puts(b, o->via_partition_root ? "true" : "false"); break;
    }
}

/* The logical slot of subscription sub, made on its publisher before CREATE
 * SUBSCRIPTION (create_slot = false there). */
static void slot_stmt(Arena *a, Vec *v, const MSub *sub)
{
    const MNode *n = sub->publisher;
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    sb_puts(&g, "NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = ");
    q_literal(&g, sub->slot);
    sb_puts(&g, ")");
    sb_puts(&q, "SELECT pg_create_logical_replication_slot(");
    q_literal(&q, sub->slot);
    sb_puts(&q, ", 'pgoutput'");
    if (n->version >= 14)
        sb_printf(&q, ", false, %s", sub->opt->two_phase ? "true" : "false");
    if (n->version >= 17)
        sb_printf(&q, ", %s", sub->opt->failover ? "true" : "false");
    sb_puts(&q, ")");
    stmt(a, v, arena_printf(a, "slot of subscription %s of node %s", sub->name, sub->node->name), &g, &q);
    sb_free(&g);
    sb_free(&q);
}

/* A condition on pg_publication p: its tables are exactly those of pub. */
static void pub_tables_match(StrBuf *g, const MPub *pub)
{
    if (pub->all_tables) {
        sb_puts(g, "p.puballtables");
        return;
    }
    sb_puts(g, "(SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') "
               "FROM pg_publication_rel r WHERE r.prpubid = p.oid) = "
               "(SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[");
    for (int k = 0; k < pub->tables.n; k++) {
        const MTable *t = pub->tables.items[k];
        if (k)
            sb_puts(g, ", ");
        sb_puts(g, "to_regclass(");
        q_regclass(g, t->schema, t->name);
        sb_puts(g, ")::oid");
    }
    sb_puts(g, "]::oid[]) x)");
}

void sql_marked(Arena *a, StrBuf *b, const char *expr, const char *cluster)
{
    const char *mark = model_mark(a, cluster);
    sb_printf(b, "%s IN (", expr);
    q_literal(b, mark);
    sb_puts(b, ", ");
    q_literal(b, arena_printf(a, "%s%s", mark, MODEL_MARK_DISABLED));
    sb_puts(b, ")");
}

/* The ownership mark of a publication (pub) or a subscription (sub) of
 * node n: COMMENT ON ... IS 'replc cluster NAME' (a subscription's:
 * model_sub_mark), when it is not there. A subscription's comment is in
 * pg_description (obj_description), not in pg_shdescription, though
 * pg_subscription is a shared catalog. */
static void mark_stmt(Arena *a, Vec *v, const MNode *n, const MPub *pub, const MSub *sub)
{
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    const char *mark = pub ? model_mark(a, n->conf->cluster) : model_sub_mark(a, sub);
    if (pub) {
        sb_puts(&g, "EXISTS (SELECT FROM pg_publication WHERE pubname = ");
        q_literal(&g, pub->name);
        sb_puts(&g, " AND obj_description(oid, 'pg_publication') IS DISTINCT FROM ");
        sb_puts(&q, "COMMENT ON PUBLICATION ");
        q_ident(&q, pub->name);
    } else {
        sb_puts(&g, "EXISTS (SELECT FROM pg_subscription WHERE subname = ");
        q_literal(&g, sub->name);
        sb_puts(&g, " AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    " AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM ");
        sb_puts(&q, "COMMENT ON SUBSCRIPTION ");
        q_ident(&q, sub->name);
    }
    q_literal(&g, mark);
    sb_puts(&g, ")");
    sb_puts(&q, " IS ");
    q_literal(&q, mark);
    stmt(a, v, "replc's mark: what carries it and leaves the topology is dropped by --prune", &g, &q);
    sb_free(&g);
    sb_free(&q);
}

/* A condition on a pg_publication row: its options are not those of pub
 * (what is declared; publish defaults to all). */
static void pub_options_differ(StrBuf *g, const MNode *n, const MPub *p)
{
    sb_printf(g, "((pubinsert, pubupdate, pubdelete%s) <> (%s, %s, %s%s)", n->version >= 11 ? ", pubtruncate" : "",
              p->pub_insert ? "true" : "false", p->pub_update ? "true" : "false", p->pub_delete ? "true" : "false",
              n->version >= 11 ? (p->pub_truncate ? ", true" : ", false") : "");
    if (n->version >= 13)
        sb_printf(g, " OR pubviaroot <> %s", p->opt->via_partition_root ? "true" : "false");
    if (n->version >= 18)
        sb_printf(g, " OR pubgencols <> '%c'", p->opt->generated_stored ? 's' : 'n');
    sb_puts(g, ")");
}

/* pg_class c has no usable replica identity: no primary key (identity
 * default), no REPLICA IDENTITY USING INDEX, not FULL */
static const char no_identity[] =
    "NOT (c.relreplident = 'f' OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid "
    "AND (i.indisreplident OR (c.relreplident = 'd' AND i.indisprimary))))";

char *sql_pub_unidentified(Arena *a, const MNode *n, const MPub *p)
{
    if (!model_pub_changes(p))
        return NULL;
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "CASE WHEN NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = ");
    q_literal(&b, p->name);
    sb_puts(&b, " AND ");
    pub_tables_match(&b, p);
    sb_puts(&b, " AND NOT ");
    pub_options_differ(&b, n, p);
    sb_puts(&b, ") THEN (SELECT coalesce(string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid::regclass::text), '') "
                "FROM pg_class c WHERE ");
    if (p->all_tables)
        /* what FOR ALL TABLES carries: every permanent table outside the
         * catalogs (a partition too: UPDATE checks the partition's identity) */
        sb_puts(&b, "c.relkind = 'r' AND c.relpersistence = 'p' AND c.oid >= 16384 AND c.relnamespace NOT IN "
                    "(SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))");
    else {
        /* the tables declared without columns: only the server knows their keys */
        int k = 0;
        sb_puts(&b, "c.oid IN (");
        for (int i = 0; i < p->tables.n; i++) {
            const MTable *t = p->tables.items[i];
            if (t->has_columns)
                continue;
            sb_puts(&b, k++ ? ", to_regclass(" : "to_regclass(");
            q_regclass(&b, t->schema, t->name);
            sb_puts(&b, ")");
        }
        sb_puts(&b, ")");
        if (!k) {
            sb_free(&b);
            return NULL;
        }
    }
    sb_printf(&b, " AND %s) ELSE '' END", no_identity);
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

/* Before any publication is made or changed: refused when one would carry
 * a table without a replica identity while it publishes updates or
 * deletes (PostgreSQL would then refuse UPDATE and DELETE on it). */
static void identity_refusals(Arena *a, Vec *v, const MNode *n)
{
    StrBuf g, q, args;
    sb_init(&g);
    sb_init(&q);
    sb_init(&args);
    for (int i = 0; i < n->pubs.n; i++) {
        const MPub *p = n->pubs.items[i];
        const char *tabs = sql_pub_unidentified(a, n, p);
        if (!tabs)
            continue;
        sb_printf(&g, "(%s) <> ''", tabs);
        q_literal(&args, n->name);
        sb_puts(&args, ", ");
        q_literal(&args, p->name);
        sb_puts(&args, ", tabs");
        refuse(&q, "tabs text", arena_printf(a, "tabs := %s; ", tabs),
               arena_printf(a, "node '%%': publication '%%' publishes %s, but table(s) without a replica identity "
                               "would be in it: %%; UPDATE and DELETE on them would fail",
                            model_pub_changes(p)),
               args.s,
               "Give each table a primary key, or ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX), or "
               "publish only inserts: with (publish = 'insert').");
        stmt(a, v, arena_printf(a, "publication %s: tables without a replica identity are refused", p->name), &g, &q);
        sb_reset(&args);
    }
    sb_free(&g);
    sb_free(&q);
    sb_free(&args);
}

static void publications(Arena *a, Vec *v, const MNode *n)
{
    identity_refusals(a, v, n);
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    for (int i = 0; i < n->pubs.n; i++) {
        const MPub *p = n->pubs.items[i];
        sb_puts(&g, "NOT EXISTS (SELECT FROM pg_publication WHERE pubname = ");
        q_literal(&g, p->name);
        sb_puts(&g, ")");
        sb_puts(&q, "CREATE PUBLICATION ");
        q_ident(&q, p->name);
        if (p->all_tables)
            sb_puts(&q, " FOR ALL TABLES");
        else {
            sb_puts(&q, " FOR TABLE ");
            for (int k = 0; k < p->tables.n; k++) {
                const MTable *t = p->tables.items[k];
                if (k)
                    sb_puts(&q, ", ");
                q_qualified(&q, t->schema, t->name);
            }
        }
        for (int k = 0; k < p->opt->n; k++) {
            sb_puts(&q, k ? ", " : " WITH (");
            pub_option(&q, p->opt, p->opt->order[k]);
        }
        if (p->opt->n)
            sb_puts(&q, ")");
        stmt(a, v, arena_printf(a, "publication %s", p->name), &g, &q);
        mark_stmt(a, v, n, p, NULL);
        if (p->all_tables)
            continue;
        /* tables added to or removed from the topology since: one SET TABLE */
        sb_puts(&g, "EXISTS (SELECT FROM pg_publication p WHERE p.pubname = ");
        q_literal(&g, p->name);
        sb_puts(&g, " AND NOT ");
        pub_tables_match(&g, p);
        sb_puts(&g, ")");
        sb_puts(&q, "ALTER PUBLICATION ");
        q_ident(&q, p->name);
        sb_puts(&q, " SET TABLE ");
        for (int k = 0; k < p->tables.n; k++) {
            const MTable *t = p->tables.items[k];
            if (k)
                sb_puts(&q, ", ");
            q_qualified(&q, t->schema, t->name);
        }
        stmt(a, v, NULL, &g, &q);
    }
    /* options changed since (what is declared; publish defaults to all) */
    for (int i = 0; i < n->pubs.n; i++) {
        const MPub *p = n->pubs.items[i];
        sb_puts(&g, "EXISTS (SELECT FROM pg_publication WHERE pubname = ");
        q_literal(&g, p->name);
        sb_puts(&g, " AND ");
        pub_options_differ(&g, n, p);
        sb_puts(&g, ")");
        sb_puts(&q, "ALTER PUBLICATION ");
        q_ident(&q, p->name);
        sb_puts(&q, " SET (publish = ");
        StrBuf w;
        sb_init(&w);
        const char *words[4] = {"insert", "update", "delete", "truncate"};
        bool on[4] = {p->pub_insert, p->pub_update, p->pub_delete, p->pub_truncate && n->version >= 11};
        for (int k = 0; k < 4; k++)
            if (on[k])
                sb_printf(&w, "%s%s", w.len ? ", " : "", words[k]);
        q_literal(&q, w.s ? w.s : "");
        sb_free(&w);
        if (n->version >= 13)
            sb_printf(&q, ", publish_via_partition_root = %s", p->opt->via_partition_root ? "true" : "false");
        if (n->version >= 18)
            sb_printf(&q, ", publish_generated_columns = %s", p->opt->generated_stored ? "stored" : "none");
        sb_puts(&q, ")");
        SqlStmt *st = stmt(a, v, arena_printf(a, "options of publication %s", p->name), &g, &q);
        /* shown as: publication NAME: publish = '...', ... -> (the SET list) */
        sb_puts(&g, "SELECT ");
        q_literal(&g, arena_printf(a, "publication %s: ", p->name));
        sb_puts(&g, " || format('publish = %L', concat_ws(', ', CASE WHEN pubinsert THEN 'insert' END, "
                    "CASE WHEN pubupdate THEN 'update' END, CASE WHEN pubdelete THEN 'delete' END");
        if (n->version >= 11)
            sb_puts(&g, ", CASE WHEN pubtruncate THEN 'truncate' END");
        sb_puts(&g, "))");
        if (n->version >= 13)
            sb_puts(&g, " || ', publish_via_partition_root = ' || pubviaroot");
        if (n->version >= 18)
            sb_puts(&g, " || ', publish_generated_columns = ' || CASE pubgencols WHEN 's' THEN 'stored' ELSE 'none' END");
        sb_puts(&g, " || ");
        const char *set = strstr(st->sql, " SET (");
        q_literal(&g, arena_printf(a, " -> %.*s", (int)strlen(set + 6) - 1, set + 6));
        sb_puts(&g, " FROM pg_publication WHERE pubname = ");
        q_literal(&g, p->name);
        st->show = arena_strdup(a, g.s);
        sb_reset(&g);
    }
    /* the slots of the subscriptions to this node (see MSub.precreate_slot) */
    for (int i = 0; i < n->subscribers.n; i++) {
        const MSub *sub = n->subscribers.items[i];
        if (sub->precreate_slot)
            slot_stmt(a, v, sub);
    }
    grant_sql(a, v, n);
    sb_free(&g);
    sb_free(&q);
}

static void sub_where(StrBuf *b, const MSub *sub)
{
    sb_puts(b, "subname = ");
    q_literal(b, sub->name);
    sb_puts(b, " AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())");
}

/* "EXISTS (SELECT FROM pg_subscription s WHERE <sub> AND (" : close with "))" */
static void sub_differs(StrBuf *g, const MSub *sub)
{
    sb_puts(g, "EXISTS (SELECT FROM pg_subscription s WHERE ");
    sub_where(g, sub);
    sb_puts(g, " AND (");
}

/* What --dry-run and --status show of an option that differs: one line,
 * "subscription NAME: OPTION old -> new". */
static const char *sub_show(Arena *a, const MSub *sub, const char *opt, const char *live, const char *want)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT ");
    q_literal(&b, arena_printf(a, "subscription %s: %s ", sub->name, opt));
    sb_printf(&b, " || %s || ", live);
    q_literal(&b, arena_printf(a, " -> %s", want));
    sb_puts(&b, " FROM pg_subscription s WHERE ");
    sub_where(&b, sub);
    const char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

static void alter_head(StrBuf *q, const MSub *sub)
{
    sb_puts(q, "ALTER SUBSCRIPTION ");
    q_ident(q, sub->name);
}

/* A table added to the publications of a subscription whose two_phase is
 * enabled on the server: PostgreSQL refuses to copy it (REFRESH PUBLICATION
 * with copy_data, in every version with two_phase), and copying nothing
 * would lose its rows. Refused, naming the subscription and the tables,
 * with what to do by hand. decl: the declared tables, an oid[]. */
static void two_phase_refresh(Arena *a, Vec *v, const MSub *sub, const char *decl)
{
    StrBuf g, q, from, body, args;
    sb_init(&g);
    sb_init(&q);
    sb_init(&from);
    sb_init(&body);
    sb_init(&args);
    sb_printf(&from, "FROM unnest(%s) x WHERE x IS NOT NULL AND x NOT IN (SELECT r.srrelid FROM "
                     "pg_subscription_rel r WHERE r.srsubid = s.oid)", decl);
    sub_differs(&g, sub);
    sb_printf(&g, "s.subtwophasestate = 'e' AND EXISTS (SELECT %s)))", from.s);
    sb_puts(&body, "SELECT string_agg(x::regclass::text, ', ') INTO tabs FROM pg_subscription s, LATERAL (SELECT x ");
    sb_printf(&body, "%s) t WHERE ", from.s);
    sub_where(&body, sub);
    sb_puts(&body, "; ");
    q_literal(&args, sub->name);
    sb_puts(&args, ", tabs");
    const char *hint = sub->node->version >= 18
        ? arena_printf(a, "On node '%s', by hand: ALTER SUBSCRIPTION %s DISABLE; ALTER SUBSCRIPTION %s SET "
                          "(two_phase = false); ALTER SUBSCRIPTION %s ENABLE; apply again (the new tables are "
                          "copied), then turn two_phase on again the same way. Or leave the tables out of the "
                          "publications in the topology.", sub->node->name, sub->name, sub->name, sub->name)
        : arena_printf(a, "PostgreSQL %d cannot turn two_phase off. On node '%s', by hand: DROP SUBSCRIPTION %s, "
                          "empty the tables it receives on this node (TRUNCATE), and apply again: replc creates "
                          "it anew and copies every table. Or leave the tables out of the publications in the "
                          "topology.", sub->node->version, sub->node->name, sub->name);
    refuse(&q, "tabs text", body.s,
           "subscription '%' has two_phase enabled: PostgreSQL refuses to copy the table(s) % added to its "
           "publications (REFRESH PUBLICATION with copy_data)", args.s, hint);
    stmt(a, v, arena_printf(a, "subscription %s: tables added while two_phase is enabled: refused", sub->name),
         &g, &q);
    sb_free(&g);
    sb_free(&q);
    sb_free(&from);
    sb_free(&body);
    sb_free(&args);
}

static void copy_refusal(Arena *a, Vec *v, const MSub *sub, bool refresh);

/* A subscription that PostgreSQL disabled after an error (disable_on_error,
 * 15+): counted errors and disabled, while the topology wants it enabled.
 * Without 'enabled = true' written, replc leaves it disabled and says so
 * (re-enabling would replay the same conflict); with it written, the next
 * statement enables it, and this one says that it does. */
static void disabled_by_error(Arena *a, Vec *v, const MSub *sub)
{
    if (sub->node->version < 15 || !sub->opt->enabled || !sub->opt->connect)
        return;
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    sub_differs(&g, sub);
    sb_puts(&g, "NOT s.subenabled AND s.subdisableonerr AND EXISTS (SELECT FROM pg_stat_subscription_stats t "
                "WHERE t.subid = s.oid AND t.apply_error_count + t.sync_error_count > 0)))");
    SqlStmt *st = stmt(a, v, NULL, &g, &q);
    st->sql = NULL;
    st->notice = sub->opt->given[SUBOPT_ENABLED]
                     ? arena_printf(a, "subscription %s was disabled after an error (disable_on_error); "
                                       "the topology says enabled = true, so replc enables it again: the "
                                       "error is in the server log", sub->name)
                     : arena_printf(a, "subscription %s was disabled after an error (disable_on_error); "
                                       "replc leaves it disabled: find the error in the server log, fix its "
                                       "cause, then ALTER SUBSCRIPTION %s ENABLE", sub->name, sub->name);
    sb_free(&g);
    sb_free(&q);
}

/* The subscription's live publications differ from the declared ones (an
 * expression over pg_subscription s). */
static void pubs_differ(StrBuf *g, const MSub *sub)
{
    sb_puts(g, "ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY[");
    for (int k = 0; k < sub->pubs.n; k++) {
        sb_puts(g, k ? ", " : "");
        q_literal(g, ((MPub *)sub->pubs.items[k])->name);
    }
    sb_puts(g, "]::text[]) ORDER BY 1)");
}

/* The declared tables of sub as an oid[] (decl); returns whether one of its
 * publications is 'all tables' (then the live set may hold more). */
static bool declared_tables(StrBuf *decl, const MSub *sub)
{
    bool all = false;
    for (int k = 0; k < sub->pubs.n; k++)
        all = all || ((MPub *)sub->pubs.items[k])->all_tables;
    sb_puts(decl, "ARRAY[");
    for (int k = 0; k < sub->tables->n; k++) {
        const MTable *t = sub->tables->items[k];
        sb_puts(decl, k ? ", to_regclass(" : "to_regclass(");
        q_regclass(decl, t->schema, t->name);
        sb_puts(decl, ")::oid");
    }
    sb_puts(decl, "]::oid[]");
    return all;
}

/* The tables the subscription receives differ from decl (declared_tables). */
static void tables_differ(StrBuf *g, const char *decl, bool all)
{
    sb_puts(g, all ? "NOT (SELECT coalesce(array_agg(srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) @> "
                   : "(SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel "
                     "WHERE srsubid = s.oid) <> ");
    sb_printf(g, "(SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(%s) x)", decl);
}

/* A subscription the topology wants enabled that someone else disabled (it
 * carries replc's plain mark): replc leaves it disabled, and PostgreSQL
 * changes the publications or tables of an enabled subscription only (with
 * a refresh). When they differ, refused by name with what to do, instead
 * of PostgreSQL's hint (refresh = false), which would copy nothing. */
static void disabled_refresh(Arena *a, Vec *v, const MSub *sub, const char *decl, bool all)
{
    StrBuf g, q, args;
    sb_init(&g);
    sb_init(&q);
    sb_init(&args);
    sub_differs(&g, sub);
    sb_puts(&g, "NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') = ");
    q_literal(&g, model_mark(a, sub->node->conf->cluster));
    sb_puts(&g, " AND (");
    pubs_differ(&g, sub);
    sb_puts(&g, " OR ");
    tables_differ(&g, decl, all);
    sb_puts(&g, ")))");
    q_literal(&args, sub->name);
    refuse(&q, "x int", "",
           "subscription '%' is disabled on the server (not by the topology: replc leaves it so), and its "
           "publications or tables differ from the topology's: PostgreSQL changes them only on an enabled "
           "subscription", args.s,
           arena_printf(a, "On node '%s': ALTER SUBSCRIPTION %s ENABLE, then apply again (the tables added are "
                           "copied); or write enabled = false for it in the topology.", sub->node->name, sub->name));
    stmt(a, v, arena_printf(a, "subscription %s: disabled by someone else while its tables change: refused",
                            sub->name), &g, &q);
    sb_free(&g);
    sb_free(&q);
    sb_free(&args);
}

/* An existing subscription made to match: its connection, publications,
 * options, and the tables it receives (REFRESH PUBLICATION copies the new
 * ones, never one it has). */
static void alter_subscription(Arena *a, Vec *v, const MSub *sub, const char *conninfo)
{
    const int ver = sub->node->version;
    const bool live = sub->opt->connect && sub->opt->enabled;
    StrBuf g, q, decl;   /* decl: the declared tables, as an oid[] */
    sb_init(&g);
    sb_init(&q);
    sb_init(&decl);
    const bool all = declared_tables(&decl, sub);
    sub_differs(&g, sub);
    sb_puts(&g, "s.subconninfo <> ");
    q_literal(&g, conninfo);
    sb_puts(&g, "))");
    alter_head(&q, sub);
    sb_puts(&q, " CONNECTION ");
    q_literal(&q, conninfo);
    stmt(a, v, arena_printf(a, "subscription %s: its publisher's address", sub->name), &g, &q);

    /* enabled before its publications change: PostgreSQL refreshes only an
     * enabled subscription */
    disabled_by_error(a, v, sub);
    /* enabled: as the file gives it; not given (true), only once the mark
     * says the topology had disabled it (one someone else disabled stays
     * so); the mark follows (mark_stmt, after this) */
    if (sub->opt->connect && !model_sub_enable_later(sub)) {
        sub_differs(&g, sub);
        if (sub->opt->given[SUBOPT_ENABLED])
            sb_printf(&g, "s.subenabled <> %s))", sub->opt->enabled ? "true" : "false");
        else {
            sb_puts(&g, "NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') = ");
            q_literal(&g, arena_printf(a, "%s%s", model_mark(a, sub->node->conf->cluster), MODEL_MARK_DISABLED));
            sb_puts(&g, "))");
        }
        alter_head(&q, sub);
        sb_puts(&q, sub->opt->enabled ? " ENABLE" : " DISABLE");
        SqlStmt *st = stmt(a, v, sub->opt->given[SUBOPT_ENABLED] ? NULL
                                 : arena_printf(a, "subscription %s: enabled again (the topology no longer "
                                                   "declares it disabled)", sub->name), &g, &q);
        st->show = sub_show(a, sub, "enabled", "s.subenabled::text", sub->opt->enabled ? "true" : "false");
    }
    if (live)
        disabled_refresh(a, v, sub, decl.s, all);

    /* SET PUBLICATION and REFRESH PUBLICATION below copy the tables they add */
    if (live && sub->opt->copy_data)
        copy_refusal(a, v, sub, true);

    /* with two_phase enabled on the server (15+), PostgreSQL refuses a
     * refresh that copies data: then the publications change without one,
     * and the refresh below says what to do */
    const bool tp = live && sub->opt->copy_data && ver >= 15;
    for (int e = 0; e < (tp ? 2 : 1); e++) {
        sub_differs(&g, sub);
        pubs_differ(&g, sub);
        alter_head(&q, sub);
        sb_puts(&q, " SET PUBLICATION ");
        for (int k = 0; k < sub->pubs.n; k++) {
            sb_puts(&q, k ? ", " : "");
            q_ident(&q, ((MPub *)sub->pubs.items[k])->name);
        }
        if (tp)
            sb_puts(&g, e ? " AND s.subtwophasestate = 'e'" : " AND s.subtwophasestate <> 'e'");
        sb_puts(&g, "))");
        if (live && !e)
            sb_printf(&q, " WITH (copy_data = %s)", sub->opt->copy_data ? "true" : "false");
        else
            sb_puts(&q, " WITH (refresh = false)");
        stmt(a, v, e ? NULL : arena_printf(a, "subscription %s: its publications", sub->name), &g, &q);
    }

    /* the options ALTER SUBSCRIPTION ... SET takes: the declared value, or
     * PostgreSQL's default once an option leaves the file (streaming:
     * replc's off, the default differs between versions) */
    const SubOptions *o = sub->opt;
    for (int k = 0; k < SUBOPT_COUNT; k++) {
        SubOpt id = (SubOpt)k;
        const char *col = NULL, *live = NULL, *val = NULL, *want = NULL;
        switch (id) {
        case SUBOPT_BINARY: if (ver >= 14) col = "subbinary"; break;
        case SUBOPT_DISABLE_ON_ERROR: if (ver >= 15) col = "subdisableonerr"; break;
        case SUBOPT_PASSWORD_REQUIRED: if (ver >= 16) col = "subpasswordrequired"; break;
        case SUBOPT_RUN_AS_OWNER: if (ver >= 16) col = "subrunasowner"; break;
        case SUBOPT_ORIGIN:
            if (ver >= 16) {
                col = "suborigin";
                want = o->origin == ORIGIN_NONE ? "none" : "any";
                val = arena_printf(a, "'%s'", want);
            }
            break;
        case SUBOPT_STREAMING:
            want = o->streaming == STREAM_PARALLEL ? "parallel" : o->streaming == STREAM_ON ? "on" : "off";
            if (ver >= 16) {
                col = "substream";
                val = arena_printf(a, "'%c'", want[0] == 'p' ? 'p' : want[1] == 'n' ? 't' : 'f');
                live = "CASE s.substream WHEN 'p' THEN 'parallel' WHEN 't' THEN 'on' ELSE 'off' END";
            } else if (ver >= 14) {
                col = "substream";
                val = o->streaming == STREAM_ON ? "true" : "false";
                live = "CASE WHEN s.substream THEN 'on' ELSE 'off' END";
            }
            break;
        case SUBOPT_SYNCHRONOUS_COMMIT:
            col = "subsynccommit";
            want = o->synchronous_commit ? o->synchronous_commit : "off";
            break;
        default: break;
        }
        if (!col)
            continue;
        bool boolean = !want;
        if (boolean)
            want = subopt_bool(o, id) ? "true" : "false";
        sub_differs(&g, sub);
        sb_printf(&g, "s.%s <> ", col);
        if (val || boolean)
            sb_puts(&g, val ? val : want);
        else
            q_literal(&g, want);
        sb_puts(&g, "))");
        alter_head(&q, sub);
        sb_printf(&q, " SET (%s = ", subopt_name(id));
        if (boolean)
            sb_puts(&q, want);
        else
            q_literal(&q, want);
        sb_puts(&q, ")");
        SqlStmt *st = stmt(a, v, NULL, &g, &q);
        st->show = sub_show(a, sub, subopt_name(id), live ? live : arena_printf(a, "s.%s::text", col), want);
    }
    /* options PostgreSQL changes only while the subscription is disabled
     * (two_phase from 18, failover from 17) or not at all (two_phase
     * before 18): what differs is reported, with what to do by hand */
    for (int k = 0; k < 2; k++) {
        SubOpt id = k ? SUBOPT_FAILOVER : SUBOPT_TWO_PHASE;
        if (ver < (k ? 17 : 15))
            continue;
        bool want = subopt_bool(o, id);
        sub_differs(&g, sub);
        sb_printf(&g, k ? "s.subfailover <> %s))" : "(s.subtwophasestate <> 'd') <> %s))", want ? "true" : "false");
        SqlStmt *st = stmt(a, v, NULL, &g, &q);
        st->sql = NULL;
        const char *name = subopt_name(id);
        st->notice = ver >= (k ? 17 : 18)
            ? arena_printf(a, "subscription '%s': %s differs from the topology's %s; PostgreSQL changes it only "
                              "while the subscription is disabled, which replc does not do by itself: by hand, "
                              "ALTER SUBSCRIPTION %s DISABLE; ALTER SUBSCRIPTION %s SET (%s = %s); "
                              "ALTER SUBSCRIPTION %s ENABLE; or write the server's value in the topology",
                           sub->name, name, want ? "true" : "false", sub->name, sub->name, name,
                           want ? "true" : "false", sub->name)
            : arena_printf(a, "subscription '%s': %s differs from the topology's %s; PostgreSQL %d cannot change "
                              "it after CREATE SUBSCRIPTION: write the server's value in the topology, or drop "
                              "the subscription by hand (DROP SUBSCRIPTION %s) and apply again, which creates "
                              "it anew and copies its tables again",
                           sub->name, name, want ? "true" : "false", ver, sub->name);
    }
    /* tables added to or removed from its publications */
    if (live) {
        if (tp)
            two_phase_refresh(a, v, sub, decl.s);
        for (int e = 0; e < (tp ? 2 : 1); e++) {
            sub_differs(&g, sub);
            tables_differ(&g, decl.s, all);
            if (tp)
                sb_puts(&g, e ? " AND s.subtwophasestate = 'e'" : " AND s.subtwophasestate <> 'e'");
            sb_puts(&g, "))");
            alter_head(&q, sub);
            /* two_phase enabled: only tables removed get here (refused above otherwise) */
            sb_printf(&q, " REFRESH PUBLICATION WITH (copy_data = %s)", sub->opt->copy_data && !e ? "true" : "false");
            stmt(a, v, e ? NULL : arena_printf(a, "subscription %s: tables added to or removed from its publications",
                                               sub->name), &g, &q);
        }
    }
    sb_free(&g);
    sb_free(&q);
    sb_free(&decl);
}

void sql_has_rows(StrBuf *b, const MTable *t)
{
    /* only a table that exists can be read: query_to_xml runs the count
     * only then; its document is <table><row><c>N</c></row></table> */
    sb_puts(b, "coalesce((xpath('/table/row/c/text()', query_to_xml(CASE WHEN to_regclass(");
    q_regclass(b, t->schema, t->name);
    sb_puts(b, ") IS NULL THEN 'SELECT 0 AS c' ELSE format('SELECT count(*) AS c FROM (SELECT FROM %s LIMIT 1) x', "
               "to_regclass(");
    q_regclass(b, t->schema, t->name);
    sb_puts(b, ")) END, false, false, '')))[1]::text, '0')");
}

/* Whether sub's step checks that its initial copy finds table t empty: not
 * when an earlier subscription of the node copies into t too (then the rows
 * are that copy's, and that subscription's step checked t). */
static bool copy_checked(const MSub *sub, const MTable *t)
{
    const MNode *n = sub->node;
    for (int i = 0; i < n->subs.n && n->subs.items[i] != sub; i++) {
        const MSub *o = n->subs.items[i];
        for (int k = 0; o->copy_data && k < o->tables->n; k++)
            if (o->tables->items[k] == t)
                return false;
    }
    return true;
}

/* Refused before an initial copy would fill a table that holds rows (the
 * copy would add duplicates, or stall on a duplicate key for ever): before
 * CREATE SUBSCRIPTION (refresh false), or before the statements that add
 * tables to an existing one (refresh true: only the tables it does not have
 * yet). Says each table's row count. */
static void copy_refusal(Arena *a, Vec *v, const MSub *sub, bool refresh)
{
    StrBuf g, q, names, rels, where, body, args;
    sb_init(&g);
    sb_init(&q);
    sb_init(&names);
    sb_init(&rels);
    sb_init(&where);
    sb_init(&body);
    sb_init(&args);
    int k = 0;
    for (int i = 0; i < sub->tables->n; i++) {
        const MTable *t = sub->tables->items[i];
        if (!copy_checked(sub, t))
            continue;
        sb_puts(&g, k ? " OR " : "(");
        if (refresh) {   /* a table the subscription does not have yet */
            sb_puts(&g, "(to_regclass(");
            q_regclass(&g, t->schema, t->name);
            sb_puts(&g, ")::oid NOT IN (SELECT srrelid FROM pg_subscription_rel WHERE srsubid = s.oid) AND ");
        }
        sql_has_rows(&g, t);
        sb_puts(&g, refresh ? " = '1')" : " = '1'");
        sb_puts(&names, k ? ", " : "");
        q_literal(&names, t->display);
        sb_puts(&rels, k ? ", " : "");
        q_regclass(&rels, t->schema, t->name);
        k++;
    }
    if (k) {
        sb_puts(&g, ")");
        StrBuf guard;
        sb_init(&guard);
        if (refresh) {
            sub_differs(&guard, sub);
            sb_printf(&guard, "%s))", g.s);
            sb_puts(&where, " AND to_regclass(x.rel)::oid NOT IN (SELECT srrelid FROM pg_subscription_rel WHERE srsubid = "
                            "(SELECT oid FROM pg_subscription WHERE ");
            sub_where(&where, sub);
            sb_puts(&where, "))");
        } else {
            sb_puts(&guard, "NOT EXISTS (SELECT FROM pg_subscription WHERE ");
            sub_where(&guard, sub);
            sb_printf(&guard, ") AND %s", g.s);
        }
        sb_printf(&body, "FOR r IN SELECT x.name, to_regclass(x.rel) AS rel FROM unnest(ARRAY[%s]::text[], "
                         "ARRAY[%s]::text[]) AS x(name, rel) WHERE to_regclass(x.rel) IS NOT NULL%s LOOP "
                         "EXECUTE format('SELECT count(*) FROM %%s', r.rel) INTO n; IF n > 0 THEN found := found || "
                         "CASE WHEN found = '' THEN '' ELSE ', ' END || format('''%%s'' (%%s row(s))', r.name, n); "
                         "END IF; END LOOP; ",
                  names.s, rels.s, where.s ? where.s : "");
        q_literal(&args, sub->node->name);
        sb_puts(&args, ", found, ");
        q_literal(&args, sub->name);
        refuse(&q, "r record; n bigint; found text := ''", body.s,
               refresh ? "node '%': table(s) % already hold rows, and subscription '%' would copy the publisher's "
                         "rows into them as it adds them (duplicates, or a duplicate-key stall)"
                       : "node '%': table(s) % already hold rows, and subscription '%' would copy the publisher's "
                         "rows into them (duplicates, or a duplicate-key stall)",
               args.s, "Empty them (on this node only), or subscribe with (copy_data = false).");
        stmt(a, v, arena_printf(a, "subscription %s: an initial copy into a table that holds rows is refused", sub->name),
             &guard, &q);
        sb_free(&guard);
    }
    sb_free(&g);
    sb_free(&q);
    sb_free(&names);
    sb_free(&rels);
    sb_free(&where);
    sb_free(&body);
    sb_free(&args);
}

static void subscribe(Arena *a, Vec *v, const MSub *sub)
{
    if (sub->copy_data)
        copy_refusal(a, v, sub, false);
    StrBuf g, q, ci;
    sb_init(&g);
    sb_init(&q);
    sb_init(&ci);
    sb_puts(&g, "NOT EXISTS (SELECT FROM pg_subscription WHERE ");
    sub_where(&g, sub);
    sb_puts(&g, ")");
    sb_puts(&q, "CREATE SUBSCRIPTION ");
    q_ident(&q, sub->name);
    sb_puts(&q, "\n    CONNECTION ");
    model_repl_conninfo(&ci, sub->publisher, sub_dbname(sub), NULL);
    q_literal(&q, ci.s);
    sb_puts(&q, "\n    PUBLICATION ");
    for (int k = 0; k < sub->pubs.n; k++) {
        if (k)
            sb_puts(&q, ", ");
        q_ident(&q, ((MPub *)sub->pubs.items[k])->name);
    }
    int nopt = 0;
    const bool later = model_sub_enable_later(sub);
    for (int k = 0; k < sub->opt->n; k++) {
        if (later && sub->opt->order[k] == SUBOPT_ENABLED)
            continue;
        sb_puts(&q, nopt++ ? ", " : "\n    WITH (");
        sub_option(&q, sub->opt, sub->opt->order[k]);
    }
    if (later) {   /* the node's enable step starts it, with the others */
        sb_puts(&q, nopt++ ? ", " : "\n    WITH (");
        sb_puts(&q, "enabled = false");
    }
    if (sub->precreate_slot) {
        sb_puts(&q, nopt++ ? ", " : "\n    WITH (");
        sb_puts(&q, "create_slot = false");
    }
    /* disable_on_error: PostgreSQL's default (false) unless written. Not
     * created with true and turned off by the next statement: a worker started
     * in between keeps true, and a publisher that goes down then disables the
     * subscription for good (found by tests/integration/fault-matrix.sh) */
    /* the default differs between versions (off up to 17, parallel on 18): say it */
    if (!sub->opt->given[SUBOPT_STREAMING] && sub->node->version >= 14) {
        sb_puts(&q, nopt++ ? ", " : "\n    WITH (");
        sb_puts(&q, "streaming = off");
    }
    if (nopt)
        sb_puts(&q, ")");
    stmt(a, v, NULL, &g, &q);
    alter_subscription(a, v, sub, ci.s);
    if (!later)   /* else the enable step marks it, once it is enabled */
        mark_stmt(a, v, sub->node, NULL, sub);
    sb_free(&g);
    sb_free(&q);
    sb_free(&ci);
}

/* "EXISTS (SELECT FROM pg_subscription s WHERE <sub> AND <cond>)" */
static void sub_exists(StrBuf *b, const MSub *sub, const char *cond, const char *mark)
{
    sb_puts(b, "EXISTS (SELECT FROM pg_subscription s WHERE ");
    sub_where(b, sub);
    sb_printf(b, " AND %s", cond);
    if (mark) {
        sb_puts(b, "obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM ");
        q_literal(b, mark);
    }
    sb_puts(b, ")");
}

/* The enable step of a node up to PostgreSQL 15: its subscriptions that
 * were created disabled (model_sub_enable_later) enabled in one
 * transaction, so that the launcher starts all their workers in one pass.
 * One of them is replc's new one while it is disabled and does not carry
 * replc's mark yet (the subscribe step leaves the mark to this step): also
 * after a run that stopped between the two. One the topology declares
 * 'enabled = yes' is enabled whenever it is disabled, as on 16. Each is then
 * marked, in the same transaction. */
static void enable(Arena *a, Vec *v, const MNode *n)
{
    const char *mark = model_mark(a, n->conf->cluster);
    StrBuf g, body, q;
    sb_init(&g);
    sb_init(&body);
    sb_init(&q);
    StrBuf names, show;
    sb_init(&names);
    sb_init(&show);
    sb_puts(&show, "SELECT concat_ws(E'\\n~ '");
    sb_puts(&body, "\nBEGIN\n");
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n->subs.n; i++) {
            const MSub *sub = n->subs.items[i];
            if (!model_sub_enable_later(sub))
                continue;
            bool declared = sub->opt->given[SUBOPT_ENABLED];
            StrBuf c;
            sb_init(&c);
            if (pass == 0)
                sub_exists(&c, sub, declared ? "NOT s.subenabled" : "NOT s.subenabled AND ", declared ? NULL : mark);
            else
                sub_exists(&c, sub, "", mark);
            sb_printf(&g, "%s%s", g.len ? " OR " : "", c.s);
            sb_printf(&body, "    IF %s THEN\n        ", c.s);
            /* --dry-run, --status: "subscription NAME: enabled false -> true" */
            sb_printf(&show, ", CASE WHEN %s THEN ", c.s);
            q_literal(&show, pass ? arena_printf(a, "subscription %s: comment -> %s", sub->name, mark)
                                  : arena_printf(a, "subscription %s: enabled false -> true", sub->name));
            sb_puts(&show, " END");
            if (pass == 0) {
                alter_head(&body, sub);
                sb_puts(&body, " ENABLE;\n");
                sb_puts(&names, names.len ? ", " : "");
                sb_puts(&names, sub->name);
            } else {
                sb_puts(&body, "COMMENT ON SUBSCRIPTION ");
                q_ident(&body, sub->name);
                sb_puts(&body, " IS ");
                q_literal(&body, mark);
                sb_puts(&body, ";\n");
            }
            sb_puts(&body, "    END IF;\n");
            sb_free(&c);
        }
    sb_puts(&body, "END\n");
    sb_puts(&q, "DO ");
    q_dollar(&q, body.s);
    stmt(a, v, arena_printf(a, "subscriptions %s: enabled in one transaction (up to PostgreSQL 15 the launcher "
                               "starts the workers of all of them in one pass), then marked as replc's",
                            names.s),
         &g, &q)->show = arena_printf(a, "%s)", show.s);
    sb_free(&show);
    sb_free(&g);
    sb_free(&q);
    sb_free(&body);
    sb_free(&names);
}

Vec step_sql(Arena *a, const Step *s)
{
    Vec v = {0};
    switch (s->kind) {
    case STEP_CONFIG: config(a, &v, s->node, false); break;
    case STEP_RAISE: config(a, &v, s->node, true); break;
    case STEP_DATABASE: database(a, &v, s->node); break;
    case STEP_TABLES: tables(a, &v, s->node); break;
    case STEP_COLUMNS: published_columns(a, &v, s->node); break;
    case STEP_PUBLICATIONS: publications(a, &v, s->node); break;
    case STEP_ROLE: role_sql(a, &v, s->node); break;
    case STEP_SUBSCRIBE: subscribe(a, &v, s->sub); break;
    case STEP_SUB_ENABLE: enable(a, &v, s->node); break;
    case STEP_STANDBY_SLOT: slot_stmt(a, &v, s->sub); break;
    default: break;
    }
    return v;
}

char *sql_publications_count(Arena *a, const MSub *sub)
{
    StrBuf b;
    sb_init(&b);
    /* each publication counts once it has exactly the tables the topology gives it */
    sb_puts(&b, "SELECT 0");
    for (int k = 0; k < sub->pubs.n; k++) {
        const MPub *p = sub->pubs.items[k];
        sb_puts(&b, " + (SELECT count(*) FROM pg_publication p WHERE p.pubname = ");
        q_literal(&b, p->name);
        sb_puts(&b, " AND ");
        pub_tables_match(&b, p);
        sb_puts(&b, ")");
    }
    if (sub->publisher->standby) {
        /* decoding there needs wal_level = logical on the standby itself; the
         * subscriber's next step makes the slot */
        sb_puts(&b, " + (current_setting('wal_level') = 'logical')::int");
    } else if (sub->precreate_slot) {
        sb_puts(&b, " + (SELECT count(*) FROM pg_replication_slots WHERE slot_name = ");
        q_literal(&b, sub->slot);
        sb_puts(&b, ")");
    }
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

int sub_expected_tables(const MSub *sub)
{
    return sub->opt->connect && sub->opt->enabled ? sub->tables->n : 0;
}

/* b += an expression, true on the subscriber once every table of sub is
 * synchronised (state s or r), or, for a subscription that copies nothing
 * until someone enables it, once it exists (its tables stay in state i, as
 * declared) */
static void synced_expr(StrBuf *b, const MSub *sub)
{
    if (!(sub->opt->connect && sub->opt->enabled)) {
        sb_puts(b, "EXISTS (SELECT FROM pg_subscription WHERE ");
        sub_where(b, sub);
        sb_puts(b, ")");
        return;
    }
    sb_printf(b, "(SELECT count(*) FILTER (WHERE srsubstate NOT IN ('r', 's')) = 0 AND count(*) >= %d "
                 "FROM pg_subscription_rel WHERE srsubid = (SELECT oid FROM pg_subscription WHERE ",
              sub_expected_tables(sub));
    sub_where(b, sub);
    sb_puts(b, "))");
}

char *sql_subscription_synced(Arena *a, const MSub *sub)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT ");
    synced_expr(&b, sub);
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

/* The wait's own query: once synchronised, it also makes that state durable
 * before it answers. A table-sync worker drops its slot on the publisher,
 * then commits the table's state SYNCDONE with the subscription's
 * synchronous_commit (off unless set): a crash of the subscriber before
 * that commit reaches the disk brings the table back to FINISHEDCOPY, whose
 * worker then looks for the dropped slot for ever ("replication slot
 * pg_..._sync_... does not exist" every wal_retrieve_retry_interval; found by
 * tests/integration/fault-matrix.sh). A transaction that writes WAL (a
 * logical decoding message, which no pgoutput subscriber receives unless it
 * asks for messages) and commits with synchronous_commit = local flushes the
 * WAL up to its commit, so every state it saw as well. Until then it
 * answers what stands (the tables not synchronised, with their states, and
 * on 15+ how often their workers failed), not 't'. */
char *sql_subscription_synced_durable(Arena *a, const MSub *sub)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT CASE WHEN ");
    synced_expr(&b, sub);
    sb_puts(&b, " THEN CASE WHEN set_config('synchronous_commit', 'local', true) IS NOT NULL"
                " AND pg_logical_emit_message(true, 'replc', 'synchronised') IS NOT NULL THEN 't' END");
    /* not yet: what stands, the wait's last error when it times out */
    sb_puts(&b, " ELSE (WITH s AS (SELECT oid FROM pg_subscription WHERE ");
    sub_where(&b, sub);
    sb_puts(&b, ") SELECT CASE WHEN NOT EXISTS (SELECT FROM s) THEN 'the subscription does not exist yet' "
                "ELSE coalesce('not synchronised yet: ' || string_agg(r.srrelid::regclass::text || ' in state ' || "
                "r.srsubstate::text, ', ' ORDER BY r.srrelid), 'not all its tables are listed yet')");
    if (sub->node->version >= 15)
        sb_puts(&b, " || coalesce((SELECT '; its table-sync workers failed ' || t.sync_error_count || "
                    "' time(s) so far (the server log says why)' FROM pg_stat_subscription_stats t, s "
                    "WHERE t.subid = s.oid AND t.sync_error_count > 0), '')");
    sb_puts(&b, " END FROM pg_subscription_rel r, s WHERE r.srsubid = s.oid AND r.srsubstate NOT IN ('r', 's')) END");
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

int sub_ready_count(const MSub *sub)
{
    return sub->pubs.n + (sub->publisher->standby || sub->precreate_slot ? 1 : 0);
}

const char *sql_user_data(void)
{
    return "(SELECT count(*) FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1'))"
           " + (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace"
           " WHERE c.relkind IN ('r', 'p', 'm', 'v', 'S') AND s.nspname NOT IN ('pg_catalog', 'information_schema')"
           " AND s.nspname NOT LIKE 'pg_toast%' AND s.nspname NOT LIKE 'pg_temp%')";
}

/* The settings node n's config step sets: a list of literals. */
static void own_settings(StrBuf *b, const MNode *n)
{
    int k = 0;
    for (int id = 0; id < GUC_COUNT; id++)
        if (n->guc[id].set) {
            sb_puts(b, k++ ? ", " : "");
            q_literal(b, guc_name((GucId)id));
        }
    for (int i = 0; i < n->conf->user_gucs.n; i++) {
        sb_puts(b, k++ ? ", " : "");
        q_literal(b, ((const UserGuc *)n->conf->user_gucs.items[i])->name);
    }
    if (!k)
        sb_puts(b, "''");
}

static char *pending(Arena *a, const MNode *n, bool own)
{
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "SELECT coalesce(string_agg(name, ', ' ORDER BY name), '') FROM pg_settings "
                  "WHERE pending_restart AND name %sIN (", own ? "" : "NOT ");
    own_settings(&b, n);
    sb_puts(&b, ")");
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

char *sql_pending_restart(Arena *a, const MNode *n)
{
    return pending(a, n, true);
}

char *sql_pending_others(Arena *a, const MNode *n)
{
    return pending(a, n, false);
}

char *sql_hba_present(Arena *a, const MNode *n)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT true");
    for (int i = 0; i < vec_count(n->hba); i++) {
        const HbaLine *h = n->hba->items[i];
        const char *slash = strchr(h->address, '/');
        char *addr = arena_strndup(a, h->address, slash ? (size_t)(slash - h->address) : strlen(h->address));
        sb_puts(&b, " AND EXISTS (SELECT FROM pg_hba_file_rules WHERE error IS NULL AND type = ");
        q_literal(&b, h->type);
        sb_puts(&b, " AND database = ARRAY[");
        q_literal(&b, h->database);
        sb_puts(&b, "] AND user_name = ARRAY[");
        q_literal(&b, h->user);
        sb_puts(&b, "] AND address = ");
        q_literal(&b, addr);
        sb_puts(&b, " AND auth_method = ");
        q_literal(&b, h->method);
        sb_puts(&b, ")");
    }
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

/* pg_hba.conf as the server reads it, for replc's lines: r holds the rules
 * of pg_hba_file_rules without an error, in the order the server tries them
 * (the file on disk, loaded or not: a new file is checked before the
 * reload); w holds replc's lines, one row each, with the roles its user is
 * a member of, directly or not (roles: NULL when the user does not exist). */
static void hba_with(Arena *a, StrBuf *b, const Vec *lines)
{
    sb_puts(b, "WITH r AS (SELECT coalesce(to_jsonb(h) ->> 'file_name', current_setting('hba_file')) AS file, "
               "h.line_number AS line, coalesce((to_jsonb(h) ->> 'rule_number')::int, h.line_number) AS n, "
               "h.type, h.database, h.user_name, h.address, h.netmask, h.auth_method, h.options "
               "FROM pg_hba_file_rules h WHERE h.error IS NULL), "
               "w0 (k, text, why, type, db, phys, usr, ip, cidr, addr, method) AS (VALUES ");
    for (int i = 0; i < lines->n; i++) {
        const HbaLine *h = lines->items[i];
        StrBuf t;
        sb_init(&t);
        model_hba_line(&t, h);
        sb_printf(b, "%s(%d, ", i ? ", " : "", i);
        q_literal(b, t.s);
        sb_free(&t);
        sb_puts(b, ", ");
        q_literal(b, h->why ? h->why : "");
        sb_puts(b, ", ");
        q_literal(b, h->type);
        sb_puts(b, ", ");
        q_literal(b, h->database);
        sb_printf(b, ", %s, ", h->physical ? "true" : "false");
        q_literal(b, h->user);
        /* an address replc wrote with a mask is an IP address; else a host name */
        const char *slash = strchr(h->address, '/');
        if (slash) {
            sb_puts(b, ", ");
            q_literal(b, arena_strndup(a, h->address, (size_t)(slash - h->address)));
            sb_puts(b, "::inet, ");
            q_literal(b, h->address);
            sb_puts(b, "::inet, ");
        } else
            sb_puts(b, ", NULL::inet, NULL::inet, ");
        q_literal(b, h->address);
        sb_puts(b, ", ");
        q_literal(b, h->method);
        sb_puts(b, ")");
    }
    sb_puts(b, "), w AS (SELECT w0.*, (WITH RECURSIVE m (oid) AS (SELECT oid FROM pg_roles WHERE rolname = w0.usr "
               "UNION SELECT am.roleid FROM pg_auth_members am JOIN m ON am.member = m.oid) "
               "SELECT array_agg(g.rolname) FROM m JOIN pg_roles g ON g.oid = m.oid) AS roles FROM w0) ");
}

/* True when rule r may take the connection of w's peer (hba.c: check_hba):
 * its type (a host line's peer may or may not use SSL or GSS encryption),
 * database (a physical connection matches only the keyword replication),
 * user and address. What cannot be told here counts as a match: a group
 * or samerole of a user that does not exist, a host name, samehost,
 * samenet, any address for a peer written as a host name. */
static const char HBA_MATCH[] =
    "r.type <> 'local' AND NOT (w.type = 'hostssl' AND r.type IN ('hostnossl', 'hostgssenc')) "
    "AND EXISTS (SELECT FROM unnest(r.database) d WHERE CASE WHEN w.phys THEN d = 'replication' "
    "ELSE d IN ('all', w.db) OR (d = 'sameuser' AND w.db = w.usr) "
    "OR (d IN ('samerole', 'samegroup') AND coalesce(w.db = ANY (w.roles), true)) "
    "OR (d LIKE '/%' AND current_setting('server_version_num')::int >= 160000 AND w.db ~ substr(d, 2)) END) "
    "AND EXISTS (SELECT FROM unnest(r.user_name) u WHERE u IN ('all', w.usr) "
    "OR (u LIKE '+%' AND coalesce(substr(u, 2) = ANY (w.roles), true)) "
    "OR (u LIKE '/%' AND current_setting('server_version_num')::int >= 160000 AND w.usr ~ substr(u, 2))) "
    "AND CASE WHEN r.netmask IS NULL OR w.ip IS NULL THEN true "
    "WHEN family(r.address::inet) <> family(w.ip) THEN false "
    "ELSE (w.ip & r.netmask::inet) = (r.address::inet & r.netmask::inet) END";

/* True when rule r surely takes the connection of w's peer: its type host
 * (or w's), its database all or w's (a physical connection: replication),
 * its user all or w's, its address all, a network holding w's IP address,
 * or w's host name itself */
static const char HBA_SURE[] =
    "r.type IN ('host', w.type) "
    "AND CASE WHEN w.phys THEN 'replication' = ANY (r.database) "
    "ELSE 'all' = ANY (r.database) OR w.db = ANY (r.database) END "
    "AND ('all' = ANY (r.user_name) OR w.usr = ANY (r.user_name)) "
    "AND CASE WHEN r.address = 'all' THEN true "
    "WHEN r.netmask IS NULL OR w.ip IS NULL THEN r.netmask IS NULL AND r.address = w.addr "
    "WHEN family(r.address::inet) <> family(w.ip) THEN false "
    "ELSE (w.ip & r.netmask::inet) = (r.address::inet & r.netmask::inet) END";

/* Rule r admits w's peer as replc's line does: the same method (md5 does
 * SCRAM for a SCRAM password), no options */
static const char HBA_SAME[] =
    "r.options IS NULL AND (r.auth_method = w.method OR (w.method = 'scram-sha-256' AND r.auth_method = 'md5'))";

/* the rule's line as written in its file */
static const char HBA_RAW[] = "split_part(pg_read_file(r.file), E'\\n', r.line)";

/* The query over r and w that the parts (SQL text, no values) end with */
static char *hba_query(Arena *a, const Vec *lines, const char *const *parts, int nparts)
{
    if (!vec_count(lines))   /* (NULL: none, MNode.hba) */
        return arena_strdup(a, "SELECT NULL WHERE false");
    StrBuf b;
    sb_init(&b);
    hba_with(a, &b, lines);
    for (int i = 0; i < nparts; i++)
        sb_puts(&b, parts[i]);
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

/* t: the first rule that surely takes the connection and admits the peer
 * as replc's line does; f: the first rule before it that may take the
 * connection and admits it otherwise */
char *sql_hba_shadowed(Arena *a, const Vec *lines)
{
    const char *parts[] = {
        "SELECT w.text || chr(31) || w.why || chr(31) || coalesce(f.file || ':' || f.line || chr(31) || "
        "f.raw, '') FROM w LEFT JOIN LATERAL (SELECT min(r.n) AS n FROM r WHERE ", HBA_SURE, " AND ", HBA_SAME,
        ") t ON true LEFT JOIN LATERAL (SELECT r.*, ", HBA_RAW, " AS raw FROM r WHERE ", HBA_MATCH, " AND NOT (",
        HBA_SAME, ") AND (t.n IS NULL OR r.n < t.n) ORDER BY r.n LIMIT 1) f ON true "
        "WHERE f.line IS NOT NULL OR t.n IS NULL ORDER BY w.k"};
    return hba_query(a, lines, parts, (int)(sizeof parts / sizeof *parts));
}

char *sql_hba_equivalent(Arena *a, const Vec *lines)
{
    const char *parts[] = {
        "SELECT w.text || chr(31) || r.file || ':' || r.line FROM w JOIN r ON r.type = w.type "
        "AND r.database = ARRAY[w.db] AND r.user_name = ARRAY[w.usr] AND r.auth_method = w.method "
        "AND r.options IS NULL AND CASE WHEN w.ip IS NULL OR r.netmask IS NULL THEN r.address = w.addr "
        "ELSE r.address = host(w.ip) AND r.netmask::inet = netmask(w.cidr) END WHERE ", HBA_RAW,
        " <> w.text ORDER BY w.k, r.n"};
    return hba_query(a, lines, parts, (int)(sizeof parts / sizeof *parts));
}

char *sql_hba_marked(Arena *a, const MNode *n)
{
    StrBuf b;
    sb_init(&b);
    const char *file = "E'\\n' || pg_read_file(current_setting('hba_file')) || E'\\n'";
    sb_printf(&b, "SELECT (%s) AND NOT EXISTS (%s) AND strpos(%s, ", sql_hba_present(a, n),
              sql_hba_shadowed(a, n->hba), file);
    q_literal(&b, arena_printf(a, "\n# BEGIN %s\n", model_mark(a, n->conf->cluster)));
    sb_puts(&b, ") > 0");
    Vec slots = {0};
    model_recorded_slots(a, n, &slots);
    for (int i = 0; i < slots.n; i++) {
        sb_printf(&b, " AND strpos(%s, ", file);
        q_literal(&b, arena_printf(a, "\n# slot %s\n", (const char *)slots.items[i]));
        sb_puts(&b, ") > 0");
    }
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

char *sql_standby_guards_clear(Arena *a, const MNode *standby)
{
    Vec v = {0};
    config(a, &v, standby, true);   /* its raise step's statements */
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT NOT pg_is_in_recovery() OR (true");
    for (int i = 0; i < v.n; i++)
        if (!((const SqlStmt *)v.items[i])->notice)
            sb_printf(&b, " AND NOT (%s)", ((const SqlStmt *)v.items[i])->guard);
    sb_puts(&b, ")");
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

char *sql_restart_needed(Arena *a, const MNode *n)
{
    Vec v = {0};
    config(a, &v, n, false);   /* its config step's statements */
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "SELECT concat_ws(', ', nullif((%s), '')", sql_pending_restart(a, n));
    for (int i = 0; i < v.n; i++) {
        const SqlStmt *st = v.items[i];
        if (st->notice)
            continue;
        sb_puts(&b, ", CASE WHEN (SELECT context FROM pg_settings WHERE name = ");
        q_literal(&b, st->guc);
        sb_printf(&b, ") = 'postmaster' AND (%s) THEN ", st->guard);
        q_literal(&b, st->guc);
        sb_puts(&b, " END");
    }
    sb_puts(&b, ")");
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}

/* The cluster lock of --apply: one advisory lock per server, key
 * (LOCK_CLASS, sql_lock_key(cluster)), held by one session in the server's
 * 'postgres' database (advisory locks belong to a database: one fixed
 * database makes the nodes that share a server share the lock). Another
 * cluster has another key, and never waits for this one. */
#define LOCK_CLASS 727270

/* FNV-1a of the cluster name, in 0 .. 2^31 - 1 (an int4 that pg_locks.objid,
 * an oid, shows unchanged); the same for a name on every machine */
long sql_lock_key(const char *cluster)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)cluster; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return (long)(h & 0x7fffffffu);
}

char *sql_lock_try(Arena *a, const char *cluster)
{
    return arena_printf(a, "SELECT pg_try_advisory_lock(%d, %ld)", LOCK_CLASS, sql_lock_key(cluster));
}

char *sql_lock_holders(Arena *a, const char *cluster)
{
    return arena_printf(a, "SELECT coalesce(string_agg(coalesce(a.application_name, '') || ' from ' || "
                           "coalesce(host(a.client_addr), 'local') || ' since ' || "
                           "date_trunc('second', a.backend_start)::text, '; '), 'unknown') "
                           "FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                           "WHERE l.locktype = 'advisory' AND l.classid = %d AND l.objid = %ld "
                           "AND l.objsubid = 2 AND l.granted",
                        LOCK_CLASS, sql_lock_key(cluster));
}

int step_lock_tries(void)
{
    const char *e = getenv("REPLC_LOCK_TRIES");
    long n = e && *e ? strtol(e, NULL, 10) : STEP_LOCK_TRIES;
    return n >= 1 && n <= 1000 ? (int)n : STEP_LOCK_TRIES;
}

#define STR_(x) #x
#define STR(x) STR_(x)

const char *sql_lock_blockers(void)
{
    /* the wait has ended, so pg_blocking_pids() no longer tells: the
     * sessions whose transaction is older than the wait and holds a lock
     * that can be waited on are the candidates */
    return "SELECT coalesce(string_agg(format('pid %s (%s, %s, transaction open %s s: %s)', a.pid, "
           "coalesce(nullif(a.application_name, ''), 'no application_name'), a.state, "
           "extract(epoch FROM now() - a.xact_start)::bigint, "
           "left(regexp_replace(a.query, '\\s+', ' ', 'g'), 80)), '; ' ORDER BY a.xact_start), 'none now') "
           "FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid() AND a.xact_start < now() - interval '"
           STR(STEP_LOCK_TIMEOUT_S) " s' AND EXISTS (SELECT FROM pg_locks l WHERE l.pid = a.pid "
           "AND l.granted AND l.locktype <> 'virtualxid')";
}

char *sql_advance_sequences(Arena *a, const MNode *subscriber)
{
    StrBuf b;
    sb_init(&b);
    int n = 0;
    for (int i = 0; i < subscriber->subs.n; i++) {
        const MSub *sub = subscriber->subs.items[i];
        for (int k = 0; k < sub->tables->n; k++) {
            const MTable *t = sub->tables->items[k];
            sb_puts(&b, n++ ? ", to_regclass(" : "WITH t(rel) AS (SELECT x FROM unnest(ARRAY[to_regclass(");
            q_regclass(&b, t->schema, t->name);
            sb_puts(&b, ")::oid");
        }
    }
    if (!n) {
        sb_free(&b);
        return arena_strdup(a, "");
    }
    /* the sequences feeding their columns: owned by a column (serial: 'a',
     * identity: 'i'), or named in a column's default (nextval) */
    sb_puts(&b, "]::oid[]) x WHERE x IS NOT NULL), "
                "fed(seq, rel, att) AS (SELECT d.objid, d.refobjid, d.refobjsubid FROM pg_depend d "
                "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
                "AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') AND d.refobjid IN (SELECT rel FROM t) "
                "UNION SELECT d.refobjid, ad.adrelid, ad.adnum FROM pg_attrdef ad JOIN pg_depend d "
                "ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass "
                "WHERE ad.adrelid IN (SELECT rel FROM t)), "
    /* the largest key (the smallest, for a descending sequence), past it
     * by 1000 steps: rows still on their way from the publisher carry keys
     * of their own */
                "top(seq, target) AS (SELECT f.seq, (xpath('/row/m/text()', query_to_xml(format("
                "'SELECT %s(%I)::text AS m FROM %s', CASE WHEN s.seqincrement > 0 THEN 'max' ELSE 'min' END, "
                "a.attname, f.rel::regclass), false, true, '')))[1]::text::numeric + 1000 * s.seqincrement "
                "FROM fed f JOIN pg_sequence s ON s.seqrelid = f.seq "
                "JOIN pg_attribute a ON a.attrelid = f.rel AND a.attnum = f.att), "
                "want(seq, target) AS (SELECT t.seq, CASE WHEN s.seqincrement > 0 "
                "THEN least(max(t.target), s.seqmax) ELSE greatest(min(t.target), s.seqmin) END "
                "FROM top t JOIN pg_sequence s ON s.seqrelid = t.seq WHERE t.target IS NOT NULL "
                "GROUP BY t.seq, s.seqincrement, s.seqmax, s.seqmin) "
    /* never backwards: only a sequence behind its target moves */
                "SELECT coalesce(string_agg(format('%s %s', w.seq::regclass, setval(w.seq, w.target::bigint)), "
                "', ' ORDER BY w.seq::regclass::text), '') FROM want w JOIN pg_sequence s ON s.seqrelid = w.seq "
                "WHERE CASE WHEN s.seqincrement > 0 THEN w.target > coalesce(pg_sequence_last_value(w.seq), "
                "s.seqmin - 1) ELSE w.target < coalesce(pg_sequence_last_value(w.seq), s.seqmax + 1) END");
    char *r = arena_strdup(a, b.s);
    sb_free(&b);
    return r;
}
