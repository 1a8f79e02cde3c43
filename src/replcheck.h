/* replcheck.h: the replication checks of REPLICATION.md on a resolved model. */
#ifndef REPLC_REPLCHECK_H
#define REPLC_REPLCHECK_H

#include "model.h"

void check_replication(Arena *a, DiagCtx *d, Model *m);
/* After derive_settings: the user's settings that the topology cannot
 * work with, as derive.c weighed them. */
void check_derived(Arena *a, DiagCtx *d, const Model *m);

#endif
