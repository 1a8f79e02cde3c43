/* exec.h: the apply loop (ninja's Plan/Builder split): start ready steps up
 * to -j at once and one at a time per host, reap whichever finishes, stop the
 * dependents of a failure, let independent steps finish, report progress and
 * a summary. How a step runs is the Runner's business (runner.h). */
#ifndef REPLC_EXEC_H
#define REPLC_EXEC_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "plan.h"
#include "trace.h"

typedef enum {
    RES_NONE,           /* not run (yet) */
    RES_OK,             /* postcondition held: nothing to do */
    RES_CHANGED,        /* ran and changed something */
    RES_WOULD_CHANGE,   /* dry run: would run */
    RES_FAILED,
    RES_SKIPPED,        /* not run: a step it depends on failed */
} StepResult;

typedef struct Job Job;   /* a running step; owned by the runner */

/* How steps run: real (libpq + ssh), dry-run, or fake (tests). Every call
 * must return at once; waiting happens only in exec_run's poll(). */
typedef struct Runner {
    void *ctx;
    /* Start s. NULL only on out-of-memory-like failures (then the step fails
     * with the message in *error, which the runner allocated with malloc). */
    Job *(*start)(struct Runner *r, const Step *s, char **error);
    /* Fill pfd (at most max entries) with what the job waits on; set
     * *timeout_ms to when it wants to be called again without I/O (-1: none).
     * Returns the number of entries. */
    int (*fds)(struct Runner *r, Job *j, struct pollfd *pfd, int max, int *timeout_ms);
    /* Make progress after poll() (pfd holds the entries fds() gave, with
     * revents). Called for every running job after every wake-up, whether
     * or not its fds had events. Returns true when the job has finished. */
    bool (*advance)(struct Runner *r, Job *j, struct pollfd *pfd, int n);
    /* For a finished job: its result, its output (shown whole), and for a
     * failure the detail (command or SQL, message, detail, hint). Frees the
     * job; *output and *error are malloc'ed (or NULL) and the caller frees them. */
    StepResult (*finish)(struct Runner *r, Job *j, char **output, char **error);
    /* Stop a running job (Ctrl-C): cancel queries, kill children; frees it. */
    void (*cancel)(struct Runner *r, Job *j);
    /* One line saying what the job waits for right now, or NULL. */
    const char *(*waiting_for)(struct Runner *r, Job *j);
} Runner;

typedef struct ExecOptions {
    int jobs;                 /* at most this many steps at once (>= 1) */
    FILE *out;                /* progress and summary */
    bool tty;                 /* live status line */
    volatile sig_atomic_t *interrupt;  /* set by a signal handler: stop, cancel, exit 130 */
    bool dry_run;
    bool status;              /* --status: the summary counts differences, not changes */
    bool quiet;               /* --quiet: only failures, differences and the summary */
    Trace *trace;             /* --trace: every step's span and waits (NULL: none) */
} ExecOptions;

typedef struct ExecSummary {
    int changed, ok, failed, not_run, would_change;
    double seconds;
    bool interrupted;
} ExecSummary;

/* Run every step of p in dependency order. results (p->steps.n entries,
 * indexed by step id - 1) receives each step's result. Returns 0 when every
 * step ended ok, changed or would-change; 1 on failure; 130 on interrupt. */
int exec_run(const Plan *p, Runner *r, const ExecOptions *o, StepResult *results, ExecSummary *sum);

#endif
