/* fuzz_check.c: libFuzzer target for parse + check: name resolution, every
 * semantic check, derived settings, and their diagnostics. */
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
    fuzz_parse(&p, &a, &d, &prog, &f, data, size);
    if (d.nerrors == 0)
        check_program(&a, &d, &prog, "fuzz");
    diag_flush(&d, fuzz_null());
    arena_free(&a);
    return 0;
}
