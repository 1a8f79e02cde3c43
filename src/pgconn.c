/* pgconn.c: non-blocking libpq connections and queries. */
#include "pgconn.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "strbuf.h"

struct PgConn {
    PGconn *conn;
    PgState state;
    bool polling_write;   /* during connect: what PQconnectPoll asked for */
    int nrows, ncols;     /* the last result, copied: PQclear happens in collect() */
    char **cells;         /* nrows * ncols, row by row */
    bool *nulls;
    char *error;
    char sqlstate[6];     /* of the last failed query, "" when none */
};

static char *xstrdup(const char *s)
{
    char *r = strdup(s ? s : "");
    if (!r) {
        fputs("replc: out of memory\n", stderr);
        abort();
    }
    return r;
}

PgConn *pg_open(const MNode *n, const char *dbname)
{
    return pg_open_with(n, dbname, NULL);
}

PgConn *pg_open_with(const MNode *n, const char *dbname, const char *options)
{
    PgConn *c = calloc(1, sizeof *c);
    char opts[256];
    snprintf(opts, sizeof opts, "-c synchronous_commit=local%s%s", options ? " " : "", options ? options : "");
    char port[16];
    snprintf(port, sizeof port, "%d", n->port);
    const char *keys[12], *vals[12];
    int k = 0;
    keys[k] = "host", vals[k++] = n->host;
    keys[k] = "port", vals[k++] = port;
    keys[k] = "dbname", vals[k++] = dbname;
    keys[k] = "user", vals[k++] = n->conf->user;
    keys[k] = "application_name", vals[k++] = "replc apply";
    keys[k] = "connect_timeout", vals[k++] = "10";
    /* replc's own commits never wait for a synchronous standby (a
     * subscriber's, docs/failover.md): one that is down, or leaving the
     * topology, must not stall the steps that reconfigure it */
    keys[k] = "options", vals[k++] = opts;
    if (n->conf->sslmode)
        keys[k] = "sslmode", vals[k++] = n->conf->sslmode;
    if (n->conf->pw_kind == PW_ENV && getenv(n->conf->pw_value))
        keys[k] = "password", vals[k++] = getenv(n->conf->pw_value);
    else if (n->conf->pw_kind == PW_LITERAL && n->conf->pw_literal)
        keys[k] = "password", vals[k++] = n->conf->pw_literal;
    else if (n->conf->pw_kind == PW_FILE)
        keys[k] = "passfile", vals[k++] = n->conf->pw_value;
    keys[k] = NULL, vals[k] = NULL;
    c->conn = PQconnectStartParams(keys, vals, 0);
    c->state = PG_CONNECTING;
    c->polling_write = true;
    if (!c->conn || PQstatus(c->conn) == CONNECTION_BAD) {
        c->state = PG_FAILED;
        c->error = xstrdup(c->conn ? PQerrorMessage(c->conn) : "out of memory");
    } else
        PQsetnonblocking(c->conn, 1);
    return c;
}

static void free_result(PgConn *c)
{
    for (int i = 0; i < c->nrows * c->ncols; i++)
        free(c->cells[i]);
    free(c->cells);
    free(c->nulls);
    c->cells = NULL;
    c->nulls = NULL;
    c->nrows = c->ncols = 0;
}

static void keep_result(PgConn *c, const PGresult *r)
{
    free_result(c);
    int n = PQntuples(r) * PQnfields(r);
    c->cells = calloc((size_t)n + 1, sizeof(char *));
    c->nulls = calloc((size_t)n + 1, sizeof(bool));
    if (!c->cells || !c->nulls) {
        fputs("replc: out of memory\n", stderr);
        abort();
    }
    c->nrows = PQntuples(r);
    c->ncols = PQnfields(r);
    for (int row = 0; row < c->nrows; row++)
        for (int col = 0; col < c->ncols; col++) {
            int k = row * c->ncols + col;
            c->nulls[k] = PQgetisnull(r, row, col);
            c->cells[k] = xstrdup(PQgetvalue(r, row, col));
        }
}

void pg_close(PgConn *c)
{
    if (!c)
        return;
    if (c->conn)
        PQfinish(c->conn);
    free_result(c);
    free(c->error);
    free(c);
}

PgState pg_state(const PgConn *c) { return c->state; }

int pg_socket(const PgConn *c) { return c->conn ? PQsocket(c->conn) : -1; }

short pg_events(const PgConn *c)
{
    if (c->state == PG_CONNECTING)
        return c->polling_write ? POLLOUT : POLLIN;
    if (c->state == PG_BUSY)
        return POLLIN;
    return 0;
}

bool pg_connection_ok(const PgConn *c)
{
    return c->conn && PQstatus(c->conn) == CONNECTION_OK;
}

int pg_server_version(const PgConn *c) { return c->conn ? PQserverVersion(c->conn) : 0; }

/* "message" + "\nDETAIL: ..." + "\nHINT: ..." from a result's fields */
static char *result_error(const PGresult *r, PGconn *conn)
{
    StrBuf b;
    sb_init(&b);
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (msg) {
        sb_puts(&b, msg);
        const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
        const char *hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
        if (detail)
            sb_printf(&b, "\nDETAIL: %s", detail);
        if (hint)
            sb_printf(&b, "\nHINT: %s", hint);
    } else {
        const char *m = PQerrorMessage(conn);
        size_t n = strlen(m);
        while (n && m[n - 1] == '\n')
            n--;
        sb_putn(&b, m, n);
    }
    if (!b.s)
        sb_puts(&b, "unknown error");
    return b.s;
}

static void collect(PgConn *c)
{
    PGresult *r;
    bool failed = false;
    while ((r = PQgetResult(c->conn))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK)
            keep_result(c, r);
        else if (st == PGRES_COMMAND_OK || st == PGRES_EMPTY_QUERY)
            free_result(c);
        else if (!failed) {
            failed = true;
            free(c->error);
            c->error = result_error(r, c->conn);
            const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            snprintf(c->sqlstate, sizeof c->sqlstate, "%s", code ? code : "");
        }
        PQclear(r);
    }
    c->state = failed ? PG_FAILED : PG_DONE;
}

PgState pg_step(PgConn *c)
{
    if (c->state == PG_CONNECTING) {
        switch (PQconnectPoll(c->conn)) {
        case PGRES_POLLING_READING: c->polling_write = false; break;
        case PGRES_POLLING_WRITING: c->polling_write = true; break;
        case PGRES_POLLING_OK: c->state = PG_IDLE; break;
        default:
            c->state = PG_FAILED;
            free(c->error);
            c->error = result_error(NULL, c->conn);
        }
        return c->state;
    }
    if (c->state == PG_BUSY) {
        if (!PQconsumeInput(c->conn)) {
            c->state = PG_FAILED;
            free(c->error);
            c->error = result_error(NULL, c->conn);
            return c->state;
        }
        if (PQflush(c->conn) < 0) {
            c->state = PG_FAILED;
            free(c->error);
            c->error = result_error(NULL, c->conn);
            return c->state;
        }
        if (!PQisBusy(c->conn))
            collect(c);
    }
    return c->state;
}

bool pg_send(PgConn *c, const char *sql)
{
    if (!pg_connection_ok(c)) {
        c->state = PG_FAILED;
        if (!c->error)
            c->error = xstrdup("not connected");
        return false;
    }
    c->sqlstate[0] = '\0';
    if (!PQsendQuery(c->conn, sql)) {
        c->state = PG_FAILED;
        free(c->error);
        c->error = result_error(NULL, c->conn);
        return false;
    }
    PQflush(c->conn);
    c->state = PG_BUSY;
    return true;
}

char *pg_password_literal(PgConn *c, const char *role, const char *password)
{
    if (!pg_connection_ok(c))
        return NULL;
    /* SCRAM: what the scram-sha-256 lines ask for, and what md5 lines accept too */
    char *hash = PQencryptPasswordConn(c->conn, password, role, "scram-sha-256");
    if (!hash)
        return NULL;
    char *lit = PQescapeLiteral(c->conn, hash, strlen(hash));
    PQfreemem(hash);
    if (!lit)
        return NULL;
    char *r = xstrdup(lit);
    PQfreemem(lit);
    return r;
}

const char *pg_value(const PgConn *c) { return pg_get(c, 0, 0); }

int pg_nrows(const PgConn *c) { return c->nrows; }

int pg_ncols(const PgConn *c) { return c->ncols; }

const char *pg_get(const PgConn *c, int row, int col)
{
    if (row < 0 || col < 0 || row >= c->nrows || col >= c->ncols)
        return "";
    return c->cells[row * c->ncols + col];
}

bool pg_is_null(const PgConn *c, int row, int col)
{
    return row < 0 || col < 0 || row >= c->nrows || col >= c->ncols || c->nulls[row * c->ncols + col];
}

const char *pg_sqlstate(const PgConn *c) { return c->sqlstate; }

bool pg_is_true(const PgConn *c, int row, int col)
{
    return strcmp(pg_get(c, row, col), "t") == 0;
}

char *pg_error(PgConn *c)
{
    char *e = c->error ? c->error : xstrdup("unknown error");
    c->error = NULL;
    if (pg_connection_ok(c))
        c->state = PG_IDLE;
    return e;
}

void pg_cancel(PgConn *c)
{
    if (!c || !c->conn || c->state != PG_BUSY)
        return;
    PGcancel *k = PQgetCancel(c->conn);
    if (k) {
        char buf[256];
        PQcancel(k, buf, sizeof buf);
        PQfreeCancel(k);
    }
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void pg_run_all(PgConn **c, const char *const *sql, int n, int timeout_ms)
{
    struct pollfd *pfd = calloc((size_t)n + 1, sizeof *pfd);
    bool *sent = calloc((size_t)n + 1, sizeof(bool));
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        int waiting = 0;
        for (int i = 0; i < n; i++) {
            pfd[i].fd = -1;
            pfd[i].events = 0;
            if (!c[i])
                continue;
            if ((c[i]->state == PG_IDLE || c[i]->state == PG_DONE) && !sent[i]) {
                sent[i] = true;
                pg_send(c[i], sql[i]);
            }
            if (c[i]->state == PG_CONNECTING || c[i]->state == PG_BUSY) {
                pfd[i].fd = pg_socket(c[i]);
                pfd[i].events = pg_events(c[i]);
                waiting++;
            }
        }
        if (!waiting)
            break;
        long left = deadline - now_ms();
        if (left <= 0) {
            for (int i = 0; i < n; i++)
                if (c[i] && (c[i]->state == PG_CONNECTING || c[i]->state == PG_BUSY)) {
                    pg_cancel(c[i]);
                    c[i]->state = PG_FAILED;
                    free(c[i]->error);
                    c[i]->error = xstrdup("timed out");
                }
            break;
        }
        int r = poll(pfd, (nfds_t)n, (int)(left < 100 ? left : 100));
        if (r < 0)
            continue;
        for (int i = 0; i < n; i++)
            if (pfd[i].fd >= 0 && pfd[i].revents)
                pg_step(c[i]);
    }
    free(pfd);
    free(sent);
}

/* ---------- the pool ---------- */

typedef struct Pooled {
    const MNode *n;
    char *db;
    PgConn *c;
} Pooled;

struct PgPool {
    char options[64];     /* "-c lock_timeout=Ns" */
    Pooled *idle;
    int nidle, cap;
};

PgPool *pg_pool_new(int lock_timeout_s)
{
    PgPool *p = calloc(1, sizeof *p);
    if (!p) {
        fputs("replc: out of memory\n", stderr);
        abort();
    }
    snprintf(p->options, sizeof p->options, "-c lock_timeout=%ds", lock_timeout_s);
    return p;
}

static void pool_drop(PgPool *p, int k)
{
    pg_close(p->idle[k].c);
    free(p->idle[k].db);
    p->idle[k] = p->idle[--p->nidle];
}

void pg_pool_free(PgPool *p)
{
    if (!p)
        return;
    while (p->nidle)
        pool_drop(p, p->nidle - 1);
    free(p->idle);
    free(p);
}

static bool same_server(const MNode *a, const MNode *b)
{
    return a == b || (a->host && b->host && a->port == b->port && strcmp(a->host, b->host) == 0);
}

static bool same_session(const MNode *a, const MNode *b)
{
    return same_server(a, b) && strcmp(a->conf->user ? a->conf->user : "", b->conf->user ? b->conf->user : "") == 0;
}

/* An idle connection that has something to read was told something: most
 * likely that its server shuts down (FATAL, then EOF). Not worth keeping. */
static bool looks_open(PgConn *c)
{
    if (!pg_connection_ok(c) || (c->state != PG_IDLE && c->state != PG_DONE))
        return false;
    struct pollfd pfd = {PQsocket(c->conn), POLLIN, 0};
    return poll(&pfd, 1, 0) == 0;
}

PgConn *pg_pool_take(PgPool *p, const MNode *n, const char *dbname, bool *reused)
{
    if (reused)
        *reused = false;
    if (!p)
        return pg_open(n, dbname);
    for (int k = p->nidle - 1; k >= 0; k--) {
        Pooled *e = &p->idle[k];
        if (!same_session(e->n, n) || strcmp(e->db, dbname) != 0)
            continue;
        if (!looks_open(e->c)) {
            pool_drop(p, k);
            continue;
        }
        PgConn *c = e->c;
        e->c = NULL;
        pool_drop(p, k);
        if (reused)
            *reused = true;
        return c;
    }
    return pg_open_with(n, dbname, p->options);
}

void pg_pool_give(PgPool *p, const MNode *n, const char *dbname, PgConn *c)
{
    if (!c)
        return;
    if (!p || !pg_connection_ok(c) || (c->state != PG_IDLE && c->state != PG_DONE) ||
        PQtransactionStatus(c->conn) != PQTRANS_IDLE) {
        pg_close(c);
        return;
    }
    c->state = PG_IDLE;   /* its last result is its last user's */
    free_result(c);
    if (p->nidle == p->cap) {
        int cap = p->cap ? p->cap * 2 : 16;
        Pooled *idle = realloc(p->idle, (size_t)cap * sizeof *idle);
        if (!idle) {
            pg_close(c);
            return;
        }
        p->idle = idle;
        p->cap = cap;
    }
    p->idle[p->nidle++] = (Pooled){n, xstrdup(dbname), c};
}

void pg_pool_forget(PgPool *p, const MNode *n)
{
    if (!p)
        return;
    for (int k = p->nidle - 1; k >= 0; k--)
        if (same_server(p->idle[k].n, n))
            pool_drop(p, k);
}
