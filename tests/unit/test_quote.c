/* test_quote.c: every quoting function against hostile input. */
#include <stdlib.h>

#include "quote.h"
#include "unit.h"

static void q(const char *name, void (*fn)(StrBuf *, const char *), const char *in, const char *want)
{
    char *got = q_dup(fn, in);
    unit_str(name, got, want);
    free(got);
}

int main(void)
{
    q("ident: plain lower case stays bare", q_ident, "test1", "test1");
    q("ident: upper case is quoted", q_ident, "Test", "\"Test\"");
    q("ident: hyphen is quoted", q_ident, "otus11-1", "\"otus11-1\"");
    q("ident: reserved word is quoted", q_ident, "select", "\"select\"");
    q("ident: unreserved keyword stays bare", q_ident, "key", "key");
    q("ident: double quote doubled", q_ident, "a\"b", "\"a\"\"b\"");
    q("ident: leading digit quoted", q_ident, "1a", "\"1a\"");
    q("ident: non-ASCII quoted", q_ident, "tablé", "\"tablé\"");
    q("ident: dollar inside stays bare", q_ident, "a$b", "a$b");
    q("literal: plain", q_literal, "abc", "'abc'");
    q("literal: quote doubled", q_literal, "it's", "'it''s'");
    q("literal: backslash uses E and doubles", q_literal, "a\\b'c", "E'a\\\\b''c'");
    q("literal: semicolon and comment are inert", q_literal, "x'; DROP TABLE t; --", "'x''; DROP TABLE t; --'");
    q("conf: quote and backslash doubled, no E", q_conf, "a\\b'c", "'a\\\\b''c'");
    q("conf: plain", q_conf, "replica", "'replica'");
    q("conninfo: plain", q_conninfo, "10.0.0.1", "10.0.0.1");
    q("conninfo: space quoted", q_conninfo, "my db", "'my db'");
    q("conninfo: quote and backslash escaped", q_conninfo, "a'b\\c", "'a\\'b\\\\c'");
    q("conninfo: equals sign quoted", q_conninfo, "a=b", "'a=b'");
    q("conninfo: empty quoted", q_conninfo, "", "''");
    q("shell: plain", q_shell, "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/15/bin");
    q("shell: dollar and backquote quoted", q_shell, "$(rm -rf /)`x`", "'$(rm -rf /)`x`'");
    q("shell: single quote", q_shell, "it's", "'it'\\''s'");
    q("shell: empty", q_shell, "", "''");
    q("shell: semicolon and newline", q_shell, "a;b\nc", "'a;b\nc'");
    q("shell quoted: a plain word quoted too", q_shell_quoted, "delta", "'delta'");
    q("shell quoted: single quote and dollar", q_shell_quoted, "it's $(x)", "'it'\\''s $(x)'");
    q("json: quote, backslash, control", q_json, "a\"b\\c\n\x01", "\"a\\\"b\\\\c\\n\\u0001\"");
    q("json: non-ASCII passes", q_json, "é", "\"é\"");
    q("json: invalid UTF-8 becomes U+FFFD", q_json, "caf\xe9 \xc3\xa9\xff", "\"caf\\ufffd é\\ufffd\"");
    q("dot: quote and backslash", q_dot, "a\"b\\", "\"a\\\"b\\\\\"");
    q("pgpass: colon and backslash", q_pgpass, "fe80::1\\x", "fe80\\:\\:1\\\\x");
    {
        StrBuf b;
        sb_init(&b);
        unit_int("hba: refuses a double quote", q_hba(&b, "a\"b"), 0);
        sb_reset(&b);
        q_hba(&b, "replication");
        unit_str("hba: a name that is a keyword is quoted", b.s, "\"replication\"");
        sb_reset(&b);
        q_dump_pattern(&b, NULL, "T*x\"y");
        unit_str("dump pattern: wildcards inside quotes, quote doubled", b.s, "\"public\".\"T*x\"\"y\"");
        sb_reset(&b);
        q_qualified(&b, "Sales", "orders");
        unit_str("qualified: schema quoted, table bare", b.s, "\"Sales\".orders");
        sb_free(&b);
    }
    return unit_done();
}
