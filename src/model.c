/* model.c: queries over the resolved model (model.h), shared by the checks,
 * the derivation, the plan, the emitters and --apply. Computes nothing new
 * and reports nothing. */
#include "model.h"
#include "map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"

static const char *guc_names[GUC_COUNT] = {
    "wal_level", "max_wal_senders", "max_replication_slots",
    "max_logical_replication_workers", "max_worker_processes",
    "max_active_replication_origins", "max_prepared_transactions",
    "max_connections", "max_locks_per_transaction", "hot_standby",
    "hot_standby_feedback", "listen_addresses", "synchronous_standby_names",
};
const char *guc_name(GucId id) { return guc_names[id]; }

bool guc_is_numeric(GucId id)
{
    return id != GUC_WAL_LEVEL && id != GUC_HOT_STANDBY && id != GUC_HOT_STANDBY_FEEDBACK &&
           id != GUC_LISTEN_ADDRESSES && id != GUC_SYNCHRONOUS_STANDBY_NAMES;
}

bool guc_needs_restart(GucId id)
{
    return id != GUC_HOT_STANDBY_FEEDBACK && id != GUC_SYNCHRONOUS_STANDBY_NAMES;
}

const MNode *model_find_node(const Model *m, const char *name)
{
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        if (strcmp(n->name, name) == 0)
            return n;
    }
    return NULL;
}

const char *model_ident(Arena *a, const char *s)
{
    size_t ok = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_");
    if (!s[ok])
        return s;   /* already one: no copy (memory) */
    char *r = arena_strdup(a, s);
    for (char *p = r; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            *p = '_';
    return r;
}

bool guc_standby_floor(GucId id)
{
    return id == GUC_MAX_CONNECTIONS || id == GUC_MAX_PREPARED_TRANSACTIONS ||
           id == GUC_MAX_LOCKS_PER_TRANSACTION || id == GUC_MAX_WAL_SENDERS ||
           id == GUC_MAX_WORKER_PROCESSES;
}

MNode *model_chain_root(const MNode *n)
{
    int guard = 0;
    while (n->standby && n->standby->source && guard++ < 100000)
        n = n->standby->source;
    return (MNode *)n;
}

static void standbys_below(Arena *a, const MNode *n, Vec *out, int depth)
{
    for (int i = 0; i < vec_count(n->standbys) && depth < 64; i++) {
        vec_push(a, out, n->standbys->items[i]);
        standbys_below(a, n->standbys->items[i], out, depth + 1);
    }
}

void model_standbys_below(Arena *a, const MNode *n, Vec *out)
{
    standbys_below(a, n, out, 0);
}

static void add_once(Arena *a, Vec *out, const void *x)
{
    for (int i = 0; i < out->n; i++)
        if (out->items[i] == x)
            return;
    vec_push(a, out, (void *)x);
}

static void add_peer(Arena *a, Vec *out, const MNode *peer)
{
    add_once(a, out, peer);
}

void model_peers(Arena *a, const MNode *n, Vec *out)
{
    for (int i = 0; i < n->subs.n; i++) {
        const MSub *sub = n->subs.items[i];
        add_peer(a, out, sub->publisher);
        add_peer(a, out, sub_primary(sub));   /* asked for standby snapshots */
    }
    if (n->standby && n->standby->source)
        add_peer(a, out, n->standby->source);
    if (!n->standby) {   /* its restart step asks its standbys */
        Vec below = {0};
        model_standbys_below(a, n, &below);
        for (int i = 0; i < below.n; i++)
            add_peer(a, out, below.items[i]);
    }
    /* subscribers whose columns it waits for before adding its own (wait-columns) */
    model_column_subscribers(a, n, out);
    /* publishers that promote.sh reaches on a standby of a subscriber */
    const MNode *root = model_chain_root(n);
    for (int i = 0; root != n && i < root->subs.n; i++) {
        add_peer(a, out, ((MSub *)root->subs.items[i])->publisher);
        add_peer(a, out, sub_primary(root->subs.items[i]));
    }
}

/* Whether subscription s, to a publisher whose primary is pub, receives a
 * declared table (has_columns), or t when t is given. */
static bool sub_receives(const MSub *s, const MNode *pub, const MTable *t)
{
    if (s->node == pub || !s->publisher || sub_primary(s) != pub)
        return false;
    for (int i = 0; i < s->tables->n; i++) {
        const MTable *x = s->tables->items[i];
        if (x->has_columns && (!t || x == t))
            return true;
    }
    return false;
}

/* The subscriptions whose publisher's primary is pub: to pub itself and to
 * the standbys below it (from their own lists: no walk over the cluster). */
static void primary_subscriptions(Arena *a, const MNode *pub, Vec *out)
{
    Vec at = {0};
    vec_push(a, &at, (void *)pub);
    model_standbys_below(a, pub, &at);
    for (int k = 0; k < at.n; k++) {
        const MNode *x = at.items[k];
        for (int i = 0; i < x->subscribers.n; i++)
            vec_push(a, out, x->subscribers.items[i]);
    }
}

static int by_index(const void *x, const void *y)
{
    const MNode *a = *(const MNode *const *)x, *b = *(const MNode *const *)y;
    return (a->index > b->index) - (a->index < b->index);
}

void model_column_subscribers(Arena *a, const MNode *pub, Vec *out)
{
    if (pub->standby || !pub->conf->cluster_nodes)
        return;
    Vec subs = {0};
    primary_subscriptions(a, pub, &subs);
    int first = out->n;
    for (int i = 0; i < subs.n; i++) {
        const MSub *s = subs.items[i];
        if (sub_receives(s, pub, NULL))
            add_peer(a, out, s->node);
    }
    /* in the cluster's node order, as the plan lists them */
    if (out->n - first > 1)
        qsort(out->items + first, (size_t)(out->n - first), sizeof *out->items, by_index);
}

bool model_defers_columns(Arena *a, const MNode *pub, const MTable *t)
{
    if (!t->has_columns || pub->standby || !pub->conf->cluster_nodes)
        return false;
    Vec subs = {0};
    primary_subscriptions(a, pub, &subs);
    for (int i = 0; i < subs.n; i++)
        if (sub_receives(subs.items[i], pub, t))
            return true;
    return false;
}

void model_received_tables(Arena *a, const MNode *pub, const MNode *sub_node, Vec *out)
{
    for (int k = 0; k < sub_node->subs.n; k++) {
        const MSub *s = sub_node->subs.items[k];
        if (!sub_receives(s, pub, NULL))
            continue;
        for (int i = 0; i < s->tables->n; i++)
            if (((const MTable *)s->tables->items[i])->has_columns)
                add_once(a, out, s->tables->items[i]);
    }
}

static void add_role(Arena *a, Vec *out, const MNode *n)
{
    if (!n->conf->repl_user || (!n->subscribers.n && !vec_count(n->standbys)))
        return;
    for (int i = 0; i < out->n; i++)
        if (strcmp(((const MNode *)out->items[i])->conf->repl_user, n->conf->repl_user) == 0)
            return;
    vec_push(a, out, (void *)n);
}

void model_primary_roles(Arena *a, const MNode *p, Vec *out)
{
    if (p->standby)
        return;
    add_role(a, out, p);
    Vec below = {0};
    model_standbys_below(a, p, &below);
    for (int i = 0; i < below.n; i++)
        add_role(a, out, below.items[i]);
}

void model_repl_peers(Arena *a, const MNode *n, Vec *out)
{
    Vec to = {0};
    for (int i = 0; i < n->subs.n; i++)
        add_peer(a, &to, ((MSub *)n->subs.items[i])->publisher);
    if (n->standby && n->standby->source)
        add_peer(a, &to, n->standby->source);
    const MNode *root = model_chain_root(n);   /* promote.sh's subscriptions */
    for (int i = 0; root != n && i < root->subs.n; i++)
        add_peer(a, &to, ((MSub *)root->subs.items[i])->publisher);
    for (int i = 0; i < to.n; i++)
        if (((const MNode *)to.items[i])->conf->repl_user && ((const MNode *)to.items[i])->conf->repl_pw_env)
            vec_push(a, out, to.items[i]);
}

MNode *sub_primary(const MSub *s)
{
    return model_chain_root(s->publisher);
}

Span sub_name_span(const MSub *s)
{
    return (Span){s->span.file, s->name_start, s->name_end};
}

const char *sub_dbname(const MSub *s)
{
    return sub_primary(s)->conf->database;
}

const char *model_promoted_slot(Arena *a, const MSub *s, const MNode *standby)
{
    (void)a;
    (void)standby;
    return s->slot;
}

static const char *const subopt_names[SUBOPT_COUNT] = {
    "binary", "connect", "copy_data", "create_slot", "disable_on_error", "enabled", "failover",
    "origin", "password_required", "run_as_owner", "slot_name", "streaming",
    "synchronous_commit", "two_phase",
};

const char *subopt_name(SubOpt o) { return subopt_names[o]; }

static const char *const pubopt_names[PUBOPT_COUNT] = {
    "publish", "publish_generated_columns", "publish_via_partition_root",
};

const char *pubopt_name(PubOpt o) { return pubopt_names[o]; }

static void conninfo(StrBuf *b, const MNode *n, const char *user, const char *passfile, const char *dbname,
                     const char *appname)
{
    StrBuf c;
    sb_init(&c);
    q_conninfo_kv(&c, "host", n->host);
    sb_printf(&c, " port=%d", n->port);
    if (dbname)
        q_conninfo_kv(&c, "dbname", dbname);
    q_conninfo_kv(&c, "user", user);
    if (passfile)
        q_conninfo_kv(&c, "passfile", passfile);
    if (n->conf->sslmode)
        q_conninfo_kv(&c, "sslmode", n->conf->sslmode);
    if (appname)
        q_conninfo_kv(&c, "application_name", appname);
    sb_puts(b, c.s);
    sb_free(&c);
}

void model_ssh(StrBuf *b, const MNode *n)
{
    if (n->conf->ssh)
        sb_puts(b, n->conf->ssh);
    else
        sb_printf(b, MODEL_SSH_USER "@%s", n->host);
}

bool model_ssh_local(const MNode *n)
{
    return n->conf->ssh && strcmp(n->conf->ssh, "local") == 0;
}

void model_conninfo(StrBuf *b, const MNode *n, const char *dbname, const char *appname)
{
    conninfo(b, n, n->conf->user, n->conf->pw_kind == PW_FILE ? n->conf->pw_value : NULL, dbname, appname);
}

const char *model_repl_user(const MNode *n)
{
    return n->conf->repl_user ? n->conf->repl_user : n->conf->user;
}

void model_repl_conninfo(StrBuf *b, const MNode *n, const char *dbname, const char *appname)
{
    if (!n->conf->repl_user) {
        model_conninfo(b, n, dbname, appname);
        return;
    }
    conninfo(b, n, n->conf->repl_user, NULL, dbname, appname);   /* its password: ~/.pgpass */
}

bool subopt_bool(const SubOptions *o, SubOpt id)
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

static void sources_first(Arena *a, const MNode *n, char *done, Vec *out)
{
    if (done[n->index])
        return;
    done[n->index] = 1;
    if (n->standby && n->standby->source)
        sources_first(a, n->standby->source, done, out);
    vec_push(a, out, (void *)n);
}

void model_sources_first(Arena *a, const Model *m, Vec *out)
{
    /* (temporaries: the list sized once, no storage left behind by growing;
     * the marks freed) */
    char *done = calloc((size_t)m->nodes.n + 1, 1);
    if (!done) {
        fputs("replc: out of memory\n", stderr);
        abort();
    }
    vec_reserve(a, out, out->n + m->nodes.n);
    for (int i = 0; i < m->nodes.n; i++)
        sources_first(a, m->nodes.items[i], done, out);
    free(done);
}

const char *model_mark(Arena *a, const char *cluster)
{
    return arena_printf(a, "replc cluster %s", cluster);
}

const char *model_sub_mark(Arena *a, const MSub *sub)
{
    const char *mark = model_mark(a, sub->node->conf->cluster);
    if (sub->opt->connect && !sub->opt->enabled)
        return arena_printf(a, "%s%s", mark, MODEL_MARK_DISABLED);
    return mark;
}

bool model_sub_enable_later(const MSub *sub)
{
    const MNode *n = sub->node;
    if (n->version >= 16 || !sub->opt->connect || !sub->opt->enabled)
        return false;
    int live = 0;
    for (int i = 0; i < n->subs.n; i++) {
        const MSub *s = n->subs.items[i];
        live += s->opt->connect && s->opt->enabled;
    }
    return live >= 2;
}

/* by server (port, host), then declaration order */
static int by_server(const void *x, const void *y)
{
    const MNode *a = *(MNode *const *)x, *b = *(MNode *const *)y;
    if (a->port != b->port)
        return (a->port > b->port) - (a->port < b->port);
    int c = strcmp(a->host, b->host);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

void model_group_servers(Arena *a, Model *m)
{
    /* the nodes sorted by server: each run of more than one shares a list
     * (sized once); a node alone on its server gets the empty list (memory:
     * most are; no map of every server, the sort's array freed) */
    static const Vec alone = {0};
    int nn = m->nodes.n;
    MNode **sorted = malloc(sizeof *sorted * ((size_t)nn + 1));
    if (!sorted) {
        fputs("replc: out of memory\n", stderr);
        abort();
    }
    if (nn)   /* (no memcpy or qsort of an empty range: UBSan) */
        memcpy(sorted, m->nodes.items, sizeof *sorted * (size_t)nn);
    if (nn)
        qsort(sorted, (size_t)nn, sizeof *sorted, by_server);
    for (int i = 0, end; i < nn; i = end) {
        for (end = i + 1; end < nn && sorted[end]->port == sorted[i]->port &&
                          strcmp(sorted[end]->host, sorted[i]->host) == 0; end++)
            ;
        if (end - i == 1) {
            sorted[i]->server_nodes = &alone;
            continue;
        }
        Vec *same = arena_alloc(a, sizeof *same);
        vec_reserve(a, same, end - i);
        for (int k = i; k < end; k++) {
            vec_push(a, same, sorted[k]);
            sorted[k]->server_nodes = same;
        }
    }
    free(sorted);
}

void model_server_nodes(Arena *a, const MNode *n, Vec *out)
{
    if (!n->server_nodes || !n->server_nodes->n) {
        vec_push(a, out, (void *)n);
        return;
    }
    for (int i = 0; i < n->server_nodes->n; i++)
        vec_push(a, out, n->server_nodes->items[i]);
}

void model_recorded_slots(Arena *a, const MNode *n, Vec *out)
{
    Vec same = {0};
    model_server_nodes(a, n, &same);
    for (int k = 0; k < same.n; k++) {
        const MNode *o = same.items[k];
        for (int i = 0; i < vec_count(o->standbys); i++)
            vec_push(a, out, (void *)((const MNode *)o->standbys->items[i])->standby->slot);
        for (int i = 0; i < o->subscribers.n; i++) {
            const MSub *s = o->subscribers.items[i];
            if (s->slot)
                vec_push(a, out, (void *)s->slot);
        }
    }
}

void model_server_hba(Arena *a, const MNode *n, Vec *out)
{
    Vec same = {0};
    model_server_nodes(a, n, &same);
    for (int k = 0; k < same.n; k++) {
        const MNode *o = same.items[k];
        for (int i = 0; i < vec_count(o->hba); i++)
            vec_push(a, out, o->hba->items[i]);
    }
}

void model_hba_line(StrBuf *b, const HbaLine *h)
{
    sb_printf(b, "%s ", h->type);
    if (h->physical)
        sb_puts(b, "replication");
    else
        q_hba(b, h->database);
    sb_putc(b, ' ');
    q_hba(b, h->user);
    sb_printf(b, " %s %s", h->address, h->method);
}

const MNode *model_lock_node(const Model *m, const MNode *n)
{
    if (n->server_nodes)   /* the first declared on its server; empty: alone there */
        return n->server_nodes->n ? n->server_nodes->items[0] : n;
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *o = m->nodes.items[i];
        if (o->port == n->port && strcmp(o->host, n->host) == 0)
            return o;
    }
    return n;
}

bool model_ssl_required(const MNode *n)
{
    return n->conf->sslmode && (strcmp(n->conf->sslmode, "require") == 0 || strcmp(n->conf->sslmode, "verify-ca") == 0 ||
                          strcmp(n->conf->sslmode, "verify-full") == 0);
}

const char *model_pub_changes(const MPub *p)
{
    if (p->pub_update && p->pub_delete)
        return "updates and deletes";
    return p->pub_update ? "updates" : p->pub_delete ? "deletes" : NULL;
}
