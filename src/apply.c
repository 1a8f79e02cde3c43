/* apply.c: preflight (check everything first, report every problem, change
 * nothing when there is one), the one-apply-at-a-time lock, and the run. */
#include "apply.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drift.h"
#include "emit.h"
#include "exec.h"
#include "noop.h"
#include "pgconn.h"
#include "quote.h"
#include "runner.h"
#include "ssh.h"
#include "status.h"
#include "stepsql.h"
#include "trace.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct Pre {
    Arena *a;
    const Model *m;
    Vec problems;          /* char * (arena) */
    PgConn **admin;        /* per node, to 'postgres'; holds the lock */
    PgPool *pool;          /* idle connections: the no-op check's and the preflight's, for the steps */
    bool *up, *recovery, *db_exists;
    char **slots;          /* per node: "name=t name=f ..." */
    char **tblspc;         /* per node: "NAME in LOCATION, ..." of its tablespaces, or "" */
    char **subs_exist;     /* per node: one 't'/'f' per subscription */
    Trace *trace;          /* --trace, or NULL */
} Pre;

static void problem(Pre *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(Pre *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[2048];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    vec_push(p->a, &p->problems, arena_strdup(p->a, buf));
}


/* Round 1: every node's 'postgres' database: version, role, recovery,
 * database, user data, slots, the lock, and tablespaces; one column each. */
enum { A_VERSION, A_SUPER, A_REPLICATION, A_RECOVERY, A_DB_EXISTS, A_USERDATA, A_SLOTS, A_LOCK, A_TBLSPC };

static void round_admin(Pre *p)
{
    int n = p->m->nodes.n;
    const char **sql = calloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++) {
        const MNode *node = p->m->nodes.items[i];
        p->admin[i] = pg_pool_take(p->pool, node, "postgres", NULL);
        StrBuf b;
        sb_init(&b);
        sb_puts(&b, "SELECT current_setting('server_version_num'),"
                    " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
                    " (SELECT rolreplication FROM pg_roles WHERE rolname = current_user),"
                    " pg_is_in_recovery(), EXISTS (SELECT FROM pg_database WHERE datname = ");
        q_literal(&b, node->conf->database);
        sb_printf(&b, "), %s, (SELECT coalesce(string_agg(slot_name || '=' || active, ' '), '') "
                      "FROM pg_replication_slots), (%s), (SELECT coalesce(string_agg(spcname || ' in ' || "
                      "pg_tablespace_location(oid), ', ' ORDER BY spcname), '') FROM pg_tablespace "
                      "WHERE spcname NOT IN ('pg_default', 'pg_global'))", sql_user_data(),
                  model_lock_node(p->m, node) == node ? sql_lock_try(p->a, p->m->cluster) : "SELECT true");
        sql[i] = arena_strdup(p->a, b.s);
        sb_free(&b);
    }
    pg_run_all(p->admin, sql, n, 30000);
    for (int i = 0; i < n; i++) {
        const MNode *node = p->m->nodes.items[i];
        PgConn *c = p->admin[i];
        if (pg_state(c) != PG_DONE) {
            char *e = pg_error(c);
            problem(p, "node '%s' (%s port %d, user %s): cannot connect: %s", node->name, node->host,
                    node->port, node->conf->user, e);
            free(e);
            continue;
        }
        p->up[i] = true;
        long ver = strtol(pg_get(c, 0, A_VERSION), NULL, 10) / 10000;
        if (ver != node->version)
            problem(p, "node '%s' runs PostgreSQL %ld, but the topology says version %d", node->name, ver,
                    node->version);
        if (!pg_is_true(c, 0, A_SUPER))
            problem(p, "role '%s' on node '%s' is not a superuser: replc needs ALTER SYSTEM, CREATE "
                       "SUBSCRIPTION and replication connections (ALTER ROLE %s SUPERUSER)",
                    node->conf->user, node->name, node->conf->user);
        p->recovery[i] = pg_is_true(c, 0, A_RECOVERY);
        p->db_exists[i] = pg_is_true(c, 0, A_DB_EXISTS);
        long userdata = strtol(pg_get(c, 0, A_USERDATA), NULL, 10);
        p->slots[i] = arena_strdup(p->a, pg_get(c, 0, A_SLOTS));
        p->tblspc[i] = arena_strdup(p->a, pg_get(c, 0, A_TBLSPC));
        if (node->standby && !p->recovery[i] && userdata > 0 && !node->standby->force)
            problem(p, "standby '%s': its data directory holds user data (%ld database(s) or relation(s) "
                       "besides the defaults) and would be replaced; write 'standby from %s with (force)' "
                       "to allow that", node->name, userdata,
                    node->standby->source ? node->standby->source->name : "?");
        if (!pg_is_true(c, 0, A_LOCK)) {
            PgConn *cs[1] = {c};
            const char *q[1] = {sql_lock_holders(p->a, p->m->cluster)};
            pg_run_all(cs, q, 1, 10000);
            problem(p, "node '%s': another replc --apply is running (%s); wait for it to finish (the lock of "
                       "cluster '%s' on its server)",
                    node->name, pg_state(c) == PG_DONE ? pg_value(c) : "holder unknown", p->m->cluster);
        }
    }
    free(sql);
}

/* Round 2: each node's own database: declared tables as they exist, which
 * subscriptions exist already, and the tables without a replica identity
 * its publications would carry. Column 0 is a constant; then two per table
 * (db_table_col), one per subscription (db_sub_col), one per publication
 * (db_pub_col). */
static int db_table_col(int k) { return 1 + 2 * k; }
static int db_sub_col(const MNode *node, int k) { return 1 + 2 * node->tables.n + k; }
static int db_pub_col(const MNode *node, int k) { return 1 + 2 * node->tables.n + node->subs.n + k; }

static void round_db_query(StrBuf *b, const MNode *node)
{
    sb_puts(b, "SELECT 1");
    for (int k = 0; k < node->tables.n; k++) {
        const MTable *t = node->tables.items[k];
        /* persistence + has a primary key, or 'none' */
        sb_puts(b, ", coalesce((SELECT c.relpersistence::text || (EXISTS (SELECT FROM pg_index "
                   "WHERE indrelid = c.oid AND indisprimary))::text FROM pg_class c WHERE c.oid = to_regclass(");
        q_regclass(b, t->schema, t->name);
        /* the declared columns that are of another type (a missing one is added) */
        sb_puts(b, ")), 'none'), coalesce((SELECT string_agg(format('%I is %s, not %s', d.name, "
                   "format_type(a.atttypid, a.atttypmod), d.type), '; ') FROM (VALUES ");
        if (!t->columns.n)
            sb_puts(b, "(NULL::text, NULL::text)");
        for (int q = 0; q < t->columns.n; q++) {
            const MColumn *col = t->columns.items[q];
            sb_puts(b, q ? ", (" : "(");
            q_literal(b, col->name);
            sb_puts(b, ", ");
            q_literal(b, col->type);
            sb_puts(b, ")");
        }
        sb_puts(b, ") AS d(name, type) JOIN pg_attribute a ON a.attrelid = to_regclass(");
        q_regclass(b, t->schema, t->name);
        sb_puts(b, ") AND a.attname = d.name AND a.attnum > 0 AND NOT a.attisdropped "
                   "WHERE d.name IS NOT NULL AND a.atttypid <> to_regtype(d.type)), '')");
    }
    for (int k = 0; k < node->subs.n; k++) {
        const MSub *s = node->subs.items[k];
        sb_puts(b, ", EXISTS (SELECT FROM pg_subscription WHERE subname = ");
        q_literal(b, s->name);
        sb_puts(b, " AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))");
    }
    for (int k = 0; k < node->pubs.n; k++) {
        Arena a;
        arena_init(&a);
        const char *tabs = sql_pub_unidentified(&a, node, node->pubs.items[k]);
        sb_printf(b, ", %s", tabs ? tabs : "''");
        arena_free(&a);
    }
}

static void round_db_result(Pre *p, int i, PgConn *c)
{
    const MNode *node = p->m->nodes.items[i];
    for (int k = 0; k < node->tables.n; k++) {
        const MTable *t = node->tables.items[k];
        const char *state = pg_get(c, 0, db_table_col(k));
        const char *cols = pg_get(c, 0, db_table_col(k) + 1);
        if (!*state || strcmp(state, "none") == 0)
            continue;
        if (state[0] == 'u')
            problem(p, "node '%s': table '%s' is unlogged; unlogged tables cannot be published or "
                       "replicated (ALTER TABLE %s SET LOGGED)", node->name, t->display, t->display);
        if (t->pkey.n && state[1] == 'f')
            problem(p, "node '%s': table '%s' exists without the primary key the topology declares; "
                       "UPDATE and DELETE would fail to replicate", node->name, t->display);
        if (*cols && t->has_columns)
            problem(p, "node '%s': table '%s' exists, but a declared column has another type on the "
                       "server (%s); replc never changes a column's type: change it by hand (ALTER TABLE "
                       "... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server's "
                       "type in the topology", node->name, t->display, cols);
    }
    for (int k = 0; k < node->pubs.n; k++) {
        const MPub *pub = node->pubs.items[k];
        const char *tabs = pg_get(c, 0, db_pub_col(node, k));
        if (*tabs)
            problem(p, "node '%s': publication '%s' publishes %s, but table(s) without a replica identity would be "
                       "in it: %s; UPDATE and DELETE on them would then fail on '%s' (\"cannot update table "
                       "because it does not have a replica identity\"): give each a primary key or REPLICA "
                       "IDENTITY FULL, or publish only inserts with (publish = 'insert')",
                    node->name, pub->name,
                    model_pub_changes(pub),
                    tabs, node->name);
    }
    char *ex = arena_alloc(p->a, (size_t)node->subs.n + 1);
    for (int k = 0; k < node->subs.n; k++)
        ex[k] = pg_is_true(c, 0, db_sub_col(node, k)) ? 't' : 'f';
    p->subs_exist[i] = ex;
}

static void round_db(Pre *p)
{
    int n = p->m->nodes.n;
    PgConn **c = calloc((size_t)n, sizeof(PgConn *));
    const char **sql = calloc((size_t)n, sizeof(char *));
    for (int i = 0; i < n; i++) {
        const MNode *node = p->m->nodes.items[i];
        if (!p->up[i] || !p->db_exists[i] || p->recovery[i] || node->standby)
            continue;
        StrBuf b;
        sb_init(&b);
        round_db_query(&b, node);
        sql[i] = arena_strdup(p->a, b.s);
        sb_free(&b);
        c[i] = pg_pool_take(p->pool, node, node->conf->database, NULL);
    }
    pg_run_all(c, sql, n, 30000);
    for (int i = 0; i < n; i++) {
        const MNode *node = p->m->nodes.items[i];
        if (!c[i])
            continue;
        if (pg_state(c[i]) != PG_DONE) {
            char *e = pg_error(c[i]);
            problem(p, "node '%s', database '%s': %s", node->name, node->conf->database, e);
            free(e);
        } else
            round_db_result(p, i, c[i]);
        pg_pool_give(p->pool, node, node->conf->database, c[i]);
    }
    free(c);
    free(sql);
}

static bool slot_listed(const char *slots, const char *name, bool *active)
{
    size_t n = strlen(name);
    for (const char *s = slots; s && *s;) {
        if (strncmp(s, name, n) == 0 && s[n] == '=') {
            *active = s[n + 1] == 't';
            return true;
        }
        s = strchr(s, ' ');
        if (s)
            s++;
    }
    return false;
}

/* A table an initial copy would fill, and the subscription that would. */
typedef struct CopyTarget {
    const MTable *t;
    const MSub *s;
    bool adds;   /* the subscription exists, and adds t */
} CopyTarget;

/* Subscriber tables an initial copy would fill that already hold rows
 * (check 21): those of a new subscription, and those an existing one does
 * not have yet (REFRESH PUBLICATION copies them); one query per
 * subscriber, one column (0 or 1) per table. */
static void round_copies(Pre *p)
{
    int n = p->m->nodes.n;
    PgConn **c = calloc((size_t)n + 1, sizeof(PgConn *));
    const char **sql = calloc((size_t)n + 1, sizeof(char *));
    Vec *targets = calloc((size_t)n + 1, sizeof(Vec));   /* CopyTarget * per node, by column */
    for (int i = 0; i < n; i++) {
        const MNode *node = p->m->nodes.items[i];
        if (!p->up[i] || !p->db_exists[i] || node->standby)
            continue;
        StrBuf b;
        sb_init(&b);
        for (int k = 0; k < node->subs.n; k++) {
            const MSub *s = node->subs.items[k];
            /* an existing subscription copies the tables it adds (REFRESH PUBLICATION) */
            bool exists = p->subs_exist[i] && p->subs_exist[i][k] == 't';
            if (exists ? !(s->opt->connect && s->opt->enabled && s->opt->copy_data) : !s->copy_data)
                continue;
            for (int q = 0; q < s->tables->n; q++) {
                const MTable *t = s->tables->items[q];
                sb_puts(&b, b.len ? ", " : "SELECT ");
                if (exists) {
                    sb_puts(&b, "CASE WHEN to_regclass(");
                    q_regclass(&b, t->schema, t->name);
                    sb_puts(&b, ")::oid IN (SELECT r.srrelid FROM pg_subscription_rel r JOIN pg_subscription s "
                                "ON s.oid = r.srsubid WHERE s.subname = ");
                    q_literal(&b, s->name);
                    sb_puts(&b, " AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = "
                                "current_database())) THEN '0' ELSE ");
                }
                sql_has_rows(&b, t);
                if (exists)
                    sb_puts(&b, " END");
                CopyTarget *ct = arena_alloc(p->a, sizeof *ct);
                ct->t = t;
                ct->s = s;
                ct->adds = exists;
                vec_push(p->a, &targets[i], ct);
            }
        }
        if (!b.len) {
            sb_free(&b);
            continue;
        }
        sql[i] = arena_strdup(p->a, b.s);
        sb_free(&b);
        c[i] = pg_pool_take(p->pool, node, node->conf->database, NULL);
    }
    pg_run_all(c, sql, n, 30000);
    for (int i = 0; i < n; i++) {
        if (!c[i])
            continue;
        const MNode *node = p->m->nodes.items[i];
        if (pg_state(c[i]) == PG_DONE) {
            for (int k = 0; k < targets[i].n; k++) {
                const CopyTarget *ct = targets[i].items[k];
                if (strcmp(pg_get(c[i], 0, k), "1") == 0)
                    problem(p, "node '%s': table '%s' already holds rows, and subscription '%s' would copy "
                               "the publisher's rows into it%s (duplicates or a duplicate-key stall); empty it, "
                               "or subscribe with (copy_data = false)", node->name, ct->t->display, ct->s->name,
                            ct->adds ? " as it adds it" : "");
            }
        } else {
            char *e = pg_error(c[i]);
            problem(p, "node '%s': cannot check subscriber tables: %s", node->name, e);
            free(e);
        }
        pg_pool_give(p->pool, node, node->conf->database, c[i]);
    }
    free(targets);
    free(c);
    free(sql);
}

/* A standby that its step would build (not in recovery) from a source with
 * tablespaces, or over a data directory with them: refused, as its step
 * would (basebackup.sh: no_tablespaces). */
static void round_tablespaces(Pre *p)
{
    for (int i = 0; i < p->m->nodes.n; i++) {
        const MNode *node = p->m->nodes.items[i];
        const MNode *src = node->standby ? node->standby->source : NULL;
        if (!src || !p->up[i] || p->recovery[i])
            continue;
        const char *has = p->up[src->index] && *p->tblspc[src->index] ? p->tblspc[src->index] : NULL;
        const char *whose = src->name;
        if (*p->tblspc[i])
            has = p->tblspc[i], whose = node->name;
        if (has)
            problem(p, "standby '%s' would be built from '%s', but '%s' has tablespaces outside its data "
                       "directory (%s); replc builds a standby only without them. Move their relations to "
                       "pg_default (ALTER TABLE ... SET TABLESPACE pg_default; DROP TABLESPACE ...), or build "
                       "'%s' by hand with pg_basebackup --tablespace-mapping (docs/packaged.md)",
                    node->name, src->name, whose, has, node->name);
    }
}

/* Slots the plan needs that someone else holds (check 14). */
static void round_slots(Pre *p)
{
    int n = p->m->nodes.n;
    for (int i = 0; i < n; i++) {
        const MNode *node = p->m->nodes.items[i];
        for (int k = 0; k < node->subs.n; k++) {
            const MSub *s = node->subs.items[k];
            /* what is not known (the node is unreachable) is not reported */
            if (!p->up[i] || (p->db_exists[i] && !p->subs_exist[i]))
                break;
            bool exists = p->subs_exist[i] && p->subs_exist[i][k] == 't';
            if (exists || !s->publisher || !s->slot)
                continue;
            /* an inactive slot of that name is the one the publisher made for it
             * (an earlier apply stopped before the subscription); an active one
             * is someone else's */
            bool active;
            if (p->up[s->publisher->index] && slot_listed(p->slots[s->publisher->index], s->slot, &active) &&
                active)
                problem(p, "node '%s' has an active replication slot '%s', which subscription '%s' of node "
                           "'%s' needs; something else consumes it", s->publisher->name, s->slot, s->name,
                        node->name);
        }
        if (node->standby && node->standby->source && p->up[i] && !p->recovery[i]) {
            const MNode *src = node->standby->source;
            bool active;
            if (p->up[src->index] && slot_listed(p->slots[src->index], node->standby->slot, &active) && active)
                problem(p, "node '%s' has an active replication slot '%s', which standby '%s' needs",
                        src->name, node->standby->slot, node->name);
        }
    }
}

/* Slots no consumer of the topology uses retain WAL for ever (check 58):
 * a warning, not a problem, since a tool outside the topology may own them. */
static void warn_unused_slots(Pre *p)
{
    Arena *a = p->a;
    for (int i = 0; i < p->m->nodes.n; i++) {
        const MNode *n = p->m->nodes.items[i];
        if (!p->up[i] || !p->slots[i] || !*p->slots[i])
            continue;
        Vec known = {0};
        for (int k = 0; k < n->subscribers.n; k++) {
            const MSub *s = n->subscribers.items[k];
            if (s->slot)
                vec_push(a, &known, (void *)s->slot);
        }
        for (int k = 0; k < vec_count(n->standbys); k++)
            vec_push(a, &known, (void *)((MNode *)n->standbys->items[k])->standby->slot);
        for (int k = 0; k < p->m->nodes.n; k++) {
            const MNode *st = p->m->nodes.items[k];
            const MNode *root = model_chain_root(st);
            for (int q = 0; st->standby && root != st && q < root->subs.n; q++) {
                const MSub *s = root->subs.items[q];
                if (s->publisher == n && s->slot)
                    vec_push(a, &known, (void *)model_promoted_slot(a, s, st));
            }
        }
        char *list = arena_strdup(a, p->slots[i]);
        for (char *tok = strtok(list, " "); tok; tok = strtok(NULL, " ")) {
            char *eq = strchr(tok, '=');
            if (eq)
                *eq = '\0';
            if (strncmp(tok, "pg_", 3) == 0)   /* table-sync slots come and go */
                continue;
            bool ours = false;
            for (int k = 0; k < known.n && !ours; k++)
                ours = strcmp(known.items[k], tok) == 0;
            if (!ours)
                fprintf(stderr, "replc: preflight: warning: node '%s' has replication slot '%s', which no "
                                "subscription or standby of the topology uses; it keeps WAL until it is "
                                "dropped\n", n->name, tok);
        }
    }
}

/* --trace: a host's row, as exec.c numbers them (nodes on one host and port
 * share the first one's) */
static int host_row(const Model *m, const MNode *node)
{
    for (int i = 0; i < node->index && node->host; i++) {
        const MNode *o = m->nodes.items[i];
        if (o->host && o->port == node->port && strcmp(o->host, node->host) == 0)
            return i + 1;
    }
    return node->index + 1;
}

/* ssh reaches every node that has shell steps: started first, checked
 * last, so that it runs while the SQL checks run */
typedef struct Probe {
    Child *ch;
    bool *on;
    double t0, *t1;        /* --trace: when it started, when each answered */
} Probe;

static Probe ssh_probe_start(Pre *p, const Plan *plan)
{
    int n = p->m->nodes.n;
    Child *ch = calloc((size_t)n + 1, sizeof(Child));
    bool *on = calloc((size_t)n + 1, sizeof(bool));
    for (int i = 0; i < n; i++) {
        const MNode *node = p->m->nodes.items[i];
        const Vec *steps = plan->node_steps.items[i];
        bool shell = false;
        for (int k = 0; k < steps->n; k++) {
            const Step *s = steps->items[k];
            if (s->kind == STEP_PGPASS || s->kind == STEP_HBA || s->kind == STEP_BASEBACKUP ||
                s->kind == STEP_COPY_TABLE || s->kind == STEP_RESTART || s->kind == STEP_RAISE)
                shell = true;
        }
        if (!shell)
            continue;
        char *err = NULL;
        char **argv = ssh_argv(node, &err);
        if (!argv) {
            problem(p, "node '%s': %s", node->name, err);
            free(err);
            continue;
        }
        /* ssh works, and the server manager can act (lib.sh: manager_check) */
        StrBuf probe;
        sb_init(&probe);
        sb_puts(&probe, "echo replc-ssh-ok\n");
        emit_lib_sh(&probe);
        sb_puts(&probe, "{\n");
        emit_server_check(&probe, node);
        sb_puts(&probe, "echo replc-server-ok\n} </dev/null 2>&1\n");
        bool started = child_start(&ch[i], argv, probe.s, probe.len, &err);
        sb_free(&probe);
        if (started)
            on[i] = true;
        else {
            problem(p, "node '%s': cannot run %s: %s", node->name, argv[0], err);
            free(err);
        }
        argv_free(argv);
    }
    return (Probe){ch, on, trace_now(), calloc((size_t)n + 1, sizeof(double))};
}

static void ssh_probe_finish(Pre *p, Probe pr)
{
    int n = p->m->nodes.n;
    Child *ch = pr.ch;
    bool *on = pr.on;
    struct pollfd *pfd = calloc((size_t)n * 2 + 1, sizeof *pfd);
    time_t deadline = time(NULL) + 30;
    for (;;) {
        int k = 0, live = 0;
        for (int i = 0; i < n; i++) {
            if (!on[i] || ch[i].status >= 0)
                continue;
            live++;
            if (ch[i].in_fd >= 0)
                pfd[k].fd = ch[i].in_fd, pfd[k].events = POLLOUT, k++;
            if (ch[i].out_fd >= 0)
                pfd[k].fd = ch[i].out_fd, pfd[k].events = POLLIN, k++;
        }
        if (!live || time(NULL) > deadline)
            break;
        poll(pfd, (nfds_t)k, 100);
        for (int i = 0; i < n; i++)
            if (on[i] && ch[i].status < 0 && child_step(&ch[i]))
                pr.t1[i] = trace_now();
    }
    for (int i = 0; i < n; i++) {
        if (!on[i])
            continue;
        const MNode *node = p->m->nodes.items[i];
        trace_span(p->trace, host_row(p->m, node), "ssh: reach the host, check the server manager", "preflight",
                   pr.t0, pr.t1[i] ? pr.t1[i] : trace_now());
        StrBuf ssh;
        sb_init(&ssh);
        model_ssh(&ssh, node);
        if (ch[i].status < 0) {
            child_kill(&ch[i]);
            problem(p, "node '%s': ssh %s did not answer within 30 s", node->name, ssh.s);
        } else if (!ch[i].output.s || !strstr(ch[i].output.s, "replc-ssh-ok")) {
            const char *o = ch[i].output.s ? ch[i].output.s : "";
            size_t len = strlen(o);
            while (len && o[len - 1] == '\n')
                len--;
            problem(p, "node '%s': cannot run shell steps over ssh (%s): %.*s", node->name, ssh.s,
                    (int)len, len ? o : "no output");
        } else if (ch[i].status != 0 || !strstr(ch[i].output.s, "replc-server-ok")) {
            /* lib.sh's own lines say what was found and what to write */
            const char *o = strstr(ch[i].output.s, "replc-ssh-ok") + strlen("replc-ssh-ok");
            while (*o == '\n')
                o++;
            size_t len = strlen(o);
            while (len && o[len - 1] == '\n')
                len--;
            problem(p, "node '%s': the server cannot be restarted as the topology says:\n%.*s", node->name,
                    (int)len, len ? o : "no output");
        }
        sb_free(&ssh);
        child_free(&ch[i]);
    }
    free(pfd);
    free(ch);
    free(on);
    free(pr.t1);
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void pre_init(Pre *p, Arena *a, const Model *m)
{
    int n = m->nodes.n;
    memset(p, 0, sizeof *p);
    p->a = a;
    p->m = m;
    p->admin = calloc((size_t)n + 1, sizeof(PgConn *));
    p->up = calloc((size_t)n + 1, sizeof(bool));
    p->recovery = calloc((size_t)n + 1, sizeof(bool));
    p->db_exists = calloc((size_t)n + 1, sizeof(bool));
    p->slots = calloc((size_t)n + 1, sizeof(char *));
    p->tblspc = calloc((size_t)n + 1, sizeof(char *));
    p->subs_exist = calloc((size_t)n + 1, sizeof(char *));
    p->pool = pg_pool_new(STEP_LOCK_TIMEOUT_S);
}

static void pre_free(Pre *p)
{
    for (int i = 0; i < p->m->nodes.n; i++)
        pg_close(p->admin[i]);   /* releases the lock */
    free(p->admin);
    pg_pool_free(p->pool);
    free(p->up);
    free(p->recovery);
    free(p->db_exists);
    free(p->slots);
    free(p->tblspc);
    free(p->subs_exist);
}

/* ssh connection sharing for this run: a private directory of control
 * sockets in ctl (a mkdtemp template). False when one is set already. */
static bool ssh_control_start(char *ctl)
{
    bool have = getenv("REPLC_SSH_CONTROL_DIR") == NULL && mkdtemp(ctl) != NULL;
    if (have)
        setenv("REPLC_SSH_CONTROL_DIR", ctl, 1);
    return have;
}

static void ssh_control_end(const Model *m, const char *ctl)
{
    ssh_close_masters(m);
    DIR *d = opendir(ctl);   /* a master may not have removed its socket yet */
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", ctl, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(ctl);
    unsetenv("REPLC_SSH_CONTROL_DIR");
}

/* Every 'password env NAME' is set (each name reported once). */
static void check_password_env(Pre *p)
{
    const Model *m = p->m;
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *node = m->nodes.items[i];
        bool seen = false;
        for (int k = 0; k < i; k++) {
            const MNode *o = m->nodes.items[k];
            seen |= o->conf->pw_kind == PW_ENV && node->conf->pw_kind == PW_ENV &&
                    strcmp(o->conf->pw_value, node->conf->pw_value) == 0;
        }
        if (node->conf->pw_kind == PW_ENV && !seen && !getenv(node->conf->pw_value))
            problem(p, "environment variable %s is not set; the topology reads the password of node "
                       "'%s' from it (password env %s)", node->conf->pw_value, node->name, node->conf->pw_value);
    }
    /* the replication roles' (replication_password env NAME) */
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *node = m->nodes.items[i];
        const char *var = node->conf->repl_pw_env;
        bool seen = false;
        for (int k = 0; k < i && var; k++) {
            const MNode *o = m->nodes.items[k];
            seen |= (o->conf->repl_pw_env && strcmp(o->conf->repl_pw_env, var) == 0) ||
                    (o->conf->pw_kind == PW_ENV && strcmp(o->conf->pw_value, var) == 0);
        }
        if (var && !seen && !getenv(var) && !(node->conf->pw_kind == PW_ENV && strcmp(node->conf->pw_value, var) == 0))
            problem(p, "environment variable %s is not set; the topology reads the password of replication "
                       "role '%s' of node '%s' from it (replication_password env %s)", var, node->conf->repl_user,
                    node->name, var);
    }
}

/* Check everything first; true when nothing stands in the way (else every
 * problem is printed). The lock is held on every reachable node afterwards. */
static bool preflight(Pre *p, const Plan *plan)
{
    double t0 = trace_now();
    check_password_env(p);
    Probe probe = ssh_probe_start(p, plan);
    double t1 = trace_now();
    round_admin(p);
    double t2 = trace_now();
    round_db(p);
    round_slots(p);
    round_tablespaces(p);
    round_copies(p);
    warn_unused_slots(p);
    double t3 = trace_now();
    ssh_probe_finish(p, probe);
    trace_span(p->trace, 0, "libpq: versions, roles, databases, slots, the lock", "preflight", t1, t2);
    trace_span(p->trace, 0, "libpq: tables, subscriptions, subscriber tables", "preflight", t2, t3);
    trace_span(p->trace, 0, "preflight", "preflight", t0, trace_now());
    if (!p->problems.n)
        return true;
    fprintf(stderr, "replc: preflight found %d problem(s); nothing was changed:\n", p->problems.n);
    for (int i = 0; i < p->problems.n; i++)
        fprintf(stderr, "  - %s\n", (const char *)p->problems.items[i]);
    return false;
}

static int report_changes(const Model *m, const Plan *plan, const ApplyOptions *o, const StepResult *results, int rc);
/* --limit: every step of the chosen nodes, and (need) the steps of other
 * nodes those steps wait for, transitively. */
static void limit_sets(const Plan *plan, const bool *limit, bool *chosen, bool *need)
{
    for (int i = plan->steps.n - 1; i >= 0; i--) {
        const Step *s = plan->steps.items[i];
        chosen[i] = limit[s->node->index];
        if (!chosen[i] && !need[i])
            continue;
        for (int k = 0; k < s->deps.n; k++) {
            const Step *d = s->deps.items[k];
            if (!limit[d->node->index])
                need[d->id - 1] = true;
        }
    }
}

static ExecOptions exec_options(const Model *m, const ApplyOptions *o, bool dry, bool status, bool quiet)
{
    int n = m->nodes.n;
    FILE *msg = o->json ? stderr : stdout;   /* --format json: stdout holds the document only */
    ExecOptions eo = {o->jobs > 0 ? o->jobs : (n > 0 ? n : 1), msg, isatty(fileno(msg)) != 0, &interrupted, dry,
                      status, quiet, NULL};
    return eo;
}

/* Runs plan with a fresh runner: dry (nothing changes), status (waits look
 * once), or real (with the lock sessions, taken again after a restart).
 * results (plan->steps.n entries, or NULL) receives each step's result. */
static int run_plan(const Model *m, const Plan *plan, const ApplyOptions *o, Pre *p, bool dry, bool status,
                    bool quiet, ExecSummary *sum, StepResult *results, Trace *trace)
{
    RealRunner rr;
    real_runner_init(&rr, m, dry || status, o->timeout_s);
    rr.status = status;
    if (!dry && !status)
        rr.locks = (void **)p->admin;
    rr.pool = p->pool;
    ExecOptions eo = exec_options(m, o, dry, status, quiet);
    eo.trace = trace;
    StepResult *own = results ? NULL : calloc((size_t)plan->steps.n + 1, sizeof(StepResult));
    int rc = exec_run(plan, &rr.base, &eo, results ? results : own, sum);
    real_runner_end(&rr);
    free(own);
    return rc;
}

/* --limit on --apply and --dry-run: the steps of other nodes that the
 * chosen ones need must be in place (checked as --status checks); false,
 * with what is missing said, when one is not. */
static bool limit_needs_hold(const Model *m, const Plan *need, const ApplyOptions *o, Pre *p)
{
    if (!need->steps.n)
        return true;
    if (!o->quiet)
        printf("replc: --limit: checking %d step(s) of other nodes that the chosen nodes need\n", need->steps.n);
    fflush(stdout);
    ExecSummary sum;
    int rc = run_plan(m, need, o, p, true, true, true, &sum, NULL, NULL);
    if (rc == 0 && sum.would_change == 0)
        return true;
    fprintf(stderr, "replc: --limit: steps of other nodes that the chosen nodes need are not in place (shown "
                    "above); nothing was changed: apply those nodes first, or add them to --limit\n");
    return false;
}

/* On a terminal, before any change: the change set, then a question. True
 * to go on. */
static bool confirm(const Model *m, const Plan *plan, const ApplyOptions *o, Pre *p)
{
    printf("replc: the changes --apply would make (as --dry-run shows them):\n");
    fflush(stdout);
    ExecSummary sum;
    if (run_plan(m, plan, o, p, true, false, o->quiet, &sum, NULL, NULL) != 0)
        return false;
    if (!sum.would_change) {
        printf("replc: nothing to change\n");
        return true;
    }
    printf("replc: apply these %d change(s) to the live servers? [y/N] ", sum.would_change);
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin) || (strcmp(line, "y\n") != 0 && strcmp(line, "yes\n") != 0 &&
                                             strcmp(line, "Y\n") != 0)) {
        printf("replc: nothing was changed\n");
        return false;
    }
    return true;
}

/* The plan's steps, with the lock sessions of the preflight. */
static int run_steps(const Model *m, const Plan *plan, const ApplyOptions *o, Pre *p)
{
    FILE *msg = o->json ? stderr : stdout;
    if (!o->quiet)
        fprintf(msg, "replc: preflight: every node reachable, versions and roles as declared%s\n",
                o->status ? "; status: nothing will be changed" : o->dry_run ? "; dry run: nothing will be changed" : "");
    fflush(msg);
    const Plan *run = plan;
    if (o->limit) {
        int n = plan->steps.n;
        bool *chosen = calloc((size_t)n + 1, sizeof(bool)), *need = calloc((size_t)n + 1, sizeof(bool));
        limit_sets(plan, o->limit, chosen, need);
        bool held = true;
        if (o->status) {   /* what the chosen nodes need is reported with them */
            for (int i = 0; i < n; i++)
                chosen[i] |= need[i];
        } else
            held = limit_needs_hold(m, plan_subset(p->a, plan, need), o, p);
        run = plan_subset(p->a, plan, chosen);
        free(chosen);
        free(need);
        if (!held)
            return 1;
    }
    if (!o->dry_run && !o->status && !o->yes && isatty(0) && !confirm(m, run, o, p))
        return 1;
    ExecSummary sum;
    StepResult *results = calloc((size_t)run->steps.n + 1, sizeof(StepResult));
    int rc = run_plan(m, run, o, p, o->dry_run, o->status, o->quiet, &sum, results, p->trace);
    if (rc == 0 || o->status)
        rc = report_changes(m, run, o, results, rc);
    free(results);
    return rc;
}

/* A step that would change, as a change-set line: '+' makes something, '~'
 * changes it, '!' restarts, '-' drops (prune). */
static char change_sign(StepKind k)
{
    switch (k) {
    case STEP_CONFIG: case STEP_HBA: case STEP_RAISE: case STEP_PGPASS: return '~';
    case STEP_RESTART: return '!';
    case STEP_PRUNE: return '-';
    default: return '+';
    }
}

/* After the steps: what the servers hold that the topology does not declare
 * (drift.c), and for a dry run the change set and its exit code. */
static int report_changes(const Model *m, const Plan *plan, const ApplyOptions *o, const StepResult *results, int rc)
{
    Arena a;
    arena_init(&a);
    Drift d = {0};
    drift_collect(&a, m, &d, 30000);
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < d.errors.n; i++)
        fprintf(o->json ? stderr : stdout, "replc: cannot look for objects outside the topology: %s\n",
                (const char *)d.errors.items[i]);
    /* drift: what carries this cluster's mark and left the file, and a table
     * added to a declared publication; an object without the mark is
     * listed, never touched, and is no difference (--status exits 0) */
    int ours = 0, drifted = 0;
    for (int i = 0; i < d.items.n; i++) {
        const DriftItem *it = d.items.items[i];
        ours += it->ours;
        drifted += it->ours || strcmp(it->kind, "publication table") == 0;
    }
    if (o->dry_run && !o->status) {
        int add = 0, change = 0, restart = 0, drop = 0;
        StrBuf j;
        sb_init(&j);
        if (!o->json)
            fputs("replc: change set (against the live servers):\n", stdout);
        sb_puts(&j, "{\n  \"cluster\": ");
        q_json(&j, m->cluster);
        sb_puts(&j, ",\n  \"changes\": [");
        int nj = 0;
        for (int i = 0; i < plan->steps.n; i++) {
            const Step *s = plan->steps.items[i];
            if (results[i] != RES_WOULD_CHANGE || s->kind == STEP_PRUNE)
                continue;
            char sign = change_sign(s->kind);
            add += sign == '+';
            change += sign == '~';
            restart += sign == '!';
            if (!o->json)
                printf("  %c %s: %s\n", sign, s->node->name, s->what);
            sb_printf(&j, "%s\n    {\"sign\": \"%c\", \"node\": ", nj++ ? "," : "", sign);
            q_json(&j, s->node->name);
            sb_puts(&j, ", \"step\": ");
            q_json(&j, s->file);
            sb_puts(&j, ", \"what\": ");
            q_json(&j, s->what);
            sb_puts(&j, "}");
        }
        drift_text(&b, &d, m->prune);
        for (int i = 0; i < d.items.n; i++) {
            const DriftItem *it = d.items.items[i];
            if (!m->prune || !it->ours || strcmp(it->kind, "publication table") == 0)
                continue;
            drop++;
            sb_printf(&j, "%s\n    {\"sign\": \"-\", \"node\": ", nj++ ? "," : "");
            q_json(&j, it->node);
            sb_puts(&j, ", \"kind\": ");
            q_json(&j, it->kind);
            sb_puts(&j, ", \"name\": ");
            q_json(&j, it->name);
            sb_puts(&j, "}");
        }
        sb_printf(&j, "%s],\n  \"summary\": {\"add\": %d, \"change\": %d, \"drop\": %d, \"restart\": %d},\n"
                      "  \"undeclared\": ", nj ? "\n  " : "", add, change, drop, restart);
        drift_json(&j, &d);
        sb_puts(&j, "\n}\n");
        if (o->json)
            fputs(j.s, stdout);
        else {
            if (b.len)
                printf("%s", b.s);
            printf("replc: plan: %d to add, %d to change, %d to drop, %d restart(s)\n", add, change, drop, restart);
        }
        sb_free(&j);
        if (rc == 0 && add + change + drop + restart > 0)
            rc = 3;
    } else if (o->status) {
        Status st = {0};
        st.cluster = m->cluster;
        st.drift = d;
        int differ = 0;
        for (int i = 0; i < plan->steps.n; i++) {
            const Step *s = plan->steps.items[i];
            StatusStep *ss = arena_alloc(&a, sizeof *ss);
            ss->node = s->node->name;
            ss->step = s->file;
            ss->what = s->what;
            ss->state = results[i] == RES_WOULD_CHANGE ? "differs" : results[i] == RES_OK || results[i] == RES_CHANGED
                ? "ok" : results[i] == RES_FAILED ? "failed" : "not run";
            differ += results[i] == RES_WOULD_CHANGE;
            vec_push(&a, &st.steps, ss);
        }
        status_health(&a, m, &st, 30000);
        for (int i = 0; i < d.errors.n; i++)
            vec_push(&a, &st.errors, d.errors.items[i]);
        st.as_described = rc == 0 && !differ && !drifted;
        if (o->json) {
            StrBuf j;
            sb_init(&j);
            status_json(&j, &st);
            fputs(j.s, stdout);
            sb_free(&j);
        } else {
            drift_text(&b, &d, false);
            status_health_text(&b, &st);
            if (b.len)
                printf("%s", b.s);
            if (differ)
                printf("replc: status: %d step(s) not as the topology describes\n", differ);
            if (drifted)
                printf("replc: status: %d object(s) on the servers that the topology does not declare\n", drifted);
            if (d.items.n > drifted)
                printf("replc: status: %d object(s) not made by replc (?), left alone: not a difference\n",
                       d.items.n - drifted);
            if (st.as_described)
                printf("replc: status: the cluster is as described\n");
        }
        if (rc == 0 && !st.as_described)
            rc = 1;
    } else if (d.items.n) {
        drift_text(&b, &d, m->prune);
        printf("%s", b.s);
        if (ours && !m->prune)
            printf("replc: %d object(s) made by replc are no longer in the topology and were left in place; "
                   "replc --apply --prune drops them\n", ours);
    }
    sb_free(&b);
    arena_free(&a);
    return rc;
}
/* A plain --apply on a converged cluster: recognised over libpq alone
 * (noop.c), no ssh, no step started; what the servers hold beyond the
 * topology is still reported. -1 when it is not one (or cannot tell): the
 * normal run follows. */
static int noop_run(const Model *m, const Plan *plan, const ApplyOptions *o, Pre *p)
{
    if (o->dry_run || o->status || o->limit || m->prune)
        return -1;
    double t0 = trace_now();
    bool holds = noop_holds(m, plan, p->pool, 30000);
    double t1 = trace_now();
    trace_span(p->trace, 0, holds ? "no-op check: every step in place (libpq)" : "no-op check: something differs (libpq)",
               "preflight", t0, t1);
    if (!holds)
        return -1;
    StepResult *results = calloc((size_t)plan->steps.n + 1, sizeof(StepResult));
    for (int i = 0; i < plan->steps.n; i++) {
        const Step *s = plan->steps.items[i];
        results[i] = RES_OK;
        trace_step_begin(p->trace, s, host_row(m, s->node), t0);
        trace_step_end(p->trace, s, "ok", t1);
    }
    if (!o->quiet)
        printf("replc: every step's postcondition holds (one query per node and database, no ssh)\n");
    printf("0 changed, %d ok, 0 failed, 0 not run, total %.1fs\n", plan->steps.n, t1 - t0);
    printf("nothing to do: the cluster is as described\n");
    fflush(stdout);
    int rc = report_changes(m, plan, o, results, 0);
    free(results);
    return rc;
}

int apply_run(const Model *m, const Plan *plan, const ApplyOptions *o)
{
    catch_signals();
    Arena a;
    arena_init(&a);
    Pre p;
    pre_init(&p, &a, m);
    if (!o->quiet)
        fprintf(o->json ? stderr : stdout, "replc: preflight: checking %d node(s)\n", m->nodes.n);
    fflush(o->json ? stderr : stdout);
    char ctl[] = "/tmp/replc-ssh-XXXXXX";
    bool have_ctl = ssh_control_start(ctl);
    if (o->trace) {
        p.trace = trace_new(arena_printf(&a, "replc --apply %s", m->cluster));
        for (int i = 0; i < m->nodes.n; i++) {
            const MNode *node = m->nodes.items[i];
            trace_name_row(p.trace, host_row(m, node), arena_printf(&a, "%s (%s)", node->name, node->host));
        }
    }
    int rc = noop_run(m, plan, o, &p);
    if (rc < 0)
        rc = preflight(&p, plan) ? run_steps(m, plan, o, &p) : 1;
    pre_free(&p);   /* releases the lock */
    if (have_ctl)
        ssh_control_end(m, ctl);
    if (p.trace) {
        double end = trace_now();
        if (!o->quiet && rc != 130)
            trace_critical_path(p.trace, o->json ? stderr : stdout, end);
        if (trace_write(p.trace, o->trace) != 0 && rc == 0)
            rc = 1;
        trace_free(p.trace);
    }
    arena_free(&a);
    return rc;
}

/* The end of --promote: with --trace, the step's span ends (changed when
 * rc is 0, else failed or interrupted), the trace is written and, unless
 * interrupted, its critical path printed. Returns rc (1 when the trace
 * cannot be written). */
static int promote_end(Trace *trace, const char *path, const Step *st, Arena *a, int rc)
{
    if (trace) {
        trace_step_end(trace, st, rc == 0 ? "changed" : rc == 130 ? "interrupted" : "failed", trace_now());
        if (rc != 130)
            trace_critical_path(trace, stdout, trace_now());
        if (trace_write(trace, path) != 0 && rc == 0)
            rc = 1;
        trace_free(trace);
    }
    arena_free(a);
    return rc;
}

/* --trace with --promote: the one step's span on its host's row, and the
 * waits its output announces (lib.sh's wait_for lines) */
static void promote_trace_wait(Trace *t, const Step *s, const Child *c)
{
    size_t len = 0;
    const char *w = c->output.s ? script_waiting_for(c->output.s, &len) : NULL;
    char *what = w ? strndup(w, len) : NULL;
    trace_step_wait(t, s, what, trace_now());
    free(what);
}

/* replc --promote NODE: promote.sh of node n, run on its host over ssh as a
 * step is (lib.sh ahead of it), its output passed on as it comes; with
 * --trace (trace_path, else NULL) its span and waits, as --apply writes
 * them. */
int promote_run(const Model *m, const Plan *p, const MNode *n, bool force, int timeout_s, const char *trace_path)
{
    if (!plan_promotes(p, n)) {
        fprintf(stderr, "replc: node '%s' is not a standby of a subscriber: there is nothing to promote\n",
                n->name);
        return 2;
    }
    StrBuf in;
    sb_init(&in);
    sb_printf(&in, "REPLC_TIMEOUT=%d; export REPLC_TIMEOUT\n", timeout_s);
    if (force)
        sb_puts(&in, "REPLC_FORCE=1; export REPLC_FORCE\n");
    emit_lib_sh(&in);
    sb_puts(&in, "{\n");
    emit_promote(&in, m, n);
    sb_puts(&in, "\n} </dev/null\n");
    char *err = NULL;
    char **argv = ssh_argv(n, &err);
    if (!argv) {
        fprintf(stderr, "replc: node '%s': ssh: %s\n", n->name, err ? err : "cannot run");
        free(err);
        sb_free(&in);
        return 1;
    }
    catch_signals();
    Arena a;
    arena_init(&a);
    Trace *trace = trace_path ? trace_new(arena_printf(&a, "replc --promote %s %s", n->name, m->cluster)) : NULL;
    Step st;
    memset(&st, 0, sizeof st);
    st.id = 1;
    st.node = (MNode *)n;
    st.name = arena_printf(&a, "%s/promote", n->name);
    st.file = "promote.sh";
    st.lang = LANG_SHELL;
    trace_step_begin(trace, &st, host_row(m, n), trace_now());
    Child c;
    bool started = child_start(&c, argv, in.s, in.len, &err);
    argv_free(argv);
    sb_free(&in);
    if (!started) {
        fprintf(stderr, "replc: node '%s': cannot start ssh: %s\n", n->name, err ? err : "");
        free(err);
        return promote_end(trace, trace_path, &st, &a, 1);
    }
    size_t shown = 0;
    for (;;) {
        struct pollfd pfd[2];
        int k = 0;
        if (c.in_fd >= 0)
            pfd[k].fd = c.in_fd, pfd[k].events = POLLOUT, k++;
        if (c.out_fd >= 0)
            pfd[k].fd = c.out_fd, pfd[k].events = POLLIN, k++;
        if (k)
            poll(pfd, (nfds_t)k, 100);
        bool done = child_step(&c);
        if (c.output.len > shown) {
            fwrite(c.output.s + shown, 1, c.output.len - shown, stdout);
            fflush(stdout);
            shown = c.output.len;
        }
        if (done)
            break;
        if (trace)
            promote_trace_wait(trace, &st, &c);
        if (interrupted) {
            child_kill(&c);
            child_free(&c);
            fprintf(stderr, "replc: interrupted; '%s' may be promoted already: run --promote again\n", n->name);
            return promote_end(trace, trace_path, &st, &a, 130);
        }
    }
    int rc = c.status;
    child_free(&c);
    if (rc != 0)
        fprintf(stderr, "replc: promote of '%s' failed (exit %d)\n", n->name, rc);
    ssh_close_masters(m);
    return promote_end(trace, trace_path, &st, &a, rc == 0 ? 0 : 1);
}
