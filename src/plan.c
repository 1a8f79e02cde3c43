/* plan.c: model -> step DAG in a stable order. Steps of one node run in
 * sequence; a step that needs another host's work lists that step as a
 * dependency, and its script waits for it. */
#include "plan.h"

#include "map.h"

#include <stdlib.h>
#include <string.h>

static const char *kind_names[] = {
    "pgpass", "raise", "basebackup", "hba", "role", "config", "restart", "database", "tables",
    "wait-columns", "columns", "copy-table", "publications", "wait-publisher", "slot", "subscribe", "enable", "wait-sync",
    "prune",
};

const char *step_kind_name(StepKind k) { return kind_names[k]; }

int step_kind_count(void) { return (int)(sizeof kind_names / sizeof kind_names[0]); }

StepLang step_lang(StepKind k)
{
    switch (k) {
    case STEP_CONFIG: case STEP_DATABASE: case STEP_TABLES: case STEP_COLUMNS: case STEP_PUBLICATIONS:
    case STEP_SUBSCRIBE: case STEP_ROLE:
    case STEP_SUB_ENABLE:
        return LANG_SQL;
    default:
        return LANG_SHELL;
    }
}

/* What a step of kind k usually takes on a fresh server, in milliseconds
 * (measured with --trace on the test hosts): only the scheduler's
 * priorities use it, so only the proportions matter. */
int step_cost(StepKind k)
{
    switch (k) {
    case STEP_BASEBACKUP: return 1500;   /* copy, stop, start, stream */
    case STEP_RESTART: return 400;
    case STEP_HBA: case STEP_SUB_SYNC: case STEP_COPY_TABLE: case STEP_STANDBY_SLOT: case STEP_PRUNE: return 250;
    case STEP_PGPASS: case STEP_DATABASE: case STEP_SUBSCRIBE: case STEP_RAISE: return 100;
    default: return 30;
    }
}

/* s made safe for a file name: lower-case letters, digits and '_' kept,
 * upper case lowered, anything else '_', at most 40 bytes. *changed says
 * whether that altered s (then two names may meet; see obj_parts). */
static char *file_safe(Arena *a, const char *s, bool *changed)
{
    char *r = arena_strdup(a, s);
    size_t n = 0;
    for (char *p = r; *p; p++, n++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p = (char)(*p - 'A' + 'a');
            *changed = true;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            *p = '_';
            *changed = true;
        }
    }
    if (n > 40) {
        r[40] = '\0';
        *changed = true;
    }
    return r;
}

/* The file-name part of a table (schema.name) or subscription, before
 * disambiguation. */
static const char *table_part(Arena *a, const MTable *t, bool *changed)
{
    if (!t->schema)
        return file_safe(a, t->name, changed);
    return arena_printf(a, "%s.%s", file_safe(a, t->schema, changed), file_safe(a, t->name, changed));
}

/* FNV-1a, 32 bits: a short tag of a name, the same on every machine. */
static unsigned long name_tag(const char *s)
{
    unsigned long h = 2166136261UL;
    for (; *s; s++)
        h = ((h ^ (unsigned char)*s) * 16777619UL) & 0xffffffffUL;
    return h;
}

/* The file-name parts of n objects of one kind on one node (names[i] as
 * written): each made file-safe; where two meet, each one that file_safe
 * altered gets '-' and a tag of its real name appended. A name that is
 * file-safe as written never changes, whatever else the node holds, and no
 * part depends on the order of the objects. */
static const char **obj_parts(Arena *a, const char **names, const MTable **tables, int n)
{
    const char **part = arena_alloc(a, sizeof *part * (size_t)(n + 1));
    bool *changed = arena_alloc(a, sizeof *changed * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        part[i] = tables ? table_part(a, tables[i], &changed[i]) : file_safe(a, names[i], &changed[i]);
    const char **out = arena_alloc(a, sizeof *out * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        bool meets = false;
        for (int k = 0; k < n && !meets; k++)
            meets = k != i && strcmp(part[i], part[k]) == 0;
        out[i] = meets && changed[i] ? arena_printf(a, "%s-%08lx", part[i], name_tag(names[i])) : part[i];
    }
    /* two tags alike: cannot be told apart by name, so by order */
    for (int i = 0; i < n; i++)
        for (int k = 0, dup = 2; k < i; k++)
            if (strcmp(out[i], out[k]) == 0) {
                out[i] = arena_printf(a, "%s-%d", part[i], dup++);
                k = -1;
            }
    return out;
}

typedef struct Builder {
    Arena *a;
    Plan *p;
    Vec *cur;
    MNode *node;
    const char *dir;    /* the node's directory: the first part of its steps' ids */
    bool prune;
} Builder;

static Step *add(Builder *b, StepKind k, const char *what, const char *suffix, const char *db, Span span)
{
    Step *s = arena_alloc(b->a, sizeof *s);
    s->kind = k;
    s->lang = step_lang(k);
    s->node = b->node;
    const char *stem = suffix ? arena_printf(b->a, "%s.%s", kind_names[k], suffix) : kind_names[k];
    s->file = arena_printf(b->a, "%s.%s", stem, s->lang == LANG_SQL ? "sql" : "sh");
    s->name = arena_printf(b->a, "%s/%s", b->dir, stem);
    s->what = what;
    s->db = db;
    s->span = span;
    if (b->cur->n)
        vec_push(b->a, &s->deps, b->cur->items[b->cur->n - 1]);
    vec_push(b->a, b->cur, s);
    return s;
}

static Step *find_step(Plan *p, const MNode *n, StepKind k)
{
    Vec *v = p->node_steps.items[n->index];
    for (int i = 0; i < v->n; i++) {
        Step *s = v->items[i];
        if (s->kind == k)
            return s;
    }
    return NULL;
}

static Step *last_step(Plan *p, const MNode *n)
{
    Vec *v = p->node_steps.items[n->index];
    return v->n ? v->items[v->n - 1] : NULL;
}

static bool pw_from_env(const MNode *peer)
{
    return peer && (peer->conf->pw_kind == PW_ENV || peer->conf->pw_kind == PW_LITERAL);
}

/* The node connects to a peer whose password scripts read from the environment. */
static bool needs_pgpass(const MNode *n)
{
    Arena a;
    arena_init(&a);
    Vec peers = {0};
    model_peers(&a, n, &peers);
    bool any = false;
    for (int i = 0; i < peers.n; i++)
        any = any || pw_from_env(peers.items[i]);
    Vec repl = {0};
    model_repl_peers(&a, n, &repl);
    any = any || repl.n;
    arena_free(&a);
    return any;
}

static const char *node_dir(Arena *a, Map *used, const MNode *n)
{
    char *r = arena_strdup(a, n->name);
    for (char *q = r; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '_' || *q == '-'))
            *q = '_';
    const char *dir = r;
    for (int k = 2; map_get(used, dir); k++)
        dir = arena_printf(a, "%s-%d", r, k);
    map_put(a, used, dir, (void *)dir);
    return dir;
}

/* The restart step's line: the settings replc sets on n that take effect
 * only at a restart; the step restarts when one of them waits for it, never
 * for a setting of the DBA's own. */
static const char *restart_what(Arena *a, const MNode *n)
{
    StrBuf b;
    sb_init(&b);
    for (int g = 0; g < GUC_COUNT; g++)
        if (n->guc[g].set && guc_needs_restart((GucId)g))
            sb_printf(&b, "%s%s", b.len ? ", " : "", guc_name((GucId)g));
    const char *r = arena_printf(a, "restart '%s' only when one of replc's settings waits for it (%s); "
                                    "wait until the server accepts connections", n->name, b.len ? b.s : "none");
    sb_free(&b);
    return r;
}

static void build_node(Builder *b, MNode *n)
{
    Arena *a = b->a;
    if (needs_pgpass(n))
        add(b, STEP_PGPASS, "write the peers' password lines into ~/.pgpass", NULL, n->conf->database, n->span);
    if (b->prune && !n->standby)
        add(b, STEP_PRUNE, "drop what replc made here for this cluster that the topology no longer declares",
            NULL, "postgres", n->span);
    if (n->standby) {
        /* a standby stops replaying when its primary restarts with a higher
         * max_connections (and the like) than its own: raise it first */
        add(b, STEP_RAISE,
            arena_printf(a, "if already a standby, raise the settings that may not be lower than "
                            "on its primary, before '%s' restarts", model_chain_root(n)->name),
            NULL, "postgres", n->standby->span);
        add(b, STEP_BASEBACKUP,
            arena_printf(a, "rebuild the data directory from '%s' with pg_basebackup, start, "
                            "wait until it streams", n->standby->source ? n->standby->source->name : "?"),
            NULL, "postgres", n->standby->span);
    }
    if (vec_count(n->hba) || (b->prune && !n->standby))
        add(b, STEP_HBA, arena_printf(a, "admit %d peer line(s) in pg_hba.conf, reload", vec_count(n->hba)),
            NULL, "postgres", n->span);
    Vec roles = {0};
    model_primary_roles(a, n, &roles);
    if (roles.n)
        add(b, STEP_ROLE, "create the replication roles that peers connect as, if missing (password from the "
                          "environment)", NULL, "postgres", n->span);
    add(b, STEP_CONFIG, "raise server settings to the derived values (ALTER SYSTEM)", NULL, "postgres", n->span);
    add(b, STEP_RESTART, restart_what(a, n), NULL, "postgres", n->span);
    if (n->standby)
        return;
    if (!n->tables.n && !n->pubs.n && !n->subs.n)
        return;
    add(b, STEP_DATABASE, arena_printf(a, "create database '%s' if missing", n->conf->database), NULL,
        "postgres", n->span);
    bool any_decl = false;
    for (int i = 0; i < n->tables.n; i++)
        if (((MTable *)n->tables.items[i])->has_columns)
            any_decl = true;
    if (any_decl)
        add(b, STEP_TABLES, "create schemas and tables if missing", NULL, n->conf->database, n->span);
    const char **tnames = arena_alloc(a, sizeof *tnames * (size_t)(n->tables.n + 1));
    const MTable **tabs = arena_alloc(a, sizeof *tabs * (size_t)(n->tables.n + 1));
    for (int i = 0; i < n->tables.n; i++) {
        tabs[i] = n->tables.items[i];
        tnames[i] = tabs[i]->display;
    }
    const char **tparts = obj_parts(a, tnames, tabs, n->tables.n);
    const char **snames = arena_alloc(a, sizeof *snames * (size_t)(n->subs.n + 1));
    for (int i = 0; i < n->subs.n; i++)
        snames[i] = ((MSub *)n->subs.items[i])->name;
    const char **sparts = obj_parts(a, snames, NULL, n->subs.n);
    for (int i = 0; i < n->tables.n; i++) {
        MTable *t = n->tables.items[i];
        if (t->has_columns)
            continue;
        /* a column-less table exists on its publisher: copy it from there */
        MSub *from = NULL;
        for (int k = 0; k < n->subs.n && !from; k++) {
            MSub *s = n->subs.items[k];
            for (int j = 0; j < s->tables->n; j++)
                if (s->tables->items[j] == t)
                    from = s;
        }
        if (!from)
            continue;
        Step *s = add(b, STEP_COPY_TABLE,
                      arena_printf(a, "copy the definition of '%s' from '%s' if missing", t->display,
                                   from->publisher->name),
                      tparts[i], n->conf->database, t->span);
        s->sub = from;
        s->table = t;
    }
    if (n->pubs.n)
        add(b, STEP_PUBLICATIONS, arena_printf(a, "create %d publication(s) and the subscribers' slots if missing", n->pubs.n),
            NULL, n->conf->database, ((MPub *)n->pubs.items[0])->span);
    Step **created = arena_alloc(a, sizeof *created * (size_t)(n->subs.n + 1));
    for (int i = 0; i < n->subs.n; i++) {
        MSub *sub = n->subs.items[i];
        const char *fp = sparts[i];
        Step *s = add(b, STEP_SUB_WAIT,
                      arena_printf(a, "wait until '%s' has the publications of subscription '%s'",
                                   sub->publisher->name, sub->name), fp, sub_dbname(sub), sub->span);
        s->sub = sub;
        if (sub->publisher->standby && sub->precreate_slot) {
            s = add(b, STEP_STANDBY_SLOT,
                    arena_printf(a, "create slot '%s' on standby '%s', '%s' logging standby snapshots "
                                    "meanwhile", sub->slot, sub->publisher->name, sub_primary(sub)->name),
                    fp, sub_dbname(sub), sub->span);
            s->sub = sub;
        }
        s = add(b, STEP_SUBSCRIBE,
                model_sub_enable_later(sub)
                    ? arena_printf(a, "create subscription '%s' if missing, disabled until the enable step", sub->name)
                    : arena_printf(a, "create subscription '%s' if missing", sub->name),
                fp, n->conf->database, sub->span);
        s->sub = sub;
        created[i] = s;
    }
    /* PostgreSQL 14/15 start at most one round of workers per
     * wal_retrieve_retry_interval: the new subscriptions are enabled
     * together, whichever of them could be created */
    int later = 0;
    for (int i = 0; i < n->subs.n; i++)
        later += model_sub_enable_later(n->subs.items[i]);
    if (later) {
        Step *s = add(b, STEP_SUB_ENABLE,
                      arena_printf(a, "enable the %d new subscription(s) together, in one transaction "
                                      "(one launcher pass)", later),
                      NULL, n->conf->database, n->span);
        s->soft = true;
    }
    /* every subscription first, then the waits: the initial copies overlap */
    for (int i = 0; i < n->subs.n; i++) {
        MSub *sub = n->subs.items[i];
        const char *fp = sparts[i];
        Step *s = add(b, STEP_SUB_SYNC,
                arena_printf(a, "wait until every table of subscription '%s' is synchronised",
                             sub->name), fp, n->conf->database, sub->span);
        s->sub = sub;
        if (later)   /* and not when its own subscription was not made */
            vec_push(a, &s->deps, created[i]);
    }
    /* columns added to the tables it publishes: after each subscriber's,
     * last on the node, so that a subscriber that is down holds up only
     * this (its publications and subscriptions do not need the columns) */
    Vec colsubs = {0};
    model_column_subscribers(a, n, &colsubs);
    for (int i = 0; i < colsubs.n; i++) {
        MNode *peer = colsubs.items[i];
        Step *s = add(b, STEP_COL_WAIT,
                      arena_printf(a, "when a column is to be added here to a table that '%s' receives, "
                                      "wait until '%s' has it", peer->name, peer->name),
                      b->p->node_dirs.items[peer->index], peer->conf->database, n->span);
        s->peer = peer;
    }
    if (colsubs.n)
        add(b, STEP_COLUMNS, "add the columns of the published tables, after the subscribers", NULL,
            n->conf->database, n->span);
}

/* Cross-host dependencies: what each waiting step needs from a peer. */
static void link_peers(Arena *a, Plan *p, Model *m)
{
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        Vec *v = p->node_steps.items[i];
        for (int k = 0; k < v->n; k++) {
            Step *s = v->items[k];
            Step *dep = NULL;
            if (s->kind == STEP_SUB_WAIT) {
                dep = find_step(p, sub_primary(s->sub), STEP_PUBLICATIONS);
                if (s->sub->publisher->standby)   /* configured for decoding, admits us */
                    vec_push(a, &s->deps, last_step(p, s->sub->publisher));
            } else if (s->kind == STEP_COPY_TABLE)
                dep = find_step(p, sub_primary(s->sub), STEP_TABLES);
            else if (s->kind == STEP_BASEBACKUP && n->standby->source)
                dep = find_step(p, n->standby->source, STEP_RESTART);
            if (!dep && s->kind == STEP_COPY_TABLE)
                dep = last_step(p, s->sub->publisher);
            if (dep)
                vec_push(a, &s->deps, dep);
            /* the primary restarts only after every standby below it is raised */
            MNode *root = model_chain_root(n);
            Step *restart = s->kind == STEP_RAISE && root != n ? find_step(p, root, STEP_RESTART) : NULL;
            if (restart)
                vec_push(a, &restart->deps, s);
        }
    }
}

/* Whether step `to` is among what `from` waits for, directly or not. */
static bool reaches(Step *from, const Step *to, unsigned stamp)
{
    if (from == to)
        return true;
    if (from->visit == stamp)
        return false;
    from->visit = stamp;
    for (int i = 0; i < from->deps.n; i++)
        if (reaches(from->deps.items[i], to, stamp))
            return true;
    return false;
}

/* Each wait-columns step waits for the step that adds the columns on its
 * subscriber: the subscriber's columns step when it publishes one of those
 * tables on (a chain), else its tables step. Added last, each only when
 * it closes no cycle (a table replicated both ways: no order can hold);
 * such a step then waits for nothing (peer NULL) and says so. */
static void link_columns(Arena *a, Plan *p, Model *m, unsigned *stamp)
{
    for (int i = 0; i < m->nodes.n; i++) {
        Vec *v = p->node_steps.items[i];
        for (int k = 0; k < v->n; k++) {
            Step *s = v->items[k];
            if (s->kind != STEP_COL_WAIT)
                continue;
            Vec tabs = {0};
            model_received_tables(a, s->node, s->peer, &tabs);
            bool republished = false;
            for (int t = 0; t < tabs.n; t++)
                republished = republished || model_defers_columns(a, s->peer, tabs.items[t]);
            Step *dep = republished ? find_step(p, s->peer, STEP_COLUMNS) : NULL;
            if (!dep)
                dep = find_step(p, s->peer, STEP_TABLES);
            if (!dep)
                continue;
            if (reaches(dep, s, ++*stamp)) {
                s->what = arena_printf(a, "no wait for '%s': it sends tables back here, so no order "
                                          "can hold (a row is applied once both have the column)",
                                       s->peer->name);
                s->peer = NULL;
                continue;
            }
            vec_push(a, &s->deps, dep);
        }
    }
}

/* A subscriber with standbys commits what its subscriptions apply only once
 * a standby confirms it (derive_failover: synchronous_standby_names): its
 * initial copies finish only after its standbys stream, so each sync wait
 * waits for their base backup steps (else, run one step at a time, the wait
 * would hold the run until its timeout). Only where that closes no cycle. */
static void link_sync_standbys(Arena *a, Plan *p, Model *m, unsigned *stamp)
{
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        if (n->standby || !vec_count(n->standbys))
            continue;
        Vec *v = p->node_steps.items[i];
        for (int k = 0; k < v->n; k++) {
            Step *s = v->items[k];
            if (s->kind != STEP_SUB_SYNC)
                continue;
            for (int j = 0; j < vec_count(n->standbys); j++) {
                Step *bb = find_step(p, n->standbys->items[j], STEP_BASEBACKUP);
                if (bb && !reaches(bb, s, ++*stamp))
                    vec_push(a, &s->deps, bb);
            }
        }
    }
}

/* Kahn's algorithm; among ready steps the lowest (node index, seq) first. */
static void order(Arena *a, Plan *p, Model *m)
{
    int total = 0;
    for (int i = 0; i < m->nodes.n; i++)
        total += ((Vec *)p->node_steps.items[i])->n;
    int *pos = calloc((size_t)m->nodes.n + 1, sizeof(int));
    int placed = 0, id = 1;
    while (placed < total) {
        bool progress = false;
        for (int i = 0; i < m->nodes.n; i++) {
            Vec *v = p->node_steps.items[i];
            while (pos[i] < v->n) {
                Step *s = v->items[pos[i]];
                bool ready = true;
                for (int k = 0; k < s->deps.n && ready; k++)
                    ready = ((Step *)s->deps.items[k])->id != 0;
                if (!ready)
                    break;
                s->id = id++;
                vec_push(a, &p->steps, s);
                pos[i]++;
                placed++;
                progress = true;
            }
        }
        if (!progress)   /* cannot happen for a checked model; keep the rest in node order */
            for (int i = 0; i < m->nodes.n; i++) {
                Vec *v = p->node_steps.items[i];
                for (; pos[i] < v->n; pos[i]++, placed++) {
                    Step *s = v->items[pos[i]];
                    s->id = id++;
                    vec_push(a, &p->steps, s);
                }
            }
    }
    free(pos);
}

Plan *plan_build(Arena *a, Model *m)
{
    Plan *p = arena_alloc(a, sizeof *p);
    Builder b = {a, p, NULL, NULL, NULL, m->prune};
    Map dirs = {0};
    for (int i = 0; i < m->nodes.n; i++)   /* a step may name another node's directory */
        vec_push(a, &p->node_dirs, (void *)node_dir(a, &dirs, m->nodes.items[i]));
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        Vec *v = arena_alloc(a, sizeof *v);
        vec_push(a, &p->node_steps, v);
        b.cur = v;
        b.node = n;
        b.dir = p->node_dirs.items[i];
        build_node(&b, n);
        /* a standby of a subscriber takes its subscriptions over by hand */
        if (n->standby && model_chain_root(n) != n && model_chain_root(n)->subs.n)
            vec_push(a, &p->promote, n);
    }
    link_peers(a, p, m);
    unsigned stamp = 0;
    link_columns(a, p, m, &stamp);
    link_sync_standbys(a, p, m, &stamp);
    order(a, p, m);
    return p;
}

bool plan_promotes(const Plan *p, const MNode *n)
{
    for (int i = 0; i < p->promote.n; i++)
        if (p->promote.items[i] == n)
            return true;
    return false;
}

/* The steps of p that keep[id - 1] selects, renumbered in the same order;
 * a dependency on a step left out is dropped (the caller has checked that
 * it holds). node_steps, node_dirs and promote are p's. */
Plan *plan_subset(Arena *a, const Plan *p, const bool *keep)
{
    Plan *r = arena_alloc(a, sizeof *r);
    Step **copy = arena_alloc(a, ((size_t)p->steps.n + 1) * sizeof *copy);
    for (int i = 0; i < p->steps.n; i++) {
        const Step *s = p->steps.items[i];
        copy[i] = NULL;
        if (!keep[i])
            continue;
        Step *c = arena_alloc(a, sizeof *c);
        *c = *s;
        c->id = r->steps.n + 1;
        c->deps = (Vec){0};
        for (int k = 0; k < s->deps.n; k++) {
            const Step *d = s->deps.items[k];
            if (copy[d->id - 1])
                vec_push(a, &c->deps, copy[d->id - 1]);
        }
        copy[i] = c;
        vec_push(a, &r->steps, c);
    }
    r->node_steps = p->node_steps;
    r->node_dirs = p->node_dirs;
    r->promote = p->promote;
    return r;
}
