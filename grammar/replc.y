/* replc.y: pure LALR(1) parser for the topology language (LANGUAGE.md).
 * Actions only build the AST. Keywords are contextual: where a name is
 * expected, any keyword is accepted as one. */
%define api.pure full
%define api.prefix {rc}
%define api.location.type {Span}
%define parse.error custom
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {Parser *p}

%code requires {
#include "ast.h"
#include "parse.h"
typedef void *yyscan_t;
typedef struct TypeText { char *s; size_t len, cap; } TypeText;   /* a column type being read */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                         \
    do {                                                    \
        if (N) {                                            \
            (Cur).file = YYRHSLOC(Rhs, 1).file;             \
            (Cur).start = YYRHSLOC(Rhs, 1).start;           \
            (Cur).end = YYRHSLOC(Rhs, N).end;               \
        } else {                                            \
            (Cur).file = YYRHSLOC(Rhs, 0).file;             \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end; \
        }                                                   \
    } while (0)
}

%code provides {
#define YYSTYPE RCSTYPE
#define YYLTYPE RCLTYPE
struct LexState;
int rclex(RCSTYPE *yylval, RCLTYPE *yylloc, yyscan_t scanner);
int lex_unescape(struct LexState *ls, RCSTYPE *v, RCLTYPE *l, const char *s, size_t n);
}

%code {
#include <string.h>
#include <strings.h>
#include "lex.h"

static void rcerror(RCLTYPE *loc, yyscan_t scanner, Parser *p, const char *msg)
{
    (void)scanner;
    diag_error(p->diag, *loc, "syntax", "%s", msg);
}

/* The syntax tree's structures and lists go to p->tree (given back once the
 * model is built); the strings, which the model keeps, to p->arena. */
static Arena *top(Parser *p) { return p->tree ? p->tree : p->arena; }
/* What belongs to a node (and the options and lists in it): the file's part
 * when there are parts (Parser.parts), else the tree. */
static Arena *tree(Parser *p) { return p->part ? &p->part->arena : top(p); }
/* Tables: check.c is done with them before the nodes (Parser.tables);
 * settings once the nodes are declared (Parser.early); publications,
 * before the subscriptions (Parser.pubs). */
static Arena *tables_all(Parser *p) { return p->tables ? p->tables : top(p); }
static Arena *tables(Parser *p) { return p->part && p->tables ? &p->part->tables : tables_all(p); }
static Arena *early_all(Parser *p) { return p->early ? p->early : top(p); }
static Arena *early(Parser *p) { return p->part && p->early ? &p->part->early : early_all(p); }
static Arena *pubs(Parser *p) { return p->part && p->pubs ? &p->part->pubs : p->pubs ? p->pubs : top(p); }

static void *mk(Parser *p, size_t n) { return arena_alloc(tree(p), n); }
static void *mk_early(Parser *p, size_t n) { return arena_alloc(early(p), n); }
static void *mk_tables(Parser *p, size_t n) { return arena_alloc(tables(p), n); }
static void *mk_pubs(Parser *p, size_t n) { return arena_alloc(pubs(p), n); }

static TName *tncopy(Parser *p, TName t)
{
    TName *c = mk_pubs(p, sizeof *c);
    *c = t;
    return c;
}

/* A list kept by pointer: NULL when empty. */
static Vec *vcopy(Parser *p, Vec v)
{
    if (!v.n)
        return NULL;
    Vec *c = mk(p, sizeof *c);
    *c = v;
    return c;
}

/* A name of a subscription's statement, without its file (the statement's). */
static SubName sub_name(const Word *w)
{
    return (SubName){w->s, w->span.start, w->span.end};
}

/* A subscription with its publications' names (a list in p->scratch, which
 * is reset: nothing else is kept there) in one allocation. */
static SubscribeDecl *sub_new(Parser *p, const Vec *pubs)
{
    SubscribeDecl *s = mk(p, sizeof *s + sizeof(SubName) * (size_t)pubs->n);
    s->npubs = pubs->n;
    for (int i = 0; i < pubs->n; i++)
        s->pubs[i] = sub_name(pubs->items[i]);
    arena_reset(p->scratch);
    return s;
}

static Word *wscratch(Parser *p, Word w)
{
    Word *c = arena_alloc(p->scratch, sizeof *c);
    *c = w;
    return c;
}

static Word *wcopy(Parser *p, Word w)
{
    Word *c = mk(p, sizeof *c);
    *c = w;
    return c;
}

/* Append to a type's text in place, doubling its room when full: a type of
 * n words costs n bytes, not n * n / 2 (a 400 KB column type took 4 GB).
 * (TypeText by value on the parser's stack: no structure per column.) */
static TypeText tt_new(Parser *p, const char *s)
{
    TypeText t;
    t.len = strlen(s);
    t.cap = t.len + 1;   /* most types are one word: no room to spare (memory) */
    t.s = arena_alloc(p->arena, t.cap);
    memcpy(t.s, s, t.len + 1);
    return t;
}

/* A type of one name: the scanner's copy of it, not another (memory).
 * Full (cap = len + 1): tt_add copies it before adding to it. */
static TypeText tt_word(char *s)
{
    size_t len = strlen(s);
    return (TypeText){s, len, len + 1};
}

static TypeText tt_add(Parser *p, TypeText t, const char *s)
{
    size_t n = strlen(s);
    if (t.len + n + 1 > t.cap) {
        size_t cap = (t.len + n + 1) * 2;
        char *ns = arena_alloc(p->arena, cap);
        memcpy(ns, t.s, t.len);
        t.s = ns;
        t.cap = cap;
    }
    memcpy(t.s + t.len, s, n + 1);
    t.len += n;
    return t;
}
}

%union {
    Word word;
    Vec vec;
    Setting *setting;
    Option *option;
    TName tname;        /* (by value: a table's is copied into its TableDecl, no garbage) */
    Column *column;
    TableDecl *table;
    NodeDecl *node;
    PublishDecl *publish;
    SubscribeDecl *subscribe;
    StandbyDecl *standby;
    TypeText tt;
    int flags;
}

%token <word> NAME "name" STRING "string" NUMBER "number"
%token <word> K_CLUSTER "'cluster'" K_DEFAULTS "'defaults'" K_NODE "'node'"
%token <word> K_TABLE "'table'" K_PUBLISH "'publish'" K_SUBSCRIBE "'subscribe'"
%token <word> K_STANDBY "'standby'" K_FROM "'from'" K_TO "'to'" K_WITH "'with'"
%token <word> K_ALL "'all'" K_TABLES "'tables'" K_PRIMARY "'primary'" K_KEY "'key'"
%token <word> K_NOT "'not'" K_NULL "'null'" K_REPLICA "'replica'"
%token <word> K_IDENTITY "'identity'" K_FULL "'full'" K_SET "'set'" K_ENV "'env'"
%token <word> K_FILE "'file'" K_INCLUDE "'include'" K_PASSWORD "'password'"

%type <word> name name_no_to keyword value type_arg guc_name
%type <vec> name_list pub_list tname_list with_opt options table_elems
%type <setting> setting
%type <option> option
%type <tname> tname
%type <column> column
%type <table> table_body
%type <node> node_items
%type <publish> publish
%type <subscribe> subscribe
%type <standby> standby
%type <tt> type type_args
%type <flags> col_constraints replica_opt

%%

/* file := statement* */
file
    : %empty
    | file statement
    ;

statement
    /* 'cluster' name ';' */
    : K_CLUSTER name ';'                 { vec_push(top(p), &p->prog->clusters, wcopy(p, $2)); }
    /* 'include' string ';' */
    | K_INCLUDE STRING ';'               { parse_file(p, $2.s, @2); }
    /* 'defaults' '{' setting* '}' */
    | K_DEFAULTS '{' defaults_items '}'
    /* 'table' tname [ '(' column {',' column} [',' pkey] ')' ] [ 'replica' 'identity' 'full' ] ';' */
    | K_TABLE tname table_body replica_opt ';' {
          TableDecl *t = $3;
          t->name = $2;
          t->replica_full = $4;
          t->span = @$;
          vec_push(tables_all(p), &p->prog->tables, t);   /* (the list: read to the end) */
          if (p->part)
              p->part->last_table = p->prog->tables.n - 1;
      }
    /* 'node' name '{' node_item* '}' */
    | K_NODE name '{' node_items '}'     {
          NodeDecl *n = $4;
          n->name = $2;
          n->span = span_join(@1, @2);
          vec_push(top(p), &p->prog->nodes, n);
          if (p->part)
              p->part->last_node = p->prog->nodes.n - 1;
      }
    | error ';'
    | error '}'
    ;

defaults_items
    : %empty
    | defaults_items setting             {
          /* (every node reads the defaults: not in the file's part) */
          Setting *s = arena_alloc(early_all(p), sizeof *s);
          *s = *$2;
          vec_push(early_all(p), &p->prog->defaults, s);
      }
    | defaults_items error ';'
    ;

/* node_item := setting | publish | subscribe | standby */
node_items
    : %empty                             { $$ = mk(p, sizeof(NodeDecl)); }
    | node_items setting                 { $$ = $1; vec_push(early(p), &$$->settings, $2); }
    | node_items publish                 { $$ = $1; vec_push(pubs(p), &$$->publishes, $2); }
    | node_items subscribe               {
          $$ = $1;
          if ($$->last_subscribe)
              $$->last_subscribe->next = $2;
          else
              $$->subscribes = $2;
          $$->last_subscribe = $2;
      }
    | node_items standby                 { $$ = $1; vec_push(tree(p), &$$->standbys, $2); }
    | node_items error ';'               { $$ = $1; }
    ;

/* setting := key value ';'
 *          | 'password' ( 'env' name | 'file' string | string ) ';'
 *          | key 'env' name ';'          (replication_password env NAME;)
 *          | 'set' guc '=' value ';' */
setting
    : NAME value ';'                     {
          $$ = mk_early(p, sizeof(Setting));
          $$->kind = SET_PLAIN; $$->key = $1; $$->value = $2; $$->span = @$;
      }
    | NAME K_ENV name ';'                {
          $$ = mk_early(p, sizeof(Setting));
          $$->kind = SET_ENV; $$->key = $1; $$->value = $3; $$->span = @$;
      }
    | K_PASSWORD K_ENV name ';'          {
          $$ = mk_early(p, sizeof(Setting));
          $$->kind = SET_PASSWORD_ENV; $$->key = $1; $$->value = $3; $$->span = @$;
      }
    | K_PASSWORD K_FILE STRING ';'       {
          $$ = mk_early(p, sizeof(Setting));
          $$->kind = SET_PASSWORD_FILE; $$->key = $1; $$->value = $3; $$->span = @$;
      }
    | K_PASSWORD STRING ';'              {
          $$ = mk_early(p, sizeof(Setting));
          $$->kind = SET_PASSWORD_LIT; $$->key = $1; $$->value = $2; $$->span = @$;
          diag_redact(p->diag, @2);
      }
    | K_SET guc_name '=' value ';'       {
          $$ = mk_early(p, sizeof(Setting));
          $$->kind = SET_GUC; $$->key = $2; $$->value = $4; $$->span = @$;
      }
    ;

table_body
    : %empty                             { $$ = mk_tables(p, sizeof(TableDecl)); }
    | '(' table_elems ')'                {
          $$ = mk_tables(p, sizeof(TableDecl));
          $$->has_columns = true;
          $$->columns = $2;   /* the columns, the pkey clauses taken out in place (memory) */
          $$->columns.n = 0;
          for (int i = 0; i < $2.n; i++) {
              Column *c = $2.items[i];
              if (!c->is_table_pkey)
                  $$->columns.items[$$->columns.n++] = c;
              else if ($$->pkey.n)
                  diag_error(p->diag, c->span, "duplicate-primary-key",
                             "table has more than one primary key clause");
              else {
                  $$->pkey = c->pkey;
                  $$->pkey_span = c->span;
              }
          }
      }
    ;

/* column {',' column} [',' pkey]; pkey := 'primary' 'key' '(' name {',' name} ')' */
table_elems
    : column                             { $$ = (Vec){0}; vec_push(tables(p), &$$, $1); }
    | table_elems ',' column             { $$ = $1; vec_push(tables(p), &$$, $3); }
    ;

column
    /* column := name type { 'primary' 'key' | 'not' 'null' } */
    : name type col_constraints          {
          $$ = mk_tables(p, sizeof(Column));
          $$->name = $1; $$->type = $2.s; $$->type_span = @2;
          $$->primary_key = ($3 & 1) != 0; $$->not_null = ($3 & 2) != 0;
          $$->span = @$;
      }
    | K_PRIMARY K_KEY '(' name_list ')'  {
          $$ = mk_tables(p, sizeof(Column));
          $$->is_table_pkey = true;
          $$->pkey = $4;
          $$->span = @$;
      }
    ;

col_constraints
    : %empty                             { $$ = 0; }
    | col_constraints K_PRIMARY K_KEY    { $$ = $1 | 1; }
    | col_constraints K_NOT K_NULL       { $$ = $1 | 2; }
    ;

/* type: SQL type words with optional (args) and [] */
type
    : NAME                               { $$ = tt_word((char *)$1.s); }
    | K_WITH                             { $$ = tt_new(p, $1.s); }
    | type NAME                          { $$ = tt_add(p, tt_add(p, $1, " "), $2.s); }
    | type K_WITH                        { $$ = tt_add(p, tt_add(p, $1, " "), $2.s); }
    | type '(' type_args ')'             { $$ = tt_add(p, tt_add(p, tt_add(p, $1, "("), $3.s), ")"); }
    | type '[' ']'                       { $$ = tt_add(p, $1, "[]"); }
    | type '[' NUMBER ']'                { $$ = tt_add(p, tt_add(p, tt_add(p, $1, "["), $3.s), "]"); }
    ;

type_args
    : type_arg                           { $$ = tt_new(p, $1.s); }
    | type_args ',' type_arg             { $$ = tt_add(p, tt_add(p, $1, ","), $3.s); }
    ;

type_arg
    : NUMBER
    | NAME
    ;

replica_opt
    : %empty                             { $$ = 0; }
    | K_REPLICA K_IDENTITY K_FULL        { $$ = 1; }
    ;

/* publish := 'publish' name ( '(' tname {',' tname} ')' | 'all' 'tables' ) [ with ] ';' */
publish
    : K_PUBLISH name '(' tname_list ')' with_opt ';' {
          $$ = mk_pubs(p, sizeof(PublishDecl));
          $$->name = $2; $$->tables = $4; $$->options = $6; $$->span = @$;
      }
    | K_PUBLISH name K_ALL K_TABLES with_opt ';' {
          $$ = mk_pubs(p, sizeof(PublishDecl));
          $$->name = $2; $$->all_tables = true; $$->options = $5; $$->span = @$;
      }
    ;

/* subscribe := 'subscribe' [ name ] 'to' name '(' name {',' name} ')' [ with ] ';' */
subscribe
    : K_SUBSCRIBE K_TO name '(' pub_list ')' with_opt ';' {
          $$ = sub_new(p, &$5);
          $$->to = sub_name(&$3); $$->options = vcopy(p, $7); $$->span = @$;
      }
    | K_SUBSCRIBE name_no_to K_TO name '(' pub_list ')' with_opt ';' {
          $$ = sub_new(p, &$6);
          $$->name = wcopy(p, $2); $$->to = sub_name(&$4); $$->options = vcopy(p, $8); $$->span = @$;
      }
    ;

/* standby := 'standby' 'from' name [ with ] ';' */
standby
    : K_STANDBY K_FROM name with_opt ';' {
          $$ = mk(p, sizeof(StandbyDecl));
          $$->from = $3; $$->options = $4; $$->span = @$;
      }
    ;

/* with := 'with' '(' option {',' option} ')' */
with_opt
    : %empty                             { $$ = (Vec){0}; }
    | K_WITH '(' options ')'             { $$ = $3; }
    ;

options
    : option                             { $$ = (Vec){0}; vec_push(tree(p), &$$, $1); }
    | options ',' option                 { $$ = $1; vec_push(tree(p), &$$, $3); }
    ;

/* option := name [ '=' value ] */
option
    : name                               {
          $$ = mk(p, sizeof(Option));
          $$->name = $1; $$->span = @$;
      }
    | name '=' value                     {
          $$ = mk(p, sizeof(Option));
          $$->name = $1; $$->value = $3; $$->has_value = true; $$->span = @$;
      }
    ;

/* guc_name := name { '.' name }   (an extension's setting: pg_stat_statements.max) */
guc_name
    : name
    | guc_name '.' name                  {
          $$ = $1;
          $$.s = arena_printf(p->arena, "%s.%s", $1.s, $3.s);
          $$.span = @$;
      }
    ;

/* tname := name [ '.' name ] */
tname
    : name                               { $$ = (TName){NULL, $1, @$}; }
    | name '.' name                      {
          $$ = (TName){mk_pubs(p, sizeof(Word)), $3, @$};
          *$$.schema = $1;
      }
    ;

tname_list
    : tname                              { $$ = (Vec){0}; vec_push(pubs(p), &$$, tncopy(p, $1)); }
    | tname_list ',' tname               { $$ = $1; vec_push(pubs(p), &$$, tncopy(p, $3)); }
    ;

/* a subscription's publications: in p->scratch until sub_new copies them */
pub_list
    : name                               { $$ = (Vec){0}; vec_push(p->scratch, &$$, wscratch(p, $1)); }
    | pub_list ',' name                  { $$ = $1; vec_push(p->scratch, &$$, wscratch(p, $3)); }
    ;

name_list
    : name                               { $$ = (Vec){0}; vec_push(tree(p), &$$, wcopy(p, $1)); }
    | name_list ',' name                 { $$ = $1; vec_push(tree(p), &$$, wcopy(p, $3)); }
    ;

/* value := name | string | number */
value
    : name
    | NUMBER
    ;

name
    : name_no_to
    | K_TO
    ;

name_no_to
    : NAME
    | STRING
    | keyword
    ;

keyword
    : K_CLUSTER | K_DEFAULTS | K_NODE | K_TABLE | K_PUBLISH | K_SUBSCRIBE
    | K_STANDBY | K_FROM | K_WITH | K_ALL | K_TABLES | K_PRIMARY | K_KEY
    | K_NOT | K_NULL | K_REPLICA | K_IDENTITY | K_FULL | K_SET | K_ENV
    | K_FILE | K_INCLUDE | K_PASSWORD
    ;

%%

/* ---- hints for the mistakes people make (tests/diag/1xx-hint-*) ---- */

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == '-';
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The word that ends before offset at (blanks skipped): [*s, *e). */
static bool word_before(const char *t, unsigned at, unsigned *s, unsigned *e)
{
    unsigned i = at;
    while (i > 0 && blank(t[i - 1]))
        i--;
    unsigned end = i;
    while (i > 0 && word_char(t[i - 1]))
        i--;
    *s = i;
    *e = end;
    return i < end;
}

static bool is_word(const char *t, unsigned s, unsigned e, const char *w)
{
    return e - s == strlen(w) && strncasecmp(t + s, w, e - s) == 0;
}

static bool all_digits(const char *t, unsigned s, unsigned e)
{
    for (unsigned i = s; i < e; i++)
        if (t[i] < '0' || t[i] > '9')
            return false;
    return s < e;
}

/* A hint for a syntax error at [at, end) of text, when it looks like a
 * known mistake: an unquoted address or size, a misspelled 'password'
 * before env/file, SQL written for the topology. */
static void syntax_hint(Parser *p, Diagnostic *dg, const char *t, size_t len, unsigned at, unsigned end)
{
    unsigned s1, e1, s2, e2;
    bool w1 = word_before(t, at, &s1, &e1), w2 = w1 && word_before(t, s1, &s2, &e2);
    /* host 10.1.0.10; -> found '.' right after a number */
    if (t[at] == '.' && at > 0 && t[at - 1] >= '0' && t[at - 1] <= '9') {
        unsigned s = at, e = at;
        while (s > 0 && (word_char(t[s - 1]) || t[s - 1] == '.' || t[s - 1] == ':'))
            s--;
        while (e < len && (word_char(t[e]) || t[e] == '.' || t[e] == ':' || t[e] == '/'))
            e++;
        diag_hint(p->diag, dg, "An address, a path or other text with dots is written as a string: \"%.*s\".",
                  (int)(e - s), t + s);
        return;
    }
    /* set work_mem = 64 MB; -> a unit after a number */
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "us", "ms", "s", "min", "h", "d"};
    if (w1 && all_digits(t, s1, e1))
        for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
            if (is_word(t, at, end, units[k])) {
                diag_hint(p->diag, dg, "A value with a unit is written as a string: \"%.*s%s\".", (int)(e1 - s1),
                          t + s1, units[k]);
                return;
            }
    /* SQL habits: CREATE PUBLICATION ..., publish p FOR ALL TABLES */
    static const char *const sql[] = {"create", "alter", "drop", "grant"};
    for (size_t k = 0; k < sizeof sql / sizeof sql[0]; k++)
        if (is_word(t, at, end, sql[k]) || (w2 && is_word(t, s2, e2, sql[k]))) {
            diag_hint(p->diag, dg, "The topology is not SQL: declare what should exist ('table NAME (...);', "
                                   "'publish NAME (TABLE, ...);', 'subscribe to NODE (PUBLICATION, ...);' inside "
                                   "a node) and replc writes the SQL statements.");
            return;
        }
    if (is_word(t, at, end, "for")) {
        diag_hint(p->diag, dg, "Write 'publish NAME all tables;' or 'publish NAME (TABLE, ...);', without "
                               "SQL's 'for' and 'table'.");
        return;
    }
    /* pasword env X; -> a misspelled key before env or file */
    if (w2 && (is_word(t, s1, e1, "env") || is_word(t, s1, e1, "file"))) {
        static const char *const keys[] = {"password"};
        char *key = arena_strndup(p->arena, t + s2, e2 - s2);
        const char *best = diag_suggest(key, keys, (int)(sizeof keys / sizeof keys[0]));
        if (best)
            diag_hint(p->diag, dg, "Did you mean '%s'? Only '%s' reads its value with 'env NAME' or 'file \"PATH\"'.",
                      best, best);
        else
            diag_hint(p->diag, dg, "Only 'password' reads its value with 'env NAME' or 'file \"PATH\"'.");
    }
}

/* "expected X, Y or Z, found W": when every keyword is expected, the
 * grammar wants a name there, so the keywords are folded into "name". */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, Parser *p)
{
    (void)scanner;
    enum { MAXTOK = 80 };
    yysymbol_kind_t exp[MAXTOK];
    int n = yypcontext_expected_tokens(ctx, exp, MAXTOK);
    if (n < 0)
        n = 0;
    int nkw = 0;
    bool has_name = false;
    for (int i = 0; i < n; i++) {
        if (exp[i] >= YYSYMBOL_K_CLUSTER && exp[i] <= YYSYMBOL_K_PASSWORD)
            nkw++;
        if (exp[i] == YYSYMBOL_NAME)
            has_name = true;
    }
    bool fold = has_name && nkw == YYSYMBOL_K_PASSWORD - YYSYMBOL_K_CLUSTER + 1;
    StrBuf b;
    sb_init(&b);
    int shown = 0, total = 0;
    for (int i = 0; i < n; i++)
        if (!(fold && ((exp[i] >= YYSYMBOL_K_CLUSTER && exp[i] <= YYSYMBOL_K_PASSWORD) ||
                       exp[i] == YYSYMBOL_STRING)))
            total++;
    sb_puts(&b, total ? "expected " : "unexpected ");
    for (int i = 0; i < n; i++) {
        if (fold && ((exp[i] >= YYSYMBOL_K_CLUSTER && exp[i] <= YYSYMBOL_K_PASSWORD) ||
                     exp[i] == YYSYMBOL_STRING))
            continue;
        if (shown)
            sb_puts(&b, shown == total - 1 ? " or " : ", ");
        sb_puts(&b, yysymbol_name(exp[i]));
        shown++;
    }
    yysymbol_kind_t tok = yypcontext_token(ctx);
    const RCLTYPE *loc = yypcontext_location(ctx);
    const Source *src = diag_source(p->diag, loc->file);
    if (total)
        sb_puts(&b, ", found ");
    if (tok == YYSYMBOL_YYEOF)
        sb_puts(&b, "end of file");
    else if (src && loc->end > loc->start) {
        const char *kind = tok == YYSYMBOL_NAME ? "name " : tok == YYSYMBOL_STRING ? "string "
                         : tok == YYSYMBOL_NUMBER ? "number " : "";
        int len = (int)(loc->end - loc->start);
        if (len > 40)
            len = 40;
        sb_printf(&b, "%s'%.*s'", kind, len, src->text + loc->start);
    } else
        sb_puts(&b, yysymbol_name(tok));
    Diagnostic *dg = diag_error(p->diag, *loc, "syntax", "%s", b.s);
    if (src && tok != YYSYMBOL_YYEOF)
        syntax_hint(p, dg, src->text, src->len, loc->start, loc->end);
    sb_free(&b);
    return 0;
}
