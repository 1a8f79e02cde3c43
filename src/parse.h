/* parse.h: reading .rc files (with include) into a Program. The grammar is
 * grammar/replc.y, the scanner grammar/replc.l. */
#ifndef REPLC_PARSE_H
#define REPLC_PARSE_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "map.h"

typedef struct Parser {
    Arena *arena;       /* names and strings, the sources: what the model keeps */
    Arena *tree;        /* the syntax tree's structures and lists; NULL: arena */
    Arena *tables;      /* of those, tables (check_program_ex gives them back first); NULL: tree */
    Arena *early;       /* settings (given back next); NULL: tree */
    Arena *pubs;        /* publications (given back next); NULL: tree */
    bool parts;         /* the rest of each file's in an arena of its own (ProgramPart),
                         * given back once its nodes are resolved; needs tree; with early
                         * and pubs, a file's nodes' settings and publications too (but the
                         * defaults' settings, in early) */
    ProgramPart *part;  /* the file being parsed's, with parts */
    Arena *scratch;     /* the file being parsed's lists that are copied once complete (parse_text) */
    DiagCtx *diag;
    Program *prog;
    Map loaded;         /* canonical path -> itself: files already read (include once) */
    Vec stack;          /* char *: canonical paths being read (include cycles) */
    Vec stack_names;    /* char *: the same, as displayed */
    int file;           /* source index of the file being parsed */
    const char *dir;    /* directory of the file being parsed */
    /* When set, files (the top one and included ones) are read through
     * this instead of the file system (fuzzing): it sets *text and *len and
     * returns true, or returns false when there is no such file. The text
     * must outlive the parse. */
    bool (*read_include)(void *ctx, const char *path, const char **text, size_t *len);
    void *read_ctx;
    /* the names of the file being parsed, each once (lex_word): a name is
     * written many times (a node's in every subscription to it, a column's in
     * every table); malloc'd by parse_text for its file, given back at its
     * end (a table for all files would cost more than it saves) */
    const char **words;
    size_t words_cap, words_n;
} Parser;

/* Includes nest at most this deep (the top file is depth 1). */
enum { PARSE_MAX_INCLUDE_DEPTH = 64 };
/* A file larger than this is refused (MiB). */
enum { PARSE_MAX_FILE_MIB = 16 };

/* Parse the file at path (or "-" for standard input) into p->prog.
 * from: where it was included, or a span with file -1 for the top file.
 * Only regular files (and standard input) of at most PARSE_MAX_FILE_MIB
 * are read. Returns false when the file could not be read: for an include
 * that is an error diagnostic at from; for the top file a message on
 * standard error. */
bool parse_file(Parser *p, const char *path, Span from);

/* Parse text already in memory (used by tests and standard input). A text
 * with CR but no LF (old Mac line endings) is read as if each CR were LF. */
void parse_text(Parser *p, const char *name, const char *text, size_t len);

#endif
