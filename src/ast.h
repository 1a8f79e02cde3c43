/* ast.h: the syntax tree. It mirrors the text; every node has a source span.
 * Built only by the parser's actions, read by check.c and the AST dump. */
#ifndef REPLC_AST_H
#define REPLC_AST_H

#include <stdbool.h>

#include "arena.h"
#include "diag.h"
#include "strbuf.h"

/* A name, string or number as written (strings and quoted names unescaped). */
typedef struct Word {
    const char *s;
    Span span;
    enum { W_NAME, W_STRING, W_NUMBER } kind;
} Word;

typedef enum {
    SET_PLAIN,          /* key value; */
    SET_PASSWORD_ENV,   /* password env NAME; */
    SET_PASSWORD_FILE,  /* password file "PATH"; */
    SET_PASSWORD_LIT,   /* password "literal"; */
    SET_ENV,            /* key env NAME; (replication_password) */
    SET_GUC             /* set guc = value; */
} SettingKind;

typedef struct Setting {
    Word key;           /* the key; "password" or the GUC name for those kinds */
    Word value;
    Span span;
    SettingKind kind;   /* (after the span: no padding, 64 bytes, not 72) */
} Setting;

typedef struct Option {
    Word name;
    Word value;
    bool has_value;     /* a bare name means = true */
    Span span;
} Option;

typedef struct TName {
    Word *schema;       /* NULL when not qualified (a pointer, for memory) */
    Word name;
    Span span;
} TName;

typedef struct Column {
    Word name;
    const char *type;   /* SQL type text, normalised: words joined by one space */
    Span type_span;
    bool primary_key, not_null;
    bool is_table_pkey; /* parser only: 'primary key (...)' element */
    Vec pkey;           /* parser only: its names (Word *) */
    Span span;
} Column;

typedef struct TableDecl {
    TName name;
    bool has_columns;
    Vec columns;        /* Column * */
    Vec pkey;           /* Word *: table-level primary key (...) */
    Span pkey_span;
    bool replica_full;
    Span span;
} TableDecl;

typedef struct PublishDecl {
    Word name;
    Vec tables;         /* TName * */
    Vec options;        /* Option * */
    Span span;
    bool all_tables;    /* (after the span: 72 bytes, not 80) */
} PublishDecl;

/* (compact, for memory: the most numerous declaration; a node's are a list
 * through next, the publications' names an array in the same allocation) */
typedef struct SubName {   /* a name in the statement's file: 16 bytes, a Word 24 */
    const char *s;
    unsigned start, end;
} SubName;

typedef struct SubscribeDecl {
    struct SubscribeDecl *next; /* the node's next subscription; NULL: the last */
    Word *name;         /* NULL: default name (most: a pointer, not a Word, for memory) */
    Vec *options;       /* Option *; NULL without 'with' (most: a pointer, for memory) */
    SubName to;         /* sub_word() */
    Span span;
    int npubs;
    SubName pubs[];     /* npubs of them: sub_word() */
} SubscribeDecl;

/* A name of subscription sd (its 'to' or one of its pubs) as a Word. */
static inline Word sub_word(const SubscribeDecl *sd, const SubName *w)
{
    return (Word){w->s, {sd->span.file, w->start, w->end}, W_NAME};
}

typedef struct StandbyDecl {
    Word from;
    Vec options;        /* Option * */
    Span span;
} StandbyDecl;

typedef struct NodeDecl {
    Word name;
    Vec settings;       /* Setting * */
    Vec publishes;      /* PublishDecl * */
    SubscribeDecl *subscribes, *last_subscribe; /* the list, in order (SubscribeDecl.next) */
    Vec standbys;       /* StandbyDecl * */
    Span span;
} NodeDecl;

/* One file's part of the syntax tree, in an arena of its own (Parser.parts):
 * check_program_ex gives it back once it has resolved the file's last node. */
typedef struct ProgramPart {
    Arena arena;
    Arena tables;       /* its tables' declarations (Parser.tables): given back once checked */
    int last_table;     /* index in Program.tables of the file's last table; -1: none */
    Arena early;        /* its nodes' settings (Parser.early): given back as its last node is declared */
    Arena pubs;         /* its publications (Parser.pubs): given back after its last node's (pass 0) */
    int last_node;      /* index in Program.nodes of the file's last node; -1: none */
} ProgramPart;

typedef struct Program {
    Word cluster;       /* .s == NULL when absent */
    Vec clusters;       /* Word *: every cluster statement, to report repeats */
    Vec defaults;       /* Setting *, from every defaults block in order */
    Vec tables;         /* TableDecl * */
    Vec nodes;          /* NodeDecl * */
    Vec parts;          /* ProgramPart *, when the parser made them */
} Program;

/* Give back every part's arena (after check_program_ex, or instead of it). */
void program_free_parts(const Program *prog);

#endif
