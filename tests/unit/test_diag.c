/* test_diag.c: line/column, caret rendering with tabs and UTF-8, sorting,
 * suggestions. */
#include <stdlib.h>

#include "diag.h"
#include "unit.h"

static char *render(DiagCtx *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diag_flush(d, f);
    fclose(f);
    return buf;
}

int main(void)
{
    Arena a;
    arena_init(&a);
    DiagCtx d;
    diag_init(&d, &a);
    const char *text = "line one\n\tnode x;\n\"é\" bad;\nlast";
    int f = diag_add_source(&d, "t.rc", text, strlen(text));
    int line, col;
    diag_linecol(&d, (Span){f, 0, 1}, &line, &col);
    unit_int("first byte: line 1", line, 1);
    unit_int("first byte: column 1", col, 1);
    diag_linecol(&d, (Span){f, 11, 15}, &line, &col);
    unit_int("after a tab: line 2", line, 2);
    unit_int("after a tab: column counts the tab as one", col, 3);
    diag_linecol(&d, (Span){f, 23, 26}, &line, &col);
    unit_int("after UTF-8: line 3", line, 3);
    unit_int("after UTF-8: column counts characters", col, 5);
    diag_linecol(&d, (Span){f, (unsigned)strlen(text), (unsigned)strlen(text)}, &line, &col);
    unit_int("end of file: last line", line, 4);
    unit_int("end of file: column after the text", col, 5);

    diag_error(&d, (Span){f, 23, 26}, "x", "second");
    Diagnostic *dg = diag_warning(&d, (Span){f, 11, 15}, "y", "first");
    diag_hint(&d, dg, "A hint.");
    char *out = render(&d);
    unit_str("rendering: sorted by position, tab kept before the caret, UTF-8 counted once",
             out,
             "t.rc:2:3: warning: first [y]\n"
             " 2 | \tnode x;\n"
             "   | \t ^~~~\n"
             "hint: A hint.\n"
             "t.rc:3:5: error: second [x]\n"
             " 3 | \"é\" bad;\n"
             "   |     ^~~\n"
             "1 error and 1 warning generated.\n");
    free(out);

    diag_init(&d, &a);
    f = diag_add_source(&d, "t.rc", text, strlen(text));
    d.werror = true;
    diag_warning(&d, (Span){f, 0, 4}, "z", "w");
    diag_warning(&d, (Span){f, 5, 8}, "z", "v");
    unit_int("--werror counts warnings as errors", diag_error_count(&d), 2);
    out = render(&d);
    unit_str("--werror prints a warning as an error",
             out, "t.rc:1:1: error: w [z]\n 1 | line one\n   | ^~~~\n"
                  "t.rc:1:6: error: v [z]\n 1 | line one\n   |      ^~~\n2 errors generated.\n");
    free(out);

    const char *cands[] = {"database", "host", "port", "version"};
    unit_str("suggest: transposition", diag_suggest("databsae", cands, 4), "database");
    unit_str("suggest: one letter off", diag_suggest("prot", cands, 4), "port");
    unit_int("suggest: nothing close", diag_suggest("zzzzzz", cands, 4) == NULL, 1);
    arena_free(&a);
    return unit_done();
}
