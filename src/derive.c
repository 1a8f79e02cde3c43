/* derive.c: the per-node configuration that follows from the topology
 * (LANGUAGE.md "What the compiler derives"; formulas of REPLICATION.md 1.2,
 * 1.3, 1.4) and the pg_hba.conf lines. What the user set is weighed here
 * (Derived.verdict); replcheck.c reports it. No diagnostics. */
#include "derive.h"

#include "quote.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const long guc_default[GUC_COUNT] = {0, 10, 10, 4, 8, 10, 0, 100, 64, 0, 0, 0, 0};

static const UserGuc *user_guc(const MNode *n, const char *name)
{
    for (int i = 0; i < n->conf->user_gucs.n; i++) {
        const UserGuc *u = n->conf->user_gucs.items[i];
        if (strcmp(u->name, name) == 0)
            return u;
    }
    return NULL;
}

static long user_num(const MNode *n, const char *name, long dflt)
{
    const UserGuc *u = user_guc(n, name);
    if (!u)
        return dflt;
    char *end;
    long v = strtol(u->value, &end, 10);
    return *end ? dflt : v;
}

/* Table-sync workers a subscription uses during its initial copy. */
static long sync_workers(const MSub *s)
{
    if (!s->copy_data)
        return 0;
    long per = user_num(s->node, "max_sync_workers_per_subscription", 2);
    return s->tables->n < per ? s->tables->n : per;
}

/* The node needs at least floor (steady state) and peak (initial copy);
 * replc sets value, at least PostgreSQL's default. */
static void need(MNode *n, GucId id, long floor, long peak, long value, const char *why)
{
    Derived *g = &n->guc[id];
    if (value < guc_default[id])
        value = guc_default[id];
    g->set = true;
    g->floor = floor;
    g->peak = peak;
    g->value = value;
    g->why = why;
}

static void need_text(MNode *n, GucId id, const char *text, const char *why)
{
    n->guc[id].set = true;
    n->guc[id].text = text;
    n->guc[id].why = why;
}

static int wal_rank(const char *s)
{
    if (!s)
        return -1;
    if (strcasecmp(s, "minimal") == 0)
        return 0;
    if (strcasecmp(s, "replica") == 0 || strcasecmp(s, "archive") == 0 ||
        strcasecmp(s, "hot_standby") == 0)
        return 1;
    if (strcasecmp(s, "logical") == 0)
        return 2;
    return -1;
}

static const char *hba_address(Arena *a, const char *host)
{
    bool v4 = true, v6 = false;
    for (const char *p = host; *p; p++) {
        if (*p == ':')
            v6 = true;
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            v4 = false;
    }
    if (v4 && *host)
        return arena_printf(a, "%s/32", host);
    if (v6)
        return arena_printf(a, "%s/128", host);
    return host;
}

/* physical: the line admits a standby's replication connection (keyword
 * replication); otherwise db is a database name. The line admits role user
 * (the node's admin user, or its replication role). */
static void add_hba_as(Arena *a, MNode *on, bool physical, const char *db, const char *user, const MNode *peer,
                       const char *why)
{
    const char *addr = hba_address(a, peer->host);
    for (int i = 0; i < vec_count(on->hba); i++) {
        const HbaLine *h = on->hba->items[i];
        if (h->physical == physical && strcmp(h->database, db) == 0 && strcmp(h->user, user) == 0 &&
            strcmp(h->address, addr) == 0)
            return;
    }
    HbaLine *h = arena_alloc(a, sizeof *h);
    h->type = model_ssl_required(on) ? "hostssl" : "host";
    h->physical = physical;
    h->database = db;
    h->user = user;
    h->address = addr;
    h->method = on->version >= 14 ? "scram-sha-256" : "md5";
    h->peer = peer;
    h->why = why;
    vec_push(a, vec_made(a, &on->hba), h);
}

/* A line for peer's connections as on's admin user (replc's own work). */
static void add_hba(Arena *a, MNode *on, bool physical, const char *db, const MNode *peer, const char *why)
{
    add_hba_as(a, on, physical, db, on->conf->user, peer, why);
}

/* Settings one node needs for its own role, before standbys inherit.
 * why: make the texts of how each was counted (Derived.why). */
static void derive_own(Arena *a, MNode *n, bool why)
{
    long subs_in = 0, senders = 0, slots = 0;
    for (int i = 0; i < n->subscribers.n; i++) {
        const MSub *s = n->subscribers.items[i];
        subs_in++;
        slots += 1 + sync_workers(s);
    }
    senders = slots;
    long nstandby = vec_count(n->standbys);
    slots += nstandby;
    senders += 2 * nstandby;
    long origins = 0, workers = 0, nsubs = n->subs.n;
    bool two_phase = false, any_copy = false;
    for (int i = 0; i < n->subs.n; i++) {
        const MSub *s = n->subs.items[i];
        long sw = sync_workers(s);
        origins += 1 + sw;
        workers += 1 + sw;
        if (s->opt->streaming == STREAM_PARALLEL)
            workers += user_num(n, "max_parallel_apply_workers_per_subscription", 2);
        if (s->opt->two_phase)
            two_phase = true;
        if (s->copy_data)
            any_copy = true;
    }
    if (nsubs && workers < nsubs + 1)
        workers = nsubs + 1;

    if (n->pubs.n || subs_in)
        need_text(n, GUC_WAL_LEVEL, "logical",
                  n->standby ? "subscribers decode WAL on this standby" : "the node publishes");
    else if (!n->standby)
        need_text(n, GUC_WAL_LEVEL, "replica", nstandby ? "the node has standbys" : "PostgreSQL's default");
    need(n, GUC_MAX_WAL_SENDERS, subs_in + nstandby, senders, senders,
         !why ? NULL : arena_printf(a, "%ld subscription(s) to this node with their table-sync connections, "
                         "2 per standby (%ld)", subs_in, nstandby));
    long rs = slots + (n->version < 18 ? origins : 0);
    long rs_floor = subs_in + nstandby + (n->version < 18 ? nsubs : 0);
    need(n, GUC_MAX_REPLICATION_SLOTS, rs_floor, rs, rs,
         !why ? NULL : n->version < 18
             ? arena_printf(a, "%ld slot(s) for subscribers and standbys, %ld replication origin(s) "
                               "for this node's subscriptions", slots, origins)
             : arena_printf(a, "%ld slot(s) for subscribers and standbys", slots));
    if (n->version >= 18)
        need(n, GUC_MAX_ACTIVE_REPLICATION_ORIGINS, nsubs, origins, origins,
             !why ? NULL : arena_printf(a, "%ld subscription(s) with their table-sync origins", nsubs));
    need(n, GUC_MAX_LOGICAL_REPLICATION_WORKERS, nsubs + (nsubs && any_copy ? 1 : 0), workers, workers,
         !why ? NULL : arena_printf(a, "%ld apply worker(s) with their table-sync and parallel workers", nsubs));
    if (two_phase)
        need(n, GUC_MAX_PREPARED_TRANSACTIONS, 1, 1, 10, "a subscription uses two_phase");
    if (subs_in || nstandby)
        need_text(n, GUC_LISTEN_ADDRESSES, "*", "peers connect to this node");
    if (n->standby)
        need_text(n, GUC_HOT_STANDBY, "on", "the node is a hot standby");
}

/* A user's 'set' of a derived setting: used unless it is lower than the
 * topology needs. The verdict stays on the setting for replcheck.c. */
static void apply_user(MNode *n)
{
    for (int id = 0; id < GUC_COUNT; id++) {
        const UserGuc *u = user_guc(n, guc_name((GucId)id));
        if (!u)
            continue;
        Derived *g = &n->guc[id];
        g->user = u;
        g->counted = g->why;
        if (guc_is_numeric((GucId)id)) {
            char *end;
            long v = strtol(u->value, &end, 10);
            g->user_value = v;
            if (*end || !*u->value) {
                g->verdict = USER_NOT_NUMBER;
                continue;
            }
            if (g->set && v < g->floor) {
                g->verdict = USER_BELOW_FLOOR;
                continue;
            }
            g->verdict = g->set && v < g->peak ? USER_BELOW_PEAK : USER_USED;
            g->set = true;
            g->value = v;
            g->why = "set in the topology";
        } else if (id == GUC_WAL_LEVEL) {
            if (g->set && wal_rank(u->value) < wal_rank(g->text)) {
                g->verdict = USER_BELOW_FLOOR;
                continue;
            }
            g->verdict = USER_USED;
            need_text(n, (GucId)id, u->value, "set in the topology");
        } else {
            if (id == GUC_LISTEN_ADDRESSES && g->set && !strchr(u->value, '*')) {
                bool local_only = true;
                char *copy = strdup(u->value);
                for (char *tok = strtok(copy, ", "); tok; tok = strtok(NULL, ", "))
                    if (strcmp(tok, "localhost") && strcmp(tok, "127.0.0.1") && strcmp(tok, "::1"))
                        local_only = false;
                free(copy);
                if (local_only) {
                    g->verdict = USER_LOCAL_ONLY;
                    continue;
                }
            }
            g->verdict = USER_USED;
            need_text(n, (GucId)id, u->value, "set in the topology");
        }
    }
}

/* why: as derive_own */
static void derive_node(Arena *a, MNode *n, bool why)
{
    MNode *src = n->standby ? n->standby->source : NULL;
    derive_own(a, n, why);
    apply_user(n);
    if (src) {
        if (src->guc[GUC_WAL_LEVEL].set)
            need_text(n, GUC_WAL_LEVEL, src->guc[GUC_WAL_LEVEL].text,
                      !why ? NULL : arena_printf(a, "the same as its source '%s'", src->name));
        /* a copy of a subscriber must not start apply workers when promoted */
        MNode *root = model_chain_root(n);
        if (root->subs.n) {
            n->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS].set = true;
            n->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS].value = 0;
            n->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS].exact = true;
            n->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS].why =
                !why ? NULL : arena_printf(a, "a copy of subscriber '%s': no apply workers until promoted", root->name);
        }
    }
    const Derived *lw = &n->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS];
    long mlrw = lw->value;
    /* the floor follows the workers' floor: more is parallelism, not correctness */
    long mlrw_floor = lw->exact || (lw->user && lw->verdict != USER_BELOW_FLOOR) ? mlrw : lw->floor;
    if (!user_guc(n, "max_worker_processes"))
        need(n, GUC_MAX_WORKER_PROCESSES, mlrw_floor + 1, mlrw + 1, mlrw + 1,
             "max_logical_replication_workers + 1 (the launcher)");
    for (GucId id = 0; id < GUC_COUNT; id++)
        n->guc[id].own = n->guc[id].value;
    if (src) {
        /* a standby replays its source's WAL: these must not be lower there */
        for (GucId id = 0; id < GUC_COUNT; id++) {
            if (!guc_standby_floor(id))
                continue;
            Derived *s = &src->guc[id];
            Derived *g = &n->guc[id];
            if (s->set && (!g->set || g->value < s->value)) {
                g->below_source = true;
                g->set = true;
                g->value = s->value;
                g->why = !why ? NULL : arena_printf(a, "not lower than on its source '%s'", src->name);
            }
        }
    }
}

/* Logical decoding on a standby (16+): wal_level = logical there, and
 * hot_standby_feedback up the chain so that the primary keeps the rows its
 * slots still need (REPLICATION.md 7.7). */
static void derive_decoding_standby(Arena *a, MNode *st)
{
    if (!st->standby || !st->subscribers.n || !st->guc)   /* (--check: its sources have them too) */
        return;
    need_text(st, GUC_WAL_LEVEL, "logical",
              arena_printf(a, "subscribers decode WAL on this standby of '%s'", model_chain_root(st)->name));
    for (MNode *x = st; x->standby && x->standby->source; x = x->standby->source) {
        if (user_guc(x, "hot_standby_feedback") || x->guc[GUC_HOT_STANDBY_FEEDBACK].set)
            continue;
        need_text(x, GUC_HOT_STANDBY_FEEDBACK, "on",
                  x == st ? "subscribers decode WAL on this standby"
                          : arena_printf(a, "passes on the feedback of standby '%s', where subscribers "
                                            "decode WAL", st->name));
    }
}

/* Failover of a subscriber to its standby (docs/failover.md): the standby
 * must never be behind what the publishers consider confirmed. The apply
 * workers report a position as flushed only after its local commit returned;
 * with the standbys in synchronous_standby_names and the subscriptions'
 * synchronous_commit = on, that commit waits until every direct standby has
 * flushed it. */
static void derive_failover(Arena *a, MNode *n)
{
    if (n->standby || !n->subs.n || !vec_count(n->standbys) || !n->guc)
        return;
    Derived *g = &n->guc[GUC_SYNCHRONOUS_STANDBY_NAMES];
    if (!g->user) {
        StrBuf b;
        sb_init(&b);
        if (vec_count(n->standbys) > 1)
            sb_printf(&b, "FIRST %d (", vec_count(n->standbys));
        for (int i = 0; i < vec_count(n->standbys); i++) {
            if (i)
                sb_puts(&b, ", ");
            q_ident(&b, ((const MNode *)n->standbys->items[i])->name);
        }
        if (vec_count(n->standbys) > 1)
            sb_puts(&b, ")");
        need_text(n, GUC_SYNCHRONOUS_STANDBY_NAMES, arena_strdup(a, b.s),
                  "its standbys confirm what its subscriptions apply, so that one can take them over");
        sb_free(&b);
    }
    for (int i = 0; i < n->subs.n; i++) {
        MSub *s = n->subs.items[i];
        if (s->opt->given[SUBOPT_SYNCHRONOUS_COMMIT])
            continue;
        /* its own copy: those without options share one (check.c) */
        SubOptions *o = arena_alloc(a, sizeof *o);
        *o = *s->opt;
        s->opt = o;
        o->given[SUBOPT_SYNCHRONOUS_COMMIT] = true;
        if (!o->span)
            o->span = arena_alloc(a, sizeof(Span) * SUBOPT_COUNT);
        o->span[SUBOPT_SYNCHRONOUS_COMMIT] = s->span;
        o->order[o->n++] = SUBOPT_SYNCHRONOUS_COMMIT;
        o->synchronous_commit = "on";
    }
}

void derive_settings(Arena *a, Model *m)
{
    /* --check reports what derive.c made of a user's 'set' (check_derived)
     * and nothing else of the derived settings: it derives them only for the
     * nodes that set something and the sources they are derived from (a
     * standby's); the others' stay NULL (memory: the model's biggest part) */
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        if (!m->check_only)
            n->guc = arena_alloc(a, sizeof(Derived) * GUC_COUNT);
        else if (n->conf->user_gucs.n)
            for (MNode *x = n; x && !x->guc; x = x->standby ? x->standby->source : NULL)
                x->guc = arena_alloc(a, sizeof(Derived) * GUC_COUNT);
    }
    Vec order = {0};
    model_sources_first(a, m, &order);
    for (int i = 0; i < order.n; i++) {
        /* --check reads how a setting was counted only in the hint of a
         * user's 'set' of it: for the other nodes the texts are not made */
        MNode *n = order.items[i];
        if (n->guc)
            derive_node(a, n, !m->check_only || n->conf->user_gucs.n);
    }
    arena_release(a, order.items);   /* (a big list: given back) */
    for (int i = 0; i < m->nodes.n; i++)
        derive_decoding_standby(a, m->nodes.items[i]);
    for (int i = 0; i < m->nodes.n; i++)
        derive_failover(a, m->nodes.items[i]);
    if (m->check_only)
        return;   /* the rest is pg_hba.conf lines: no check reads them */
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        for (int k = 0; k < n->subscribers.n; k++) {
            const MSub *s = n->subscribers.items[k];
            /* the subscription connects as the replication role; the
             * subscriber's steps (waits, slots, copies) as the admin */
            const char *why = arena_printf(a, "subscription '%s' of node '%s'", s->name, s->node->name);
            add_hba(a, n, false, sub_dbname(s), s->node, why);
            add_hba_as(a, n, false, sub_dbname(s), model_repl_user(n), s->node, why);
            if (n->standby)   /* its waits ask the primary to log standby snapshots */
                add_hba(a, sub_primary(s), false, sub_dbname(s), s->node,
                        arena_printf(a, "subscription '%s' of node '%s' decodes on standby '%s' and "
                                        "asks for standby snapshots", s->name, s->node->name, n->name));
        }
        for (int k = 0; k < vec_count(n->standbys); k++) {
            const MNode *st = n->standbys->items[k];
            add_hba_as(a, n, true, "replication", model_repl_user(n), st, arena_printf(a, "standby '%s'", st->name));
        }
        /* before it restarts, a primary waits until its streaming standbys
         * are raised (their raise step): it asks them */
        if (!n->standby) {
            Vec below = {0};
            model_standbys_below(a, n, &below);
            for (int k = 0; k < below.n; k++)
                add_hba(a, below.items[k], false, "postgres", n,
                        arena_printf(a, "its primary '%s' checks its settings before restarting", n->name));
        }
    }
    /* before a publisher adds a column to a table it publishes, it waits
     * until each subscriber has it (its wait-columns steps): it asks them */
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        Vec colsubs = {0};
        model_column_subscribers(a, n, &colsubs);
        for (int k = 0; k < colsubs.n; k++) {
            MNode *sn = colsubs.items[k];
            add_hba(a, sn, false, sn->conf->database, n,
                    arena_printf(a, "its publisher '%s' checks its columns before adding them", n->name));
        }
    }
    /* a standby of a subscriber takes its subscriptions over when promoted
     * (promote.sh): the publishers admit it too */
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *st = m->nodes.items[i];
        const MNode *root = model_chain_root(st);
        if (!st->standby || root == st)
            continue;
        for (int k = 0; k < root->subs.n; k++) {
            const MSub *s = root->subs.items[k];
            if (!s->publisher)
                continue;
            const char *why = arena_printf(a, "standby '%s' of subscriber '%s', after promote.sh", st->name,
                                           root->name);
            add_hba(a, s->publisher, false, sub_dbname(s), st, why);
            add_hba_as(a, s->publisher, false, sub_dbname(s), model_repl_user(s->publisher), st, why);
        }
    }
}
