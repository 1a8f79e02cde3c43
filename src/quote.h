/* quote.h: the only place where escaping happens. Each function appends one
 * value quoted for one context; callers compose the layers explicitly
 * (a conninfo value inside a SQL literal inside a shell word). */
#ifndef REPLC_QUOTE_H
#define REPLC_QUOTE_H

#include <stdbool.h>

#include "strbuf.h"

/* SQL identifier, double-quoted only where PostgreSQL needs it. */
void q_ident(StrBuf *b, const char *s);
/* Schema-qualified name: "schema"."name", or just the name. */
void q_qualified(StrBuf *b, const char *schema, const char *name);
/* SQL string literal: 'it''s'; E'...' when it holds a backslash. */
void q_literal(StrBuf *b, const char *s);
/* s as a dollar-quoted string ($replc$...$replc$), its tag one s does not hold */
void q_dollar(StrBuf *b, const char *s);
/* libpq connection-string value: bare, or '...' with \' and \\. */
void q_conninfo(StrBuf *b, const char *s);
/* One key=value pair of a connection string, the value through q_conninfo;
 * a space before it when b holds text already. */
void q_conninfo_kv(StrBuf *b, const char *key, const char *value);
/* POSIX shell word: bare when only safe characters, else '...'. */
void q_shell(StrBuf *b, const char *s);
/* POSIX shell word, always '...': a variable's value in a generated script
 * (shellcheck reads a bare value that names a command, node=delta, as a
 * mistake). */
void q_shell_quoted(StrBuf *b, const char *s);
/* A string value in postgresql.conf syntax (as ALTER SYSTEM writes it to
 * postgresql.auto.conf): '...', quote and backslash doubled. */
void q_conf(StrBuf *b, const char *s);
/* JSON string, with its double quotes. */
void q_json(StrBuf *b, const char *s);
/* Graphviz DOT quoted string. */
void q_dot(StrBuf *b, const char *s);
/* pg_hba.conf database or user field: always double-quoted so that keywords
 * (all, replication, sameuser) and + or @ lose their meaning. Returns false
 * when s holds a double quote, which pg_hba.conf cannot express. */
bool q_hba(StrBuf *b, const char *s);
/* A field of a ~/.pgpass line: ':' and '\' escaped with '\'. */
void q_pgpass(StrBuf *b, const char *s);
/* pg_dump --table pattern matching exactly one table. */
void q_dump_pattern(StrBuf *b, const char *schema, const char *name);

/* A table name as a SQL literal for to_regclass(): the literal of the
 * (quoted where needed) qualified name. */
void q_regclass(StrBuf *b, const char *schema, const char *name);

/* Convenience: the quoted text in a fresh heap string (caller frees). */
char *q_dup(void (*fn)(StrBuf *, const char *), const char *s);

#endif
