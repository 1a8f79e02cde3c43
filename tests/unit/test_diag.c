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

    /* line starts kept compact (lines under 256 bytes: a checkpoint every
     * 16 lines) and in full (a longer line): every offset's line and
     * column as counted by hand, across the checkpoints and empty lines */
    for (int longline = 0; longline < 2; longline++) {
        char big[4096];
        size_t n = 0;
        for (int i = 0; i < 40; i++) {
            int len = longline && i == 20 ? 300 : (i * 7) % 13;
            for (int k = 0; k < len; k++)
                big[n++] = 'a';
            big[n++] = '\n';
        }
        big[n++] = 'z';
        diag_init(&d, &a);
        f = diag_add_source(&d, "big.rc", big, n);
        int bad = 0, want_line = 1, want_col = 1;
        for (size_t off = 0; off <= n; off++) {
            diag_linecol(&d, (Span){f, (unsigned)off, (unsigned)off}, &line, &col);
            bad += line != want_line || col != want_col;
            if (off < n && big[off] == '\n') {
                want_line++;
                want_col = 1;
            } else
                want_col++;
        }
        unit_int(longline ? "line starts in full (a line of 300 bytes): every offset"
                          : "line starts kept compact: every offset", bad, 0);
    }

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

    /* UTF-8: what the lexer accepts in names and strings */
    struct { const char *bytes; int len, want; const char *what; } u8[] = {
        {"a", 1, 1, "utf8: ASCII"},
        {"\xc3\xa9", 2, 2, "utf8: two bytes (e acute)"},
        {"\xe2\x82\xac", 3, 3, "utf8: three bytes (euro sign)"},
        {"\xf0\x9f\x98\x80", 4, 4, "utf8: four bytes (an emoji)"},
        {"\xe9", 1, 0, "utf8: a Latin-1 byte"},
        {"\x80", 1, 0, "utf8: a stray continuation byte"},
        {"\xc0\xaf", 2, 0, "utf8: overlong two bytes"},
        {"\xe0\x80\xaf", 3, 0, "utf8: overlong three bytes"},
        {"\xed\xa0\x80", 3, 0, "utf8: a UTF-16 surrogate"},
        {"\xf4\x90\x80\x80", 4, 0, "utf8: past U+10FFFF"},
        {"\xe2\x82", 2, 0, "utf8: cut short by the end"},
    };
    for (size_t i = 0; i < sizeof u8 / sizeof u8[0]; i++)
        unit_int(u8[i].what, utf8_seq_len(u8[i].bytes, u8[i].bytes + u8[i].len), u8[i].want);

    /* a long line is cut to a window around the caret */
    diag_init(&d, &a);
    char longline[301];
    memset(longline, 'x', 300);
    longline[300] = '\0';
    memcpy(longline + 150, "bad", 3);
    f = diag_add_source(&d, "l.rc", longline, 300);
    diag_error(&d, (Span){f, 150, 153}, "c", "m");
    out = render(&d);
    char want[1024];
    snprintf(want, sizeof want, "l.rc:1:151: error: m [c]\n 1 | ...%.*sbad%.*s...\n   |    %*s^~~\n1 error generated.\n",
             DIAG_SNIPPET_WIDTH / 3, longline, DIAG_SNIPPET_WIDTH - DIAG_SNIPPET_WIDTH / 3 - 3, longline,
             DIAG_SNIPPET_WIDTH / 3, "");
    unit_str("a long line: a window with ... on both sides", out, want);
    free(out);

    /* at most DIAG_MAX_ERRORS errors are kept; the rest are counted */
    diag_init(&d, &a);
    f = diag_add_source(&d, "t.rc", text, strlen(text));
    for (int i = 0; i < DIAG_MAX_ERRORS + 10; i++)
        diag_note(&d, diag_error(&d, (Span){f, 0, 1}, "c", "e%d", i), (Span){f, 0, 1}, "n");
    unit_int("too many errors: all counted", diag_error_count(&d), DIAG_MAX_ERRORS + 10);
    unit_int("too many errors: the first kept", d.diags.n, DIAG_MAX_ERRORS);
    unit_int("too many errors: parsing stops", diag_stopped(&d), 1);
    out = render(&d);
    unit_int("too many errors: the note says so",
             strstr(out, "replc: note: too many errors; stopped after the first 50\n60 errors generated.\n") != NULL, 1);
    free(out);

    const char *cands[] = {"database", "host", "port", "version"};
    unit_str("suggest: transposition", diag_suggest("databsae", cands, 4), "database");
    unit_str("suggest: one letter off", diag_suggest("prot", cands, 4), "port");
    unit_int("suggest: nothing close", diag_suggest("zzzzzz", cands, 4) == NULL, 1);
    arena_free(&a);
    return unit_done();
}
