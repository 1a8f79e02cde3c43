/* check.h: name resolution and every semantic check: Program -> Model
 * (with the derived configuration, derive.h). */
#ifndef REPLC_CHECK_H
#define REPLC_CHECK_H

#include "ast.h"
#include "model.h"

/* Builds the model; reports problems to d. The model is complete only when
 * diag_error_count(d) == 0. default_cluster names the cluster when the
 * file has no 'cluster' statement. */
Model *check_program(Arena *a, DiagCtx *d, const Program *prog, const char *default_cluster);

#endif
