/* test_lock.c: the cluster lock's key (stable, from the cluster's name, the
 * same as tests/integration/lib.sh's lock_key), the node that holds it for
 * a server, and plan_subset (what --limit runs). */
#include "check.h"
#include "parse.h"
#include "plan.h"
#include "stepsql.h"
#include "unit.h"

static Model *compile(Arena *a, const char *text)
{
    DiagCtx *d = arena_alloc(a, sizeof *d);
    diag_init(d, a);
    Program *prog = arena_alloc(a, sizeof *prog);
    Parser p = {0};
    p.arena = a;
    p.diag = d;
    p.prog = prog;
    parse_text(&p, "t.rc", text, strlen(text));
    Model *m = check_program(a, d, prog, "t");
    if (diag_error_count(d)) {
        diag_flush(d, stdout);
        return NULL;
    }
    return m;
}

int main(void)
{
    /* FNV-1a, low 31 bits: a changed key would let an old and a new replc
     * apply the same cluster at once */
    unit_int("lock key of 'ergo' (as ergo.sh computes it)", sql_lock_key("ergo"), 898287140);
    unit_int("another cluster, another key", sql_lock_key("ergo") != sql_lock_key("itest"), 1);
    unit_int("a key fits an int4 and shows unchanged as an oid", sql_lock_key("x") >= 0 && sql_lock_key("x") <= 0x7fffffffL, 1);
    Arena a;
    arena_init(&a);
    unit_str("the lock query", sql_lock_try(&a, "ergo"), "SELECT pg_try_advisory_lock(727270, 898287140)");

    Model *m = compile(&a, "table t (k int primary key);\n"
                           "node a1 { host \"10.0.0.1\"; database da; publish pa (t); }\n"
                           "node a2 { host \"10.0.0.1\"; database db; publish pb (t); }\n"
                           "node a3 { host \"10.0.0.1\"; port 5433; database dc; }\n"
                           "node b { host \"10.0.0.2\"; database dbb; subscribe sb to a2 (pb); }\n");
    if (!m)
        return 1;
    const MNode *a1 = model_find_node(m, "a1"), *a2 = model_find_node(m, "a2"), *a3 = model_find_node(m, "a3"),
                *b = model_find_node(m, "b");
    unit_int("two nodes of one server: the first holds the lock for both", model_lock_node(m, a2) == a1, 1);
    unit_int("the first holds its own", model_lock_node(m, a1) == a1, 1);
    unit_int("another port is another server", model_lock_node(m, a3) == a3, 1);
    unit_int("another host is another server", model_lock_node(m, b) == b, 1);

    /* plan_subset: b's steps only, renumbered 1.., no dependency outside */
    Plan *p = plan_build(&a, m);
    bool *keep = arena_alloc(&a, (size_t)p->steps.n + 1);
    int want = 0;
    for (int i = 0; i < p->steps.n; i++) {
        keep[i] = ((const Step *)p->steps.items[i])->node == b;
        want += keep[i];
    }
    Plan *sub = plan_subset(&a, p, keep);
    unit_int("subset: as many steps as kept", sub->steps.n, want);
    bool ids = true, deps = true;
    for (int i = 0; i < sub->steps.n; i++) {
        const Step *s = sub->steps.items[i];
        ids &= s->id == i + 1 && s->node == b;
        for (int k = 0; k < s->deps.n; k++) {
            const Step *d = s->deps.items[k];
            deps &= d->node == b && d->id < s->id && sub->steps.items[d->id - 1] == d;
        }
    }
    unit_int("subset: ids 1..n in order, all of b", ids, 1);
    unit_int("subset: dependencies only on kept steps, earlier", deps, 1);
    arena_free(&a);
    return unit_done();
}
