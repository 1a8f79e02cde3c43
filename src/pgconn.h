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

/* Run one query on each connection at once and wait (poll) for all, at most
 * timeout_ms. Connections still connecting are finished first. Afterwards
 * each is PG_DONE or PG_FAILED. */
void pg_run_all(PgConn **c, const char *const *sql, int n, int timeout_ms);

#endif
