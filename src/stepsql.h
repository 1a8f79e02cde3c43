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
char *sql_subscription_synced(Arena *a, const MSub *sub); /* on the subscriber: 't' when every table is ready */
/* Names of the settings waiting for a restart ('' when none): those the
 * node's config step sets (replc restarts for them), and the others (a
 * DBA's own: reported, never the cause of a restart). */
char *sql_pending_restart(Arena *a, const MNode *n);
char *sql_pending_others(Arena *a, const MNode *n);
/* An expression: how many databases and relations a server holds besides the
 * defaults (a standby's data directory with any is not replaced without force). */
const char *sql_user_data(void);
char *sql_hba_present(Arena *a, const MNode *n);
/* 't' when, besides, pg_hba.conf has replc's block of this cluster with
 * every slot record of n (model_recorded_slots; the hba step has nothing to do) */
char *sql_hba_marked(Arena *a, const MNode *n);
/* 't' when the raise step of standby has nothing to do: the server is not a
 * standby (yet: its base backup brings the source's settings), or none of its
 * guards holds */
char *sql_standby_guards_clear(Arena *a, const MNode *standby);
/* Dry run: the settings that need a restart now, or that the config step
 * would change and that need one ('' when none). */
char *sql_restart_needed(Arena *a, const MNode *n);           /* 't' when every derived pg_hba.conf line is in the file */                    /* names of settings waiting for a restart, or '' */
int sub_expected_tables(const MSub *sub);

/* The cluster lock that keeps two --apply runs of one cluster apart, one
 * per server, in its 'postgres' database (model_lock_node): take it ('t'
 * when this session holds it now), and who holds it (one line). Its key
 * derives from the cluster's name. */
long sql_lock_key(const char *cluster);
char *sql_lock_try(Arena *a, const char *cluster);
char *sql_lock_holders(Arena *a, const char *cluster);

#endif
