/* lex.h: what the scanner and the parser share. */
#ifndef REPLC_LEX_H
#define REPLC_LEX_H

#include "parse.h"

struct LexState {
    Parser *p;
    int file;
    unsigned off;
};

int lex_keyword(const char *s);
void lex_error(struct LexState *ls, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
