/* test_exec.c: the apply loop against a fake runner. Dependency order, -j,
 * one step per host at a time, a failure stopping exactly its dependents,
 * the results and summary, interrupt, and the progress text. */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "exec.h"
#include "unit.h"

#define MAXSTEPS 32

/* ---- the fake runner: each job ends after K advance() calls or after D ms ---- */

typedef struct FakeCfg {
    int calls;            /* finish after this many advance() calls (when ms == 0) */
    int ms;               /* or once this many ms have passed */
    StepResult result;
    const char *output;
    const char *error;
    bool start_fails;     /* start() returns NULL */
    bool interrupt_on_start;
    const char *waiting;  /* waiting_for() */
    int pipes;            /* wait on this many pipes too (readable from the start) */
} FakeCfg;

typedef struct Fake {
    FakeCfg cfg[MAXSTEPS + 1];       /* by step id */
    const Plan *plan;
    volatile sig_atomic_t *flag;
    int running, max_running;
    int node_running[8], max_node_running;
    bool finished[MAXSTEPS + 1];
    StepResult got[MAXSTEPS + 1];
    int started_n, finished_n, cancels, order_violations, live_jobs;
    int slice_errors, pipe_wakeups;
    int start_order[MAXSTEPS];       /* step ids in start order */
} Fake;

struct Job {
    const Step *s;
    int calls;
    int rfd[2], wfd[2];
    struct timespec t0;
};

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static Job *fake_start(Runner *r, const Step *s, char **error)
{
    Fake *f = r->ctx;
    FakeCfg *c = &f->cfg[s->id];
    /* every dependency has finished, and not as a failure (a soft step:
     * every dependency that started has finished, whatever its result) */
    for (int k = 0; k < s->deps.n; k++) {
        const Step *d = s->deps.items[k];
        StepResult g = f->got[d->id];
        bool began = false;
        for (int q = 0; q < f->started_n; q++)
            began = began || f->start_order[q] == d->id;
        if (s->soft ? began && !f->finished[d->id]
                    : !f->finished[d->id] || !(g == RES_OK || g == RES_CHANGED || g == RES_WOULD_CHANGE))
            f->order_violations++;
    }
    f->start_order[f->started_n++] = s->id;
    if (c->interrupt_on_start && f->flag)
        *f->flag = 1;
    if (c->start_fails) {
        *error = strdup("could not start: fake says no");
        f->finished[s->id] = true;
        f->got[s->id] = RES_FAILED;
        return NULL;
    }
    Job *j = calloc(1, sizeof *j);
    j->s = s;
    for (int q = 0; q < c->pipes; q++) {
        int fd[2];
        if (pipe(fd) != 0)
            abort();
        j->rfd[q] = fd[0];
        j->wfd[q] = fd[1];
        if (write(fd[1], "x", 1) != 1)
            abort();
    }
    clock_gettime(CLOCK_MONOTONIC, &j->t0);
    f->live_jobs++;
    if (++f->running > f->max_running)
        f->max_running = f->running;
    int n = s->node->index;
    if (++f->node_running[n] > f->max_node_running)
        f->max_node_running = f->node_running[n];
    return j;
}

static int fake_fds(Runner *r, Job *j, struct pollfd *pfd, int max, int *timeout_ms)
{
    Fake *f = r->ctx;
    FakeCfg *c = &f->cfg[j->s->id];
    if (c->pipes > max)
        abort();
    for (int q = 0; q < c->pipes; q++) {
        pfd[q].fd = j->rfd[q];
        pfd[q].events = POLLIN;
    }
    if (c->pipes && c->ms == 0) {
        *timeout_ms = -1;
        return c->pipes;
    }
    if (c->ms > 0) {
        double left = c->ms - ms_since(&j->t0);
        *timeout_ms = left > 0 ? (int)left + 1 : 0;
    } else {
        *timeout_ms = 1;
    }
    return c->pipes;
}

static bool fake_advance(Runner *r, Job *j, struct pollfd *pfd, int n)
{
    Fake *f = r->ctx;
    FakeCfg *c = &f->cfg[j->s->id];
    j->calls++;
    /* its own slice of the pollfd array, with its own fds */
    if (n != c->pipes)
        f->slice_errors++;
    bool ready = true;
    for (int q = 0; q < n && q < c->pipes; q++) {
        if (pfd[q].fd != j->rfd[q])
            f->slice_errors++;
        if (!(pfd[q].revents & POLLIN))
            ready = false;
    }
    if (c->pipes) {
        if (ready)
            f->pipe_wakeups++;
        return ready && j->calls >= (c->calls > 0 ? c->calls : 1);
    }
    if (c->ms > 0)
        return ms_since(&j->t0) >= c->ms;
    return j->calls >= (c->calls > 0 ? c->calls : 1);
}

static void fake_gone(Fake *f, Job *j)
{
    for (int q = 0; q < f->cfg[j->s->id].pipes; q++) {
        close(j->rfd[q]);
        close(j->wfd[q]);
    }
    f->running--;
    f->node_running[j->s->node->index]--;
    f->live_jobs--;
    free(j);
}

static StepResult fake_finish(Runner *r, Job *j, char **output, char **error)
{
    Fake *f = r->ctx;
    FakeCfg *c = &f->cfg[j->s->id];
    *output = c->output ? strdup(c->output) : NULL;
    *error = c->error ? strdup(c->error) : NULL;
    f->finished[j->s->id] = true;
    f->got[j->s->id] = c->result;
    f->finished_n++;
    fake_gone(f, j);
    return c->result;
}

static void fake_cancel(Runner *r, Job *j)
{
    Fake *f = r->ctx;
    f->cancels++;
    fake_gone(f, j);
}

static const char *fake_waiting(Runner *r, Job *j)
{
    Fake *f = r->ctx;
    return f->cfg[j->s->id].waiting;
}

static Runner fake_runner(Fake *f)
{
    Runner r = {f, fake_start, fake_fds, fake_advance, fake_finish, fake_cancel, fake_waiting};
    return r;
}

/* ---- building plans by hand ---- */

typedef struct T {
    Arena a;
    Plan plan;
    MNode *nodes[8];
    Fake fake;
    volatile sig_atomic_t flag;
    StepResult results[MAXSTEPS];
    ExecSummary sum;
    char *out;
    size_t outlen;
    int rc;
} T;

static void t_init(T *t, int nnodes)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->a);
    for (int i = 0; i < nnodes; i++) {
        MNode *n = arena_alloc(&t->a, sizeof *n);
        n->index = i;
        n->name = arena_printf(&t->a, "n%d", i + 1);
        n->conf = arena_alloc(&t->a, sizeof *n->conf);   /* (no setting given) */
        t->nodes[i] = n;
    }
    t->fake.plan = &t->plan;
    t->fake.flag = &t->flag;
}

/* A step on node ni; deps are earlier step ids, ended by 0. Defaults: ends
 * after one advance() call, changed. */
static Step *t_step(T *t, int ni, const char *name, ...)
{
    Step *s = arena_alloc(&t->a, sizeof *s);
    s->id = t->plan.steps.n + 1;
    s->node = t->nodes[ni];
    s->file = arena_printf(&t->a, "%02d-%s.sql", s->id, name);
    s->what = arena_printf(&t->a, "do %s", name);
    va_list ap;
    va_start(ap, name);
    for (int d; (d = va_arg(ap, int)) != 0;)
        vec_push(&t->a, &s->deps, t->plan.steps.items[d - 1]);
    va_end(ap);
    vec_push(&t->a, &t->plan.steps, s);
    t->fake.cfg[s->id].calls = 1;
    t->fake.cfg[s->id].result = RES_CHANGED;
    return s;
}

static void t_run_mode(T *t, int jobs, bool dry, bool tty, bool status, bool quiet)
{
    FILE *f = open_memstream(&t->out, &t->outlen);
    Runner r = fake_runner(&t->fake);
    ExecOptions o = {jobs, f, tty, &t->flag, dry, status, quiet, NULL};
    t->rc = exec_run(&t->plan, &r, &o, t->results, &t->sum);
    fclose(f);
}

static void t_run(T *t, int jobs, bool dry, bool tty)
{
    FILE *f = open_memstream(&t->out, &t->outlen);
    Runner r = fake_runner(&t->fake);
    ExecOptions o = {jobs, f, tty, &t->flag, dry, false, false, NULL};
    t->rc = exec_run(&t->plan, &r, &o, t->results, &t->sum);
    fclose(f);
}

static void t_free(T *t)
{
    free(t->out);
    arena_free(&t->a);
}

static bool has(const T *t, const char *needle)
{
    return t->out && strstr(t->out, needle) != NULL;
}

static void expect_has(const char *name, const T *t, const char *needle)
{
    unit_int(name, has(t, needle), 1);
    if (!has(t, needle))
        printf("    output was:\n%s", t->out ? t->out : "(none)");
}

static int count(const T *t, const char *needle)
{
    int n = 0;
    for (const char *p = t->out; p && (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* index in the start order of step id, -1 if it never started */
static int started_at(const T *t, int id)
{
    for (int i = 0; i < t->fake.started_n; i++)
        if (t->fake.start_order[i] == id)
            return i;
    return -1;
}

/* ---- tests ---- */

static void test_dependency_order(void)
{
    T t;
    t_init(&t, 3);
    /* a diamond and a chain across hosts, declared so that plan order alone
     * would start the dependent too early if deps were ignored */
    t_step(&t, 0, "a", 0);             /* 1 */
    t_step(&t, 1, "b", 1, 0);          /* 2 */
    t_step(&t, 2, "c", 1, 0);          /* 3 */
    t_step(&t, 0, "d", 2, 3, 0);       /* 4 */
    t_step(&t, 1, "e", 0);             /* 5 */
    t_step(&t, 2, "f", 4, 5, 0);       /* 6 */
    t.fake.cfg[1].ms = 30;
    t.fake.cfg[3].calls = 5;
    t.fake.cfg[5].result = RES_OK;
    t_run(&t, 4, false, false);
    unit_int("order: exit 0", t.rc, 0);
    unit_int("order: no step started before its deps finished", t.fake.order_violations, 0);
    unit_int("order: all six started", t.fake.started_n, 6);
    unit_int("order: b after a", started_at(&t, 2) > started_at(&t, 1), 1);
    unit_int("order: f last", started_at(&t, 6), 5);
    unit_int("order: result a changed", t.results[0], RES_CHANGED);
    unit_int("order: result e ok", t.results[4], RES_OK);
    unit_int("order: summary changed", t.sum.changed, 5);
    unit_int("order: summary ok", t.sum.ok, 1);
    unit_int("order: summary failed", t.sum.failed, 0);
    unit_int("order: summary not run", t.sum.not_run, 0);
    unit_int("order: not interrupted", t.sum.interrupted, 0);
    unit_int("order: no job leaked", t.fake.live_jobs, 0);
    expect_has("order: summary line", &t, "5 changed, 1 ok, 0 failed, 0 not run, total ");
    unit_int("order: no nothing-to-do line", has(&t, "nothing to do"), 0);
    t_free(&t);
}

static void test_jobs_1(void)
{
    T t;
    t_init(&t, 5);
    for (int i = 0; i < 5; i++) {
        t_step(&t, i, "x", 0);
        t.fake.cfg[i + 1].ms = 10;
    }
    t_run(&t, 1, false, false);
    unit_int("-j 1: exit 0", t.rc, 0);
    unit_int("-j 1: one at a time", t.fake.max_running, 1);
    unit_int("-j 1: all ran", t.fake.finished_n, 5);
    unit_int("-j 1: in plan order", t.fake.start_order[0] == 1 && t.fake.start_order[4] == 5, 1);
    t_free(&t);
}

/* The longest chain first: with one slot, of two ready steps the one with
 * more steps after it starts first, though the plan lists it later; a base
 * backup weighs more than a chain of quick steps. */
static void test_longest_chain_first(void)
{
    T t;
    t_init(&t, 3);
    t_step(&t, 0, "short", 0);      /* 1: nothing after it */
    t_step(&t, 1, "long1", 0);      /* 2 -> 3 -> 4 */
    t_step(&t, 1, "long2", 2, 0);
    t_step(&t, 1, "long3", 3, 0);
    Step *q = t_step(&t, 2, "quick", 0);    /* 5 -> 6 -> 7: three quick steps */
    q->kind = STEP_CONFIG;
    t_step(&t, 2, "quick2", 5, 0)->kind = STEP_CONFIG;
    t_step(&t, 2, "quick3", 6, 0)->kind = STEP_CONFIG;
    t_step(&t, 0, "backup", 0)->kind = STEP_BASEBACKUP;   /* 8: one long step */
    t_run(&t, 1, false, false);
    unit_int("longest chain: exit 0", t.rc, 0);
    unit_int("longest chain: no order violation", t.fake.order_violations, 0);
    unit_int("longest chain: the base backup first", t.fake.start_order[0], 8);
    unit_int("longest chain: then the chain of three", t.fake.start_order[1], 2);
    unit_int("longest chain: the short step before the quick chain", started_at(&t, 1) < started_at(&t, 5), 1);
    unit_int("longest chain: all ran", t.fake.finished_n, 8);
    t_free(&t);
}

static void test_jobs_3(void)
{
    T t;
    t_init(&t, 6);
    for (int i = 0; i < 6; i++) {
        t_step(&t, i, "x", 0);
        t.fake.cfg[i + 1].ms = 40;
    }
    t_run(&t, 3, false, false);
    unit_int("-j 3: exit 0", t.rc, 0);
    unit_int("-j 3: three at once", t.fake.max_running, 3);
    unit_int("-j 3: all ran", t.fake.finished_n, 6);
    t_free(&t);
}

static void test_one_per_node(void)
{
    T t;
    t_init(&t, 2);
    /* four independent steps on n1, two on n2, -j 10 */
    for (int i = 0; i < 4; i++)
        t_step(&t, 0, "on1", 0);
    for (int i = 0; i < 2; i++)
        t_step(&t, 1, "on2", 0);
    for (int id = 1; id <= 6; id++)
        t.fake.cfg[id].ms = 15;
    t_run(&t, 10, false, false);
    unit_int("per node: exit 0", t.rc, 0);
    unit_int("per node: never two on one host", t.fake.max_node_running, 1);
    unit_int("per node: the two hosts in parallel", t.fake.max_running, 2);
    unit_int("per node: all ran", t.fake.finished_n, 6);
    t_free(&t);
}

/* two nodes in two databases of one server (same host and port) are one
 * host: a restart of one must not run while the other runs a step */
static void test_one_per_server(void)
{
    T t;
    t_init(&t, 3);
    t.nodes[0]->host = "10.0.0.1", t.nodes[0]->port = 5432;
    t.nodes[1]->host = "10.0.0.1", t.nodes[1]->port = 5432;
    t.nodes[2]->host = "10.0.0.1", t.nodes[2]->port = 5433;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 2; i++)
            t_step(&t, k, "on", 0);
    for (int id = 1; id <= 6; id++)
        t.fake.cfg[id].ms = 15;
    t_run(&t, 10, false, false);
    unit_int("per server: exit 0", t.rc, 0);
    unit_int("per server: the two servers in parallel, never two steps on one", t.fake.max_running, 2);
    unit_int("per server: all ran", t.fake.finished_n, 6);
    t_free(&t);
}

static void test_failure(void)
{
    T t;
    t_init(&t, 3);
    t_step(&t, 0, "a", 0);             /* 1 ok */
    t_step(&t, 0, "b", 1, 0);          /* 2 fails */
    t_step(&t, 1, "c", 2, 0);          /* 3 needs b: not run */
    t_step(&t, 1, "d", 3, 0);          /* 4 needs c: not run (transitively) */
    t_step(&t, 2, "e", 1, 0);          /* 5 independent of b: runs, slowly */
    t_step(&t, 2, "f", 4, 5, 0);       /* 6 needs d: not run */
    t_step(&t, 1, "g", 0);             /* 7 independent */
    t_step(&t, 0, "h", 2, 0);          /* 8 needs b */
    t.fake.cfg[1].result = RES_OK;
    t.fake.cfg[2].result = RES_FAILED;
    t.fake.cfg[2].output = "psql: running\n";
    t.fake.cfg[2].error = "ERROR:  relation \"t\" does not exist\nHINT:  Create it first.";
    t.fake.cfg[5].ms = 60;
    t_run(&t, 4, false, false);
    unit_int("failure: exit 1", t.rc, 1);
    unit_int("failure: a ok", t.results[0], RES_OK);
    unit_int("failure: b failed", t.results[1], RES_FAILED);
    unit_int("failure: c not run", t.results[2], RES_SKIPPED);
    unit_int("failure: d not run (transitive)", t.results[3], RES_SKIPPED);
    unit_int("failure: e still finished", t.results[4], RES_CHANGED);
    unit_int("failure: f not run", t.results[5], RES_SKIPPED);
    unit_int("failure: g finished", t.results[6], RES_CHANGED);
    unit_int("failure: h not run", t.results[7], RES_SKIPPED);
    unit_int("failure: dependents never started", started_at(&t, 3) + started_at(&t, 4) + started_at(&t, 6) + started_at(&t, 8), -4);
    unit_int("failure: no order violation", t.fake.order_violations, 0);
    unit_int("failure: summary changed", t.sum.changed, 2);
    unit_int("failure: summary ok", t.sum.ok, 1);
    unit_int("failure: summary failed", t.sum.failed, 1);
    unit_int("failure: summary not run", t.sum.not_run, 4);
    expect_has("failure: FAILED line", &t, "\nFAILED: 02-b.sql on n1\n");
    expect_has("failure: error indented", &t,
               "FAILED: 02-b.sql on n1\n    ERROR:  relation \"t\" does not exist\n    HINT:  Create it first.\n");
    expect_has("failure: output after the finish line", &t, "failed  (0.0s)\n    psql: running\nFAILED: ");
    expect_has("failure: dependents reported", &t, "not run: 04-d.sql on n2 (needs 02-b.sql on n1)\n");
    expect_has("failure: summary line", &t, "2 changed, 1 ok, 1 failed, 4 not run, total ");
    unit_int("failure: no nothing-to-do line", has(&t, "nothing to do"), 0);
    t_free(&t);
}

/* A soft step (the enable step) runs once its dependencies ended, whatever
 * their result; what depends on it, and on the failed step, does not. */
static void test_soft(void)
{
    T t;
    t_init(&t, 2);
    t_step(&t, 0, "sub1", 0);          /* 1 ok */
    t_step(&t, 1, "wait2", 0);         /* 2 fails */
    t_step(&t, 0, "sub2", 1, 2, 0);    /* 3 needs 2: not run */
    Step *en = t_step(&t, 0, "enable", 3, 0);   /* 4 soft: runs */
    en->soft = true;
    t_step(&t, 0, "sync1", 4, 1, 0);   /* 5 runs */
    t_step(&t, 0, "sync2", 5, 3, 0);   /* 6 needs 3: not run */
    t.fake.cfg[2].result = RES_FAILED;
    t_run(&t, 4, false, false);
    unit_int("soft: exit 1", t.rc, 1);
    unit_int("soft: sub2 not run", t.results[2], RES_SKIPPED);
    unit_int("soft: enable runs although sub2 did not", t.results[3], RES_CHANGED);
    unit_int("soft: sync1 runs after it", t.results[4], RES_CHANGED);
    unit_int("soft: sync2 not run", t.results[5], RES_SKIPPED);
    unit_int("soft: enable starts after sub2 ended", started_at(&t, 4) > started_at(&t, 1), 1);
    unit_int("soft: not reported as not run", has(&t, "not run: 04-enable.sql"), 0);
    unit_int("soft: no order violation", t.fake.order_violations, 0);
    t_free(&t);
}

static void test_start_fails(void)
{
    T t;
    t_init(&t, 2);
    t_step(&t, 0, "a", 0);
    t_step(&t, 0, "b", 1, 0);
    t_step(&t, 1, "c", 0);
    t.fake.cfg[1].start_fails = true;
    t_run(&t, 2, false, false);
    unit_int("start fails: exit 1", t.rc, 1);
    unit_int("start fails: failed", t.results[0], RES_FAILED);
    unit_int("start fails: dependent not run", t.results[1], RES_SKIPPED);
    unit_int("start fails: independent ran", t.results[2], RES_CHANGED);
    expect_has("start fails: message", &t, "FAILED: 01-a.sql on n1\n    could not start: fake says no\n");
    t_free(&t);
}

static void test_ok_unblocks(void)
{
    T t;
    t_init(&t, 2);
    t_step(&t, 0, "a", 0);
    t_step(&t, 1, "b", 1, 0);
    t_step(&t, 0, "c", 1, 2, 0);
    for (int id = 1; id <= 3; id++)
        t.fake.cfg[id].result = RES_OK;
    t_run(&t, 2, false, false);
    unit_int("ok: exit 0", t.rc, 0);
    unit_int("ok: every step ran", t.fake.finished_n, 3);
    unit_int("ok: all ok", t.sum.ok, 3);
    expect_has("ok: summary", &t, "0 changed, 3 ok, 0 failed, 0 not run, total ");
    expect_has("ok: nothing to do", &t, "\nnothing to do: the cluster is as described\n");
    t_free(&t);
}

static void test_dry_run(void)
{
    T t;
    t_init(&t, 1);
    t_step(&t, 0, "a", 0);
    t_step(&t, 0, "b", 1, 0);
    t_step(&t, 0, "c", 2, 0);
    t.fake.cfg[1].result = RES_OK;
    t.fake.cfg[2].result = RES_WOULD_CHANGE;
    t.fake.cfg[3].result = RES_WOULD_CHANGE;
    t_run(&t, 1, true, false);
    unit_int("dry run: exit 0", t.rc, 0);
    unit_int("dry run: would change counted", t.sum.would_change, 2);
    unit_int("dry run: would change unblocks", t.results[2], RES_WOULD_CHANGE);
    expect_has("dry run: finish word", &t, "would change  (0.0s)\n");
    expect_has("dry run: summary", &t, "2 would change, 1 ok, 0 failed, 0 not run, total ");
    unit_int("dry run: no nothing-to-do line", has(&t, "nothing to do"), 0);
    t_free(&t);
}

/* --status counts differences, and changes nothing: its summary says so */
static void test_status_words(void)
{
    T t;
    t_init(&t, 1);
    t_step(&t, 0, "a", 0);
    t_step(&t, 0, "b", 1, 0);
    t.fake.cfg[1].result = RES_OK;
    t.fake.cfg[2].result = RES_WOULD_CHANGE;
    t_run_mode(&t, 1, true, false, true, false);
    expect_has("status: summary speaks of differences", &t, "1 differ, 1 as described, 0 failed, 0 not checked, total ");
    unit_int("status: no 'changed' anywhere", has(&t, "changed"), 0);
    expect_has("status: the step's word", &t, "differs  (0.0s)\n");
    t_free(&t);
}

/* --quiet: only what went wrong, and the summary */
static void test_quiet(void)
{
    T t;
    t_init(&t, 1);
    t_step(&t, 0, "a", 0);
    t_step(&t, 0, "b", 1, 0);
    t_step(&t, 0, "c", 2, 0);
    t.fake.cfg[1].result = RES_CHANGED;
    t.fake.cfg[2].result = RES_FAILED;
    t_run_mode(&t, 1, false, false, false, true);
    unit_int("quiet: a step that changed is not shown", has(&t, "01-a.sql"), 0);
    expect_has("quiet: a failure is shown", &t, "FAILED: 02-b.sql on n1");
    expect_has("quiet: a step not run is shown", &t, "not run: 03-c.sql on n1");
    expect_has("quiet: the summary", &t, "1 changed, 0 ok, 1 failed, 1 not run, total ");
    t_free(&t);
}

static void test_progress_text(void)
{
    T t;
    t_init(&t, 2);
    t.nodes[1]->name = "second";
    t_step(&t, 0, "alpha", 0);
    t_step(&t, 1, "b", 1, 0);
    t.fake.cfg[1].output = "one\n\ntwo";   /* blank line kept, newline added */
    t_run(&t, 1, false, false);
    expect_has("progress: start line", &t,
               "[1/2] n1      01-alpha.sql  do alpha\n"
               "[1/2] n1      01-alpha.sql  changed  (0.0s)\n"
               "    one\n\n    two\n"
               "[2/2] second  02-b.sql      do b\n"
               "[2/2] second  02-b.sql      changed  (0.0s)\n"
               "2 changed, 0 ok, 0 failed, 0 not run, total ");
    t_free(&t);
}

static void test_tty_status(void)
{
    T t;
    t_init(&t, 1);
    t_step(&t, 0, "a", 0);
    t.fake.cfg[1].ms = 30;
    t.fake.cfg[1].waiting = "pg_subscription_rel state r";
    t_run(&t, 1, false, true);
    expect_has("tty: status line", &t, "\rn1: waiting for pg_subscription_rel state r (0s)\033[K");
    expect_has("tty: cleared before the finish line", &t, "\033[K\r\033[K[1/1] n1  01-a.sql  changed");
    unit_int("tty: redrawn only when it changes", count(&t, "waiting for"), 1);
    t_free(&t);
}

static void test_interrupt(void)
{
    T t;
    t_init(&t, 4);
    t_step(&t, 0, "a", 0);             /* 1: runs, then cancelled */
    t_step(&t, 1, "b", 0);             /* 2: starting it raises the flag */
    t_step(&t, 2, "c", 0);             /* 3: never started (-j 2) */
    t_step(&t, 3, "d", 1, 0);          /* 4: never started */
    for (int id = 1; id <= 4; id++)
        t.fake.cfg[id].ms = 5000;
    t.fake.cfg[2].interrupt_on_start = true;
    t_run(&t, 2, false, false);
    unit_int("interrupt: exit 130", t.rc, 130);
    unit_int("interrupt: summary says so", t.sum.interrupted, 1);
    unit_int("interrupt: both running jobs cancelled", t.fake.cancels, 2);
    unit_int("interrupt: nothing more started", t.fake.started_n, 2);
    unit_int("interrupt: no job leaked", t.fake.live_jobs, 0);
    unit_int("interrupt: quick", t.sum.seconds < 1.0, 1);
    unit_int("interrupt: all not run", t.sum.not_run, 4);
    unit_int("interrupt: result none", t.results[0], RES_NONE);
    expect_has("interrupt: a reported", &t, "interrupted: 01-a.sql on n1 may be half done\n");
    expect_has("interrupt: b reported", &t, "interrupted: 02-b.sql on n2 may be half done\n");
    expect_has("interrupt: summary", &t, "0 changed, 0 ok, 0 failed, 4 not run, total ");
    unit_int("interrupt: no nothing-to-do line", has(&t, "nothing to do"), 0);
    t_free(&t);
}

static void test_interrupt_midway(void)
{
    T t;
    t_init(&t, 2);
    t_step(&t, 0, "a", 0);             /* finishes */
    t_step(&t, 1, "b", 1, 0);          /* running when the flag goes up */
    t_step(&t, 0, "c", 2, 0);
    t.fake.cfg[2].ms = 5000;
    t.fake.cfg[2].interrupt_on_start = true;
    t_run(&t, 3, false, false);
    unit_int("interrupt midway: exit 130", t.rc, 130);
    unit_int("interrupt midway: a kept its result", t.results[0], RES_CHANGED);
    unit_int("interrupt midway: one cancelled", t.fake.cancels, 1);
    unit_int("interrupt midway: c never started", started_at(&t, 3), -1);
    expect_has("interrupt midway: summary", &t, "1 changed, 0 ok, 0 failed, 2 not run, total ");
    t_free(&t);
}

static void test_already_interrupted(void)
{
    T t;
    t_init(&t, 1);
    t_step(&t, 0, "a", 0);
    t.flag = 1;
    t_run(&t, 1, false, false);
    unit_int("interrupted before start: exit 130", t.rc, 130);
    unit_int("interrupted before start: nothing started", t.fake.started_n, 0);
    t_free(&t);
}

static void test_empty(void)
{
    T t;
    t_init(&t, 0);
    t_run(&t, 4, false, false);
    unit_int("empty plan: exit 0", t.rc, 0);
    expect_has("empty plan: nothing to do", &t, "nothing to do: the cluster is as described\n");
    t_free(&t);
}

static void test_pollfd_slices(void)
{
    T t;
    t_init(&t, 4);
    t_step(&t, 0, "timer", 0);          /* no fds, a timeout */
    t_step(&t, 1, "one", 0);            /* one pipe */
    t_step(&t, 2, "two", 0);            /* two pipes */
    t_step(&t, 3, "two-more", 0);       /* two pipes, several rounds */
    t.fake.cfg[1].ms = 20;
    t.fake.cfg[2].pipes = 1;
    t.fake.cfg[2].calls = 2;
    t.fake.cfg[3].pipes = 2;
    t.fake.cfg[3].calls = 3;
    t.fake.cfg[4].pipes = 2;
    t.fake.cfg[4].calls = 4;
    t_run(&t, 4, false, false);
    unit_int("pollfd: exit 0", t.rc, 0);
    unit_int("pollfd: each job got its own slice", t.fake.slice_errors, 0);
    unit_int("pollfd: woken by its fds", t.fake.pipe_wakeups >= 9, 1);
    unit_int("pollfd: all four in parallel", t.fake.max_running, 4);
    unit_int("pollfd: all finished", t.fake.finished_n, 4);
    t_free(&t);
}

static void test_cycle(void)
{
    T t;
    t_init(&t, 2);
    Step *a = t_step(&t, 0, "a", 0);
    Step *b = t_step(&t, 1, "b", 1, 0);
    t_step(&t, 1, "c", 0);
    vec_push(&t.a, &a->deps, b);        /* a plan should never have this */
    t_run(&t, 2, false, false);
    unit_int("cycle: exit 1", t.rc, 1);
    unit_int("cycle: the free step ran", t.results[2], RES_CHANGED);
    unit_int("cycle: the two not run", t.sum.not_run, 2);
    expect_has("cycle: reported", &t, "error: steps wait on each other; not run:\n    01-a.sql on n1\n    02-b.sql on n2\n");
    t_free(&t);
}

static void test_no_result(void)
{
    T t;
    t_init(&t, 1);
    t_step(&t, 0, "a", 0);
    t.fake.cfg[1].result = RES_NONE;
    t_run(&t, 1, false, false);
    unit_int("no result from the runner: failed", t.results[0], RES_FAILED);
    unit_int("no result from the runner: exit 1", t.rc, 1);
    t_free(&t);
}

/* --trace: a span per step on its host's row, the wait the runner shows,
 * and the critical path: the chain that ended last, not the side step. */
static void test_trace(void)
{
    T t;
    t_init(&t, 3);
    t_step(&t, 0, "a", 0);             /* 1 */
    t_step(&t, 1, "b", 1, 0);          /* 2 */
    t_step(&t, 2, "c", 0);             /* 3 */
    t.fake.cfg[1].ms = 30;
    t.fake.cfg[2].ms = 40;
    t.fake.cfg[2].waiting = "the publisher";
    t.fake.cfg[3].calls = 1;
    Trace *tr = trace_new("unit");
    FILE *f = open_memstream(&t.out, &t.outlen);
    Runner r = fake_runner(&t.fake);
    ExecOptions o = {3, f, false, &t.flag, false, false, false, tr};
    t.rc = exec_run(&t.plan, &r, &o, t.results, &t.sum);
    trace_critical_path(tr, f, trace_now());
    fclose(f);
    char path[] = "/tmp/replc-unit-trace-XXXXXX";
    int fd = mkstemp(path);
    unit_int("trace: a temporary file", fd >= 0, 1);
    if (fd >= 0)
        close(fd);
    unit_int("trace: written", trace_write(tr, path), 0);
    char buf[8192] = "";
    FILE *in = fopen(path, "r");
    size_t got = in ? fread(buf, 1, sizeof buf - 1, in) : 0;
    buf[got] = '\0';
    if (in)
        fclose(in);
    unlink(path);
    trace_free(tr);
    unit_int("trace: exit 0", t.rc, 0);
    unit_int("trace: a trace-event document", strstr(buf, "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [") == buf, 1);
    unit_int("trace: step b on row 2 (its host's)", strstr(buf, "\"tid\": 2, \"ts\"") != NULL &&
             strstr(buf, "\"name\": \"02-b.sql\", \"args\": {\"id\": 2, \"node\": \"n2\"") != NULL, 1);
    unit_int("trace: b's wait", strstr(buf, "\"cat\": \"wait\", \"name\": \"waiting for the publisher\"") != NULL, 1);
    unit_int("trace: rows named", strstr(buf, "\"thread_name\", \"args\": {\"name\": \"n3 (?)\"}") != NULL, 1);
    expect_has("trace: critical path of two steps", &t, "critical path: 2 step(s), ");
    unit_int("trace: a, then b, on the path", has(&t, "  n1  01-a.sql\n") && has(&t, "  n2  02-b.sql\n") &&
             strstr(t.out, "  n1  01-a.sql\n") < strstr(t.out, "  n2  02-b.sql\n"), 1);
    unit_int("trace: c is not on it", has(&t, "  n3  03-c.sql\n"), 0);
    t_free(&t);
}

int main(void)
{
    test_dependency_order();
    test_longest_chain_first();
    test_jobs_1();
    test_jobs_3();
    test_one_per_node();
    test_failure();
    test_soft();
    test_start_fails();
    test_ok_unblocks();
    test_dry_run();
    test_one_per_server();
    test_status_words();
    test_quiet();
    test_progress_text();
    test_tty_status();
    test_interrupt();
    test_interrupt_midway();
    test_already_interrupted();
    test_empty();
    test_no_result();
    test_pollfd_slices();
    test_cycle();
    test_trace();
    return unit_done();
}
