/* emit.h: plan -> text. Scripts (emit_scripts.c), plan.txt / plan.json /
 * topology.dot (emit_plan.c). Every function appends to a StrBuf; main.c
 * writes the files. */
#ifndef REPLC_EMIT_H
#define REPLC_EMIT_H

#include "plan.h"

void emit_step(StrBuf *b, const Model *m, const Step *s);
void emit_promote(StrBuf *b, const Model *m, const MNode *n);
/* lib.sh: the functions every shell step sources (src/sh/lib.sh) */
void emit_lib_sh(StrBuf *b);
/* A peer's ~/.pgpass key (HOST:PORT:*:USER); a standby's marker file text. */
void pgpass_key(StrBuf *b, const MNode *peer);
void standby_marker(StrBuf *b, const MNode *n);
void emit_run_sh(StrBuf *b, const Model *m, const Plan *p, const MNode *n);
/* The values and calls that check node n's server manager (lib.sh must come
 * first): it prints "server run by ..." or stops with a message. */
void emit_server_check(StrBuf *b, const MNode *n);
void emit_plan_text(StrBuf *b, const Model *m, const Plan *p);
void emit_plan_json(StrBuf *b, const Model *m, const Plan *p);
void emit_dot(StrBuf *b, const Model *m);

#endif
