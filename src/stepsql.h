/* stepsql.h: the SQL of every SQL step as guarded statements, and the
 * readiness queries. The .sql files (emit_scripts.c) and --apply
 * (runner.c) both come from here, so they cannot disagree. */
#ifndef REPLC_STEPSQL_H
#define REPLC_STEPSQL_H

#include "plan.h"

typedef struct SqlStmt {
    const char *comment;   /* one line, or NULL */
    const char *guard;     /* a query giving one boolean: run sql only when true */
    const char *sql;       /* one statement, no trailing ';' */
    const char *guc;       /* config step: the setting it changes */
    const char *notice;    /* non-NULL: when the guard holds, report this (sql is NULL): a
                            * difference replc leaves to the user */
    const char *show;      /* non-NULL: a query whose one value says what changes ("NAME: old ->
                            * new"), which --dry-run and --status show when the guard holds */
    const char *password_env;  /* non-NULL: sql is ALTER ROLE password_role and takes
                                * ' PASSWORD ' and the role's password, read from this
                                * environment variable at run time: psql's :'var' in the
                                * scripts, a client-side hash in --apply; never written out */
    const char *password_role;
} SqlStmt;

/* Append a statement (guard may be empty: unguarded) and reset guard and sql. */
SqlStmt *sql_push(Arena *a, Vec *v, const char *comment, StrBuf *guard, StrBuf *sql);
/* rolesql.c: replication roles (replication_user): the role step of primary
 * n (model_primary_roles). */
void role_sql(Arena *a, Vec *v, const MNode *n);
/* The grants of the replication roles that read n's publications. */
void grant_sql(Arena *a, Vec *v, const MNode *n);

/* The statements of a SQL step (config, database, tables, publications,
 * subscribe), in order; allocated in a. The step's postcondition holds when
 * every guard is false. */
Vec step_sql(Arena *a, const Step *s);

/* Readiness and postcondition queries; each gives one row, one column. */
char *sql_publications_count(Arena *a, const MSub *sub);  /* on the publisher: its publications and slot */
int sub_ready_count(const MSub *sub);                      /* ... equal to this when ready */
/* Columns added to a published table, subscribers first: on the publisher,
 * how many declared columns its published tables that exist lack (0: its
 * columns step adds none, nothing to wait for); on a subscriber, how many
 * declared columns of the tables it receives from pub it lacks ('0' when ready). */
char *sql_columns_to_add(Arena *a, const MNode *pub);
char *sql_columns_missing(Arena *a, const MNode *pub, const MNode *sub_node);
char *sql_subscription_synced(Arena *a, const MSub *sub); /* on the subscriber: 't' when every table is ready */
/* ... the same, and once 't' the states it saw are on disk; else what
 * stands, in words (the wait's query: it writes WAL, so never for --status) */
char *sql_subscription_synced_durable(Arena *a, const MSub *sub);
/* Names of the settings waiting for a restart ('' when none): those the
 * node's config step sets (replc restarts for them), and the others (a
 * DBA's own: reported, never the cause of a restart). */
char *sql_pending_restart(Arena *a, const MNode *n);
char *sql_pending_others(Arena *a, const MNode *n);
/* An expression: how many databases and relations a server holds besides the
 * defaults (a standby's data directory with any is not replaced without force). */
const char *sql_user_data(void);
char *sql_hba_present(Arena *a, const MNode *n);
/* Of replc's pg_hba.conf lines (HbaLine *; NULL: none), one row each
 * 'LINE<US>WHY<US>FILE:N<US>TEXT' for those whose peer's connection another
 * rule may take first (FILE:N and TEXT: that rule; empty: no rule surely
 * takes it); a rule with the same method and no options does not count. */
char *sql_hba_shadowed(Arena *a, const Vec *lines);
/* One row 'LINE<US>FILE:N' for each rule that is a line of lines written
 * another way (same type, database, user, address and method) */
char *sql_hba_equivalent(Arena *a, const Vec *lines);
/* 't' when, besides, every line takes effect (sql_hba_shadowed) and
 * pg_hba.conf has replc's block of this cluster with every slot record of n
 * (model_recorded_slots; the hba step has nothing to do) */
char *sql_hba_marked(Arena *a, const MNode *n);
/* 't' when the raise step of standby has nothing to do: the server is not a
 * standby (yet: its base backup brings the source's settings), or none of its
 * guards holds */
char *sql_standby_guards_clear(Arena *a, const MNode *standby);
/* Dry run: the settings that need a restart now, or that the config step
 * would change and that need one ('' when none). */
char *sql_restart_needed(Arena *a, const MNode *n);           /* 't' when every derived pg_hba.conf line is in the file */                    /* names of settings waiting for a restart, or '' */
int sub_expected_tables(const MSub *sub);
/* On a promoted standby of subscriber: advance each sequence that feeds a
 * column of a table the subscriber receives (owned by it: serial, identity;
 * or in its default: nextval) to 1000 steps past the largest key there,
 * never backwards. One row: "SEQUENCE VALUE, ..." of those it moved ('' when
 * none); '' as the statement when the subscriber receives no table. */
char *sql_advance_sequences(Arena *a, const MNode *subscriber);

/* The tables without a usable replica identity (no primary key, no
 * REPLICA IDENTITY USING INDEX or FULL) that publication p of node n would
 * carry when the publications step creates or changes it, as an expression
 * on n's server: their names, or '' when none (or when p needs no live
 * check: it publishes neither updates nor deletes, or every table it names
 * is declared with columns, checked at compile time). NULL when it needs
 * none. The step refuses them; --apply's preflight too. */
char *sql_pub_unidentified(Arena *a, const MNode *n, const MPub *p);
/* An expression: '1' when table t exists and holds a row, else '0' (an
 * initial copy into it would add the publisher's rows to its own). */
void sql_has_rows(StrBuf *b, const MTable *t);

/* A condition: setting name has value, as PostgreSQL compares it (in the
 * server's own units: '4096kB' is '4MB', '1000ms' is '1s'). */
void sql_setting_equals(StrBuf *g, const char *name, const char *value);

/* An expression: the comment expr (obj_description(...)) is replc's mark of
 * cluster, alone or with what it records after it ("; declared disabled",
 * model_sub_mark; matched whole: a cluster's name may hold "; "); NULL
 * when expr is. */
void sql_marked(Arena *a, StrBuf *b, const char *expr, const char *cluster);

/* Lock waits of the SQL steps: each statement waits at most
 * STEP_LOCK_TIMEOUT_S seconds behind another session's lock (lock_timeout;
 * it then fails with SQLSTATE 55P03) and is tried again, at most
 * step_lock_tries() times in all (STEP_LOCK_TRIES, or REPLC_LOCK_TRIES). */
#define STEP_LOCK_TIMEOUT_S 5
#define STEP_LOCK_TRIES 6
int step_lock_tries(void);
/* A query giving one line: the sessions a statement that gave up behind a
 * lock may have waited behind (transactions open since before its wait
 * began that hold locks), or 'none now'. */
const char *sql_lock_blockers(void);

/* The cluster lock that keeps two --apply runs of one cluster apart, one
 * per server, in its 'postgres' database (model_lock_node): take it ('t'
 * when this session holds it now), and who holds it (one line). Its key
 * derives from the cluster's name. */
long sql_lock_key(const char *cluster);
char *sql_lock_try(Arena *a, const char *cluster);
char *sql_lock_holders(Arena *a, const char *cluster);

#endif
