/* diag.h: sources, byte offset -> line:col, caret rendering, error counts,
 * "did you mean" suggestions. Diagnostics are collected, then printed in
 * source order by diag_flush. */
#ifndef REPLC_DIAG_H
#define REPLC_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "arena.h"

typedef struct Span {
    int file;              /* index into DiagCtx.sources; -1: no location */
    unsigned start, end;   /* byte offsets, end exclusive */
} Span;

typedef struct Source {
    const char *name;      /* as the user wrote it (relative to the includer) */
    const char *text;      /* NULL while parked (diag_park_source) */
    size_t len;
    /* where each line starts (line_start in diag.c), compact when every
     * line is shorter than 256 bytes (memory: a byte a line, not four):
     * line_ck the byte offset of every DIAG_LINE_CK-th line, line_len each
     * line's length with its newline; else line_starts, every line's offset */
    unsigned *line_ck;
    unsigned char *line_len;
    unsigned *line_starts;
    int nlines;
    /* parked: the file to read the text from again, and what it was when
     * read (a file that changed since is not shown) */
    const char *path;
    unsigned long long dev, ino;
    long long mtime_s, mtime_ns;
    char *reread;          /* the text read again (malloc), while a diagnostic shows it */
} Source;

typedef enum { SEV_ERROR, SEV_WARNING } Severity;

typedef struct DiagNote {
    Span span;
    const char *msg;
} DiagNote;

typedef struct Diagnostic {
    Severity sev;
    Span span;
    const char *code;
    const char *msg;
    const char *hint;      /* full sentence, or NULL */
    Vec notes;             /* DiagNote *: secondary locations, at most DIAG_MAX_ERRORS */
    int dropped_notes;     /* notes past that many: counted, not kept */
    int seq;               /* order of report, to keep sorting stable */
} Diagnostic;

typedef struct DiagCtx {
    Arena *arena;
    int reread;            /* the parked source whose text is read again; -1: none */
    Vec sources;           /* Source * */
    Vec diags;             /* Diagnostic * */
    Vec redact;            /* Span *: source text never shown (literal passwords) */
    int nerrors, nwarnings;
    bool werror;
    bool color;
    int max_errors;        /* 0: DIAG_MAX_ERRORS; errors and warnings past it are counted, not kept */
    int dropped_errors, dropped_warnings;
    bool cut_short;        /* the parser stopped reading because of too many errors */
    Diagnostic sink;       /* what diag_error returns for a dropped diagnostic */
} DiagCtx;

/* At most this many errors (and as many warnings) are kept and shown, as
 * gcc's -fmax-errors; parsing stops once there are this many errors. */
enum { DIAG_MAX_ERRORS = 50 };
/* A source line longer than this many characters is shown as a window
 * around the caret, with "..." where it is cut. */
enum { DIAG_SNIPPET_WIDTH = 100 };
/* Longer messages and hints are cut (they may quote hostile input). */
enum { DIAG_MAX_MESSAGE = 1000 };

void diag_init(DiagCtx *d, Arena *arena);
int diag_add_source(DiagCtx *d, const char *name, const char *text, size_t len);
const Source *diag_source(const DiagCtx *d, int file);
/* The text of source file (read from path, whose fstat is st) need not
 * stay in memory: the caller may free it once parsed. A diagnostic that
 * shows it reads it again, if the file is still the same (device, inode,
 * size, modification time); else its line is not shown. */
struct stat;
void diag_park_source(DiagCtx *d, int file, const char *path, const struct stat *st);
/* Never show this source text in a snippet: it is masked with '*'. */
void diag_redact(DiagCtx *d, Span at);

Diagnostic *diag_error(DiagCtx *d, Span at, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Diagnostic *diag_warning(DiagCtx *d, Span at, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_note(DiagCtx *d, Diagnostic *dg, Span at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_hint(DiagCtx *d, Diagnostic *dg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Errors, counting warnings when --werror is on. */
int diag_error_count(const DiagCtx *d);
/* True once there are as many errors as are shown: parsing stops. */
bool diag_stopped(const DiagCtx *d);
/* The parser stops reading here: the summary says so. */
void diag_cut_short(DiagCtx *d);

/* The length of the valid UTF-8 sequence at p (1 to 4 bytes; an ASCII byte
 * is 1), or 0 when the bytes at p are not valid UTF-8 (a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, or cut
 * short by end). */
int utf8_seq_len(const char *p, const char *end);

/* 1-based line and column (column counts characters, a tab counts one). */
void diag_linecol(const DiagCtx *d, Span at, int *line, int *col);

/* Print every diagnostic, sorted by file and position, and a summary. */
void diag_flush(DiagCtx *d, FILE *out);

/* The closest candidate to word, or NULL when none is close enough. */
const char *diag_suggest(const char *word, const char *const *cands, int n);

Span span_join(Span a, Span b);

#endif
