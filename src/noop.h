/* noop.h: a second --apply on a converged cluster, recognised over libpq
 * alone: one query per node and database answers every step's
 * postcondition at once (docs/changing.md, "The no-op"). */
#ifndef REPLC_NOOP_H
#define REPLC_NOOP_H

#include <stdbool.h>

#include "pgconn.h"
#include "plan.h"

/* True only when every step of plan would find nothing to do, the servers
 * run the declared versions in the declared roles, and the cluster lock is
 * free; false when anything differs, cannot be told this way, or fails
 * (then the normal run decides). Changes nothing; the lock is held only
 * while it looks. Its connections come from pool and go back there (those
 * that tried the lock are closed), for the run that follows. */
bool noop_holds(const Model *m, const Plan *plan, PgPool *pool, int timeout_ms);

#endif
