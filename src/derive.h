/* derive.h: the per-node configuration that follows from the topology. */
#ifndef REPLC_DERIVE_H
#define REPLC_DERIVE_H

#include "model.h"

/* Fills every node's guc[] and hba lines on a resolved model, weighing the
 * user's 'set's (Derived.verdict); reports nothing (check_derived does). */
void derive_settings(Arena *a, Model *m);

#endif
