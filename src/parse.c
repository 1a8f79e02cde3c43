/* parse.c: read .rc files, drive the scanner and parser, handle include. */
#include "parse.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int lex_keyword(const char *s)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(s, keywords[i].word) == 0)
            return keywords[i].token;
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

/* Unescape a quoted string token: \" \' and \\ are the only escapes. */
int lex_unescape(struct LexState *ls, RCSTYPE *v, RCLTYPE *l, const char *s, size_t n)
{
    char *out = arena_alloc(ls->p->arena, n);
    size_t k = 0;
    int ok = 1;
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
    int file = diag_add_source(p->diag, name, text, len);
    int saved_file = p->file;
    p->file = file;
    struct LexState ls = {p, file, 0};
    yyscan_t scanner;
    rclex_init_extra(&ls, &scanner);
    YY_BUFFER_STATE buf = rc_scan_bytes(text, (int)len, scanner);
    rcparse(scanner, p);
    rc_delete_buffer(buf, scanner);
    rclex_destroy(scanner);
    p->file = saved_file;
}

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
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

bool parse_file(Parser *p, const char *path, Span from)
{
    const char *shown = path;
    if (from.file >= 0 && path[0] != '/')
        shown = arena_printf(p->arena, "%s%s", p->dir ? p->dir : "", path);
    if (from.file >= 0 && (strchr(path, '\n') || strchr(path, '\r'))) {
        diag_error(p->diag, from, "name-line-break", "file name contains a line break");
        return false;
    }
    FILE *f = strcmp(shown, "-") == 0 ? stdin : fopen(shown, "rb");
    if (!f) {
        if (from.file >= 0)
            diag_error(p->diag, from, "include-missing", "cannot read included file '%s': %s",
                       shown, strerror(errno));
        else
            fprintf(stderr, "replc: cannot read '%s': %s\n", shown, strerror(errno));
        return false;
    }
    char canon_buf[PATH_MAX];
    const char *canon = shown;
    if (f != stdin && realpath(shown, canon_buf))
        canon = canon_buf;
    canon = arena_strdup(p->arena, canon);
    if (in_vec(&p->stack, canon)) {
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
        fclose(f);
        return true;
    }
    if (in_vec(&p->loaded, canon)) {   /* included once */
        if (f != stdin)
            fclose(f);
        return true;
    }
    size_t len = 0;
    char *text = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!text) {
        fprintf(stderr, "replc: cannot read '%s'\n", shown);
        return false;
    }
    char *owned = arena_strndup(p->arena, text, len);
    free(text);
    vec_push(p->arena, &p->loaded, (void *)canon);
    vec_push(p->arena, &p->stack, (void *)canon);
    vec_push(p->arena, &p->stack_names, (void *)shown);
    const char *saved_dir = p->dir;
    p->dir = dir_of(p->arena, shown);
    parse_text(p, shown, owned, len);
    p->dir = saved_dir;
    p->stack.n--;
    p->stack_names.n--;
    return true;
}
