/* fuzz.h: what the libFuzzer targets share. An input is one or more files,
 * separated by a line "%%": the first is main.rc, the next 1.rc, 2.rc, ...
 * (so `include "1.rc";` works). Files are read only through the parser's
 * in-memory reader, never from the file system: no include can wander off
 * (include "/dev/zero" is simply not found). */
#ifndef REPLC_FUZZ_H
#define REPLC_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parse.h"

enum { FUZZ_MAX_FILES = 8 };

typedef struct FuzzFiles {
    char names[FUZZ_MAX_FILES][8];
    const char *text[FUZZ_MAX_FILES];
    size_t len[FUZZ_MAX_FILES];
    int n;
} FuzzFiles;

static inline void fuzz_split(FuzzFiles *f, const char *data, size_t size)
{
    static const char sep[] = "\n%%\n";
    f->n = 0;
    const char *p = data, *end = data + size;
    while (f->n < FUZZ_MAX_FILES) {
        const char *q = NULL;
        for (const char *s = p; f->n < FUZZ_MAX_FILES - 1 && s < end; s++) {
            s = memchr(s, '\n', (size_t)(end - s));
            if (!s || end - s < 4)
                break;
            if (memcmp(s, sep, 4) == 0) {
                q = s;
                break;
            }
        }
        if (f->n == 0)
            snprintf(f->names[0], sizeof f->names[0], "main.rc");
        else
            snprintf(f->names[f->n], sizeof f->names[f->n], "%d.rc", f->n);
        f->text[f->n] = p;
        f->len[f->n] = q ? (size_t)(q - p) + 1 : (size_t)(end - p);   /* keep the newline */
        f->n++;
        if (!q)
            break;
        p = q + 4;
    }
}

static inline bool fuzz_read(void *ctx, const char *path, const char **text, size_t *len)
{
    const FuzzFiles *f = ctx;
    for (int i = 0; i < f->n; i++)
        if (strcmp(path, f->names[i]) == 0) {
            *text = f->text[i];
            *len = f->len[i];
            return true;
        }
    return false;
}

/* Diagnostics are rendered (that is code to fuzz too) into the void. */
static inline FILE *fuzz_null(void)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    return null;
}

/* The syntax tree's arenas as main.c has them: each file's part of the tree
 * in arenas of its own (ProgramPart), which check_program_ex gives back file
 * by file while it builds the model; fuzz_tree_free gives back the rest. */
typedef struct FuzzTree {
    Arena tree, tables, early, pubs;
} FuzzTree;

/* Parse the input into prog; returns the parser (its arena, diag, prog set).
 * With t, the tree goes to t's arenas and each file's part (main.c's way,
 * for check_program_ex); without, all of it to a. */
static inline void fuzz_parse(Parser *p, Arena *a, DiagCtx *d, Program *prog, FuzzFiles *f,
                              FuzzTree *t, const uint8_t *data, size_t size)
{
    fuzz_split(f, (const char *)data, size);
    memset(p, 0, sizeof *p);
    p->arena = a;
    p->diag = d;
    p->prog = prog;
    p->read_include = fuzz_read;
    p->read_ctx = f;
    if (t) {
        arena_init(&t->tree);
        arena_init(&t->tables);
        arena_init(&t->early);
        arena_init(&t->pubs);
        p->tree = &t->tree;
        p->tables = &t->tables;
        p->early = &t->early;
        p->pubs = &t->pubs;
        p->parts = true;
    }
    parse_file(p, "main.rc", (Span){-1, 0, 0});
}

static inline void fuzz_tree_free(const Program *prog, FuzzTree *t)
{
    program_free_parts(prog);
    arena_free(&t->pubs);
    arena_free(&t->early);
    arena_free(&t->tables);
    arena_free(&t->tree);
}

/* Every output must be valid UTF-8 (plan.json above all). */
static inline void fuzz_assert_utf8(const char *s, size_t n, const char *what)
{
    const char *end = s + n;
    while (s < end) {
        int k = utf8_seq_len(s, end);
        if (!k) {
            fprintf(stderr, "fuzz: %s is not valid UTF-8 at byte %zu\n", what, n - (size_t)(end - s));
            abort();
        }
        s += k;
    }
}

#endif
