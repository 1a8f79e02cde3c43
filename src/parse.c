/* parse.c: read .rc files, drive the scanner and parser, handle include. */
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../grammar/lex.h"
#include "replc.tab.h"
#include "replc.yy.h"

static const struct {
    const char *word;
    int token;
} keywords[] = {
    {"all", K_ALL},         {"cluster", K_CLUSTER},   {"defaults", K_DEFAULTS},
    {"env", K_ENV},         {"file", K_FILE},         {"from", K_FROM},
    {"full", K_FULL},       {"identity", K_IDENTITY}, {"include", K_INCLUDE},
    {"key", K_KEY},         {"node", K_NODE},         {"not", K_NOT},
    {"null", K_NULL},       {"password", K_PASSWORD}, {"primary", K_PRIMARY},
    {"publish", K_PUBLISH}, {"replica", K_REPLICA},   {"set", K_SET},
    {"standby", K_STANDBY}, {"subscribe", K_SUBSCRIBE}, {"table", K_TABLE},
    {"tables", K_TABLES},   {"to", K_TO},             {"with", K_WITH},
};

int lex_keyword(const char *s, const char **word)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(s, keywords[i].word) == 0) {
            *word = keywords[i].word;
            return keywords[i].token;
        }
    return 0;
}

void lex_error(struct LexState *ls, Span at, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_error(ls->p->diag, at, "lexical", "%s", buf);
}

bool lex_check_utf8(struct LexState *ls, const Span *at, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int k = utf8_seq_len(s + i, s + n);
        if (k) {
            i += (size_t)k;
            continue;
        }
        Span bad = {at->file, at->start + (unsigned)i, at->start + (unsigned)i + 1};
        diag_error(ls->p->diag, bad, "lexical", "invalid UTF-8: byte 0x%02x is not part of a valid character",
                   (unsigned char)s[i]);
        return false;
    }
    return true;
}

static size_t word_hash(const char *s, size_t n)
{
    size_t h = 2166136261u;   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

const char *lex_word(struct LexState *ls, const char *s, size_t n)
{
    Parser *p = ls->p;
    if (p->words_n * 2 >= p->words_cap) {   /* at most half full */
        size_t cap = p->words_cap ? p->words_cap * 2 : 1024;
        const char **w = calloc(cap, sizeof *w);
        if (!w) {
            fputs("replc: out of memory\n", stderr);
            abort();
        }
        for (size_t i = 0; i < p->words_cap; i++) {
            if (!p->words[i])
                continue;
            size_t k = word_hash(p->words[i], strlen(p->words[i])) & (cap - 1);
            while (w[k])
                k = (k + 1) & (cap - 1);
            w[k] = p->words[i];
        }
        free(p->words);
        p->words = w;
        p->words_cap = cap;
    }
    size_t k = word_hash(s, n) & (p->words_cap - 1);
    for (; p->words[k]; k = (k + 1) & (p->words_cap - 1))
        if (strncmp(p->words[k], s, n) == 0 && p->words[k][n] == '\0')
            return p->words[k];
    p->words_n++;
    return p->words[k] = arena_strndup(p->arena, s, n);
}

/* Unescape a quoted string token: \" \' and \\ are the only escapes. */
int lex_unescape(struct LexState *ls, RCSTYPE *v, RCLTYPE *l, const char *s, size_t n)
{
    char *out = arena_alloc(ls->p->arena, n);
    size_t k = 0;
    int ok = 1;
    Span inner = {l->file, l->start + 1, l->end - 1};
    if (n >= 2 && !lex_check_utf8(ls, &inner, s + 1, n - 2))
        ok = 0;   /* reported at the first bad byte; each bad byte is read as '?' */
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\') {
            char c = s[i + 1];
            if (c == '"' || c == '\\' || c == '\'') {
                out[k++] = c;
                i++;
                continue;
            }
            Span at = {l->file, l->start + (unsigned)i, l->start + (unsigned)i + 2};
            diag_error(ls->p->diag, at, "lexical",
                       "unknown escape '\\%c' in string (only \\\" and \\\\ are escapes)", c);
            ok = 0;
            continue;
        }
        if (s[i] == '\0') {
            Span at = {l->file, l->start + (unsigned)i, l->start + (unsigned)i + 1};
            diag_error(ls->p->diag, at, "lexical", "NUL byte in string");
            ok = 0;
            continue;
        }
        if ((unsigned char)s[i] >= 0x80) {
            int len = utf8_seq_len(s + i, s + n - 1);
            if (!len) {
                out[k++] = '?';
                continue;
            }
            memcpy(out + k, s + i, (size_t)len);
            k += (size_t)len;
            i += (size_t)len - 1;
            continue;
        }
        out[k++] = s[i];
    }
    out[k] = '\0';
    v->word.s = out;
    v->word.span = *l;
    v->word.kind = W_STRING;
    return ok;
}

void parse_text(Parser *p, const char *name, const char *text, size_t len)
{
    if (len && !memchr(text, '\n', len) && memchr(text, '\r', len)) {
        /* CR line endings only: read each CR as LF (same offsets) */
        char *t = arena_strndup(p->arena, text, len);
        for (size_t i = 0; i < len; i++)
            if (t[i] == '\r')
                t[i] = '\n';
        text = t;
    }
    int file = diag_add_source(p->diag, name, text, len);
    int saved_file = p->file;
    p->file = file;
    ProgramPart *saved_part = p->part;
    const char **saved_words = p->words;   /* (an including file's) */
    size_t saved_cap = p->words_cap, saved_n = p->words_n;
    p->words = NULL;
    p->words_cap = p->words_n = 0;
    if (p->parts && p->tree) {
        p->part = arena_alloc(p->arena, sizeof *p->part);
        arena_init(&p->part->arena);
        arena_init(&p->part->tables);
        p->part->last_table = -1;
        arena_init(&p->part->early);
        arena_init(&p->part->pubs);
        p->part->last_node = -1;
        vec_push(p->arena, &p->prog->parts, p->part);   /* (outlives the tree) */
    }
    Arena scratch, *saved_scratch = p->scratch;
    arena_init(&scratch);
    p->scratch = &scratch;
    struct LexState ls = {p, file, 0};
    yyscan_t scanner;
    rclex_init_extra(&ls, &scanner);
    YY_BUFFER_STATE buf = rc_scan_bytes(text, (int)len, scanner);
    rcparse(scanner, p);
    rc_delete_buffer(buf, scanner);
    rclex_destroy(scanner);
    p->file = saved_file;
    p->part = saved_part;
    p->scratch = saved_scratch;
    arena_free(&scratch);
    free(p->words);   /* the names stay; the table of them goes */
    p->words = saved_words;
    p->words_cap = saved_cap;
    p->words_n = saved_n;
}

void program_free_parts(const Program *prog)
{
    for (int i = 0; i < prog->parts.n; i++) {
        ProgramPart *part = prog->parts.items[i];
        arena_free(&part->arena);
        arena_free(&part->tables);
        arena_free(&part->early);
        arena_free(&part->pubs);
    }
}

/* Report that a file cannot be read: at the include, or for the top file
 * on standard error. */
static void cannot_read(Parser *p, Span from, const char *code, const char *shown, const char *why)
{
    if (from.file >= 0)
        diag_error(p->diag, from, code, "cannot read included file '%s': %s", shown, why);
    else
        fprintf(stderr, "replc: cannot read '%s': %s\n", shown, why);
}

static const char *too_large(Arena *a)
{
    return arena_printf(a, "it is larger than %d MiB, the most replc reads", PARSE_MAX_FILE_MIB);
}

/* Read all of fd, at most PARSE_MAX_FILE_MIB, into a buffer to free. NULL
 * after reporting why not. */
static char *read_fd(Parser *p, int fd, Span from, const char *shown, size_t *len)
{
    size_t max = (size_t)PARSE_MAX_FILE_MIB << 20;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        cannot_read(p, from, "include-missing", shown, strerror(ENOMEM));
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                cannot_read(p, from, "file-too-large", shown, too_large(p->arena));
                return NULL;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                cannot_read(p, from, "include-missing", shown, strerror(ENOMEM));
                return NULL;
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            cannot_read(p, from, "include-missing", shown, strerror(e));
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        free(buf);
        cannot_read(p, from, "file-too-large", shown, too_large(p->arena));
        return NULL;
    }
    *len = n;
    return buf;
}

/* Open a file to parse: regular files only (a directory, a device or a
 * fifo could block or never end), of at most PARSE_MAX_FILE_MIB. Returns
 * the descriptor, or -1 after reporting why not. */
static int open_source(Parser *p, const char *shown, Span from)
{
    int fd = open(shown, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        cannot_read(p, from, "include-missing", shown, strerror(e));
        return -1;
    }
    const char *why = NULL;
    if (S_ISDIR(st.st_mode))
        why = "it is a directory, not a file";
    else if (!S_ISREG(st.st_mode))
        why = "it is not a regular file (a device, a fifo or a socket)";
    else if ((unsigned long long)st.st_size > (unsigned long long)PARSE_MAX_FILE_MIB << 20)
        why = too_large(p->arena);
    if (why) {
        close(fd);
        cannot_read(p, from, S_ISREG(st.st_mode) ? "file-too-large" : "include-missing", shown, why);
        return -1;
    }
    /* a regular file: reads do not block; back to ordinary reads anyway */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

static const char *dir_of(Arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return "";
    return arena_strndup(a, path, (size_t)(slash - path) + 1);
}

static bool in_vec(const Vec *v, const char *s)
{
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->items[i], s) == 0)
            return true;
    return false;
}

static void report_cycle(Parser *p, Span from, const char *shown, const char *canon)
{
    Diagnostic *dg = diag_error(p->diag, from, "include-cycle", "include cycle: '%s' includes itself", shown);
    StrBuf b;
    sb_init(&b);
    int start = 0;
    for (int i = 0; i < p->stack.n; i++)
        if (strcmp(p->stack.items[i], canon) == 0)
            start = i;
    for (int i = start; i < p->stack_names.n; i++)
        sb_printf(&b, "'%s' -> ", (const char *)p->stack_names.items[i]);
    sb_printf(&b, "'%s'", shown);
    diag_hint(p->diag, dg, "The includes form a cycle: %s.", b.s);
    sb_free(&b);
}

bool parse_file(Parser *p, const char *path, Span from)
{
    const char *shown = path;
    if (from.file >= 0 && path[0] != '/')
        shown = arena_printf(p->arena, "%s%s", p->dir ? p->dir : "", path);
    if (from.file >= 0 && (strchr(path, '\n') || strchr(path, '\r'))) {
        diag_error(p->diag, from, "name-line-break", "file name contains a line break");
        return false;
    }
    if (from.file >= 0 && diag_stopped(p->diag)) {
        diag_cut_short(p->diag);   /* too many errors already: read no more */
        return false;
    }
    if (from.file >= 0 && p->stack.n >= PARSE_MAX_INCLUDE_DEPTH) {
        Diagnostic *dg = diag_error(p->diag, from, "include-depth",
                                    "includes nest more than %d files deep", PARSE_MAX_INCLUDE_DEPTH);
        diag_hint(p->diag, dg, "The chain starts at '%s'. Include the files from fewer levels, "
                               "for example all of them from the top file.",
                  (const char *)p->stack_names.items[0]);
        return false;
    }
    char canon_buf[PATH_MAX];
    const char *canon = shown;
    const char *text = NULL;
    size_t len = 0;
    int fd = -1;
    if (p->read_include) {
        if (!p->read_include(p->read_ctx, shown, &text, &len)) {
            cannot_read(p, from, "include-missing", shown, strerror(ENOENT));
            return false;
        }
        if (len > (size_t)PARSE_MAX_FILE_MIB << 20) {
            cannot_read(p, from, "file-too-large", shown, too_large(p->arena));
            return false;
        }
    } else if (strcmp(shown, "-") == 0) {
        fd = 0;
    } else {
        fd = open_source(p, shown, from);
        if (fd < 0)
            return false;
        if (realpath(shown, canon_buf))
            canon = canon_buf;
    }
    canon = arena_strdup(p->arena, canon);
    if (in_vec(&p->stack, canon)) {
        report_cycle(p, from, shown, canon);
        if (fd > 0)
            close(fd);
        return true;
    }
    if (map_get(&p->loaded, canon)) {   /* included once */
        if (fd > 0)
            close(fd);
        return true;
    }
    char *buf = NULL;      /* the text read, to free */
    struct stat st;
    bool park = false;     /* a file's text need not stay in memory: diagnostics read it again */
    if (fd >= 0) {
        buf = read_fd(p, fd, from, shown, &len);
        park = fd > 0 && fstat(fd, &st) == 0;
        if (fd > 0)
            close(fd);
        if (!buf)
            return false;
        text = buf;
        if (!park) {   /* standard input: kept */
            text = arena_strndup(p->arena, buf, len);
            free(buf);
            buf = NULL;
        }
    }
    map_put(p->arena, &p->loaded, canon, (void *)canon);
    vec_push(p->arena, &p->stack, (void *)canon);
    vec_push(p->arena, &p->stack_names, (void *)shown);
    const char *saved_dir = p->dir;
    p->dir = dir_of(p->arena, shown);
    int file = p->diag->sources.n;   /* the source parse_text adds first */
    parse_text(p, shown, text, len);
    if (buf) {
        /* (CR line endings only: parse_text read a copy, which stays) */
        if (diag_source(p->diag, file)->text == buf)
            diag_park_source(p->diag, file, shown, &st);
        free(buf);
    }
    p->dir = saved_dir;
    p->stack.n--;
    p->stack_names.n--;
    return true;
}
