/* check.h: name resolution, every semantic check, and the derived
 * configuration: Program -> Model. */
#ifndef REPLC_CHECK_H
#define REPLC_CHECK_H

#include "ast.h"
#include "model.h"

/* Builds the model; reports problems to d. The model is complete only when
 * diag_error_count(d) == 0. default_cluster names the cluster when the
 * file has no 'cluster' statement. */
Model *check_program(Arena *a, DiagCtx *d, const Program *prog, const char *default_cluster);

/* Replication checks of REPLICATION.md (replcheck.c) and the derived
 * configuration (derive.c), both on a resolved model. */
void check_replication(Arena *a, DiagCtx *d, Model *m);
void derive_settings(Arena *a, DiagCtx *d, Model *m);

#endif
