/* fuzz_parse.c: libFuzzer target for the front of the compiler: scanner,
 * parser, includes (in memory) and the rendering of diagnostics. */
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
    fuzz_parse(&p, &a, &d, &prog, &f, NULL, data, size);
    diag_flush(&d, fuzz_null());
    arena_free(&a);
    return 0;
}
