/* noop.h: a second --apply on a converged cluster, recognised over libpq
 * alone: one query per node and database answers every step's
 * postcondition at once (docs/changing.md, "The no-op"). */
#ifndef REPLC_NOOP_H
#define REPLC_NOOP_H

#include <stdbool.h>

#include "plan.h"

/* True only when every step of plan would find nothing to do, the servers
 * run the declared versions in the declared roles, and the cluster lock is
 * free; false when anything differs, cannot be told this way, or fails
 * (then the normal run decides). Changes nothing; the lock is held only
 * while it looks. */
bool noop_holds(const Model *m, const Plan *plan, int timeout_ms);

#endif
