/* apply.h: replc --apply: preflight every node, take the cluster lock,
 * then run the plan with the real runner in exec.c's loop. */
#ifndef REPLC_APPLY_H
#define REPLC_APPLY_H

#include <stdbool.h>

#include "plan.h"

typedef struct ApplyOptions {
    int jobs;          /* 0: number of nodes */
    int timeout_s;     /* every wait */
    bool dry_run;
    bool status;       /* --status: a dry run whose waits check once; 0 only when nothing differs */
    bool json;         /* --format json: --status and --dry-run print one JSON document on
                        * standard output, their progress on standard error */
    bool quiet;        /* --quiet: only problems and the summary */
    bool yes;          /* --yes: no question before changing (asked only on a terminal) */
    const bool *limit; /* --limit: per node index, whether its steps run; NULL: every node */
    const char *trace; /* --trace FILE: write the run's trace-event JSON there; NULL: none */
} ApplyOptions;

/* Returns the exit status: 0 done, 1 failed (or preflight problems, or
 * --status found differences), 3 --dry-run found changes pending, 130 interrupted. */
int apply_run(const Model *m, const Plan *p, const ApplyOptions *o);

/* replc --promote NODE [--force]: run node n's promote step on its host
 * (docs/failover.md). 0 promoted, 1 refused or failed, 2 not a standby of a
 * subscriber, 130 interrupted. trace_path: --trace FILE, or NULL. */
int promote_run(const Model *m, const Plan *p, const MNode *n, bool force, int timeout_s, const char *trace_path);

#endif
