/* fuzz_check.c: libFuzzer target for parse + check: name resolution, every
 * semantic check, derived settings, and their diagnostics; as --check runs
 * them (check_program_ex giving the syntax tree back file by file, only what
 * a check reads derived). */
#include "fuzz.h"

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
    if (d.nerrors == 0)
        check_program_ex(&a, &d, &prog, "fuzz", &t.tree, &t.tables, &t.early, &t.pubs, true);
    fuzz_tree_free(&prog, &t);
    diag_flush(&d, fuzz_null());
    arena_free(&a);
    return 0;
}
