/* exec.c: the apply loop. One poll() loop, no threads: start the ready steps
 * (every dependency ended ok, changed or would-change), the one with the
 * longest chain of steps after it first, up to -j at once and one at a time
 * per host; wait on what the running jobs wait on; reap whichever finishes, print its output whole; on a failure mark its
 * dependents not run and let independent steps go on. How a step runs is the
 * Runner's business; this file only schedules and reports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "exec.h"
#include "strbuf.h"

#define FDS_PER_JOB 8          /* pollfd entries a job may ask for */
#define POLL_CAP_MS 100        /* notice a signal (and anything else) within this long */
#define REPORT_EVERY 10.0      /* not a tty: what running jobs wait for, every 10 s */

enum { ST_PENDING, ST_RUNNING, ST_DONE };

typedef struct Running {
    const Step *s;
    Job *job;
    double t0;
    int ordinal;               /* n in [n/m]: the order it started in */
    int npfd;                  /* its slice of the pollfd array */
    bool done;                 /* advance() said it finished */
} Running;

typedef struct Exec {
    const Plan *p;
    Runner *r;
    const ExecOptions *o;
    StepResult *results;
    int n;                     /* steps */
    int jobs;
    char *state;               /* ST_* per step (index id - 1) */
    int *waiting;              /* unfinished dependencies per step */
    int *dep_start, *dep_list; /* dependents of step i: dep_list[dep_start[i] .. dep_start[i+1]) */
    int *order;                /* step indexes, the longest remaining chain first (then plan order) */
    char *node_busy;           /* per node index: a step of it runs */
    int nnodes;
    int *server;               /* per node index: the first node with its host and port */
    Running *run;              /* running jobs, nrun of them */
    int nrun;
    struct pollfd *pfd;
    int started;
    int node_w, file_w;        /* column widths of the progress lines */
    double t_start;
    double next_report;
    bool status_shown;         /* tty: a status line is on screen */
    char *status_last;         /* what it showed */
    bool failed;               /* some step failed */
} Exec;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Display width: code points, so a UTF-8 name pads like it looks. */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

static void put_padded(FILE *f, const char *s, int w)
{
    fputs(s, f);
    for (int k = width(s); k < w; k++)
        fputc(' ', f);
}

static const char *node_name(const Step *s)
{
    return s->node && s->node->name ? s->node->name : "?";
}

static const char *file_name(const Step *s)
{
    return s->file ? s->file : "?";
}

static int node_index(const Exec *e, const Step *s)
{
    if (!s->node || s->node->index < 0 || s->node->index >= e->nnodes)
        return -1;
    return e->server ? e->server[s->node->index] : s->node->index;
}

/* Each line of text, indented by 4 spaces; a missing final newline added. */
static void put_indented(FILE *f, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len)
            fputs("    ", f);
        fwrite(p, 1, len, f);
        fputc('\n', f);
        p += len + (nl ? 1 : 0);
    }
}

/* ---- tty status line ---- */

static void status_clear(Exec *e)
{
    if (e->status_shown) {
        fputs("\r\033[K", e->o->out);
        e->status_shown = false;
        free(e->status_last);
        e->status_last = NULL;
    }
}

static int term_columns(FILE *f)
{
    struct winsize ws;
    int fd = fileno(f);
    if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

static const char *waiting_text(Exec *e, Running *rj)
{
    const char *w = e->r->waiting_for ? e->r->waiting_for(e->r, rj->job) : NULL;
    return w && *w ? w : NULL;
}

static void status_draw(Exec *e, double t)
{
    if (!e->o->tty || e->o->quiet)
        return;
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < e->nrun; i++) {
        Running *rj = &e->run[i];
        const char *w = waiting_text(e, rj);
        sb_printf(&b, "%s%s: ", i ? ", " : "", node_name(rj->s));
        if (w)
            sb_printf(&b, "waiting for %s", w);
        else
            sb_printf(&b, "%s", file_name(rj->s));
        sb_printf(&b, " (%ds)", (int)(t - rj->t0));
    }
    if (b.len == 0) {
        status_clear(e);
        sb_free(&b);
        return;
    }
    /* one line only, or \r cannot take it back: cut at the terminal's width,
     * never inside a UTF-8 sequence */
    int cols = term_columns(e->o->out) - 1;
    size_t cut = 0;
    int w = 0;
    for (; cut < b.len; cut++) {
        unsigned char c = (unsigned char)b.s[cut];
        if (c < 0x20)
            b.s[cut] = ' ';
        if ((c & 0xC0) != 0x80 && ++w > cols)
            break;
    }
    b.s[cut] = '\0';
    if (!e->status_last || strcmp(e->status_last, b.s) != 0) {
        fprintf(e->o->out, "\r%s\033[K", b.s);
        fflush(e->o->out);
        free(e->status_last);
        e->status_last = b.s;
        e->status_shown = true;
    } else {
        sb_free(&b);
    }
}

/* Not a tty: every 10 s, one line per running job. */
static void report_waiting(Exec *e, double t)
{
    if (e->o->tty || e->o->quiet || e->nrun == 0 || t < e->next_report)
        return;
    for (int i = 0; i < e->nrun; i++) {
        Running *rj = &e->run[i];
        const char *w = waiting_text(e, rj);
        if (w)
            fprintf(e->o->out, "... %s: waiting for %s (%ds)\n", node_name(rj->s), w, (int)(t - rj->t0));
        else
            fprintf(e->o->out, "... %s: running %s (%ds)\n", node_name(rj->s), file_name(rj->s), (int)(t - rj->t0));
    }
    fflush(e->o->out);
    e->next_report = t + REPORT_EVERY;
}

/* ---- scheduling ---- */

typedef struct Prio {
    long chain;                /* the step's cost and its longest chain of dependents' (plan.h: step_cost) */
    int i;
} Prio;

static int prio_cmp(const void *a, const void *b)
{
    const Prio *x = a, *y = b;
    if (x->chain != y->chain)
        return x->chain > y->chain ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The order start_ready looks at steps in: like ninja's critical-path
 * scheduling, of the ready steps the one with the longest chain of steps
 * after it starts first, so the chain that sets the total is never held up
 * behind steps that could wait; equal chains in plan order. The plan's
 * order is topological: a step's dependents come after it. */
static bool order_by_chain(Exec *e)
{
    int n = e->n;
    Prio *pr = calloc((size_t)n + 1, sizeof *pr);
    e->order = calloc((size_t)n + 1, sizeof *e->order);
    if (!pr || !e->order) {
        free(pr);
        return false;
    }
    for (int i = n - 1; i >= 0; i--) {
        const Step *s = e->p->steps.items[i];
        long longest = 0;
        for (int k = e->dep_start[i]; k < e->dep_start[i + 1]; k++) {
            int j = e->dep_list[k];
            if (j > i && pr[j].chain > longest)
                longest = pr[j].chain;
        }
        pr[i].chain = step_cost(s->kind) + longest;
        pr[i].i = i;
    }
    qsort(pr, (size_t)n, sizeof *pr, prio_cmp);
    for (int i = 0; i < n; i++)
        e->order[i] = pr[i].i;
    free(pr);
    return true;
}

static bool build(Exec *e)
{
    int n = e->n;
    e->state = calloc((size_t)n + 1, 1);
    e->waiting = calloc((size_t)n + 1, sizeof *e->waiting);
    e->dep_start = calloc((size_t)n + 2, sizeof *e->dep_start);
    if (!e->state || !e->waiting || !e->dep_start)
        return false;
    int edges = 0, maxnode = -1;
    for (int i = 0; i < n; i++) {
        const Step *s = e->p->steps.items[i];
        if (s->node && s->node->index > maxnode)
            maxnode = s->node->index;
        if (width(node_name(s)) > e->node_w)
            e->node_w = width(node_name(s));
        if (width(file_name(s)) > e->file_w)
            e->file_w = width(file_name(s));
        for (int k = 0; k < s->deps.n; k++) {
            const Step *d = s->deps.items[k];
            if (d && d->id >= 1 && d->id <= n && d->id != s->id) {
                e->waiting[s->id - 1]++;
                e->dep_start[d->id - 1]++;
                edges++;
            }
        }
    }
    /* counts -> start offsets, then fill */
    for (int i = 0, sum = 0; i <= n; i++) {
        int c = e->dep_start[i];
        e->dep_start[i] = sum;
        sum += c;
    }
    e->dep_list = malloc(((size_t)edges + 1) * sizeof *e->dep_list);
    int *fill = calloc((size_t)n + 1, sizeof *fill);
    if (!e->dep_list || !fill) {
        free(fill);
        return false;
    }
    for (int i = 0; i < n; i++) {
        const Step *s = e->p->steps.items[i];
        for (int k = 0; k < s->deps.n; k++) {
            const Step *d = s->deps.items[k];
            if (d && d->id >= 1 && d->id <= n && d->id != s->id)
                e->dep_list[e->dep_start[d->id - 1] + fill[d->id - 1]++] = s->id - 1;
        }
    }
    free(fill);
    if (!order_by_chain(e))
        return false;
    e->nnodes = maxnode + 1;
    e->node_busy = calloc((size_t)e->nnodes + 1, 1);
    /* nodes on one server (same host and port) are one host: one step at a time */
    const MNode **nodes = calloc((size_t)e->nnodes + 1, sizeof *nodes);
    e->server = calloc((size_t)e->nnodes + 1, sizeof *e->server);
    if (!nodes || !e->server) {
        free(nodes);
        return false;
    }
    for (int i = 0; i < n; i++) {
        const Step *s = e->p->steps.items[i];
        if (s->node && s->node->index >= 0)
            nodes[s->node->index] = s->node;
    }
    for (int i = 0; i < e->nnodes; i++) {
        e->server[i] = i;
        for (int j = 0; j < i && nodes[i] && nodes[i]->host; j++)
            if (nodes[j] && nodes[j]->host && nodes[j]->port == nodes[i]->port &&
                strcmp(nodes[j]->host, nodes[i]->host) == 0) {
                e->server[i] = j;
                break;
            }
    }
    free(nodes);
    int slots = e->jobs < n ? e->jobs : n;
    if (slots < 1)
        slots = 1;
    e->run = calloc((size_t)slots, sizeof *e->run);
    e->pfd = calloc((size_t)slots * FDS_PER_JOB, sizeof *e->pfd);
    return e->node_busy && e->run && e->pfd;
}

static void free_exec(Exec *e)
{
    free(e->state);
    free(e->waiting);
    free(e->dep_start);
    free(e->dep_list);
    free(e->order);
    free(e->node_busy);
    free(e->server);
    free(e->run);
    free(e->pfd);
    free(e->status_last);
}

/* Every step that depends on step i, transitively, will not run; but a
 * soft step (Step.soft) runs once its dependencies ended, whatever their
 * result. */
static void skip_dependents(Exec *e, int i, const Step *failed)
{
    for (int k = e->dep_start[i]; k < e->dep_start[i + 1]; k++) {
        int j = e->dep_list[k];
        if (e->state[j] != ST_PENDING)
            continue;
        const Step *s = e->p->steps.items[j];
        if (s->soft) {
            e->waiting[j]--;
            continue;
        }
        e->state[j] = ST_DONE;
        e->results[s->id - 1] = RES_SKIPPED;
        fprintf(e->o->out, "not run: %s on %s (needs %s on %s)\n",
                file_name(s), node_name(s), file_name(failed), node_name(failed));
        skip_dependents(e, j, failed);
    }
}

static const char *result_word(StepResult res)
{
    switch (res) {
    case RES_OK: return "ok";
    case RES_CHANGED: return "changed";
    case RES_WOULD_CHANGE: return "would change";
    case RES_FAILED: return "failed";
    case RES_SKIPPED: return "not run";
    case RES_NONE: break;
    }
    return "?";
}

/* A step ended: record, print its finish line, output and failure. Takes
 * ownership of output and error. */
static void step_ended(Exec *e, const Step *s, int ordinal, double secs,
                       StepResult res, char *output, char *error)
{
    FILE *f = e->o->out;
    int i = s->id - 1;
    if (res != RES_OK && res != RES_CHANGED && res != RES_WOULD_CHANGE && res != RES_FAILED) {
        /* a runner must say how the step ended */
        if (!error) {
            const char *msg = "the runner reported no result for this step";
            error = malloc(strlen(msg) + 1);
            if (error)
                strcpy(error, msg);
        }
        res = RES_FAILED;
    }
    status_clear(e);
    e->state[i] = ST_DONE;
    e->results[i] = res;
    trace_step_end(e->o->trace, s, result_word(res), now());
    /* --quiet: what went as it should is not shown */
    bool shown = !e->o->quiet || res == RES_FAILED || (res == RES_WOULD_CHANGE && e->o->status);
    if (shown) {
        fprintf(f, "[%d/%d] ", ordinal, e->n);
        put_padded(f, node_name(s), e->node_w);
        fputs("  ", f);
        put_padded(f, file_name(s), e->file_w);
        fprintf(f, "  %s  (%.1fs)\n", e->o->status && res == RES_WOULD_CHANGE ? "differs" : result_word(res), secs);
    }
    if (shown && output && *output)
        put_indented(f, output);
    if (res == RES_FAILED) {
        e->failed = true;
        fprintf(f, "FAILED: %s on %s\n", file_name(s), node_name(s));
        if (error && *error)
            put_indented(f, error);
        skip_dependents(e, i, s);
    } else {
        for (int k = e->dep_start[i]; k < e->dep_start[i + 1]; k++)
            e->waiting[e->dep_list[k]]--;
    }
    fflush(f);
    free(output);
    free(error);
}

/* Start every ready step, the longest chain first (order_by_chain), while
 * a slot is free. */
static void start_ready(Exec *e)
{
    FILE *f = e->o->out;
    for (int o = 0; o < e->n && e->nrun < e->jobs; o++) {
        int i = e->order[o];
        if (e->state[i] != ST_PENDING || e->waiting[i] > 0)
            continue;
        const Step *s = e->p->steps.items[i];
        int ni = node_index(e, s);
        if (ni >= 0 && e->node_busy[ni])
            continue;
        status_clear(e);
        int ordinal = ++e->started;
        if (!e->o->quiet) {
            fprintf(f, "[%d/%d] ", ordinal, e->n);
            put_padded(f, node_name(s), e->node_w);
            fputs("  ", f);
            put_padded(f, file_name(s), e->file_w);
            fprintf(f, "  %s\n", s->what ? s->what : "");
            fflush(f);
        }
        double t0 = now();
        trace_step_begin(e->o->trace, s, ni + 1, t0);
        char *error = NULL;
        Job *j = e->r->start(e->r, s, &error);
        if (!j) {
            step_ended(e, s, ordinal, now() - t0, RES_FAILED, NULL, error);
            continue;
        }
        e->state[i] = ST_RUNNING;
        if (ni >= 0)
            e->node_busy[ni] = 1;
        Running *rj = &e->run[e->nrun++];
        rj->s = s;
        rj->job = j;
        rj->t0 = t0;
        rj->ordinal = ordinal;
        rj->npfd = 0;
        if (e->o->trace)
            trace_step_wait(e->o->trace, s, waiting_text(e, rj), t0);
    }
}

static void remove_running(Exec *e, int k)
{
    int ni = node_index(e, e->run[k].s);
    if (ni >= 0)
        e->node_busy[ni] = 0;
    e->run[k] = e->run[--e->nrun];
}

/* The job in slot k finished: take its result and output. */
static void reap(Exec *e, int k)
{
    Running rj = e->run[k];
    char *output = NULL, *error = NULL;
    StepResult res = e->r->finish(e->r, rj.job, &output, &error);
    remove_running(e, k);
    step_ended(e, rj.s, rj.ordinal, now() - rj.t0, res, output, error);
}

static bool interrupted(const Exec *e)
{
    return e->o->interrupt && *e->o->interrupt;
}

/* Stop every running job; their steps stay "not run". */
static void cancel_all(Exec *e, const char *why)
{
    status_clear(e);
    for (int k = 0; k < e->nrun; k++) {
        Running *rj = &e->run[k];
        e->r->cancel(e->r, rj->job);
        e->state[rj->s->id - 1] = ST_DONE;
        fprintf(e->o->out, "%s: %s on %s may be half done\n", why, file_name(rj->s), node_name(rj->s));
    }
    e->nrun = 0;
    memset(e->node_busy, 0, (size_t)e->nnodes);
    fflush(e->o->out);
}

static void print_summary(Exec *e, ExecSummary *sum)
{
    FILE *f = e->o->out;
    status_clear(e);
    if (e->o->status) {
        fprintf(f, "%d differ, %d as described, %d failed, %d not checked, total %.1fs\n",
                sum->would_change + sum->changed, sum->ok, sum->failed, sum->not_run, sum->seconds);
        fflush(f);
        return;
    }
    if (e->o->dry_run)
        fprintf(f, "%d would change, %d ok, %d failed, %d not run, total %.1fs\n",
                sum->would_change + sum->changed, sum->ok, sum->failed, sum->not_run, sum->seconds);
    else
        fprintf(f, "%d changed, %d ok, %d failed, %d not run, total %.1fs\n",
                sum->changed + sum->would_change, sum->ok, sum->failed, sum->not_run, sum->seconds);
    /* a dry run or --status (dry_run) has more to compare: apply.c says it */
    if (!e->o->dry_run && sum->changed == 0 && sum->would_change == 0 && sum->failed == 0 && sum->not_run == 0)
        fprintf(f, "nothing to do: the cluster is as described\n");
    fflush(f);
}

/* One poll() and the progress it brings. Returns false on a poll error. */
static bool wait_and_advance(Exec *e)
{
    int total = 0, timeout = POLL_CAP_MS;
    for (int k = 0; k < e->nrun; k++) {
        Running *rj = &e->run[k];
        int t = -1;
        rj->npfd = e->r->fds(e->r, rj->job, e->pfd + total, FDS_PER_JOB, &t);
        if (rj->npfd < 0)
            rj->npfd = 0;
        if (rj->npfd > FDS_PER_JOB)
            rj->npfd = FDS_PER_JOB;
        for (int q = 0; q < rj->npfd; q++)
            e->pfd[total + q].revents = 0;
        total += rj->npfd;
        if (t >= 0 && t < timeout)
            timeout = t;
    }
    if (poll(e->pfd, (nfds_t)total, timeout) < 0 && errno != EINTR) {
        status_clear(e);
        fprintf(e->o->out, "error: poll failed: %s\n", strerror(errno));
        return false;
    }
    if (interrupted(e))
        return true;
    /* advance every job (its timeout may have come without I/O), then reap
     * the finished ones, last first: removing slot k moves the last slot,
     * already looked at, into k */
    int off = 0;
    for (int k = 0; k < e->nrun; k++) {
        Running *rj = &e->run[k];
        rj->done = e->r->advance(e->r, rj->job, e->pfd + off, rj->npfd);
        off += rj->npfd;
        if (e->o->trace && !rj->done)
            trace_step_wait(e->o->trace, rj->s, waiting_text(e, rj), now());
    }
    for (int k = e->nrun - 1; k >= 0; k--)
        if (e->run[k].done)
            reap(e, k);
    return true;
}

int exec_run(const Plan *p, Runner *r, const ExecOptions *o, StepResult *results, ExecSummary *sum)
{
    Exec e;
    memset(&e, 0, sizeof e);
    e.p = p;
    e.r = r;
    e.o = o;
    e.results = results;
    e.n = p->steps.n;
    e.jobs = o->jobs >= 1 ? o->jobs : 1;
    memset(sum, 0, sizeof *sum);
    for (int i = 0; i < e.n; i++)
        results[i] = RES_NONE;
    e.t_start = now();
    e.next_report = e.t_start + REPORT_EVERY;

    /* everything below indexes steps by id - 1 = position in the plan */
    for (int i = 0; i < e.n; i++) {
        const Step *s = p->steps.items[i];
        if (s->id != i + 1) {
            fprintf(o->out, "error: internal: step %d of the plan has id %d\n", i + 1, s->id);
            sum->not_run = e.n;
            return 1;
        }
    }
    if (!build(&e)) {
        free_exec(&e);
        fprintf(o->out, "error: out of memory\n");
        sum->not_run = e.n;
        return 1;
    }

    bool by_signal = false, broken = false;
    for (;;) {
        if (interrupted(&e)) {
            by_signal = true;
            cancel_all(&e, "interrupted");
            break;
        }
        start_ready(&e);
        if (e.nrun == 0) {
            /* nothing runs and nothing can start: done, or a dependency
             * cycle the plan should never have */
            bool left = false;
            for (int i = 0; i < e.n; i++)
                if (e.state[i] == ST_PENDING)
                    left = true;
            if (left) {
                fprintf(o->out, "error: steps wait on each other; not run:\n");
                for (int i = 0; i < e.n; i++) {
                    const Step *s = p->steps.items[i];
                    if (e.state[i] == ST_PENDING)
                        fprintf(o->out, "    %s on %s\n", file_name(s), node_name(s));
                }
                broken = true;
            }
            break;
        }
        double t = now();
        status_draw(&e, t);
        report_waiting(&e, t);
        if (!wait_and_advance(&e)) {
            cancel_all(&e, "stopped");
            broken = true;
            break;
        }
    }

    sum->seconds = now() - e.t_start;
    sum->interrupted = by_signal;
    for (int i = 0; i < e.n; i++) {
        switch (results[i]) {
        case RES_OK: sum->ok++; break;
        case RES_CHANGED: sum->changed++; break;
        case RES_WOULD_CHANGE: sum->would_change++; break;
        case RES_FAILED: sum->failed++; break;
        case RES_SKIPPED:
        case RES_NONE: sum->not_run++; break;
        }
    }
    print_summary(&e, sum);
    free_exec(&e);
    if (by_signal)
        return 130;
    return e.failed || broken || sum->failed ? 1 : 0;
}
