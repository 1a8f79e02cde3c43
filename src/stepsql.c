/* stepsql.c: guarded statements of the SQL steps; readiness queries. */
#include "stepsql.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "quote.h"

static SqlStmt *stmt(Arena *a, Vec *v, const char *comment, StrBuf *guard, StrBuf *sql)
{
    SqlStmt *st = arena_alloc(a, sizeof *st);
    st->comment = comment;
    st->guard = guard && guard->s ? arena_strdup(a, guard->s) : NULL;
    st->sql = arena_strdup(a, sql->s);
    vec_push(a, v, st);
    sb_reset(guard);
    sb_reset(sql);
    return st;
}

/* floor_only: the raise step of a standby, only what its primary's WAL checks */
static void config(Arena *a, Vec *v, const MNode *n, bool floor_only)
{
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    for (int id = 0; id < GUC_COUNT; id++) {
        const Derived *d = &n->guc[id];
        if (!d->set || (floor_only && !guc_standby_floor((GucId)id)))
            continue;
        const char *name = guc_name((GucId)id);
        if (id == GUC_WAL_LEVEL) {
            if (strcmp(d->text, "logical") == 0)
                sb_puts(&g, "current_setting('wal_level') <> 'logical'");
            else if (strcmp(d->text, "replica") == 0)
                sb_puts(&g, "current_setting('wal_level') = 'minimal'");
            else {
                sb_puts(&g, "current_setting('wal_level') <> ");
                q_literal(&g, d->text);
            }
            sb_printf(&q, "ALTER SYSTEM SET %s = ", name);
            q_literal(&q, d->text);
        } else if (!guc_is_numeric((GucId)id)) {
            sb_printf(&g, "current_setting('%s') <> ", name);
            q_literal(&g, d->text);
            sb_printf(&q, "ALTER SYSTEM SET %s = ", name);
            q_literal(&q, d->text);
        } else {
            sb_printf(&g, "current_setting('%s')::bigint %s %ld", name, d->exact ? "<>" : "<", d->value);
            sb_printf(&q, "ALTER SYSTEM SET %s = %ld", name, d->value);
        }
        stmt(a, v, arena_printf(a, "%s: %s", name, d->why), &g, &q)->guc = name;
    }
    for (int i = 0; i < n->user_gucs.n && !floor_only; i++) {
        const UserGuc *u = n->user_gucs.items[i];
        bool derived = false;
        for (int id = 0; id < GUC_COUNT; id++)
            if (strcmp(guc_name((GucId)id), u->name) == 0)
                derived = true;
        if (derived)
            continue;
        sb_puts(&g, "current_setting(");
        q_literal(&g, u->name);
        sb_puts(&g, ", true) IS DISTINCT FROM ");
        q_literal(&g, u->value);
        sb_printf(&q, "ALTER SYSTEM SET %s = ", u->name);   /* checked: letters, digits, '_', '.' */
        q_literal(&q, u->value);
        stmt(a, v, arena_printf(a, "%s: set in the topology", u->name), &g, &q)->guc = u->name;
    }
    sb_free(&g);
    sb_free(&q);
}

static void database(Arena *a, Vec *v, const MNode *n)
{
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    sb_puts(&g, "NOT EXISTS (SELECT FROM pg_database WHERE datname = ");
    q_literal(&g, n->database);
    sb_puts(&g, ")");
    sb_puts(&q, "CREATE DATABASE ");
    q_ident(&q, n->database);
    stmt(a, v, NULL, &g, &q);
    sb_free(&g);
    sb_free(&q);
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

static bool sub_bool(const SubOptions *o, SubOpt id)
{
    switch (id) {
    case SUBOPT_BINARY: return o->binary;
    case SUBOPT_CONNECT: return o->connect;
    case SUBOPT_COPY_DATA: return o->copy_data;
    case SUBOPT_CREATE_SLOT: return o->create_slot;
    case SUBOPT_DISABLE_ON_ERROR: return o->disable_on_error;
    case SUBOPT_ENABLED: return o->enabled;
    case SUBOPT_FAILOVER: return o->failover;
    case SUBOPT_PASSWORD_REQUIRED: return o->password_required;
    case SUBOPT_RUN_AS_OWNER: return o->run_as_owner;
    case SUBOPT_TWO_PHASE: return o->two_phase;
    default: return false;
    }
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
    default: sb_puts(b, sub_bool(o, id) ? "true" : "false"); break;
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
        sb_printf(&q, ", false, %s", sub->opt.two_phase ? "true" : "false");
    if (n->version >= 17)
        sb_printf(&q, ", %s", sub->opt.failover ? "true" : "false");
    sb_puts(&q, ")");
    stmt(a, v, arena_printf(a, "slot of subscription %s of node %s", sub->name, sub->node->name), &g, &q);
    sb_free(&g);
    sb_free(&q);
}

static void publications(Arena *a, Vec *v, const MNode *n)
{
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
        for (int k = 0; k < p->opt.n; k++) {
            sb_puts(&q, k ? ", " : " WITH (");
            pub_option(&q, &p->opt, p->opt.order[k]);
        }
        if (p->opt.n)
            sb_puts(&q, ")");
        stmt(a, v, arena_printf(a, "publication %s", p->name), &g, &q);
        if (p->all_tables)
            continue;
        /* tables added to the topology after the publication was created */
        for (int k = 0; k < p->tables.n; k++) {
            const MTable *t = p->tables.items[k];
            sb_puts(&g, "to_regclass(");
            q_regclass(&g, t->schema, t->name);
            sb_puts(&g, ") NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p "
                        "ON p.oid = r.prpubid WHERE p.pubname = ");
            q_literal(&g, p->name);
            sb_puts(&g, ")");
            sb_puts(&q, "ALTER PUBLICATION ");
            q_ident(&q, p->name);
            sb_puts(&q, " ADD TABLE ");
            q_qualified(&q, t->schema, t->name);
            stmt(a, v, NULL, &g, &q);
        }
    }
    /* the slots of the subscriptions to this node (see MSub.precreate_slot) */
    for (int i = 0; i < n->subscribers.n; i++) {
        const MSub *sub = n->subscribers.items[i];
        if (sub->precreate_slot)
            slot_stmt(a, v, sub);
    }
    sb_free(&g);
    sb_free(&q);
}

static void sub_where(StrBuf *b, const MSub *sub)
{
    sb_puts(b, "subname = ");
    q_literal(b, sub->name);
    sb_puts(b, " AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())");
}

static void subscribe(Arena *a, Vec *v, const MSub *sub)
{
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
    model_conninfo(&ci, sub->publisher, sub_dbname(sub), NULL);
    q_literal(&q, ci.s);
    sb_puts(&q, "\n    PUBLICATION ");
    for (int k = 0; k < sub->pubs.n; k++) {
        if (k)
            sb_puts(&q, ", ");
        q_ident(&q, ((MPub *)sub->pubs.items[k])->name);
    }
    int nopt = 0;
    for (int k = 0; k < sub->opt.n; k++) {
        sb_puts(&q, nopt++ ? ", " : "\n    WITH (");
        sub_option(&q, &sub->opt, sub->opt.order[k]);
    }
    if (sub->precreate_slot) {
        sb_puts(&q, nopt++ ? ", " : "\n    WITH (");
        sb_puts(&q, "create_slot = false");
    }
    /* the default differs between versions (off up to 17, parallel on 18): say it */
    if (!sub->opt.given[SUBOPT_STREAMING] && sub->node->version >= 14) {
        sb_puts(&q, nopt++ ? ", " : "\n    WITH (");
        sb_puts(&q, "streaming = off");
    }
    if (nopt)
        sb_puts(&q, ")");
    stmt(a, v, NULL, &g, &q);
    sb_free(&g);
    sb_free(&q);
    sb_free(&ci);
}

Vec step_sql(Arena *a, const Step *s)
{
    Vec v = {0};
    switch (s->kind) {
    case STEP_CONFIG: config(a, &v, s->node, false); break;
    case STEP_RAISE: config(a, &v, s->node, true); break;
    case STEP_DATABASE: database(a, &v, s->node); break;
    case STEP_TABLES: tables(a, &v, s->node); break;
    case STEP_PUBLICATIONS: publications(a, &v, s->node); break;
    case STEP_SUBSCRIBE: subscribe(a, &v, s->sub); break;
    case STEP_STANDBY_SLOT: slot_stmt(a, &v, s->sub); break;
    default: break;
    }
    return v;
}

char *sql_publications_count(Arena *a, const MSub *sub)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT (SELECT count(*) FROM pg_publication WHERE pubname IN (");
    for (int k = 0; k < sub->pubs.n; k++) {
        if (k)
            sb_puts(&b, ", ");
        q_literal(&b, ((MPub *)sub->pubs.items[k])->name);
    }
    sb_puts(&b, "))");
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
    return sub->opt.connect && sub->opt.enabled ? sub->tables.n : 0;
}

char *sql_subscription_synced(Arena *a, const MSub *sub)
{
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "SELECT count(*) FILTER (WHERE srsubstate NOT IN ('r', 's')) = 0 AND count(*) >= %d "
                  "FROM pg_subscription_rel WHERE srsubid = (SELECT oid FROM pg_subscription WHERE ",
              sub_expected_tables(sub));
    sub_where(&b, sub);
    sb_puts(&b, ")");
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

const char *sql_pending_restart(void)
{
    return "SELECT coalesce(string_agg(name, ', ' ORDER BY name), '') FROM pg_settings WHERE pending_restart";
}

char *sql_hba_present(Arena *a, const MNode *n)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT true");
    for (int i = 0; i < n->hba.n; i++) {
        const HbaLine *h = n->hba.items[i];
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

char *sql_standby_guards_clear(Arena *a, const MNode *standby)
{
    Vec v = {0};
    config(a, &v, standby, true);   /* its raise step's statements */
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "SELECT NOT pg_is_in_recovery() OR (true");
    for (int i = 0; i < v.n; i++)
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
    sb_printf(&b, "SELECT concat_ws(', ', nullif((%s), '')", sql_pending_restart());
    for (int i = 0; i < v.n; i++) {
        const SqlStmt *st = v.items[i];
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
