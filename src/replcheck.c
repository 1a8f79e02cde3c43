/* replcheck.c: the replication checks of REPLICATION.md's check list that a
 * compiler can make from the topology alone: replica identity, logical
 * cycles, several writers, slot names, mixed versions, standbys. */
#include "replcheck.h"

#include <stdlib.h>
#include <string.h>

static bool slot_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static const char *to_slot(Arena *a, const char *s)
{
    char *r = arena_strdup(a, s);
    for (char *p = r; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            *p = '_';
    }
    if (strlen(r) > 63)
        r[63] = '\0';
    return r;
}

/* 26-28, 30: replica identity of published tables */
static void check_replica_identity(Arena *a, DiagCtx *d, Model *m)
{
    char *seen = calloc((size_t)m->tables.n + 1, 1);
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        for (int k = 0; k < n->pubs.n; k++) {
            const MPub *p = n->pubs.items[k];
            for (int j = 0; j < p->tables.n; j++) {
                const MTable *t = p->tables.items[j];
                if (seen[t->index] || !t->has_columns)
                    continue;
                if (t->replica_full) {
                    seen[t->index] = 1;
                    Diagnostic *dg = diag_warning(d, t->span, "replica-identity-full",
                                                  "table '%s' is published with replica identity full",
                                                  t->display);
                    diag_hint(d, dg, "Every UPDATE and DELETE writes the whole old row to WAL, and "
                                     "each subscriber looks the row up by all its columns (a full "
                                     "scan unless an index fits). A primary key is cheaper.");
                    continue;
                }
                if (t->pkey.n || !(p->pub_update || p->pub_delete))
                    continue;
                seen[t->index] = 1;
                Diagnostic *dg = diag_error(d, t->span, "replica-identity",
                                            "table '%s' has no primary key, but publication '%s' "
                                            "publishes %s", t->display, p->name,
                                            p->pub_update && p->pub_delete ? "updates and deletes"
                                            : p->pub_update ? "updates" : "deletes");
                diag_note(d, dg, p->span, "published here on node '%s'", n->name);
                diag_hint(d, dg, "Once the table is published, PostgreSQL refuses UPDATE and "
                                 "DELETE on '%s' (\"cannot update table because it does not have a "
                                 "replica identity\"). Give it a primary key, declare it 'replica "
                                 "identity full', or publish only inserts with "
                                 "'with (publish = 'insert')'.", t->display);
            }
        }
    }
    (void)a;
    free(seen);
}

typedef struct SlotUse {
    const char *slot;
    Span span;
    const char *what;
} SlotUse;

/* 12-14: slot names valid, short, unique per publisher */
static void check_slots(Arena *a, DiagCtx *d, Model *m)
{
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        Vec uses = {0};
        for (int k = 0; k < n->subscribers.n; k++) {
            const MSub *s = n->subscribers.items[k];
            bool named = s->opt.slot_name != NULL;
            Span at = named ? s->opt.slot_name_span : s->name_span;
            if (!s->slot)
                continue;
            if (!slot_ok(s->slot)) {
                Diagnostic *dg = diag_error(d, at, "slot-name",
                                            "replication slot name '%s' of subscription '%s' may hold "
                                            "only lower-case letters, digits and '_'", s->slot, s->name);
                diag_hint(d, dg, named ? "Choose a slot name of lower-case letters, digits and '_'."
                                    : "The slot is named after the subscription unless you say "
                                      "otherwise: add 'with (slot_name = %s)'.",
                          to_slot(a, s->slot));
            } else if (strlen(s->slot) > 63) {
                Diagnostic *dg = diag_error(d, at, "name-too-long",
                                            "replication slot name of subscription '%s' is %zu bytes "
                                            "long, more than 63", s->name, strlen(s->slot));
                diag_hint(d, dg, "Name the subscription, or give 'with (slot_name = ...)'.");
            }
            SlotUse *u = arena_alloc(a, sizeof *u);
            u->slot = s->slot;
            u->span = at;
            u->what = arena_printf(a, "subscription '%s' of node '%s'", s->name, s->node->name);
            vec_push(a, &uses, u);
        }
        for (int k = 0; k < n->standbys.n; k++) {
            const MNode *st = n->standbys.items[k];
            if (!slot_ok(st->standby->slot))
                diag_error(d, st->standby->span, "slot-name",
                           "replication slot name '%s' of standby '%s' may hold only lower-case "
                           "letters, digits and '_'", st->standby->slot, st->name);
            SlotUse *u = arena_alloc(a, sizeof *u);
            u->slot = st->standby->slot;
            u->span = st->standby->span;
            u->what = arena_printf(a, "standby '%s'", st->name);
            vec_push(a, &uses, u);
        }
        for (int x = 0; x < uses.n; x++)
            for (int y = 0; y < x; y++) {
                const SlotUse *ux = uses.items[x], *uy = uses.items[y];
                if (strcmp(ux->slot, uy->slot) != 0)
                    continue;
                Diagnostic *dg = diag_error(d, ux->span, "slot-collision",
                                            "%s and %s both use replication slot '%s' on node '%s'",
                                            uy->what, ux->what, ux->slot, n->name);
                diag_note(d, dg, uy->span, "the slot is first used here");
                diag_hint(d, dg, "Slot names are per server: give one of them "
                                 "'with (slot_name = ...)' (or 'slot = ...' for a standby).");
                break;
            }
    }
}

/* 36, 37: cycles of subscriptions carrying the same table */
typedef struct Edge {
    MSub *sub;
} Edge;

static bool table_in(const MSub *s, const MTable *t)
{
    for (int i = 0; i < s->tables.n; i++)
        if (s->tables.items[i] == t)
            return true;
    return false;
}

/* The subscriptions x's data feeds: its own subscribers and those of its
 * standbys, which carry the same rows (16+ decodes on a standby). */
static void fed_by(Arena *a, const MNode *x, Vec *out, int depth)
{
    for (int i = 0; i < x->subscribers.n; i++)
        vec_push(a, out, x->subscribers.items[i]);
    for (int i = 0; i < x->standbys.n && depth < 64; i++)
        fed_by(a, x->standbys.items[i], out, depth + 1);
}

/* DFS over subscriptions that carry table t, from publisher to subscriber.
 * state: 0 new, 1 on the path, 2 done; visited collects what to reset. */
static bool dfs(Arena *a, MNode *x, const MTable *t, char *state, Vec *path, Vec *visited)
{
    state[x->index] = 1;
    vec_push(a, visited, x);
    Vec fed = {0};
    fed_by(a, x, &fed, 0);
    for (int i = 0; i < fed.n; i++) {
        MSub *s = fed.items[i];
        if (!table_in(s, t))
            continue;
        vec_push(a, path, s);
        if (state[s->node->index] == 1)
            return true;
        if (state[s->node->index] == 0 && dfs(a, s->node, t, state, path, visited))
            return true;
        path->n--;
    }
    state[x->index] = 2;
    return false;
}

static void check_cycles(Arena *a, DiagCtx *d, Model *m)
{
    int nn = m->nodes.n;
    char *state = calloc((size_t)nn + 1, 1);
    char *reported = calloc((size_t)nn + 1, 1);
    /* the publishers of each table: only they can start a cycle carrying it */
    Vec *starts = calloc((size_t)m->tables.n + 1, sizeof(Vec));
    for (int i = 0; i < nn; i++) {
        MNode *n = m->nodes.items[i];
        MNode *primary = model_chain_root(n);
        if (primary->standby)
            continue;   /* a cycle of standbys: reported elsewhere */
        for (int k = 0; k < n->subscribers.n; k++) {
            const MSub *s = n->subscribers.items[k];
            for (int j = 0; j < s->tables.n; j++) {
                const MTable *t = s->tables.items[j];
                Vec *v = &starts[t->index];
                if (!v->n || v->items[v->n - 1] != primary)
                    vec_push(a, v, primary);
            }
        }
    }
    Vec path = {0}, visited = {0};
    for (int ti = 0; ti < m->tables.n; ti++) {
        const MTable *t = m->tables.items[ti];
        for (int k = 0; k < visited.n; k++)
            state[((MNode *)visited.items[k])->index] = 0;
        visited.n = 0;
        for (int i = 0; i < starts[ti].n; i++) {
            MNode *start = starts[ti].items[i];
            if (reported[start->index] || state[start->index])
                continue;
            path.n = 0;
            if (!dfs(a, start, t, state, &path, &visited))
                continue;
            /* the cycle is the tail of path from the edge leaving the repeated node */
            MSub *last = path.items[path.n - 1];
            int from = 0;
            for (int k = 0; k < path.n; k++)
                if (sub_primary(path.items[k]) == last->node)
                    from = k;
            bool all_none = true, all_16 = true;
            StrBuf b;
            sb_init(&b);
            sb_printf(&b, "'%s'", last->node->name);
            for (int k = from; k < path.n; k++) {
                MSub *s = path.items[k];
                if (s->publisher->standby)
                    sb_printf(&b, " -> (standby '%s')", s->publisher->name);
                sb_printf(&b, " -> '%s'", s->node->name);
                if (!s->origin_none)
                    all_none = false;
                if (s->node->version < 16 || s->publisher->version < 16)
                    all_16 = false;
                reported[s->node->index] = 1;
            }
            MSub *first = path.items[from];
            for (int k = from; k < path.n; k++)
                if (!((MSub *)path.items[k])->origin_none) {
                    first = path.items[k];
                    break;
                }
            if (!(all_none && all_16)) {
                Diagnostic *dg = diag_error(d, first->span, "logical-cycle",
                                            "subscriptions form a cycle that carries table '%s': %s",
                                            t->display, b.s);
                for (int k = from; k < path.n; k++) {
                    MSub *s = path.items[k];
                    if (s != first)
                        diag_note(d, dg, s->span, "subscription '%s' of node '%s' is on the cycle%s",
                                  s->name, s->node->name, s->origin_none ? "" : " without origin = none");
                }
                if (!all_16)
                    diag_hint(d, dg, "Below PostgreSQL 16 a change applied by a subscription is "
                                     "published again, so each row travels around the cycle for ever "
                                     "(one insert became dozens of rows in seconds), or the apply "
                                     "stops on a duplicate key. Break the cycle, or run PostgreSQL 16 "
                                     "or later on every node of it with 'origin = none'.");
                else
                    diag_hint(d, dg, "Give every subscription on the cycle 'with (origin = none)' "
                                     "so that changes that came from a subscription are not sent on.");
            } else {
                /* one direction may copy; every further one may copy rows back */
                bool first_copy = true;
                for (int k = from; k < path.n; k++) {
                    MSub *s = path.items[k];
                    if (!s->copy_data)
                        continue;
                    if (first_copy) {
                        first_copy = false;
                        continue;
                    }
                    bool pub_receives = false;
                    const MNode *primary = sub_primary(s);
                    for (int q = 0; q < primary->subs.n; q++)
                        if (table_in(primary->subs.items[q], t))
                            pub_receives = true;
                    if (!pub_receives)
                        continue;
                    Diagnostic *dg = diag_warning(d, s->span, "origin-copy-data",
                                                  "subscription '%s' copies table '%s' with origin = "
                                                  "none, but '%s' also receives that table by "
                                                  "subscription", s->name, t->display,
                                                  sub_primary(s)->name);
                    diag_hint(d, dg, "The initial copy cannot tell where rows came from and may copy "
                                     "rows back to where they started. Give every direction but one "
                                     "'copy_data = false'.");
                }
            }
            sb_free(&b);
        }
    }
    free(state);
    free(reported);
    free(starts);
}

/* 21, 24, 38: one table written in more than one place */
static void check_writers(Arena *a, DiagCtx *d, Model *m)
{
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        for (int k = 0; k < n->subs.n; k++) {
            const MSub *s = n->subs.items[k];
            for (int j = 0; j < s->tables.n; j++) {
                const MTable *t = s->tables.items[j];
                const MSub *other = NULL;
                for (int q = 0; q < k && !other; q++)
                    if (table_in(n->subs.items[q], t))
                        other = n->subs.items[q];
                if (other) {
                    Diagnostic *dg = diag_warning(d, s->span, "several-writers",
                                                  "table '%s' reaches node '%s' by two subscriptions",
                                                  t->display, n->name);
                    diag_note(d, dg, other->span, "it also arrives by subscription '%s'", other->name);
                    diag_hint(d, dg, "PostgreSQL has no conflict resolution: the same row from both "
                                     "stops the apply on a duplicate key, or is silently applied twice.");
                    continue;
                }
                bool writes = false;
                for (int q = 0; q < n->pubs.n && !writes; q++) {
                    const MPub *p = n->pubs.items[q];
                    for (int r = 0; r < p->tables.n; r++)
                        if (p->tables.items[r] == t && !p->all_tables)
                            writes = true;
                }
                if (writes) {
                    Diagnostic *dg = diag_warning(d, s->span, "several-writers",
                                                  "table '%s' is written on node '%s' and also "
                                                  "arrives there by subscription '%s'",
                                                  t->display, n->name, s->name);
                    diag_hint(d, dg, "PostgreSQL has no conflict resolution: rows written on both "
                                     "sides with the same key stop the apply. Make sure the writers "
                                     "use disjoint keys.");
                }
            }
        }
    }
    (void)a;
}

/* 52: options the publisher's version cannot honour */
static void check_mixed_versions(DiagCtx *d, Model *m)
{
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        for (int k = 0; k < n->subs.n; k++) {
            const MSub *s = n->subs.items[k];
            if (!s->publisher)
                continue;
            int pv = s->publisher->version;
            struct { const char *name; SubOpt id; int since; bool used; } checks[] = {
                {"origin", SUBOPT_ORIGIN, 16, s->opt.origin == ORIGIN_NONE},
                {"streaming = parallel", SUBOPT_STREAMING, 16, s->opt.streaming == STREAM_PARALLEL},
                {"two_phase", SUBOPT_TWO_PHASE, 15, s->opt.two_phase},
                {"binary", SUBOPT_BINARY, 14, s->opt.given[SUBOPT_BINARY]},
            };
            for (size_t q = 0; q < sizeof checks / sizeof checks[0]; q++) {
                if (!checks[q].used || pv >= checks[q].since)
                    continue;
                const char *oname = checks[q].name;
                bool given = s->opt.given[checks[q].id];
                Diagnostic *dg = diag_warning(d, given ? s->opt.span[checks[q].id] : s->span, "publisher-ignores-option",
                                              "subscription '%s' asks for %s, but its publisher '%s' "
                                              "is PostgreSQL %d, which ignores it", s->name, oname,
                                              s->publisher->name, pv);
                diag_hint(d, dg, "The option needs PostgreSQL %d or later on the publisher; the "
                                 "subscriber sends it and the publisher silently goes on without it.",
                          checks[q].since);
            }
        }
    }
}

/* 11, 45: standbys */
static void check_standbys(DiagCtx *d, Model *m)
{
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        if (!n->standby || !n->standby->source)
            continue;
        const MNode *src = n->standby->source;
        if (n->version != src->version) {
            Diagnostic *dg = diag_error(d, n->standby->span, "standby-version",
                                        "standby '%s' is PostgreSQL %d but its source '%s' is %d",
                                        n->name, n->version, src->name, src->version);
            diag_hint(d, dg, "Physical replication copies the data files, so both must run the same "
                             "major version.");
        }
        if (src->subs.n && !src->standby) {
            Diagnostic *dg = diag_warning(d, n->standby->span, "standby-of-subscriber",
                                          "standby '%s' copies subscriber '%s'; promoted, its "
                                          "subscriptions would compete with the original's for the "
                                          "same slots", n->name, src->name);
            diag_hint(d, dg, "replc sets max_logical_replication_workers = 0 on '%s' so nothing starts "
                             "by itself, and writes a promote step (promote.sh) that takes the "
                             "subscriptions over deliberately.", n->name);
        }
    }
}

/* A user's 'set' of a derived setting, as derive.c weighed it (Derived.verdict). */
static void check_user_setting(DiagCtx *d, const MNode *n, GucId id)
{
    const Derived *g = &n->guc[id];
    const UserGuc *u = g->user;
    switch (g->verdict) {
    case USER_NOT_NUMBER:
        diag_error(d, u->span, "bad-value", "'%s' must be a whole number, not '%s'", u->name, u->value);
        break;
    case USER_BELOW_FLOOR:
        if (id == GUC_WAL_LEVEL) {
            Diagnostic *dg = diag_error(d, u->span, "capacity",
                                        "wal_level = %s on node '%s' is lower than the topology "
                                        "needs (%s)", u->value, n->name, g->text);
            diag_hint(d, dg, "Needed because %s.", g->counted);
        } else {
            Diagnostic *dg = diag_error(d, u->span, "capacity",
                                        "%s = %ld on node '%s' is lower than the topology needs (%ld)",
                                        u->name, g->user_value, n->name, g->floor);
            diag_hint(d, dg, "Counted: %s. Raise the value or remove the 'set' and let replc "
                             "derive it.", g->counted);
        }
        break;
    case USER_BELOW_PEAK: {
        Diagnostic *dg = diag_warning(d, u->span, "capacity-peak",
                                      "%s = %ld on node '%s' is enough for steady replication "
                                      "(%ld) but not for the initial copy (%ld)",
                                      u->name, g->user_value, n->name, g->floor, g->peak);
        diag_hint(d, dg, "Counted: %s. Each table-sync worker needs its own while it copies, "
                         "so the initial copy is slower or stalls.", g->counted);
        break;
    }
    case USER_LOCAL_ONLY: {
        Diagnostic *dg = diag_error(d, u->span, "listen-addresses",
                                    "listen_addresses = '%s' on node '%s' shuts out its "
                                    "peers", u->value, n->name);
        diag_hint(d, dg, "Subscribers or standbys connect to '%s' at %s. Listen on that "
                         "address, or remove the 'set' and let replc use '*'.", n->name, n->host);
        break;
    }
    default: break;
    }
}

/* REPLICATION.md check 6: max_worker_processes set by the user: an error
 * below #subscriptions + 2, else a warning below the workers replc counts. */
static void check_worker_processes(DiagCtx *d, const MNode *n)
{
    const Derived *g = &n->guc[GUC_MAX_WORKER_PROCESSES];
    if (!g->user)
        return;
    long v = g->own, floor = n->subs.n ? n->subs.n + 2 : 0;
    long mlrw = n->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS].value;
    if (v < floor) {
        Diagnostic *dg = diag_error(d, g->user->span, "capacity",
                                    "max_worker_processes = %ld on node '%s' is lower than the "
                                    "topology needs (%ld)", v, n->name, floor);
        diag_hint(d, dg, "Counted: one apply worker per subscription (%d), one table-sync "
                         "worker and the launcher.", n->subs.n);
    } else if (v < mlrw + 1) {
        Diagnostic *dg = diag_warning(d, g->user->span, "capacity-peak",
                                      "max_worker_processes = %ld on node '%s' is lower than "
                                      "max_logical_replication_workers + 1 (%ld)", v, n->name, mlrw + 1);
        diag_hint(d, dg, "Logical replication workers are background workers too; when they "
                         "run out, table synchronisation waits (\"out of background worker slots\").");
    }
}

/* A standby's own 'set' lower than its source's value (derive.c raised it). */
static void check_standby_floors(DiagCtx *d, const MNode *n)
{
    const MNode *src = n->standby ? n->standby->source : NULL;
    for (GucId id = 0; src && id < GUC_COUNT; id++) {
        const Derived *g = &n->guc[id];
        if (!g->below_source || !g->user)
            continue;
        Diagnostic *dg = diag_error(d, g->user->span, "capacity",
                                    "%s = %ld on standby '%s' is lower than on its source "
                                    "'%s' (%ld)", guc_name(id), g->own, n->name,
                                    src->name, src->guc[id].value);
        diag_hint(d, dg, "A standby stops replaying when one of max_connections, "
                         "max_prepared_transactions, max_locks_per_transaction, "
                         "max_wal_senders, max_worker_processes is lower than on its source.");
    }
}

void check_derived(Arena *a, DiagCtx *d, const Model *m)
{
    Vec order = {0};
    model_sources_first(a, m, &order);
    for (int i = 0; i < order.n; i++) {
        const MNode *n = order.items[i];
        for (int id = 0; id < GUC_COUNT; id++)
            check_user_setting(d, n, (GucId)id);
        check_worker_processes(d, n);
        check_standby_floors(d, n);
    }
}

void check_replication(Arena *a, DiagCtx *d, Model *m)
{
    check_replica_identity(a, d, m);
    check_slots(a, d, m);
    check_cycles(a, d, m);
    check_writers(a, d, m);
    check_mixed_versions(d, m);
    check_standbys(d, m);
}
