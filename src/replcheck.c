/* replcheck.c: the replication checks of REPLICATION.md's check list that a
 * compiler can make from the topology alone: replica identity, logical
 * cycles, several writers, slot names, mixed versions, standbys. */
#include "replcheck.h"

#include "map.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* A check of one published table (its node and publication): true when it
 * reported, so that the table is not reported again. */
typedef bool (*TableCheck)(DiagCtx *d, const MNode *n, const MPub *p, const MTable *t);

/* Each table of each publication, in declaration order, to check until it
 * reports once. */
static void published_tables(DiagCtx *d, const Model *m, TableCheck check)
{
    char *seen = calloc((size_t)m->tables.n + 1, 1);
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        for (int k = 0; k < n->pubs.n; k++) {
            const MPub *p = n->pubs.items[k];
            for (int j = 0; j < p->tables.n; j++) {
                const MTable *t = p->tables.items[j];
                if (!seen[t->index] && t->has_columns && check(d, n, p, t))
                    seen[t->index] = 1;
            }
        }
    }
    free(seen);
}

/* 26-28, 30: replica identity of a published table */
static bool replica_identity(DiagCtx *d, const MNode *n, const MPub *p, const MTable *t)
{
    if (t->replica_full) {
        Diagnostic *dg = diag_warning(d, t->span, "replica-identity-full",
                                      "table '%s' is published with replica identity full", t->display);
        diag_hint(d, dg, "Every UPDATE and DELETE writes the whole old row to WAL, and "
                         "each subscriber looks the row up by all its columns (a full "
                         "scan unless an index fits). A primary key is cheaper.");
        return true;
    }
    if (t->pkey.n || !(p->pub_update || p->pub_delete))
        return false;
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
    return true;
}

/* The column's values come from a sequence: a serial type, a default of
 * nextval(...), or an identity column (written in the type text). */
static bool sequence_fed(const MColumn *c)
{
    static const char *const serials[] = {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"};
    size_t w = strcspn(c->type, " (");
    for (size_t i = 0; i < sizeof serials / sizeof serials[0]; i++)
        if (strlen(serials[i]) == w && strncasecmp(c->type, serials[i], w) == 0)
            return true;
    char low[256];
    size_t k = 0;
    for (; c->type[k] && k < sizeof low - 1; k++)
        low[k] = (char)tolower((unsigned char)c->type[k]);
    low[k] = '\0';
    return strstr(low, "nextval") || strstr(low, "identity");
}

/* 41: a published table with a sequence-fed column: the sequence is not
 * replicated (logical replication carries rows, not sequences, before
 * PostgreSQL 19), so a node that takes over writing hands out keys that
 * exist. At its first such column. */
static bool sequences(DiagCtx *d, const MNode *n, const MPub *p, const MTable *t)
{
    const MColumn *col = NULL;
    for (int c = 0; c < t->columns.n && !col; c++)
        if (sequence_fed(t->columns.items[c]))
            col = t->columns.items[c];
    if (!col)
        return false;
    Diagnostic *dg = diag_warning(d, col->type_span, "sequence-not-replicated",
                                  "column '%s' of published table '%s' takes its values from a "
                                  "sequence, which logical replication does not carry",
                                  col->name, t->display);
    diag_note(d, dg, p->span, "published here on node '%s'", n->name);
    diag_hint(d, dg, "On a subscriber the sequence stays where it was: if that node (or its "
                     "promoted standby) ever writes the table, it hands out keys that exist. "
                     "replc's promote step advances such sequences past the largest key; after "
                     "a switch-over by hand, run setval yourself (replc --explain "
                     "sequence-not-replicated).");
    return true;
}

/* A server that holds replication slots, without max_slot_wal_keep_size
 * written for it: a consumer that is down keeps WAL there without bound.
 * Not derived: a bound trades a full disk for a slot that can be lost
 * (REPLICATION.md check 44); the user chooses, and writing -1 is a choice. */
static void check_slot_wal(DiagCtx *d, const Model *m)
{
    Arena a;   /* each node's lists: given back before the next node's */
    arena_init(&a);
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        if (model_lock_node(m, n) != n || n->version < 13)   /* one report per server; 13 has the setting */
            continue;
        arena_reset(&a);
        Vec slots = {0}, on = {0};
        model_recorded_slots(&a, n, &slots);
        if (!slots.n)
            continue;
        bool given = false;
        model_server_nodes(&a, n, &on);
        for (int k = 0; k < on.n; k++) {
            const MNode *o = on.items[k];
            for (int j = 0; j < o->conf->user_gucs.n; j++)
                given |= strcmp(((const UserGuc *)o->conf->user_gucs.items[j])->name, "max_slot_wal_keep_size") == 0;
        }
        if (given)
            continue;
        Diagnostic *dg = diag_warning(d, n->span, "unbounded-slot-wal",
                                      "node '%s' holds %d replication slot(s) ('%s'%s) and max_slot_wal_keep_size "
                                      "is not set: a subscriber or standby that is down makes it keep WAL "
                                      "without bound", n->name, slots.n, (const char *)slots.items[0],
                                      slots.n > 1 ? ", ..." : "");
        diag_hint(d, dg, "Write 'set max_slot_wal_keep_size = \"100GB\";' (a size pg_wal can hold) to bound "
                         "it: a slot past the bound is invalidated (wal_status 'lost') and its subscriber or "
                         "standby must be set up again. Without a bound, pg_wal can fill the disk and stop the "
                         "server. 'set max_slot_wal_keep_size = \"-1\";' keeps it unbounded on purpose. replc "
                         "--status shows each slot's retained WAL and wal_status.");
     }
    arena_free(&a);
}

typedef struct SlotUse {
    const char *slot;
    Span span;
    const MSub *sub;      /* the subscription using it, or NULL: */
    const MNode *standby; /* the standby using it */
    int index;            /* order of use on the node */
} SlotUse;

/* "subscription 'S' of node 'N'" or "standby 'N'", for the report */
static const char *slot_user(Arena *a, const SlotUse *u)
{
    return u->sub ? arena_printf(a, "subscription '%s' of node '%s'", u->sub->name, u->sub->node->name)
                  : arena_printf(a, "standby '%s'", u->standby->name);
}

static int by_slot(const void *x, const void *y)
{
    const SlotUse *a = x, *b = y;
    int c = strcmp(a->slot, b->slot);
    return c ? c : a->index - b->index;
}

static int by_index(const void *x, const void *y)
{
    return ((const SlotUse *)x)->index - ((const SlotUse *)y)->index;
}

/* Each use of a slot already used on n (uses[0..nu), in order of use),
 * pointed at the first use: sorted by name, each use after the first of
 * its name is reported, in order of use. */
static void slot_collisions(Arena *a, DiagCtx *d, const MNode *n, SlotUse *uses, int nu)
{
    if (nu < 2)
        return;
    qsort(uses, (size_t)nu, sizeof *uses, by_slot);
    int *first = malloc(sizeof(int) * (size_t)nu);   /* index of use -> position of its name's first use */
    for (int x = 0; x < nu; x++)
        first[uses[x].index] = x > 0 && strcmp(uses[x].slot, uses[x - 1].slot) == 0 ? first[uses[x - 1].index] : x;
    SlotUse *sorted = malloc(sizeof *sorted * (size_t)nu);
    memcpy(sorted, uses, sizeof *sorted * (size_t)nu);
    qsort(uses, (size_t)nu, sizeof *uses, by_index);
    for (int x = 0; x < nu; x++) {
        const SlotUse *ux = &uses[x], *uy = &sorted[first[x]];
        if (uy->index == ux->index)
            continue;
        Diagnostic *dg = diag_error(d, ux->span, "slot-collision",
                                    "%s and %s both use replication slot '%s' on node '%s'",
                                    slot_user(a, uy), slot_user(a, ux), ux->slot, n->name);
        diag_note(d, dg, uy->span, "the slot is first used here");
        diag_hint(d, dg, "Slot names are per server: give one of them "
                         "'with (slot_name = ...)' (or 'slot = ...' for a standby).");
    }
    free(sorted);
    free(first);
}

/* 12-14: slot names valid, short, unique per publisher */
static void check_slots(Arena *a, DiagCtx *d, Model *m)
{
    SlotUse *uses = NULL;   /* one node's, reused */
    int cap = 0;
    for (int i = 0; i < m->nodes.n; i++) {
        MNode *n = m->nodes.items[i];
        int nu = 0;
        if (n->subscribers.n + vec_count(n->standbys) > cap) {
            cap = 2 * (n->subscribers.n + vec_count(n->standbys));
            free(uses);
            uses = malloc(sizeof *uses * (size_t)cap);
        }
        for (int k = 0; k < n->subscribers.n; k++) {
            const MSub *s = n->subscribers.items[k];
            bool named = s->opt->slot_name != NULL;
            Span at = named ? s->opt->slot_name_span : sub_name_span(s);
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
            uses[nu] = (SlotUse){s->slot, at, s, NULL, nu};
            nu++;
        }
        for (int k = 0; k < vec_count(n->standbys); k++) {
            const MNode *st = n->standbys->items[k];
            if (!slot_ok(st->standby->slot))
                diag_error(d, st->standby->span, "slot-name",
                           "replication slot name '%s' of standby '%s' may hold only lower-case "
                           "letters, digits and '_'", st->standby->slot, st->name);
            uses[nu] = (SlotUse){st->standby->slot, st->standby->span, NULL, st, nu};
            nu++;
        }
        slot_collisions(a, d, n, uses, nu);
    }
    free(uses);
}

/* 36, 37: cycles of subscriptions carrying the same table */
static bool table_in(const MSub *s, const MTable *t)
{
    for (int i = 0; i < s->tables->n; i++)
        if (s->tables->items[i] == t)
            return true;
    return false;
}

/* Which subscriptions a node's data feeds, per table. The data of node x
 * feeds its own subscribers and those of every standby below it, which
 * carry the same rows (16+ decodes on a standby). In a preorder of the
 * standby forest the standbys below x follow x, so they are the range
 * pre[x] .. pre[x] + size[x] - 1; listing each table's subscriptions by the
 * preorder position of their publisher makes "what x feeds of table t" one
 * contiguous run of that list. Built once, without recursion; nothing is
 * copied per search. */
typedef struct Feeds {
    int *pre;        /* node index -> position in the preorder */
    int *size;       /* node index -> nodes in its standby subtree, itself included */
    int *first;      /* table index -> start of its run in subs; first[ntables] = the end */
    MSub **subs;     /* the subscriptions carrying each table, by publisher position
                      * (pre[s->publisher->index]: not kept, memory) */
} Feeds;

/* A preorder of the standby forest (children in declaration order). Each
 * node once: a standby cycle, already reported, is cut where it closes. */
static void standby_preorder(const Model *m, int *pre, int *size, MNode **order)
{
    int nn = m->nodes.n, count = 0, top = 0;
    typedef struct { MNode *x; int next; } Visit;
    Visit *stack = malloc(sizeof(Visit) * (size_t)(nn + 1));
    for (int i = 0; i < nn; i++)
        pre[i] = -1;
    for (int pass = 0; pass < 2; pass++)   /* roots first, then what only a cycle reaches */
        for (int i = 0; i < nn; i++) {
            MNode *r = m->nodes.items[i];
            if (pre[r->index] >= 0 || (pass == 0 && r->standby && r->standby->source))
                continue;
            pre[r->index] = count;
            order[count++] = r;
            stack[top++] = (Visit){r, 0};
            while (top > 0) {
                Visit *v = &stack[top - 1];
                if (v->next < vec_count(v->x->standbys)) {
                    MNode *c = v->x->standbys->items[v->next++];
                    if (pre[c->index] >= 0)
                        continue;
                    pre[c->index] = count;
                    order[count++] = c;
                    stack[top++] = (Visit){c, 0};
                    continue;
                }
                size[v->x->index] = count - pre[v->x->index];
                top--;
            }
        }
    free(stack);
}

static void feeds_build(const Model *m, Feeds *f)
{
    int nn = m->nodes.n, nt = m->tables.n;
    MNode **order = malloc(sizeof(MNode *) * (size_t)(nn + 1));
    f->pre = malloc(sizeof(int) * (size_t)(nn + 1));
    f->size = malloc(sizeof(int) * (size_t)(nn + 1));
    f->first = calloc((size_t)nt + 1, sizeof(int));
    standby_preorder(m, f->pre, f->size, order);
    /* count, then place: each table's entries in publisher preorder */
    size_t total = 0;
    for (int k = 0; k < nn; k++) {
        const MNode *h = order[k];
        for (int i = 0; i < h->subscribers.n; i++) {
            const MSub *s = h->subscribers.items[i];
            for (int j = 0; j < s->tables->n; j++) {
                f->first[((MTable *)s->tables->items[j])->index]++;
                total++;
            }
        }
    }
    int sum = 0;
    for (int t = 0; t <= nt; t++) {
        int c = t < nt ? f->first[t] : 0;
        f->first[t] = sum;
        sum += c;
    }
    f->subs = malloc(sizeof(MSub *) * (total + 1));
    int *fill = malloc(sizeof(int) * (size_t)(nt + 1));
    memcpy(fill, f->first, sizeof(int) * (size_t)(nt + 1));
    for (int k = 0; k < nn; k++) {
        const MNode *h = order[k];
        for (int i = 0; i < h->subscribers.n; i++) {
            MSub *s = h->subscribers.items[i];
            for (int j = 0; j < s->tables->n; j++) {
                int t = ((MTable *)s->tables->items[j])->index;
                f->subs[fill[t]++] = s;   /* (s->publisher is h, at position k) */
            }
        }
    }
    free(fill);
    free(order);
}

static void feeds_free(Feeds *f)
{
    free(f->pre);
    free(f->size);
    free(f->first);
    free(f->subs);
}

/* The first entry of table t's run at or after preorder position p. */
static int feeds_lower(const Feeds *f, int t, int p)
{
    int lo = f->first[t], hi = f->first[t + 1];
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (f->pre[f->subs[mid]->publisher->index] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The primary at the top of every node's chain of standbys, as
 * model_chain_root, but each chain walked once (a chain of n standbys
 * costs n, not n * n / 2). */
static MNode **chain_roots(const Model *m)
{
    int nn = m->nodes.n;
    MNode **root = calloc((size_t)nn + 1, sizeof(MNode *));
    for (int i = 0; i < nn; i++) {
        MNode *x = m->nodes.items[i];
        /* up to a known root or the top; then everything passed gets it */
        while (!root[x->index] && x->standby && x->standby->source && !root[x->standby->source->index]) {
            root[x->index] = x;   /* in progress: ends the walk should a cycle remain */
            x = x->standby->source;
        }
        MNode *r = root[x->index] ? root[x->index]
                 : x->standby && x->standby->source ? root[x->standby->source->index] : x;
        for (MNode *y = m->nodes.items[i]; y != x; y = y->standby->source)
            root[y->index] = r;
        root[x->index] = r;
    }
    return root;
}

/* A search frame: node x, and the entries of what it feeds still to try. */
typedef struct Frame {
    MNode *x;
    int next, end;
} Frame;

static void enter(Arena *a, const Feeds *f, const MTable *t, MNode *x, char *state, Vec *visited,
                  Frame *stack, int *top)
{
    state[x->index] = 1;
    vec_push(a, visited, x);
    int p = f->pre[x->index];
    stack[(*top)++] = (Frame){x, feeds_lower(f, t->index, p), feeds_lower(f, t->index, p + f->size[x->index])};
}

/* Depth-first search over subscriptions that carry table t, from publisher
 * to subscriber, with an explicit stack (a chain of any length). state: 0
 * new, 1 on the path, 2 done; visited collects what to reset. On a cycle,
 * path ends with the subscription that closes it. */
static bool find_cycle(Arena *a, const Feeds *f, MNode *start, const MTable *t, char *state,
                       Vec *path, Vec *visited, Frame *stack)
{
    int top = 0;
    enter(a, f, t, start, state, visited, stack, &top);
    while (top > 0) {
        Frame *fr = &stack[top - 1];
        if (fr->next == fr->end) {
            state[fr->x->index] = 2;
            if (--top > 0)
                path->n--;   /* the subscription that led here */
            continue;
        }
        MSub *s = f->subs[fr->next++];
        vec_push(a, path, s);
        if (state[s->node->index] == 1)
            return true;
        if (state[s->node->index] == 0) {
            enter(a, f, t, s->node, state, visited, stack, &top);
            continue;
        }
        path->n--;
    }
    return false;
}

/* No node reaches itself along subscriptions (publisher to subscriber) and
 * standbys (source to standby): then no subscription cycle carries any table
 * and check_cycles need not search table by table (Kahn's algorithm: 8
 * bytes a node, where the search's lists cost about 60). */
static bool nodes_acyclic(const Model *m)
{
    int nn = m->nodes.n, head = 0, tail = 0;
    int *in = calloc((size_t)nn + 1, sizeof(int)), *queue = malloc(sizeof(int) * ((size_t)nn + 1));
    for (int i = 0; i < nn; i++) {
        const MNode *x = m->nodes.items[i];
        for (int k = 0; k < x->subscribers.n; k++)
            in[((MSub *)x->subscribers.items[k])->node->index]++;
        for (int k = 0; k < vec_count(x->standbys); k++)
            in[((MNode *)x->standbys->items[k])->index]++;
    }
    for (int i = 0; i < nn; i++)
        if (!in[i])
            queue[tail++] = i;
    while (head < tail) {
        const MNode *x = m->nodes.items[queue[head++]];
        for (int k = 0; k < x->subscribers.n; k++) {
            int y = ((MSub *)x->subscribers.items[k])->node->index;
            if (--in[y] == 0)
                queue[tail++] = y;
        }
        for (int k = 0; k < vec_count(x->standbys); k++) {
            int y = ((MNode *)x->standbys->items[k])->index;
            if (--in[y] == 0)
                queue[tail++] = y;
        }
    }
    free(in);
    free(queue);
    return tail == nn;   /* every node taken: no cycle */
}

static void check_cycles(DiagCtx *d, Model *m)
{
    if (nodes_acyclic(m))
        return;
    /* the search's lists in an arena of its own, given back at the end (memory:
     * in the model's they stayed for the rest of the run) */
    Arena tmp, *a = &tmp;
    arena_init(&tmp);
    int nn = m->nodes.n;
    char *state = calloc((size_t)nn + 1, 1);
    char *reported = calloc((size_t)nn + 1, 1);
    /* the publishers of each table: only they can start a cycle carrying it */
    Vec *starts = calloc((size_t)m->tables.n + 1, sizeof(Vec));
    MNode **roots = chain_roots(m);
    for (int i = 0; i < nn; i++) {
        MNode *n = m->nodes.items[i];
        MNode *primary = roots[n->index];
        if (primary->standby)
            continue;   /* a cycle of standbys: reported elsewhere */
        for (int k = 0; k < n->subscribers.n; k++) {
            const MSub *s = n->subscribers.items[k];
            for (int j = 0; j < s->tables->n; j++) {
                const MTable *t = s->tables->items[j];
                Vec *v = &starts[t->index];
                if (!v->n || v->items[v->n - 1] != primary)
                    vec_push(a, v, primary);
            }
        }
    }
    free(roots);   /* (before the feeds are built: memory at the peak) */
    Feeds feeds;
    feeds_build(m, &feeds);
    Frame *stack = malloc(sizeof(Frame) * (size_t)(nn + 1));
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
            if (!find_cycle(a, &feeds, start, t, state, &path, &visited, stack))
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
    free(stack);
    feeds_free(&feeds);
    arena_free(&tmp);
}

/* 21, 24, 38: one table written in more than one place */
/* Mark (or unmark) the tables that n's own publications list by name: those
 * that are written on n. */
static void mark_written(const MNode *n, bool *written, bool on)
{
    for (int q = 0; q < n->pubs.n; q++) {
        const MPub *p = n->pubs.items[q];
        if (p->all_tables)
            continue;
        for (int r = 0; r < p->tables.n; r++)
            written[((const MTable *)p->tables.items[r])->index] = on;
    }
}

/* The warnings for n. first[t] is the first subscription of n carrying table
 * t so far; written[t] whether n writes t itself. */
static void node_writers(DiagCtx *d, const MNode *n, const MSub **first, const bool *written)
{
    for (int k = 0; k < n->subs.n; k++) {
        const MSub *s = n->subs.items[k];
        for (int j = 0; j < s->tables->n; j++) {
            const MTable *t = s->tables->items[j];
            const MSub *other = first[t->index];
            if (!other)
                first[t->index] = s;
            if (other) {
                Diagnostic *dg = diag_warning(d, s->span, "several-writers",
                                              "table '%s' reaches node '%s' by two subscriptions",
                                              t->display, n->name);
                diag_note(d, dg, other->span, "it also arrives by subscription '%s'", other->name);
                diag_hint(d, dg, "PostgreSQL has no conflict resolution: the same row from both "
                                 "stops the apply on a duplicate key, or is silently applied twice.");
                continue;
            }
            if (written[t->index]) {
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

static void check_writers(Arena *a, DiagCtx *d, Model *m)
{
    size_t nt = (size_t)m->tables.n + 1;
    const MSub **first = arena_alloc(a, sizeof *first * nt);
    bool *written = arena_alloc(a, sizeof *written * nt);
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        mark_written(n, written, true);
        node_writers(d, n, first, written);
        mark_written(n, written, false);
        for (int k = 0; k < n->subs.n; k++) {   /* clear first[] for the next node */
            const MSub *s = n->subs.items[k];
            for (int j = 0; j < s->tables->n; j++)
                first[((const MTable *)s->tables->items[j])->index] = NULL;
        }
    }
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
                {"origin", SUBOPT_ORIGIN, 16, s->opt->origin == ORIGIN_NONE},
                {"streaming = parallel", SUBOPT_STREAMING, 16, s->opt->streaming == STREAM_PARALLEL},
                {"two_phase", SUBOPT_TWO_PHASE, 15, s->opt->two_phase},
                {"binary", SUBOPT_BINARY, 14, s->opt->given[SUBOPT_BINARY]},
            };
            for (size_t q = 0; q < sizeof checks / sizeof checks[0]; q++) {
                if (!checks[q].used || pv >= checks[q].since)
                    continue;
                const char *oname = checks[q].name;
                bool given = s->opt->given[checks[q].id];
                Diagnostic *dg = diag_warning(d, given ? s->opt->span[checks[q].id] : s->span, "publisher-ignores-option",
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

/* A subscription of a subscriber with standbys whose commits do not wait
 * until the standbys flushed them: promoted, a standby may miss what the
 * publisher considers confirmed (docs/failover.md). */
static void check_failover_commit(DiagCtx *d, const MNode *n)
{
    static const char *const keep[] = {"on", "remote_apply", "true", "yes", "1"};
    if (n->standby || !vec_count(n->standbys))
        return;
    for (int i = 0; i < n->subs.n; i++) {
        const MSub *s = n->subs.items[i];
        const char *v = s->opt->synchronous_commit;
        bool ok = !v;
        for (size_t k = 0; v && k < sizeof keep / sizeof keep[0]; k++)
            ok |= strcasecmp(v, keep[k]) == 0;
        if (ok)
            continue;
        Diagnostic *dg = diag_warning(d, s->opt->span[SUBOPT_SYNCHRONOUS_COMMIT], "failover-async-commit",
                                      "subscription '%s' commits with synchronous_commit = '%s': a "
                                      "promoted standby of '%s' may miss changes", s->name, v, n->name);
        diag_hint(d, dg, "Without synchronous_commit = on (or remote_apply), the publisher may consider "
                         "changes done that the standby has not flushed; a failover then loses them. "
                         "Leave the option out: replc sets it to on.");
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

/* 33, 35: a replication role that peers connect as needs a password: the
 * pg_hba.conf lines replc writes ask for one (scram-sha-256 or md5) */
static void check_repl_user(DiagCtx *d, const MNode *n)
{
    if (!n->conf->repl_user || n->conf->repl_pw_env || (!n->subscribers.n && !vec_count(n->standbys)))
        return;
    Diagnostic *dg = diag_error(d, n->conf->repl_span, "replication-user",
                                "replication role '%s' of node '%s' has no password, but its %s connect with "
                                "a password", n->conf->repl_user, n->name,
                                n->subscribers.n ? "subscribers" : "standbys");
    diag_hint(d, dg, "Add 'replication_password env NAME;': replc creates the role with the password from "
                     "that environment variable and writes it into the peers' ~/.pgpass, never into a file "
                     "of its own.");
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
        if (!n->guc)
            continue;   /* --check: it sets nothing, so there is nothing to report (derive_settings) */
        for (int id = 0; id < GUC_COUNT; id++)
            check_user_setting(d, n, (GucId)id);
        check_worker_processes(d, n);
        check_standby_floors(d, n);
    }
    arena_release(a, order.items);   /* (a big list: given back) */
}

void check_replication(Arena *a, DiagCtx *d, Model *m)
{
    published_tables(d, m, replica_identity);
    published_tables(d, m, sequences);
    check_slots(a, d, m);
    check_slot_wal(d, m);
    check_cycles(d, m);
    check_writers(a, d, m);
    check_mixed_versions(d, m);
    check_standbys(d, m);
    for (int i = 0; i < m->nodes.n; i++) {
        check_failover_commit(d, m->nodes.items[i]);
        check_repl_user(d, m->nodes.items[i]);
    }
}
