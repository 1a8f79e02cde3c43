/* fuzz_pipeline.c: libFuzzer target for the whole compiler to text: parse,
 * check, plan, and every output a tree holds (plan.txt, plan.json,
 * topology.dot, each step's script, promote.sh, run.sh), as main.c writes
 * them. Every output must be valid UTF-8. */
#include "emit.h"
#include "fuzz.h"
#include "plan.h"

static void emit_all(const Model *m, const Plan *pl)
{
    StrBuf b;
    sb_init(&b);
    emit_plan_text(&b, m, pl);
    fuzz_assert_utf8(b.s, b.len, "plan.txt");
    sb_reset(&b);
    emit_plan_json(&b, m, pl);
    fuzz_assert_utf8(b.s, b.len, "plan.json");
    sb_reset(&b);
    emit_dot(&b, m);
    fuzz_assert_utf8(b.s, b.len, "topology.dot");
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        const Vec *steps = pl->node_steps.items[i];
        for (int k = 0; k < steps->n; k++) {
            sb_reset(&b);
            emit_step(&b, m, steps->items[k]);
            fuzz_assert_utf8(b.s, b.len, "a step's script");
        }
        if (n->standby && model_chain_root(n) != n && model_chain_root(n)->subs.n) {
            sb_reset(&b);
            emit_promote(&b, m, n);
            fuzz_assert_utf8(b.s, b.len, "promote.sh");
        }
        sb_reset(&b);
        emit_run_sh(&b, m, pl, n);
        fuzz_assert_utf8(b.s, b.len, "run.sh");
    }
    sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a);
    DiagCtx d;
    diag_init(&d, &a);
    Program prog = {0};
    Parser p;
    FuzzFiles f;
    FuzzTree t;
    fuzz_parse(&p, &a, &d, &prog, &f, &t, data, size);
    Model *m = NULL;
    if (d.nerrors == 0)   /* (as main.c: the tree given back file by file) */
        m = check_program_ex(&a, &d, &prog, "fuzz", &t.tree, &t.tables, &t.early, &t.pubs, false);
    fuzz_tree_free(&prog, &t);
    int errors = diag_error_count(&d);
    diag_flush(&d, fuzz_null());
    if (!errors)
        emit_all(m, plan_build(&a, m));
    arena_free(&a);
    return 0;
}
