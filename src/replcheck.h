/* replcheck.h: the replication checks of REPLICATION.md on a resolved model. */
#ifndef REPLC_REPLCHECK_H
#define REPLC_REPLCHECK_H

#include "model.h"

void check_replication(Arena *a, DiagCtx *d, Model *m);

#endif
