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
/* The same, using less memory. tree, tables, early and pubs (when not NULL)
 * are the arenas of prog's syntax tree (Parser.tree, .tables, .early,
 * .pubs), and with tree
 * its files' parts (Program.parts): each is given back (arena_free) as soon
 * as the model no longer needs it, and prog is not to be read after. check_only: for --check, the same diagnostics, but what
 * only the outputs read is left out of the model (Model.check_only). */
Model *check_program_ex(Arena *a, DiagCtx *d, const Program *prog, const char *default_cluster, Arena *tree,
                        Arena *tables, Arena *early, Arena *pubs, bool check_only);

#endif
