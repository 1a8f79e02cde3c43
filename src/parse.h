/* parse.h: reading .rc files (with include) into a Program. The grammar is
 * grammar/replc.y, the scanner grammar/replc.l. */
#ifndef REPLC_PARSE_H
#define REPLC_PARSE_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"

typedef struct Parser {
    Arena *arena;
    DiagCtx *diag;
    Program *prog;
    Vec loaded;         /* char *: canonical paths already read (include once) */
    Vec stack;          /* char *: canonical paths being read (include cycles) */
    Vec stack_names;    /* char *: the same, as displayed */
    int file;           /* source index of the file being parsed */
    const char *dir;    /* directory of the file being parsed */
} Parser;

/* Parse the file at path (or "-" for standard input) into p->prog.
 * from: where it was included, or a span with file -1 for the top file.
 * Returns false when the file could not be read. */
bool parse_file(Parser *p, const char *path, Span from);

/* Parse text already in memory (used by tests and standard input). */
void parse_text(Parser *p, const char *name, const char *text, size_t len);

#endif
