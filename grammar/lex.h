/* lex.h: what the scanner and the parser share. */
#ifndef REPLC_LEX_H
#define REPLC_LEX_H

#include "parse.h"

struct LexState {
    Parser *p;
    int file;
    unsigned off;
};

/* The keyword token of s (0: not a keyword); *word: its spelling, kept for
 * good (the scanner does not copy keywords). */
int lex_keyword(const char *s, const char **word);
/* Report the first byte of s that is not valid UTF-8 (a lexical error at
 * it); at is the span of s. Returns true when all of s is valid. */
bool lex_check_utf8(struct LexState *ls, const Span *at, const char *s, size_t n);
/* The name s[0..n) in the model's arena, one copy of each name (the same
 * pointer for the same spelling). */
const char *lex_word(struct LexState *ls, const char *s, size_t n);
void lex_error(struct LexState *ls, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
