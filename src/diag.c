/* diag.c: collect diagnostics and render them gcc-style with carets. */
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"

void diag_init(DiagCtx *d, Arena *arena)
{
    memset(d, 0, sizeof *d);
    d->arena = arena;
    d->reread = -1;
}

/* Source.line_ck: a checkpoint every this many lines */
enum { LINE_CK = 16 };

int diag_add_source(DiagCtx *d, const char *name, const char *text, size_t len)
{
    Source *s = arena_alloc(d->arena, sizeof *s);
    s->name = name;
    s->text = text;
    s->len = len;
    int n = 1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    bool short_lines = true;
    for (size_t i = 0, start = 0; i < len && short_lines; i++)
        if (text[i] == '\n') {
            short_lines = i + 1 - start < 256;
            start = i + 1;
        }
    if (short_lines) {
        s->line_ck = arena_alloc(d->arena, sizeof(unsigned) * ((size_t)n / LINE_CK + 1));
        s->line_len = arena_alloc(d->arena, (size_t)n);
        int k = 0;
        for (size_t i = 0, start = 0; i < len; i++)
            if (text[i] == '\n') {
                s->line_len[k++] = (unsigned char)(i + 1 - start);
                start = i + 1;
                if (k % LINE_CK == 0)
                    s->line_ck[k / LINE_CK] = (unsigned)start;
            }
    } else {
        s->line_starts = arena_alloc(d->arena, sizeof(unsigned) * (size_t)n);
        s->line_starts[0] = 0;
        int k = 1;
        for (size_t i = 0; i < len; i++)
            if (text[i] == '\n')
                s->line_starts[k++] = (unsigned)(i + 1);
    }
    s->nlines = n;
    vec_push(d->arena, &d->sources, s);
    return d->sources.n - 1;
}

const Source *diag_source(const DiagCtx *d, int file)
{
    if (file < 0 || file >= d->sources.n)
        return NULL;
    return d->sources.items[file];
}

void diag_park_source(DiagCtx *d, int file, const char *path, const struct stat *st)
{
    Source *s = (Source *)diag_source(d, file);
    if (!s)
        return;
    s->path = arena_strdup(d->arena, path);
    s->dev = (unsigned long long)st->st_dev;
    s->ino = (unsigned long long)st->st_ino;
    s->mtime_s = (long long)st->st_mtim.tv_sec;
    s->mtime_ns = (long long)st->st_mtim.tv_nsec;
    s->text = NULL;
}

/* A parked source's text read again, if the file is the one parsed; NULL if not. */
static char *read_again(const Source *s)
{
    int fd = open(s->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *t = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_dev == s->dev &&
        (unsigned long long)st.st_ino == s->ino && (size_t)st.st_size == s->len &&
        (long long)st.st_mtim.tv_sec == s->mtime_s && (long long)st.st_mtim.tv_nsec == s->mtime_ns &&
        (t = malloc(s->len + 1))) {
        size_t n = 0;
        while (n < s->len) {
            ssize_t r = read(fd, t + n, s->len - n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            n += (size_t)r;
        }
        if (n != s->len) {
            free(t);
            t = NULL;
        }
    }
    close(fd);
    return t;
}

/* The source of file with its text (read again when parked, one at a time);
 * NULL when there is none or its text cannot be had. */
static const Source *source_text(const DiagCtx *dc, int file)
{
    DiagCtx *d = (DiagCtx *)dc;   /* the text read again is a cache */
    Source *s = (Source *)diag_source(d, file);
    if (!s || s->text || s->reread)
        return s && (s->text || s->reread) ? s : NULL;
    if (d->reread >= 0) {
        Source *o = d->sources.items[d->reread];
        free(o->reread);
        o->reread = NULL;
        d->reread = -1;
    }
    if (!s->path || !(s->reread = read_again(s)))
        return NULL;
    d->reread = file;
    return s;
}

/* The text of a source that source_text returned */
static const char *text_of(const Source *s)
{
    return s->text ? s->text : s->reread;
}

void diag_redact(DiagCtx *d, Span at)
{
    Span *s = arena_alloc(d->arena, sizeof *s);
    *s = at;
    vec_push(d->arena, &d->redact, s);
}

static bool redacted(const DiagCtx *d, int file, unsigned off)
{
    for (int i = 0; i < d->redact.n; i++) {
        const Span *s = d->redact.items[i];
        if (s->file == file && off >= s->start && off < s->end)
            return true;
    }
    return false;
}

static int max_errors(const DiagCtx *d)
{
    return d->max_errors > 0 ? d->max_errors : DIAG_MAX_ERRORS;
}

/* Format into the arena; cut what is longer than DIAG_MAX_MESSAGE bytes
 * (at a character boundary) and mark the cut with "...". */
static char *vfmt(Arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *m = arena_alloc(a, (size_t)n + 1);
    vsnprintf(m, (size_t)n + 1, fmt, ap);
    if (n > DIAG_MAX_MESSAGE) {
        int k = DIAG_MAX_MESSAGE;
        while (k > 0 && (m[k] & 0xC0) == 0x80)
            k--;
        memcpy(m + k, "...", 4);
    }
    return m;
}

static Diagnostic *vreport(DiagCtx *d, Severity sev, Span at, const char *code,
                           const char *fmt, va_list ap)
{
    int *count = sev == SEV_ERROR ? &d->nerrors : &d->nwarnings;
    if (*count >= max_errors(d)) {
        /* counted, not kept: the caller's notes and hint go nowhere */
        (*count)++;
        if (sev == SEV_ERROR)
            d->dropped_errors++;
        else
            d->dropped_warnings++;
        memset(&d->sink, 0, sizeof d->sink);
        return &d->sink;
    }
    Diagnostic *dg = arena_alloc(d->arena, sizeof *dg);
    dg->sev = sev;
    dg->span = at;
    dg->code = code;
    dg->msg = vfmt(d->arena, fmt, ap);
    dg->seq = d->diags.n;
    vec_push(d->arena, &d->diags, dg);
    (*count)++;
    return dg;
}

Diagnostic *diag_error(DiagCtx *d, Span at, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diagnostic *dg = vreport(d, SEV_ERROR, at, code, fmt, ap);
    va_end(ap);
    return dg;
}

Diagnostic *diag_warning(DiagCtx *d, Span at, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diagnostic *dg = vreport(d, SEV_WARNING, at, code, fmt, ap);
    va_end(ap);
    return dg;
}

void diag_note(DiagCtx *d, Diagnostic *dg, Span at, const char *fmt, ...)
{
    if (dg == &d->sink)
        return;
    if (dg->notes.n >= max_errors(d)) {
        dg->dropped_notes++;
        return;
    }
    DiagNote *nt = arena_alloc(d->arena, sizeof *nt);
    nt->span = at;
    va_list ap;
    va_start(ap, fmt);
    nt->msg = vfmt(d->arena, fmt, ap);
    va_end(ap);
    vec_push(d->arena, &dg->notes, nt);
}

void diag_hint(DiagCtx *d, Diagnostic *dg, const char *fmt, ...)
{
    if (dg == &d->sink)
        return;
    va_list ap;
    va_start(ap, fmt);
    dg->hint = vfmt(d->arena, fmt, ap);
    va_end(ap);
}

int diag_error_count(const DiagCtx *d)
{
    return d->nerrors + (d->werror ? d->nwarnings : 0);
}

bool diag_stopped(const DiagCtx *d)
{
    return d->nerrors >= max_errors(d);
}

void diag_cut_short(DiagCtx *d)
{
    d->cut_short = true;
}

/* The byte offset where line l (0-based) starts. */
static unsigned line_start(const Source *s, int l)
{
    if (s->line_starts)
        return s->line_starts[l];
    unsigned at = s->line_ck[l / LINE_CK];
    for (int i = l - l % LINE_CK; i < l; i++)
        at += s->line_len[i];
    return at;
}

/* The line (0-based) that holds byte offset off. */
static int line_of(const Source *s, unsigned off)
{
    const unsigned *starts = s->line_starts ? s->line_starts : s->line_ck;
    int lo = 0, hi = s->line_starts ? s->nlines - 1 : (s->nlines - 1) / LINE_CK;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (starts[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (s->line_starts)
        return lo;
    int l = lo * LINE_CK;   /* then line by line from the checkpoint */
    for (unsigned at = starts[lo]; l + 1 < s->nlines && at + s->line_len[l] <= off; l++)
        at += s->line_len[l];
    return l;
}

int utf8_seq_len(const char *s, const char *end)
{
    const unsigned char *p = (const unsigned char *)s;
    if (s >= end)
        return 0;
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    int n;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;   /* a continuation byte, C0/C1 (overlong) or F5-FF */
    if (end - s < n)
        return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xF0 && p[1] < 0x90))
        return 0;   /* overlong */
    if (c == 0xED && p[1] > 0x9F)
        return 0;   /* UTF-16 surrogate */
    if (c == 0xF4 && p[1] > 0x8F)
        return 0;   /* past U+10FFFF */
    return n;
}

/* One character on: a valid UTF-8 sequence, or one byte of invalid text. */
static const char *next_char(const char *p, const char *end)
{
    int n = utf8_seq_len(p, end);
    return p + (n ? n : 1);
}

/* Characters from p to q (q at a character boundary); end: end of the text. */
static int chars_between(const char *p, const char *q, const char *end)
{
    int n = 0;
    while (p < q) {
        p = next_char(p, end);
        n++;
    }
    return n;
}

void diag_linecol(const DiagCtx *d, Span at, int *line, int *col)
{
    const Source *s = diag_source(d, at.file);
    if (!s) {
        *line = *col = 0;
        return;
    }
    unsigned off = at.start > s->len ? (unsigned)s->len : at.start;
    int l = line_of(s, off);
    *line = l + 1;
    const char *t = source_text(d, at.file) ? text_of(s) : NULL;
    /* (a parked file that changed since: bytes, not characters) */
    unsigned ls = line_start(s, l);
    *col = t ? chars_between(t + ls, t + off, t + s->len) + 1 : (int)(off - ls) + 1;
}

static const char *sev_name(const DiagCtx *d, Severity sev)
{
    if (sev == SEV_WARNING && !d->werror)
        return "warning";
    return "error";
}

static void put_color(const DiagCtx *d, StrBuf *b, const char *esc)
{
    if (d->color)
        sb_puts(b, esc);
}

/* Whether the text from p to le holds more than w characters. */
static bool longer_than(const char *p, const char *le, int w)
{
    for (int n = 0; p < le; n++) {
        if (n == w)
            return true;
        p = next_char(p, le);
    }
    return false;
}

/* One character of a source line as shown: redacted text as '*', control
 * characters other than tab and invalid UTF-8 as '?' (one column each, so
 * that the caret stays aligned). */
static void put_source_char(const DiagCtx *d, StrBuf *b, const Source *s, int file,
                            const char *p, const char *q)
{
    if (redacted(d, file, (unsigned)(p - text_of(s))))
        sb_putc(b, '*');
    else if (q - p > 1 && utf8_seq_len(p, q) == q - p)
        for (; p < q; p++)
            sb_putc(b, *p);
    else if ((*p != '\t' && (unsigned char)*p < 0x20) || (unsigned char)*p >= 0x80)
        sb_putc(b, '?');
    else
        sb_putc(b, *p);
}

/* Source line and a caret under the span: " 12 | text" / "    | ^~~~".
 * A line longer than DIAG_SNIPPET_WIDTH characters is shown as a window of
 * that many around the caret, with "..." on each side that is cut. */
static void render_snippet(const DiagCtx *d, StrBuf *b, Span at, const char *color)
{
    const Source *s = source_text(d, at.file);
    if (!s)
        return;
    const char *text = text_of(s);
    const char *end = text + s->len;
    unsigned off = at.start > s->len ? (unsigned)s->len : at.start;
    int l = line_of(s, off);
    const char *ls = text + line_start(s, l);
    const char *le = ls;
    while (le < end && *le != '\n')
        le++;
    if (le > ls && le[-1] == '\r')
        le--;
    const char *cs = text + off;
    if (cs > le)
        cs = le;
    const char *ce = text + (at.end > s->len ? s->len : at.end);
    if (ce > le)
        ce = le;
    if (ce < cs)
        ce = cs;
    int c0 = chars_between(ls, cs, end);     /* caret column, from 0 */
    int width = chars_between(cs, ce, end);  /* characters under the caret */
    int first = 0, last = -1;                /* columns shown: [first, last); -1: all */
    bool cut_left = false, cut_right = false;
    if (longer_than(ls, le, DIAG_SNIPPET_WIDTH)) {
        int total = chars_between(ls, le, end);
        first = c0 > DIAG_SNIPPET_WIDTH / 3 ? c0 - DIAG_SNIPPET_WIDTH / 3 : 0;
        if (total - first < DIAG_SNIPPET_WIDTH)
            first = total - DIAG_SNIPPET_WIDTH;
        last = first + DIAG_SNIPPET_WIDTH;
        cut_left = first > 0;
        cut_right = last < total;
        if (width > last - c0)
            width = last - c0;
    }
    char num[16];
    int w = snprintf(num, sizeof num, "%d", l + 1);
    sb_printf(b, " %s | ", num);
    if (cut_left)
        sb_puts(b, "...");
    int col = 0;
    for (const char *p = ls; p < le && (last < 0 || col < last); col++) {
        const char *q = next_char(p, le);
        if (col >= first)
            put_source_char(d, b, s, at.file, p, q);
        p = q;
    }
    if (cut_right)
        sb_puts(b, "...");
    sb_putc(b, '\n');
    sb_printf(b, " %*s | ", w, "");
    if (cut_left)
        sb_puts(b, "   ");
    col = 0;
    for (const char *p = ls; p < cs; col++) {
        if (col >= first)
            sb_putc(b, *p == '\t' && !redacted(d, at.file, (unsigned)(p - text)) ? '\t' : ' ');
        p = next_char(p, le);
    }
    put_color(d, b, color);
    sb_putc(b, '^');
    for (int i = 1; i < width; i++)
        sb_putc(b, '~');
    put_color(d, b, "\033[0m");
    sb_putc(b, '\n');
}

static void render_header(const DiagCtx *d, StrBuf *b, Span at, const char *kind,
                          const char *color, const char *msg, const char *code)
{
    const Source *s = diag_source(d, at.file);
    put_color(d, b, "\033[1m");
    if (s) {
        int line, col;
        diag_linecol(d, at, &line, &col);
        sb_printf(b, "%s:%d:%d: ", s->name, line, col);
    } else {
        sb_puts(b, "replc: ");
    }
    put_color(d, b, color);
    sb_printf(b, "%s:", kind);
    put_color(d, b, "\033[0m\033[1m");
    sb_printf(b, " %s", msg);
    put_color(d, b, "\033[0m");
    if (code)
        sb_printf(b, " [%s]", code);
    sb_putc(b, '\n');
}

static int cmp_diag(const void *pa, const void *pb)
{
    const Diagnostic *a = *(Diagnostic *const *)pa, *b = *(Diagnostic *const *)pb;
    if (a->span.file != b->span.file)
        return a->span.file < b->span.file ? -1 : 1;
    if (a->span.start != b->span.start)
        return a->span.start < b->span.start ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_flush(DiagCtx *d, FILE *out)
{
    if (d->diags.n == 0)
        return;
    qsort(d->diags.items, (size_t)d->diags.n, sizeof(void *), cmp_diag);
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < d->diags.n; i++) {
        Diagnostic *dg = d->diags.items[i];
        const char *kind = sev_name(d, dg->sev);
        const char *color = strcmp(kind, "error") == 0 ? "\033[1;31m" : "\033[1;35m";
        render_header(d, &b, dg->span, kind, color, dg->msg, dg->code);
        render_snippet(d, &b, dg->span, "\033[1;32m");
        for (int k = 0; k < dg->notes.n; k++) {
            DiagNote *nt = dg->notes.items[k];
            render_header(d, &b, nt->span, "note", "\033[1;36m", nt->msg, NULL);
            render_snippet(d, &b, nt->span, "\033[1;32m");
        }
        if (dg->dropped_notes)
            sb_printf(&b, "replc: note: %d more note%s like these not shown\n", dg->dropped_notes,
                      dg->dropped_notes == 1 ? "" : "s");
        if (dg->hint)
            sb_printf(&b, "hint: %s\n", dg->hint);
    }
    if (d->dropped_errors || d->cut_short)
        sb_printf(&b, "replc: note: too many errors; stopped after the first %d\n", max_errors(d));
    if (d->dropped_warnings)
        sb_printf(&b, "replc: note: %d more warning%s not shown\n", d->dropped_warnings,
                  d->dropped_warnings == 1 ? "" : "s");
    int ne = diag_error_count(d);
    int nw = d->werror ? 0 : d->nwarnings;
    if (ne || nw) {
        if (ne)
            sb_printf(&b, "%d error%s", ne, ne == 1 ? "" : "s");
        if (ne && nw)
            sb_puts(&b, " and ");
        if (nw)
            sb_printf(&b, "%d warning%s", nw, nw == 1 ? "" : "s");
        sb_puts(&b, " generated.\n");
    }
    fputs(b.s, out);
    sb_free(&b);
    d->diags.n = 0;
    if (d->reread >= 0) {   /* the text read again goes */
        Source *o = d->sources.items[d->reread];
        free(o->reread);
        o->reread = NULL;
        d->reread = -1;
    }
}

Span span_join(Span a, Span b)
{
    if (a.file != b.file)
        return a;
    Span r = a;
    if (b.start < r.start)
        r.start = b.start;
    if (b.end > r.end)
        r.end = b.end;
    return r;
}

/* Damerau-Levenshtein distance (optimal string alignment), bounded length. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int dm[65][65];
    for (size_t i = 0; i <= la; i++)
        dm[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        dm[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = dm[i - 1][j] + 1;
            if (dm[i][j - 1] + 1 < v)
                v = dm[i][j - 1] + 1;
            if (dm[i - 1][j - 1] + cost < v)
                v = dm[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                dm[i - 2][j - 2] + 1 < v)
                v = dm[i - 2][j - 2] + 1;
            dm[i][j] = v;
        }
    return dm[la][lb];
}

const char *diag_suggest(const char *word, const char *const *cands, int n)
{
    const char *best = NULL;
    int bestd = 99;
    size_t wl = strlen(word);
    int limit = wl <= 3 ? 1 : wl <= 8 ? 2 : 3;
    for (int i = 0; i < n; i++) {
        if (!cands[i] || strcmp(cands[i], word) == 0)
            continue;
        int dist = edit_distance(word, cands[i]);
        if (dist < bestd) {
            bestd = dist;
            best = cands[i];
        }
    }
    return bestd <= limit ? best : NULL;
}
