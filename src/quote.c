/* quote.c: escaping for every context replc writes into. */
#include "quote.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"

/* PostgreSQL keywords that are not unreserved (reserved, column-name and
 * type-function-name keywords): these need quotes as identifiers. */
static const char *const pg_keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case",
    "cast", "char", "character", "check", "coalesce", "collate", "collation", "column",
    "concurrently", "constraint", "create", "cross", "current_catalog", "current_date",
    "current_role", "current_schema", "current_time", "current_timestamp",
    "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct", "do",
    "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for",
    "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping",
    "having", "ilike", "in", "initially", "inner", "inout", "int", "integer",
    "intersect", "interval", "into", "is", "isnull", "join", "json", "json_array",
    "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query",
    "json_scalar", "json_serialize", "json_table", "json_value", "lateral", "leading",
    "least", "left", "like", "limit", "localtime", "localtimestamp", "merge_action",
    "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer",
    "overlaps", "overlay", "placing", "position", "precision", "primary", "real",
    "references", "returning", "right", "row", "select", "session_user", "setof",
    "similar", "smallint", "some", "substring", "symmetric", "system_user", "table",
    "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim",
    "true", "union", "unique", "user", "using", "values", "varchar", "variadic",
    "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat",
    "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi",
    "xmlroot", "xmlserialize", "xmltable",
};

static bool is_keyword(const char *s)
{
    for (size_t i = 0; i < sizeof pg_keywords / sizeof pg_keywords[0]; i++)
        if (strcmp(pg_keywords[i], s) == 0)
            return true;
    return false;
}

/* "name" with embedded double quotes doubled: SQL identifiers and pg_dump patterns */
static void always_quoted(StrBuf *b, const char *s)
{
    sb_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_putc(b, '"');
        sb_putc(b, *p);
    }
    sb_putc(b, '"');
}

void q_ident(StrBuf *b, const char *s)
{
    bool plain = (*s >= 'a' && *s <= 'z') || *s == '_';
    for (const char *p = s; *p && plain; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
            plain = false;
    if (plain && !is_keyword(s)) {
        sb_puts(b, s);
        return;
    }
    always_quoted(b, s);
}

void q_qualified(StrBuf *b, const char *schema, const char *name)
{
    if (schema) {
        q_ident(b, schema);
        sb_putc(b, '.');
    }
    q_ident(b, name);
}

/* '...' with quotes and backslashes doubled: an E'' literal's body, and a
 * postgresql.conf string */
static void doubled(StrBuf *b, const char *s)
{
    sb_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_putc(b, *p);
        sb_putc(b, *p);
    }
    sb_putc(b, '\'');
}

void q_literal(StrBuf *b, const char *s)
{
    if (strchr(s, '\\'))
        sb_putc(b, 'E');
    doubled(b, s);
}

void q_conf(StrBuf *b, const char *s)
{
    doubled(b, s);
}

void q_dollar(StrBuf *b, const char *s)
{
    char tag[32] = "$replc$";
    for (int k = 1; strstr(s, tag); k++)
        snprintf(tag, sizeof tag, "$replc%d$", k);
    sb_printf(b, "%s%s%s", tag, s, tag);
}

void q_conninfo(StrBuf *b, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        if (*p == ' ' || *p == '\'' || *p == '\\' || *p == '=' || (unsigned char)*p < 0x21)
            plain = false;
    if (plain) {
        sb_puts(b, s);
        return;
    }
    sb_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_putc(b, '\\');
        sb_putc(b, *p);
    }
    sb_putc(b, '\'');
}

void q_conninfo_kv(StrBuf *b, const char *key, const char *value)
{
    if (b->len)
        sb_putc(b, ' ');
    sb_printf(b, "%s=", key);
    q_conninfo(b, value);
}

void q_shell(StrBuf *b, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_./:@%+,-", *p)))
            plain = false;
    if (plain) {
        sb_puts(b, s);
        return;
    }
    q_shell_quoted(b, s);
}

void q_shell_quoted(StrBuf *b, const char *s)
{
    sb_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            sb_puts(b, "'\\''");
        else
            sb_putc(b, *p);
    }
    sb_putc(b, '\'');
}

void q_json(StrBuf *b, const char *s)
{
    sb_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default:
            if (*p < 0x20) {
                sb_printf(b, "\\u%04x", *p);
            } else if (*p >= 0x80) {
                /* JSON is UTF-8: a byte that is not part of a valid character
                 * (a file name in Latin-1, say) becomes U+FFFD */
                int n = utf8_seq_len((const char *)p, (const char *)p + strnlen((const char *)p, 4));
                if (!n) {
                    sb_puts(b, "\\ufffd");
                    break;
                }
                sb_putn(b, (const char *)p, (size_t)n);
                p += n - 1;
            } else {
                sb_putc(b, (char)*p);
            }
        }
    }
    sb_putc(b, '"');
}

void q_dot(StrBuf *b, const char *s)
{
    sb_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_putc(b, '\\');
        if (*p == '\r' || *p == '\n')
            sb_putc(b, ' ');
        else
            sb_putc(b, *p);
    }
    sb_putc(b, '"');
}

bool q_hba(StrBuf *b, const char *s)
{
    if (strchr(s, '"'))
        return false;
    sb_putc(b, '"');
    sb_puts(b, s);
    sb_putc(b, '"');
    return true;
}

void q_pgpass(StrBuf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == ':' || *p == '\\')
            sb_putc(b, '\\');
        sb_putc(b, *p);
    }
}

void q_dump_pattern(StrBuf *b, const char *schema, const char *name)
{
    always_quoted(b, schema ? schema : "public");
    sb_putc(b, '.');
    always_quoted(b, name);
}

void q_regclass(StrBuf *b, const char *schema, const char *name)
{
    StrBuf q;
    sb_init(&q);
    q_qualified(&q, schema, name);
    q_literal(b, q.s);
    sb_free(&q);
}

char *q_dup(void (*fn)(StrBuf *, const char *), const char *s)
{
    StrBuf b;
    sb_init(&b);
    fn(&b, s);
    if (!b.s)
        sb_puts(&b, "");
    return b.s;
}
