/* runner.h: how a step runs when applying: SQL steps over libpq (their
 * guarded statements, stepsql.h), shell steps over ssh (the same script the
 * compiler writes), waits as libpq polls. dry_run evaluates postconditions
 * and changes nothing. */
#ifndef REPLC_RUNNER_H
#define REPLC_RUNNER_H

#include "exec.h"

typedef struct RealRunner {
    Runner base;
    const Model *m;
    bool dry_run;
    bool status;          /* waits check once instead of waiting */
    int timeout_s;        /* for every wait */
    void **locks;         /* PgConn * per node holding the cluster lock (apply.c owns them) */
    struct PgPool *pool;  /* idle connections the steps take and give back (apply.c owns it) */
    void *shells;         /* per node: its ssh session for shell steps (runner.c), or NULL */
} RealRunner;

/* What a running shell step waits for, from its output so far: the rest of
 * its last "waiting for ..." line (lib.sh's wait_for), *len bytes of it;
 * NULL when it waits for nothing (no such line, or a line came after it). */
const char *script_waiting_for(const char *output, size_t *len);

void real_runner_init(RealRunner *r, const Model *m, bool dry_run, int timeout_s);
/* Ends the runner's ssh sessions (each ends when its input does). */
void real_runner_end(RealRunner *r);

#endif
