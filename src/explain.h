/* explain.h: the text behind each diagnostic code (replc --explain CODE). */
#ifndef REPLC_EXPLAIN_H
#define REPLC_EXPLAIN_H

#include <stdio.h>

/* NULL when the code is unknown. */
const char *explain_text(const char *code);
/* Every code, NULL-terminated, for "did you mean" and the docs test. */
const char *const *explain_codes(void);
/* replc --explain alone: every code and the first sentence of its text. */
void explain_list(FILE *f);

#endif
