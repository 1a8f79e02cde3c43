/* noop.c: is a --apply a no-op? Every step's postcondition, the servers'
 * versions and roles, and the cluster lock, asked over libpq in one query
 * per node and database, all at once (pg_run_all). Each step kind is asked
 * what --apply itself asks before it acts (stepsql.c's guards and
 * readiness queries); what only the host's files know is read by the
 * server (a superuser's pg_read_file): ~/.pgpass of the ssh user (home from
 * /etc/passwd) and a standby's marker file. Anything this cannot answer is
 * "not a no-op", and the normal run decides. */
#include "noop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "pgconn.h"
#include "quote.h"
#include "stepsql.h"

typedef struct Group {
    const MNode *node;
    const char *db;
    StrBuf sql;
    int ncols;
    Vec pgpass;        /* per column: NULL, or the ~/.pgpass lines it must hold (char *) */
    bool lock;         /* it tries the cluster lock: its session closes, and the lock goes */
} Group;

typedef struct Noop {
    Arena *a;
    Vec groups;        /* Group * */
    bool cannot;       /* a step this cannot answer */
} Noop;

static Group *group(Noop *n, const MNode *node, const char *db)
{
    for (int i = 0; i < n->groups.n; i++) {
        Group *g = n->groups.items[i];
        if (g->node == node && strcmp(g->db, db) == 0)
            return g;
    }
    Group *g = arena_alloc(n->a, sizeof *g);
    memset(g, 0, sizeof *g);
    g->node = node;
    g->db = db;
    sb_init(&g->sql);
    sb_puts(&g->sql, "SELECT true");
    vec_push(n->a, &n->groups, g);
    return g;
}

/* One boolean column that must be true. */
static void col(Noop *n, const MNode *node, const char *db, const char *expr)
{
    Group *g = group(n, node, db);
    sb_printf(&g->sql, ", coalesce((%s), false)", expr);
    vec_push(n->a, &g->pgpass, NULL);
    g->ncols++;
}

/* The ~/.pgpass lines the pgpass step writes on node's host: read there by
 * the server, from the home directory of the ssh user. */
static void pgpass_col(Noop *n, const Step *s)
{
    const MNode *node = s->node;
    const char *ssh = node->conf->ssh ? node->conf->ssh : MODEL_SSH_USER "@";   /* (no ssh setting: postgres@host) */
    const char *at = strchr(ssh, '@');
    if (!at || at == ssh) {   /* 'local', or no user: not from here */
        n->cannot = true;
        return;
    }
    Vec *lines = arena_alloc(n->a, sizeof *lines);
    memset(lines, 0, sizeof *lines);
    Vec peers = {0};
    model_peers(n->a, node, &peers);
    for (int i = 0; i < peers.n; i++) {
        const MNode *peer = peers.items[i];
        if (peer->conf->pw_kind != PW_ENV && peer->conf->pw_kind != PW_LITERAL)
            continue;
        const char *pw = peer->conf->pw_kind == PW_LITERAL ? peer->conf->pw_literal : getenv(peer->conf->pw_value);
        if (!pw) {
            n->cannot = true;
            return;
        }
        StrBuf l;
        sb_init(&l);
        pgpass_key(&l, peer);
        sb_putc(&l, ':');
        q_pgpass(&l, pw);
        vec_push(n->a, lines, arena_strdup(n->a, l.s));
        sb_free(&l);
    }
    char *user = arena_strndup(n->a, ssh, (size_t)(at - ssh));
    Group *g = group(n, node, "postgres");
    sb_puts(&g->sql, ", (SELECT coalesce(pg_read_file(split_part(l, ':', 6) || '/.pgpass', 0, 1048576, true), '') "
                     "FROM regexp_split_to_table(pg_read_file('/etc/passwd'), E'\\n') AS l WHERE split_part(l, ':', 1) = ");
    q_literal(&g->sql, user);
    sb_puts(&g->sql, " LIMIT 1)");
    vec_push(n->a, &g->pgpass, lines);
    g->ncols++;
}

/* The base backup step finds the standby built from its source, running,
 * streaming, with its slot and apply delay as declared, and no old data
 * directory left beside it (basebackup.sh). */
static void standby_col(Noop *n, const Step *s)
{
    StrBuf b, m;
    sb_init(&b);
    sb_init(&m);
    standby_marker(&m, s->node);
    sb_puts(&b, "pg_is_in_recovery() AND (pg_stat_file('standby.signal', true)).size IS NOT NULL "
                "AND rtrim(pg_read_file('replc_standby', 0, 65536, true), E'\\n') = ");
    q_literal(&b, m.s);
    sb_puts(&b, " AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming') "
                "AND (pg_stat_file(current_setting('data_directory') || '.replc-old', true)).size IS NULL "
                "AND current_setting('primary_slot_name') = ");
    const StandbyInfo *si = s->node->standby;
    q_literal(&b, si->slot);
    sb_puts(&b, " AND ");
    sql_setting_equals(&b, "recovery_min_apply_delay", si->delay ? si->delay : "0");
    col(n, s->node, "postgres", b.s);
    sb_free(&b);
    sb_free(&m);
}

static void step_cols(Noop *n, const Model *m, const Step *s)
{
    Arena *a = n->a;
    switch (s->kind) {
    case STEP_PGPASS: pgpass_col(n, s); return;
    case STEP_BASEBACKUP: standby_col(n, s); return;
    case STEP_HBA:
        if (m->prune)
            n->cannot = true;
        else
            col(n, s->node, s->db, sql_hba_marked(a, s->node));
        return;
    case STEP_RAISE: col(n, s->node, s->db, sql_standby_guards_clear(a, s->node)); return;
    case STEP_RESTART:
        col(n, s->node, s->db, arena_printf(a, "coalesce((%s), '') = '' AND coalesce((%s), '') = ''",
                                            sql_pending_restart(a, s->node), sql_pending_others(a, s->node)));
        return;
    case STEP_SUB_WAIT:
        col(n, s->sub->publisher, s->db,
            arena_printf(a, "(%s)::text = '%d'", sql_publications_count(a, s->sub), sub_ready_count(s->sub)));
        return;
    case STEP_SUB_SYNC: col(n, s->node, s->db, sql_subscription_synced(a, s->sub)); return;
    case STEP_COL_WAIT:
        if (s->peer)   /* as runner.c waits: no column missing on the subscriber */
            col(n, s->peer, s->peer->conf->database,
                arena_printf(a, "(%s)::text = '0'", sql_columns_missing(a, s->node, s->peer)));
        return;
    case STEP_COPY_TABLE: {
        StrBuf b;
        sb_init(&b);
        sb_puts(&b, "to_regclass(");
        q_regclass(&b, s->table->schema, s->table->name);
        sb_puts(&b, ") IS NOT NULL");
        col(n, s->node, s->node->conf->database, b.s);
        sb_free(&b);
        return;
    }
    case STEP_PRUNE: n->cannot = true; return;
    default: break;
    }
    if (s->lang != LANG_SQL && s->kind != STEP_STANDBY_SLOT) {
        n->cannot = true;
        return;
    }
    /* guarded statements: nothing runs when no guard holds */
    const MNode *on = s->kind == STEP_STANDBY_SLOT ? s->sub->publisher : s->node;
    Vec stmts = step_sql(a, s);
    for (int k = 0; k < stmts.n; k++) {
        const SqlStmt *st = stmts.items[k];
        if (!st->guard) {
            n->cannot = true;
            return;
        }
        col(n, on, s->db, arena_printf(a, "(%s) IS NOT TRUE", st->guard));
    }
}

/* Each line of want is a whole line of text. */
static bool has_lines(const char *text, const Vec *want)
{
    for (int i = 0; i < want->n; i++) {
        const char *w = want->items[i];
        size_t len = strlen(w);
        bool found = false;
        for (const char *p = text; p && *p && !found;) {
            const char *nl = strchr(p, '\n');
            size_t l = nl ? (size_t)(nl - p) : strlen(p);
            found = l == len && strncmp(p, w, len) == 0;
            p = nl ? nl + 1 : NULL;
        }
        if (!found)
            return false;
    }
    return true;
}

bool noop_holds(const Model *m, const Plan *plan, PgPool *pool, int timeout_ms)
{
    Arena a;
    arena_init(&a);
    Noop n = {&a, {0}, false};
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *node = m->nodes.items[i];
        col(&n, node, "postgres",
            arena_printf(&a, "current_setting('server_version_num')::int / 10000 = %d AND pg_is_in_recovery() = %s "
                             "AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)",
                         node->version, node->standby ? "true" : "false"));
        if (model_lock_node(m, node) == node) {
            col(&n, node, "postgres", sql_lock_try(&a, m->cluster));
            group(&n, node, "postgres")->lock = true;
        }
    }
    for (int i = 0; i < plan->steps.n && !n.cannot; i++)
        step_cols(&n, m, plan->steps.items[i]);
    int ng = n.groups.n;
    bool holds = !n.cannot;
    PgConn **c = calloc((size_t)ng + 1, sizeof *c);
    const char **sql = calloc((size_t)ng + 1, sizeof *sql);
    for (int i = 0; i < ng && holds; i++) {
        Group *g = n.groups.items[i];
        c[i] = pg_pool_take(pool, g->node, g->db, NULL);
        sql[i] = g->sql.s;
    }
    if (holds)
        pg_run_all(c, sql, ng, timeout_ms);
    for (int i = 0; i < ng; i++) {
        Group *g = n.groups.items[i];
        if (holds && (!c[i] || pg_state(c[i]) != PG_DONE || pg_ncols(c[i]) != g->ncols + 1))
            holds = false;
        for (int k = 0; holds && k < g->ncols; k++) {
            const Vec *lines = g->pgpass.items[k];
            holds = lines ? has_lines(pg_get(c[i], 0, k + 1), lines) : pg_is_true(c[i], 0, k + 1);
        }
        sb_free(&g->sql);
    }
    /* The lock is let go before the preflight takes it: a closed session's
     * backend lets go of it only as it exits, which may be after the
     * preflight's new session has tried (and found it held). Not a no-op:
     * the sessions go back to the pool, for the preflight and the steps. */
    PgConn **lk = calloc((size_t)ng + 1, sizeof *lk);
    for (int i = 0; i < ng; i++) {
        Group *g = n.groups.items[i];
        lk[i] = g->lock && !holds ? c[i] : NULL;
        sql[i] = "SELECT pg_advisory_unlock_all()";
    }
    if (!holds)
        pg_run_all(lk, sql, ng, timeout_ms);
    free(lk);
    for (int i = 0; i < ng; i++) {
        Group *g = n.groups.items[i];
        if (!c[i])
            continue;
        if (holds || (g->lock && pg_state(c[i]) != PG_DONE))
            pg_close(c[i]);
        else
            pg_pool_give(pool, g->node, g->db, c[i]);
    }
    free(c);
    free(sql);
    arena_free(&a);
    return holds;
}
