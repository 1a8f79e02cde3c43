/* pgconn.h: every libpq call of replc lives in pgconn.c (the only file that
 * includes libpq-fe.h). Connections are non-blocking: callers poll() on
 * pg_socket() for pg_events() and call pg_step(). */
#ifndef REPLC_PGCONN_H
#define REPLC_PGCONN_H

#include <stdbool.h>

#include "model.h"

typedef struct PgConn PgConn;

typedef enum {
    PG_CONNECTING,   /* call pg_step when the socket is ready */
    PG_IDLE,         /* connected, no query running: pg_send */
    PG_BUSY,         /* a query is running: call pg_step */
    PG_DONE,         /* a result is ready: pg_value / pg_take_error, then pg_send again */
    PG_FAILED,       /* connection or query failed: pg_error */
} PgState;

/* Start connecting to node n's server, database dbname, as the node's user,
 * with the node's password (env, file or literal; never from a command line). */
PgConn *pg_open(const MNode *n, const char *dbname);
/* The same, with more server settings for the session: options as libpq
 * takes them ("-c name=value ..."). */
PgConn *pg_open_with(const MNode *n, const char *dbname, const char *options);
void pg_close(PgConn *c);
PgState pg_state(const PgConn *c);
int pg_socket(const PgConn *c);
short pg_events(const PgConn *c);      /* POLLIN and/or POLLOUT */
/* Advance after poll() said the socket is ready (or on a timeout). */
PgState pg_step(PgConn *c);
/* A SQL literal of role's password hashed here (SCRAM-SHA-256), for ALTER
 * ROLE ... PASSWORD: the server never sees the password itself (malloc'ed;
 * NULL when libpq cannot make it). */
char *pg_password_literal(PgConn *c, const char *role, const char *password);
/* Send one query (simple protocol, one statement). */
bool pg_send(PgConn *c, const char *sql);
/* The last result (PG_DONE), kept until the next query: pg_value is its
 * first column of its first row; pg_get any cell, "" for NULL or out of
 * range; pg_is_null also true out of range; pg_is_true: the cell is 't'. */
const char *pg_value(const PgConn *c);
int pg_nrows(const PgConn *c);
int pg_ncols(const PgConn *c);
const char *pg_get(const PgConn *c, int row, int col);
bool pg_is_null(const PgConn *c, int row, int col);
bool pg_is_true(const PgConn *c, int row, int col);
/* For PG_FAILED: message, then detail and hint lines from the server's
 * error fields (malloc'ed). Clears the failure so the connection may be
 * used again when it is still open. */
char *pg_error(PgConn *c);
/* The SQLSTATE of the last failed query ("" when the last one did not fail). */
const char *pg_sqlstate(const PgConn *c);
bool pg_connection_ok(const PgConn *c);
int pg_server_version(const PgConn *c);
/* Ask the server to cancel the running query. */
void pg_cancel(PgConn *c);

/* A pool of idle connections, so that one --apply connects to each server
 * and database about once: the no-op check's, the preflight's and the
 * steps' queries reuse them (one step at a time per host: a node's steps
 * run back to back on one connection). Every pooled connection sets
 * lock_timeout (the steps' DDL waits behind another session's lock no
 * longer than that). A NULL pool works: take opens, give closes. */
typedef struct PgPool PgPool;

PgPool *pg_pool_new(int lock_timeout_s);
/* Closes every idle connection (and so releases their session locks). */
void pg_pool_free(PgPool *p);
/* A connection to node n's server and database dbname: an idle one given
 * back earlier that still looks open (*reused true: it may still turn out
 * to be closed by a restart the pool did not hear of; the caller opens a
 * fresh one then), else a new one (*reused false). reused may be NULL. */
PgConn *pg_pool_take(PgPool *p, const MNode *n, const char *dbname, bool *reused);
/* Give c back (taken for n and dbname): kept when it is connected, idle and
 * outside a transaction, closed otherwise. NULL c: nothing. */
void pg_pool_give(PgPool *p, const MNode *n, const char *dbname, PgConn *c);
/* Close the idle connections to n's server (same host and port): it
 * restarts, or has been replaced. */
void pg_pool_forget(PgPool *p, const MNode *n);

/* Run one query on each connection at once and wait (poll) for all, at most
 * timeout_ms. Connections still connecting are finished first. Afterwards
 * each is PG_DONE or PG_FAILED. */
void pg_run_all(PgConn **c, const char *const *sql, int n, int timeout_ms);

#endif
