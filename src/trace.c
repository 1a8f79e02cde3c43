/* trace.c: --trace FILE, the Chrome trace-event JSON of one --apply (the
 * "JSON Object Format": {"traceEvents": [...]}, complete events "X" with ts
 * and dur in microseconds, metadata events "M" naming the process and one
 * thread per host row), and the critical path printed at the end. Strings
 * reach the JSON through quote.c's q_json only. */
#include "trace.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quote.h"
#include "strbuf.h"

#define EPS 0.0005   /* 0.5 ms: a step that starts "as" another ends was held up by it */

typedef struct TSpan {
    int row;
    char *name;
    const char *cat;
    double t0, t1;
    const Step *s;      /* the step it is, or is inside of (NULL: preflight) */
} TSpan;

typedef struct StepRec {
    const Step *s;
    int row;
    double t0, t1;
    bool begun, ended;
    const char *result;
    char *wait;         /* the wait in progress, since wait_t0 */
    double wait_t0;
} StepRec;

struct Trace {
    double origin;
    char *title;
    TSpan *spans;
    int nspans, capspans;
    StepRec *steps;     /* by step id - 1 */
    int nsteps;
    char **rows;        /* row names, by row */
    int nrows;
};

double trace_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *r = malloc(n + 1);
    if (r)
        memcpy(r, s ? s : "", n + 1);
    return r;
}

Trace *trace_new(const char *title)
{
    Trace *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->origin = trace_now();
    t->title = dup_str(title);
    trace_name_row(t, 0, "replc");
    return t;
}

void trace_free(Trace *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nspans; i++)
        free(t->spans[i].name);
    for (int i = 0; i < t->nsteps; i++)
        free(t->steps[i].wait);
    for (int i = 0; i < t->nrows; i++)
        free(t->rows[i]);
    free(t->spans);
    free(t->steps);
    free(t->rows);
    free(t->title);
    free(t);
}

void trace_name_row(Trace *t, int row, const char *name)
{
    if (!t || row < 0)
        return;
    if (row >= t->nrows) {
        char **r = realloc(t->rows, ((size_t)row + 1) * sizeof *r);
        if (!r)
            return;
        memset(r + t->nrows, 0, ((size_t)row + 1 - (size_t)t->nrows) * sizeof *r);
        t->rows = r;
        t->nrows = row + 1;
    }
    if (!t->rows[row])
        t->rows[row] = dup_str(name);
}

static void add_span(Trace *t, int row, const char *name, const char *cat, double t0, double t1, const Step *s)
{
    if (t->nspans == t->capspans) {
        int cap = t->capspans ? 2 * t->capspans : 64;
        TSpan *n = realloc(t->spans, (size_t)cap * sizeof *n);
        if (!n)
            return;
        t->spans = n;
        t->capspans = cap;
    }
    t->spans[t->nspans++] = (TSpan){row, dup_str(name), cat, t0, t1 < t0 ? t0 : t1, s};
}

void trace_span(Trace *t, int row, const char *name, const char *cat, double t0, double t1)
{
    if (t)
        add_span(t, row, name, cat, t0, t1, NULL);
}

static StepRec *rec(Trace *t, const Step *s)
{
    if (!t || !s || s->id < 1)
        return NULL;
    if (s->id > t->nsteps) {
        StepRec *r = realloc(t->steps, (size_t)s->id * sizeof *r);
        if (!r)
            return NULL;
        memset(r + t->nsteps, 0, ((size_t)s->id - (size_t)t->nsteps) * sizeof *r);
        t->steps = r;
        t->nsteps = s->id;
    }
    return &t->steps[s->id - 1];
}

void trace_step_begin(Trace *t, const Step *s, int row, double when)
{
    StepRec *r = rec(t, s);
    if (!r)
        return;
    r->s = s;
    r->row = row;
    r->t0 = r->t1 = when;
    r->begun = true;
    if (s->node && row > 0) {
        StrBuf b;
        sb_init(&b);
        sb_printf(&b, "%s (%s)", s->node->name, s->node->host ? s->node->host : "?");
        trace_name_row(t, row, b.s);
        sb_free(&b);
    }
}

static void close_wait(Trace *t, StepRec *r, double when)
{
    if (!r->wait)
        return;
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "waiting for %s", r->wait);
    add_span(t, r->row, b.s, "wait", r->wait_t0, when, r->s);
    sb_free(&b);
    free(r->wait);
    r->wait = NULL;
}

/* How much of a "waiting for" text names the wait: not the last error a
 * wait shows, nor the dots pg_ctl adds while it waits. */
static size_t wait_key(const char *w)
{
    const char *e = strstr(w, " (last error: "), *d = strstr(w, "...");
    size_t n = strlen(w);
    if (e && (size_t)(e - w) < n)
        n = (size_t)(e - w);
    if (d && (size_t)(d - w) < n)
        n = (size_t)(d - w);
    return n;
}

void trace_step_wait(Trace *t, const Step *s, const char *what, double when)
{
    StepRec *r = rec(t, s);
    if (!r || !r->begun || r->ended)
        return;
    size_t n = what ? wait_key(what) : 0;
    if (r->wait && what && strlen(r->wait) == n && strncmp(r->wait, what, n) == 0)
        return;   /* the same wait goes on */
    close_wait(t, r, when);
    if (what && (r->wait = malloc(n + 1))) {
        memcpy(r->wait, what, n);
        r->wait[n] = '\0';
        r->wait_t0 = when;
    }
}

void trace_step_end(Trace *t, const Step *s, const char *result, double when)
{
    StepRec *r = rec(t, s);
    if (!r || !r->begun)
        return;
    close_wait(t, r, when);
    r->t1 = when;
    r->ended = true;
    r->result = result;
}

/* ---- the JSON ---- */

static long long us(const Trace *t, double when)
{
    double d = (when - t->origin) * 1e6;
    return d < 0 ? 0 : (long long)(d + 0.5);
}

static void json_event(StrBuf *b, const Trace *t, int row, const char *name, const char *cat, double t0,
                       double t1)
{
    sb_puts(b, ",\n{\"ph\": \"X\", \"pid\": 1, \"tid\": ");
    sb_printf(b, "%d, \"ts\": %lld, \"dur\": %lld, \"cat\": ", row, us(t, t0), us(t, t1) - us(t, t0));
    q_json(b, cat);
    sb_puts(b, ", \"name\": ");
    q_json(b, name);
}

static void json_step(StrBuf *b, const Trace *t, const StepRec *r)
{
    const Step *s = r->s;
    json_event(b, t, r->row, s->name ? s->name : s->file, "step", r->t0, r->t1);
    sb_puts(b, ", \"args\": {\"id\": ");
    sb_printf(b, "%d, \"node\": ", s->id);
    q_json(b, s->node ? s->node->name : "");
    sb_puts(b, ", \"host\": ");
    q_json(b, s->node && s->node->host ? s->node->host : "");
    sb_puts(b, ", \"file\": ");
    q_json(b, s->file ? s->file : "");
    sb_puts(b, ", \"what\": ");
    q_json(b, s->what ? s->what : "");
    sb_puts(b, ", \"result\": ");
    q_json(b, r->ended ? r->result : "unfinished");
    sb_puts(b, ", \"deps\": [");
    for (int k = 0; k < s->deps.n; k++) {
        const Step *d = s->deps.items[k];
        sb_puts(b, k ? ", " : "");
        q_json(b, d->name ? d->name : d->file);
    }
    sb_puts(b, "]}}");
}

int trace_write(const Trace *t, const char *path)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n");
    sb_puts(&b, "{\"ph\": \"M\", \"pid\": 1, \"name\": \"process_name\", \"args\": {\"name\": ");
    q_json(&b, t->title);
    sb_puts(&b, "}}");
    for (int i = 0; i < t->nrows; i++) {
        if (!t->rows[i])
            continue;
        sb_printf(&b, ",\n{\"ph\": \"M\", \"pid\": 1, \"tid\": %d, \"name\": \"thread_name\", \"args\": {\"name\": ", i);
        q_json(&b, t->rows[i]);
        sb_printf(&b, "}},\n{\"ph\": \"M\", \"pid\": 1, \"tid\": %d, \"name\": \"thread_sort_index\", "
                      "\"args\": {\"sort_index\": %d}}", i, i);
    }
    for (int i = 0; i < t->nsteps; i++)
        if (t->steps[i].begun)
            json_step(&b, t, &t->steps[i]);
    for (int i = 0; i < t->nspans; i++) {
        const TSpan *sp = &t->spans[i];
        json_event(&b, t, sp->row, sp->name, sp->cat, sp->t0, sp->t1);
        if (sp->s) {
            sb_puts(&b, ", \"args\": {\"step\": ");
            q_json(&b, sp->s->name ? sp->s->name : sp->s->file);
            sb_puts(&b, "}");
        }
        sb_puts(&b, "}");
    }
    sb_puts(&b, "\n]}\n");
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(b.s, 1, b.len, f) == b.len;
    int err = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    sb_free(&b);
    if (!ok) {
        fprintf(stderr, "replc: cannot write the trace '%s': %s\n", path, strerror(err));
        return -1;
    }
    return 0;
}

/* ---- the critical path ---- */

/* What held r up: of its dependencies and the steps before it on its row,
 * the one that ended last before r started; NULL when none did. */
static const StepRec *held_by(const Trace *t, const StepRec *r)
{
    const StepRec *best = NULL;
    for (int k = 0; k < r->s->deps.n; k++) {
        const Step *d = r->s->deps.items[k];
        const StepRec *q = d->id >= 1 && d->id <= t->nsteps ? &t->steps[d->id - 1] : NULL;
        if (q && q->ended && q->t1 <= r->t0 + EPS && (!best || q->t1 > best->t1))
            best = q;
    }
    for (int i = 0; i < t->nsteps; i++) {
        const StepRec *q = &t->steps[i];
        if (q != r && q->ended && q->row == r->row && q->t1 <= r->t0 + EPS && (!best || q->t1 > best->t1))
            best = q;
    }
    return best;
}

void trace_critical_path(const Trace *t, FILE *f, double end)
{
    const StepRec *last = NULL;
    for (int i = 0; i < t->nsteps; i++)
        if (t->steps[i].ended && (!last || t->steps[i].t1 > last->t1))
            last = &t->steps[i];
    if (!last)
        return;
    /* walk back, then print forward */
    int n = 0;
    const StepRec **chain = calloc((size_t)t->nsteps + 1, sizeof *chain);
    if (!chain)
        return;
    for (const StepRec *r = last; r && n < t->nsteps; r = held_by(t, r))
        chain[n++] = r;
    double on_path = 0;
    for (int i = 0; i < n; i++)
        on_path += chain[i]->t1 - chain[i]->t0;
    const TSpan *pre = NULL;   /* the preflight, when the chain starts after it */
    for (int i = 0; i < t->nspans; i++)
        if (t->spans[i].row == 0 && strcmp(t->spans[i].name, "preflight") == 0 && t->spans[i].t1 <= chain[n - 1]->t0 + EPS)
            pre = &t->spans[i];
    if (pre)
        on_path += pre->t1 - pre->t0;
    fprintf(f, "critical path: %d step(s)%s, %.2fs of the %.2fs total (start, duration, node, step):\n", n,
            pre ? " after the preflight" : "", on_path, end - t->origin);
    if (pre)
        fprintf(f, "  %7.2fs %7.2fs  (preflight)\n", pre->t0 - t->origin, pre->t1 - pre->t0);
    for (int i = n - 1; i >= 0; i--) {
        const StepRec *r = chain[i];
        fprintf(f, "  %7.2fs %7.2fs  %s  %s\n", r->t0 - t->origin, r->t1 - r->t0,
                r->s->node ? r->s->node->name : "?", r->s->file ? r->s->file : "?");
    }
    fflush(f);
    free(chain);
}
