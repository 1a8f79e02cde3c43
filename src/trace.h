/* trace.h: --trace FILE. Records, while --apply runs, one span per step
 * (on the row of its host), the waits seen inside steps, and the preflight;
 * writes them as a Chrome trace-event JSON file (Perfetto, chrome://tracing)
 * and prints the critical path: the chain of steps that set the total. */
#ifndef REPLC_TRACE_H
#define REPLC_TRACE_H

#include <stdio.h>

#include "plan.h"

typedef struct Trace Trace;

/* A new trace; times are CLOCK_MONOTONIC seconds (trace_now), shown
 * relative to this call. title names the process row. */
Trace *trace_new(const char *title);
void trace_free(Trace *t);
double trace_now(void);

/* Rows: 0 is replc itself (preflight); a host's row is its server's index + 1
 * (exec.c: nodes on one host and port share one). Named once, on first use. */
void trace_name_row(Trace *t, int row, const char *name);
/* A span on a row that is no step (the preflight and its parts). */
void trace_span(Trace *t, int row, const char *name, const char *cat, double t0, double t1);

/* A step starts on a row, waits for something (what; NULL: not waiting),
 * and ends with a result word. Steps are known by id (1-based, the plan's). */
void trace_step_begin(Trace *t, const Step *s, int row, double when);
void trace_step_wait(Trace *t, const Step *s, const char *what, double when);
void trace_step_end(Trace *t, const Step *s, const char *result, double when);

/* The trace as JSON into path; 0, or -1 with the reason printed on stderr. */
int trace_write(const Trace *t, const char *path);

/* The chain of steps that ended last, each held up by the one before it (a
 * dependency, or the step before it on its host), printed to f; end is when
 * the run ended. */
void trace_critical_path(const Trace *t, FILE *f, double end);

#endif
