/* test_plan.c: the plan's order respects every dependency, is stable, and
 * puts publications before the subscriptions that name them. */
#include <stdlib.h>

#include "check.h"
#include "parse.h"
#include "plan.h"
#include "unit.h"

static Plan *compile(Arena *a, const char *text, Model **mp)
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
    *mp = m;
    return plan_build(a, m);
}

static const Step *find(const Plan *p, const char *node, StepKind k)
{
    for (int i = 0; i < p->steps.n; i++) {
        const Step *s = p->steps.items[i];
        if (s->kind == k && strcmp(s->node->name, node) == 0)
            return s;
    }
    return NULL;
}

int main(void)
{
    Arena a;
    arena_init(&a);
    Model *m;
    /* the subscriber is declared first, the publisher last: order must still hold */
    Plan *p = compile(&a,
                      "table t (id int primary key);\n"
                      "node c { standby from b; pgdata \"/d\"; }\n"
                      "node b { subscribe to a (pa); }\n"
                      "node a { publish pa (t); }\n", &m);
    if (!p)
        return 1;
    int bad = 0;
    for (int i = 0; i < p->steps.n; i++) {
        const Step *s = p->steps.items[i];
        if (s->id != i + 1)
            bad++;
        for (int k = 0; k < s->deps.n; k++)
            if (((Step *)s->deps.items[k])->id >= s->id)
                bad++;
    }
    unit_int("every step comes after the steps it waits for", bad, 0);
    const Step *pubs = find(p, "a", STEP_PUBLICATIONS);
    const Step *wait = find(p, "b", STEP_SUB_WAIT);
    const Step *sub = find(p, "b", STEP_SUBSCRIBE);
    const Step *tables = find(p, "a", STEP_TABLES);
    unit_int("publisher's tables before its publications", tables && pubs && tables->id < pubs->id, 1);
    unit_int("publications before the subscription that names them", pubs && sub && pubs->id < sub->id, 1);
    int waits = 0;
    for (int k = 0; wait && k < wait->deps.n; k++)
        if (wait->deps.items[k] == pubs)
            waits = 1;
    unit_int("the subscriber's wait step depends on the publisher's publications", waits, 1);
    const Step *bb = find(p, "c", STEP_BASEBACKUP);
    const Step *restart_b = find(p, "b", STEP_RESTART);
    unit_int("a standby's base backup comes after its source is configured",
             bb && restart_b && restart_b->id < bb->id, 1);
    const Step *raise = find(p, "c", STEP_RAISE);
    unit_int("a standby's raise step comes before its primary restarts",
             raise && restart_b && raise->id < restart_b->id, 1);
    const Step *cfg = find(p, "c", STEP_CONFIG);
    unit_int("a standby is configured after its base backup", cfg && bb && bb->id < cfg->id, 1);
    unit_int("a standby creates no tables", find(p, "c", STEP_TABLES) == NULL, 1);

    Arena a2;
    arena_init(&a2);
    Model *m2;
    Plan *p2 = compile(&a2,
                       "table t (id int primary key);\n"
                       "node c { standby from b; pgdata \"/d\"; }\n"
                       "node b { subscribe to a (pa); }\n"
                       "node a { publish pa (t); }\n", &m2);
    int same = p2 && p2->steps.n == p->steps.n;
    for (int i = 0; same && i < p->steps.n; i++)
        same = strcmp(((Step *)p->steps.items[i])->file, ((Step *)p2->steps.items[i])->file) == 0 &&
               ((Step *)p->steps.items[i])->node->index == ((Step *)p2->steps.items[i])->node->index;
    unit_int("the same input gives the same order", same, 1);
    arena_free(&a2);
    arena_free(&a);
    return unit_done();
}
