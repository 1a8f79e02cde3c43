/* runner.c: the real runner (libpq + ssh) behind exec.c's loop. */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "pgconn.h"
#include "protocol.h"
#include "quote.h"
#include "ssh.h"
#include "stepsql.h"

typedef enum { JOB_SQL, JOB_WAIT, JOB_RESTART, JOB_SHELL, JOB_CHECK, JOB_RELOCK } JobKind;

struct Job {
    JobKind kind;
    const Step *s;
    Arena arena;
    PgConn *pg;
    const MNode *pg_node; /* pg came from the pool for this node and database: it goes back there */
    const char *pg_db;
    bool reused;          /* pg was an idle pooled connection, and has not answered yet */
    Vec stmts;            /* SqlStmt *, for JOB_SQL */
    int idx;
    bool in_action;
    bool showing;         /* dry run: the statement's show query is out */
    bool changed, would;
    int lock_tries;       /* JOB_SQL: tries of the statement that gave up behind a lock */
    bool probing;         /* JOB_SQL: asking whom it waited behind */
    char *lock_error;     /* the server's message when it gave up */
    const char *query;    /* JOB_WAIT / JOB_RESTART: what is polled */
    const char *want;     /* JOB_WAIT: the value that ends the wait */
    const char *what;     /* what it waits for */
    const MNode *wait_node;  /* JOB_WAIT: where the query runs */
    const char *wait_db;
    int phase;            /* JOB_RESTART: 0 load time, 1 reload, 2 poll load time, 3 pending */
    char *before;
    long next_poll_ms, deadline_ms;
    struct Shell *sh;     /* JOB_SHELL: the host's session its script runs in */
    size_t from;          /* where its output starts in the session's */
    bool sh_reused;       /* the session ran steps before this one */
    bool child_running;
    /* a subscription to a standby: the primary is asked to log a standby
     * snapshot every KICK_MS while the job waits (REPLICATION.md 7.7) */
    PgConn *kick;
    const MNode *kick_node;
    const char *kick_db;
    long next_kick_ms;
    int kicks;            /* snapshots logged */
    StrBuf out;
    char *error;
    bool done;
    StepResult result;
};

/* how often a wait asks again: a change is noticed within this long */
#define WAIT_POLL_MS 100

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The job's connection to n's database db, from the pool */
static void take(RealRunner *rr, Job *j, const MNode *n, const char *db)
{
    j->pg_node = n;
    j->pg_db = db;
    j->pg = pg_pool_take(rr->pool, n, db, &j->reused);
}

/* Back to the pool when it came from there (the pool keeps it only when it
 * is idle and open), else closed. */
static void give(RealRunner *rr, Job *j)
{
    if (j->pg_node)
        pg_pool_give(rr->pool, j->pg_node, j->pg_db, j->pg);
    else
        pg_close(j->pg);
    j->pg = NULL;
    j->pg_node = NULL;
}

/* The job's connection failed: a new one to the same place. A connection
 * that is closed (a restart) says the pool's others to that server are
 * closed too. */
static void reopen(RealRunner *rr, Job *j)
{
    const MNode *n = j->pg_node;
    const char *db = j->pg_db;
    if (!pg_connection_ok(j->pg))
        pg_pool_forget(rr->pool, n);
    pg_close(j->pg);
    take(rr, j, n, db);
}

/* s on one line: newlines and the trailing ones dropped */
static const char *one_line(Arena *a, const char *s)
{
    char *r = arena_strdup(a, s);
    size_t n = strlen(r);
    while (n && (r[n - 1] == '\n' || r[n - 1] == ' '))
        r[--n] = '\0';
    for (char *p = r; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return r;
}

static void finish_job(Job *j, StepResult r)
{
    j->done = true;
    j->result = r;
}

static void fail(Job *j, const char *context, char *msg)
{
    StrBuf b;
    sb_init(&b);
    if (context)
        sb_printf(&b, "%s\n", context);
    sb_puts(&b, msg ? msg : "failed");
    free(msg);
    free(j->error);
    j->error = b.s;
    finish_job(j, RES_FAILED);
}

/* ---------- SQL steps: guard, then action when the guard says so ---------- */

/* ALTER ROLE ... PASSWORD with the password from the environment, hashed
 * here: neither the output nor the server's log sees it. */
static void password_send(Job *j, const SqlStmt *st)
{
    const char *pw = getenv(st->password_env);
    char *lit = pw && *pw ? pg_password_literal(j->pg, st->password_role, pw) : NULL;
    if (!lit) {
        StrBuf e;
        sb_init(&e);
        if (pw && *pw)
            sb_printf(&e, "cannot hash the password of role %s", st->password_role);
        else
            sb_printf(&e, "environment variable %s is not set; it holds the password of role %s",
                      st->password_env, st->password_role);
        fail(j, arena_printf(&j->arena, "SQL: %s PASSWORD ...", st->sql), e.s);
        return;
    }
    StrBuf q;
    sb_init(&q);
    sb_printf(&q, "%s PASSWORD %s", st->sql, lit);
    pg_send(j->pg, q.s);
    sb_free(&q);
    free(lit);
}

static void sql_next(RealRunner *rr, Job *j)
{
    for (;;) {
        if (j->idx >= j->stmts.n) {
            finish_job(j, j->would ? RES_WOULD_CHANGE : j->changed ? RES_CHANGED : RES_OK);
            return;
        }
        const SqlStmt *st = j->stmts.items[j->idx];
        if (!j->in_action && st->guard) {
            pg_send(j->pg, arena_printf(&j->arena, "SELECT %s", st->guard));
            return;
        }
        if (!j->in_action && !st->guard)
            j->in_action = true;
        if (j->in_action && st->notice) {   /* a difference replc leaves to the user */
            sb_printf(&j->out, "%s: %s\n", rr->dry_run ? "differs" : "notice", st->notice);
            if (rr->dry_run)
                j->would = true;
            j->in_action = false;
            j->idx++;
            continue;
        }
        if (j->in_action && rr->dry_run && st->show && !j->showing) {   /* what changes, old -> new */
            j->showing = true;
            pg_send(j->pg, st->show);
            return;
        }
        if (j->in_action) {
            j->showing = false;
            if (rr->dry_run) {
                const char *nl = strchr(st->sql, '\n');
                sb_printf(&j->out, "would run: %.*s\n", nl ? (int)(nl - st->sql) : (int)strlen(st->sql), st->sql);
                j->would = true;
                j->in_action = false;
                j->idx++;
                continue;
            }
            if (st->password_env) {
                password_send(j, st);
                return;
            }
            pg_send(j->pg, st->sql);
            return;
        }
    }
}

/* After a statement gave up behind a lock (and the sessions it waited
 * behind are known: who): its guard and itself again, or, after the last
 * try, the step fails saying so. */
static void lock_retry(RealRunner *rr, Job *j, const char *who)
{
    const SqlStmt *st = j->stmts.items[j->idx];
    int tries = step_lock_tries();
    if (j->lock_tries >= tries) {
        char *e = j->lock_error;
        j->lock_error = NULL;
        fail(j, arena_printf(&j->arena, "SQL: %s", j->in_action ? st->sql : st->guard),
             strdup(arena_printf(&j->arena, "gave up after %d tries: each waited %d s behind another session's lock "
                                            "(%s); open transactions holding locks: %s", tries, STEP_LOCK_TIMEOUT_S,
                                 one_line(&j->arena, e), who)));
        free(e);
        return;
    }
    sb_printf(&j->out, "waited %ds behind another session's lock (try %d of %d), trying again; open transactions "
                       "holding locks: %s\n", STEP_LOCK_TIMEOUT_S, j->lock_tries, tries, who);
    j->in_action = false;   /* its guard first: the blocker may have done it meanwhile */
    sql_next(rr, j);
}

static void sql_result(RealRunner *rr, Job *j)
{
    const SqlStmt *st = j->stmts.items[j->idx];
    if (j->probing) {
        j->probing = false;
        if (pg_state(j->pg) == PG_FAILED) {
            char *e = pg_error(j->pg);
            lock_retry(rr, j, arena_printf(&j->arena, "cannot tell (%s)", one_line(&j->arena, e)));
            free(e);
        } else
            lock_retry(rr, j, arena_strdup(&j->arena, pg_value(j->pg)));
        return;
    }
    if (pg_state(j->pg) == PG_FAILED && !rr->dry_run && strcmp(pg_sqlstate(j->pg), "55P03") == 0) {
        /* lock_timeout: ask whom it waited behind, then try again */
        free(j->lock_error);
        j->lock_error = pg_error(j->pg);
        j->lock_tries++;
        j->probing = true;
        pg_send(j->pg, sql_lock_blockers());
        return;
    }
    if (pg_state(j->pg) == PG_FAILED) {
        char *e = pg_error(j->pg);
        if (rr->dry_run) {   /* what it needs may be made by an earlier step */
            sb_printf(&j->out, "cannot check yet (%s)\n", e);
            free(e);
            finish_job(j, RES_WOULD_CHANGE);
            return;
        }
        fail(j, arena_printf(&j->arena, "SQL: %s", j->in_action ? st->sql : st->guard), e);
        return;
    }
    if (j->showing) {
        const char *shown = pg_value(j->pg);
        sb_printf(&j->out, "~ %s\n", shown ? shown : "?");
        sql_next(rr, j);
        return;
    }
    if (!j->in_action) {
        if (strcmp(pg_value(j->pg), "t") == 0)
            j->in_action = true;
        else
            j->idx++;
    } else {
        const char *nl = strchr(st->sql, '\n');
        sb_printf(&j->out, "ran: %.*s\n", nl ? (int)(nl - st->sql) : (int)strlen(st->sql), st->sql);
        j->changed = true;
        j->in_action = false;
        j->idx++;
    }
    sql_next(rr, j);
}

/* ---------- shell steps: the compiler's script over ssh ---------- */

/* The shell steps of a node run in one `ssh HOST sh -s` that stays open
 * for the run (issue 11: one ssh session per host, not one per step), when
 * the command is ssh itself (or `ssh local`'s sh). Another REPLC_SSH (a
 * wrapper, which may read its input to the end before it runs anything)
 * gets one session per step, its input ended after the step, and the step
 * ends when the command does, as before:
 * lib.sh goes once, when it starts; each step then goes as a subshell,
 * stdin from /dev/null, its stdout and stderr in order, then a line
 * STEP_END_PREFIX NONCE STATUS (protocol.h). A session that ends (ssh cut,
 * host gone) ends the step that ran in it with ssh's status, as a step's
 * own ssh did; the next step starts a new one. */
typedef struct Shell {
    Child child;
    bool live;
    bool once;            /* one step, then end of input: REPLC_SSH is not ssh itself */
    char mark[64];        /* STEP_END_PREFIX NONCE " ": a step's end, at the start of a line */
} Shell;

static void shell_close(Shell *sh, bool kill_it)
{
    if (!sh->live)
        return;
    if (kill_it)
        child_kill(&sh->child);
    child_free(&sh->child);
    sh->live = false;
}

/* The live session of node n, started when there is none; NULL (and
 * *error, malloc'ed) when ssh cannot be started. */
static Shell *shell_of(RealRunner *rr, const MNode *n, bool *reused, char **error)
{
    if (!rr->shells)
        rr->shells = calloc((size_t)rr->m->nodes.n + 1, sizeof(Shell));
    Shell *sh = (Shell *)rr->shells + n->index;
    if (sh->live && sh->child.out_fd >= 0) {   /* ended meanwhile? */
        struct pollfd pfd = {sh->child.out_fd, POLLIN, 0};
        if (poll(&pfd, 1, 0) > 0)
            child_step(&sh->child);
    }
    if (sh->live && sh->child.status < 0 && sh->child.in_fd >= 0) {
        *reused = true;
        return sh;
    }
    *reused = false;
    shell_close(sh, true);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(sh->mark, sizeof sh->mark, "%s%ld%09ld.%ld ", STEP_END_PREFIX, (long)ts.tv_sec, ts.tv_nsec,
             (long)getpid());
    char **argv = ssh_argv(n, error);
    if (!argv)
        return NULL;
    StrBuf in;
    sb_init(&in);
    sb_printf(&in, "REPLC_TIMEOUT=%d; export REPLC_TIMEOUT\n", rr->timeout_s);
    if (rr->dry_run)
        sb_puts(&in, "REPLC_DRY_RUN=1; export REPLC_DRY_RUN\n");
    /* lib.sh first: the steps then find its functions defined and do not
     * source it (they have no directory here) */
    emit_lib_sh(&in);
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    sh->once = strcmp(base, "ssh") != 0 && !model_ssh_local(n);
    bool ok = child_start(&sh->child, argv, in.s, in.len, error);
    if (!ok) {
        char *e = *error;
        StrBuf m;
        sb_init(&m);
        sb_printf(&m, "cannot start %s: %s", argv[0], e);
        free(e);
        *error = m.s;
    }
    argv_free(argv);
    sb_free(&in);
    if (!ok)
        return NULL;
    sh->child.keep_stdin = true;
    sh->live = true;
    return sh;
}

static void shell_start(RealRunner *rr, Job *j)
{
    const Step *s = j->s;
    char *err = NULL;
    Shell *sh = shell_of(rr, s->node, &j->sh_reused, &err);
    if (!sh) {
        fail(j, "ssh", err);
        return;
    }
    StrBuf in;
    sb_init(&in);
    /* the go line: the step reached the host (shell_step) */
    sb_printf(&in, "replc_status=0\necho \"%sgo\"\n(\n", sh->mark);
    if (s->kind == STEP_PGPASS) {
        /* the peers' passwords, on the child's stdin only */
        for (int i = 0; i < rr->m->nodes.n; i++) {
            const MNode *peer = rr->m->nodes.items[i];
            const char *var = peer->conf->pw_kind == PW_ENV       ? peer->conf->pw_value
                              : peer->conf->pw_kind == PW_LITERAL ? "PGPASSWORD"
                                                                  : NULL;
            const char *val = peer->conf->pw_kind == PW_LITERAL ? peer->conf->pw_literal : var ? getenv(var) : NULL;
            if (!var || !val)
                continue;
            sb_printf(&in, "%s=", var);   /* checked: [A-Za-z_][A-Za-z0-9_]* */
            q_shell(&in, val);
            sb_printf(&in, "; export %s\n", var);
        }
        for (int i = 0; i < rr->m->nodes.n; i++) {   /* the replication roles' */
            const char *var = ((const MNode *)rr->m->nodes.items[i])->conf->repl_pw_env;
            const char *val = var ? getenv(var) : NULL;
            if (!val)
                continue;
            sb_printf(&in, "%s=", var);
            q_shell(&in, val);
            sb_printf(&in, "; export %s\n", var);
        }
    }
    emit_step(&in, rr->m, s);
    /* a newline first: the end line starts a line even after output that did not end one */
    sb_printf(&in, "\n) </dev/null 2>&1 || replc_status=$?\necho\necho \"%s$replc_status\"\n", sh->mark);
    j->sh = sh;
    j->from = sh->child.output.len;
    j->child_running = true;
    child_feed(&sh->child, in.s, in.len);
    if (sh->once)   /* the input ends with the step */
        sh->child.keep_stdin = false;
    sb_free(&in);
}

/* The running step's output so far (from its start in the session's) */
static const char *shell_output(const Job *j)
{
    const StrBuf *o = &j->sh->child.output;
    return o->s && o->len >= j->from ? o->s + j->from : "";
}

/* After poll(): true when the step's end line came (its output in *out,
 * malloc'ed, without the session's own lines, which are taken out of the
 * session's output; *status its exit status), or the session ended
 * (*status ssh's, the session closed). False, with the session closed,
 * when a session that had ended unseen never ran the step: shell_start
 * again. */
static bool shell_step(Job *j, char **out, int *status)
{
    Shell *sh = j->sh;
    bool exited = child_step(&sh->child);
    if (sh->once && !exited)   /* the step ends when its command does */
        return false;
    const char *o = shell_output(j);
    size_t mlen = strlen(sh->mark);
    StrBuf b;
    sb_init(&b);
    bool went = false;
    for (const char *p = o; *p;) {
        const char *eol = strchr(p, '\n');
        if (!eol)   /* an unfinished line: it waits for the rest */
            break;
        if (strncmp(p, sh->mark, mlen) == 0 && strncmp(p + mlen, "go\n", 3) == 0)
            went = true;
        else if (strncmp(p, sh->mark, mlen) == 0) {
            *status = atoi(p + mlen);
            if (b.len && b.s[b.len - 1] == '\n')   /* the newline the session put before it */
                b.s[--b.len] = '\0';
            *out = b.s ? b.s : strdup("");
            /* what came after the end line stays for the next step (nothing should) */
            size_t used = (size_t)(eol + 1 - sh->child.output.s);
            memmove(sh->child.output.s, eol + 1, sh->child.output.len - used + 1);
            sh->child.output.len -= used;
            if (exited)
                shell_close(sh, false);
            return true;
        } else
            sb_putn(&b, p, (size_t)(eol + 1 - p));
        p = eol + 1;
    }
    if (!exited) {
        sb_free(&b);
        return false;
    }
    const char *tail = strrchr(o, '\n');
    sb_puts(&b, tail ? tail + 1 : o);   /* a last line without its newline */
    *status = sh->child.status == 0 ? 255 : sh->child.status;   /* ended before the step did */
    shell_close(sh, false);
    if (!went && j->sh_reused) {
        /* the step never reached the host: again, in a new session (as a
         * step's own ssh would have connected anew) */
        sb_free(&b);
        return false;
    }
    *out = b.s ? b.s : strdup("");
    return true;
}

#define KICK_MS 500


/* Ask sub's primary for standby snapshots while this job runs (not in a dry
 * run: pg_log_standby_snapshot() writes WAL). */
static void start_kick(RealRunner *rr, Job *j, const MSub *sub)
{
    if (rr->dry_run || !sub->publisher->standby)
        return;
    j->kick_node = sub_primary(sub);
    j->kick_db = sub_dbname(sub);
    j->kick = pg_pool_take(rr->pool, j->kick_node, j->kick_db, NULL);
    j->next_kick_ms = 0;
}

static void kick_step(RealRunner *rr, Job *j)
{
    if (!j->kick || j->done)
        return;
    PgState st = pg_state(j->kick);
    if (st == PG_CONNECTING || st == PG_BUSY)
        st = pg_step(j->kick);
    if (st == PG_DONE) {
        free(pg_error(j->kick));   /* back to idle */
        j->kicks++;
        j->next_kick_ms = now_ms() + KICK_MS;
    } else if (st == PG_FAILED) {
        char *e = pg_error(j->kick);
        if (pg_connection_ok(j->kick)) {   /* refused, not unreachable: waiting cannot help */
            fail(j, arena_printf(&j->arena, "asking '%s' to log a standby snapshot "
                                            "(SELECT pg_log_standby_snapshot())", j->kick_node->name), e);
            if (j->pg)
                pg_cancel(j->pg);
            return;
        }
        free(j->before);
        j->before = e;
        pg_close(j->kick);
        pg_pool_forget(rr->pool, j->kick_node);
        j->kick = pg_pool_take(rr->pool, j->kick_node, j->kick_db, NULL);
        j->next_kick_ms = now_ms() + KICK_MS;
    } else if (st == PG_IDLE && now_ms() >= j->next_kick_ms) {
        pg_send(j->kick, "SELECT pg_log_standby_snapshot()");
    }
}

static void start_wait(RealRunner *rr, Job *j, const MNode *on, const char *db, const char *query,
                       const char *want, const char *what)
{
    j->kind = JOB_WAIT;
    j->wait_node = on;
    j->wait_db = db;
    take(rr, j, on, db);
    j->query = query;
    j->want = want;
    j->what = what;
    j->next_poll_ms = 0;
    j->deadline_ms = now_ms() + rr->timeout_s * 1000L;
}

/* After a base backup: the source lists the standby as streaming. */
static void wait_source_lists(RealRunner *rr, Job *j)
{
    const MNode *n = j->s->node, *src = n->standby->source;
    StrBuf q;
    sb_init(&q);
    sb_puts(&q, "SELECT count(*) > 0 FROM pg_stat_replication WHERE state = 'streaming' AND application_name = ");
    q_literal(&q, n->name);
    start_wait(rr, j, src, "postgres", arena_strdup(&j->arena, q.s), "t",
               arena_printf(&j->arena, "'%s' to list '%s' as streaming (pg_stat_replication)", src->name,
                            n->name));
    sb_free(&q);
}

/* A restart drops the session that held the cluster lock: take it again. */
static void relock(RealRunner *rr, Job *j)
{
    PgConn **locks = (PgConn **)rr->locks;
    int i = model_lock_node(rr->m, j->s->node)->index;
    pg_close(locks[i]);
    locks[i] = NULL;
    j->kind = JOB_RELOCK;
    j->pg_node = NULL;   /* the lock's own session, not the pool's */
    j->pg = pg_open(j->s->node, "postgres");
    j->deadline_ms = now_ms() + rr->timeout_s * 1000L;
}

static void relock_poll(RealRunner *rr, Job *j)
{
    PgState st = pg_state(j->pg);
    if (st == PG_IDLE) {
        pg_send(j->pg, sql_lock_try(&j->arena, rr->m->cluster));
        return;
    }
    if (st == PG_DONE) {
        if (strcmp(pg_value(j->pg), "t") == 0) {
            ((PgConn **)rr->locks)[model_lock_node(rr->m, j->s->node)->index] = j->pg;   /* apply.c closes it */
            j->pg = NULL;
            j->changed = true;
            if (j->s->kind == STEP_BASEBACKUP && j->s->node->standby->source)
                wait_source_lists(rr, j);
            else
                finish_job(j, RES_CHANGED);
        } else
            fail(j, "the cluster lock", strdup("another replc --apply took the lock while this node restarted"));
        return;
    }
    if (st == PG_FAILED) {
        free(pg_error(j->pg));
        pg_close(j->pg);
        if (now_ms() > j->deadline_ms) {
            j->pg = NULL;
            fail(j, "the cluster lock", strdup("the server did not accept connections after its restart"));
            return;
        }
        j->pg = pg_open(j->s->node, "postgres");
    }
}

/* Copies a step's output to out, less its result line (protocol.h); returns
 * the result word (up to the end of its line), or NULL when there is none. */
static const char *split_result(StrBuf *out, const char *o)
{
    const char *word = NULL;
    size_t plen = strlen(RESULT_PREFIX);
    while (*o) {
        const char *nl = strchr(o, '\n');
        size_t len = nl ? (size_t)(nl - o) + 1 : strlen(o);
        if (strncmp(o, RESULT_PREFIX, plen) == 0) {
            if (!word)
                word = o + plen;
        } else
            sb_putn(out, o, len);
        o += len;
    }
    return word;
}

static bool result_is(const char *word, const char *want)
{
    size_t n = strlen(want);
    return word && strncmp(word, want, n) == 0 && (word[n] == '\n' || word[n] == '\0');
}

static void shell_done(RealRunner *rr, Job *j, char *output, int status)
{
    j->child_running = false;
    /* the script may have restarted the server (or replaced it): the pool's
     * connections to it are closed; ~/.pgpass and pg_hba.conf steps only reload */
    if (j->s->kind != STEP_PGPASS && j->s->kind != STEP_HBA)
        pg_pool_forget(rr->pool, j->s->node);
    const char *res = split_result(&j->out, output);
    if (status != 0) {
        char *e = NULL;
        if (status == 255)
            e = strdup("ssh could not run the step on the host (exit 255); see the output above");
        else {
            char buf[64];
            snprintf(buf, sizeof buf, "the step's script exited with status %d", status);
            e = strdup(buf);
        }
        StrBuf ssh;
        sb_init(&ssh);
        model_ssh(&ssh, j->s->node);
        fail(j, arena_printf(&j->arena, "shell step %s (ssh %s)", j->s->file, ssh.s), e);
        sb_free(&ssh);
    } else if (result_is(res, RESULT_CHANGED)) {
        if (rr->locks && (j->s->kind == STEP_RESTART || j->s->kind == STEP_BASEBACKUP ||
                          j->s->kind == STEP_RAISE))
            relock(rr, j);
        else
            finish_job(j, RES_CHANGED);
    }
    else if (result_is(res, RESULT_WOULD_CHANGE))
        finish_job(j, RES_WOULD_CHANGE);
    else if (j->s->kind == STEP_BASEBACKUP && j->s->node->standby->source && !rr->dry_run)
        wait_source_lists(rr, j);
    else
        finish_job(j, RES_OK);
    free(output);
}

/* ---------- waits and the restart check over libpq ---------- */

static Job *new_job(const Step *s, JobKind k)
{
    Job *j = calloc(1, sizeof *j);
    j->kind = k;
    j->s = s;
    arena_init(&j->arena);
    sb_init(&j->out);
    return j;
}

static Job *start(Runner *r, const Step *s, char **error)
{
    RealRunner *rr = (RealRunner *)r;
    (void)error;
    Job *j;
    if (s->lang == LANG_SQL) {
        j = new_job(s, JOB_SQL);
        j->stmts = step_sql(&j->arena, s);
        /* DDL waits behind a long transaction no longer than STEP_LOCK_TIMEOUT_S
         * (the pool's connections set lock_timeout): sql_result tries it again */
        take(rr, j, s->node, s->db);
        if (pg_state(j->pg) == PG_FAILED)
            fail(j, "connect", pg_error(j->pg));
        return j;
    }
    switch (s->kind) {
    case STEP_STANDBY_SLOT:
        /* on the standby, while its primary logs snapshots */
        j = new_job(s, JOB_SQL);
        j->stmts = step_sql(&j->arena, s);
        take(rr, j, s->sub->publisher, s->db);
        j->what = arena_printf(&j->arena, "slot '%s' on standby '%s' (its primary '%s' logs standby snapshots)",
                               s->sub->slot, s->sub->publisher->name, sub_primary(s->sub)->name);
        j->deadline_ms = now_ms() + rr->timeout_s * 1000L;
        if (pg_state(j->pg) == PG_FAILED)
            fail(j, "connect", pg_error(j->pg));
        else
            start_kick(rr, j, s->sub);
        return j;
    case STEP_SUB_WAIT: case STEP_SUB_SYNC:
        j = new_job(s, JOB_WAIT);
        if (rr->dry_run && !rr->status) {
            finish_job(j, RES_OK);
            return j;
        }
        if (s->kind == STEP_SUB_WAIT)
            start_wait(rr, j, s->sub->publisher, s->db,
                       sql_publications_count(&j->arena, s->sub),
                       arena_printf(&j->arena, "%d", sub_ready_count(s->sub)),
                       arena_printf(&j->arena, "the publications of '%s' on '%s'", s->sub->name,
                                    s->sub->publisher->name));
        else {
            start_wait(rr, j, s->node, s->db,
                       rr->status ? sql_subscription_synced(&j->arena, s->sub)
                                  : sql_subscription_synced_durable(&j->arena, s->sub),
                       "t",
                       arena_printf(&j->arena, "every table of subscription '%s' to be synchronised",
                                    s->sub->name));
            if (!rr->status)   /* table-sync workers make slots on the standby too */
                start_kick(rr, j, s->sub);
        }
        return j;
    case STEP_COL_WAIT:
        /* the plan orders it after the subscriber's step; it checks once
         * more here. --status and --dry-run: the subscriber's own step
         * reports what it lacks */
        j = new_job(s, JOB_WAIT);
        if (rr->dry_run || !s->peer) {
            finish_job(j, RES_OK);
            return j;
        }
        start_wait(rr, j, s->peer, s->peer->conf->database, sql_columns_missing(&j->arena, s->node, s->peer), "0",
                   arena_printf(&j->arena, "'%s' to have the columns of the tables it receives from '%s'",
                                s->peer->name, s->node->name));
        return j;
    case STEP_RESTART:
        j = new_job(s, JOB_RESTART);
        take(rr, j, s->node, s->db);
        j->what = "the server's configuration";
        j->deadline_ms = now_ms() + rr->timeout_s * 1000L;
        j->phase = rr->dry_run ? 3 : 0;
        return j;
    case STEP_HBA: case STEP_RAISE:
        if (s->kind == STEP_HBA && rr->m->prune) {   /* lines to remove: the script says which */
            j = new_job(s, JOB_SHELL);
            shell_start(rr, j);
            return j;
        }
        /* nothing to do (the pg_hba.conf lines are there, the standby's
         * settings high enough), as libpq tells: no ssh */
        j = new_job(s, JOB_CHECK);
        take(rr, j, s->node, s->db);
        j->query = s->kind == STEP_HBA ? sql_hba_marked(&j->arena, s->node)
                                       : sql_standby_guards_clear(&j->arena, s->node);
        return j;
    default:
        j = new_job(s, JOB_SHELL);
        shell_start(rr, j);
        return j;
    }
}

static void check_poll(RealRunner *rr, Job *j)
{
    PgState st = pg_state(j->pg);
    if (st == PG_IDLE) {
        pg_send(j->pg, j->query);
        return;
    }
    if (st == PG_DONE && strcmp(pg_value(j->pg), "t") == 0) {
        finish_job(j, RES_OK);
        return;
    }
    if (st == PG_DONE || st == PG_FAILED) {   /* not in place (or cannot tell): the script decides */
        if (st == PG_FAILED)
            free(pg_error(j->pg));
        give(rr, j);
        j->kind = JOB_SHELL;
        shell_start(rr, j);
    }
}

static int job_fds(Job *j, struct pollfd *pfd, int max, int *timeout_ms);

/* The job's own descriptors, then the kick connection's. */
static int fds(Runner *r, Job *j, struct pollfd *pfd, int max, int *timeout_ms)
{
    (void)r;
    int n = job_fds(j, pfd, max, timeout_ms);
    if (!j->kick || j->done)
        return n;
    PgState st = pg_state(j->kick);
    if ((st == PG_CONNECTING || st == PG_BUSY) && n < max) {
        pfd[n].fd = pg_socket(j->kick);
        pfd[n].events = pg_events(j->kick);
        n++;
    } else if (st == PG_IDLE || st == PG_DONE || st == PG_FAILED) {
        long t = j->next_kick_ms - now_ms();
        int ms = t > 0 ? (int)t : 0;
        if (*timeout_ms < 0 || ms < *timeout_ms)
            *timeout_ms = ms;
    }
    if (j->deadline_ms) {   /* a SQL job that kicks has a deadline too */
        long t = j->deadline_ms - now_ms();
        int ms = t > 0 ? (int)t : 0;
        if (*timeout_ms < 0 || ms < *timeout_ms)
            *timeout_ms = ms;
    }
    return n;
}

static int job_fds(Job *j, struct pollfd *pfd, int max, int *timeout_ms)
{
    int n = 0;
    *timeout_ms = -1;
    if (j->done) {
        *timeout_ms = 0;   /* reap it now */
        return 0;
    }
    if (j->child_running) {
        Child *c = &j->sh->child;
        if (c->in_fd >= 0 && c->input_off < c->input_len && n < max)
            pfd[n].fd = c->in_fd, pfd[n].events = POLLOUT, n++;
        if (c->out_fd >= 0 && n < max)
            pfd[n].fd = c->out_fd, pfd[n].events = POLLIN, n++;
        if (!n)
            *timeout_ms = 20;   /* pipes closed: the child is exiting */
        return n;
    }
    if (j->pg) {
        PgState st = pg_state(j->pg);
        if (st == PG_CONNECTING || st == PG_BUSY) {
            pfd[0].fd = pg_socket(j->pg);
            pfd[0].events = pg_events(j->pg);
            return 1;
        }
        long t = j->next_poll_ms - now_ms();
        *timeout_ms = t > 0 ? (int)t : 0;
    }
    return 0;
}

static void wait_poll(RealRunner *rr, Job *j)
{
    (void)rr;
    PgState st = pg_state(j->pg);
    if (st == PG_IDLE && now_ms() >= j->next_poll_ms) {
        pg_send(j->pg, j->query);
        return;
    }
    if (st == PG_DONE) {
        if (strcmp(pg_value(j->pg), j->want) == 0) {
            finish_job(j, j->changed ? RES_CHANGED : RES_OK);
            return;
        }
        if (rr->status) {   /* --status looks once */
            sb_printf(&j->out, "not as described: %s\n", j->what);
            finish_job(j, RES_WOULD_CHANGE);
            return;
        }
        j->next_poll_ms = now_ms() + WAIT_POLL_MS;
        if (j->s->kind == STEP_SUB_SYNC) {   /* its answer says what stands */
            free(j->before);
            j->before = strdup(pg_value(j->pg));
        }
        /* back to idle for the next poll */
        free(pg_error(j->pg));
    } else if (st == PG_FAILED && rr->status) {
        char *e = pg_error(j->pg);
        sb_printf(&j->out, "not as described: %s (%s)\n", j->what, e);
        free(e);
        finish_job(j, RES_WOULD_CHANGE);
        return;
    } else if (st == PG_FAILED) {
        /* the peer may still be restarting: reconnect on the next poll */
        char *e = pg_error(j->pg);
        free(j->before);
        j->before = e;
        reopen(rr, j);
        j->next_poll_ms = now_ms() + WAIT_POLL_MS;
    }
    if (now_ms() > j->deadline_ms)
        fail(j, arena_printf(&j->arena, "timed out after %ds waiting for %s", rr->timeout_s, j->what),
             strdup(j->before ? j->before : "the condition never held"));
}

static void restart_poll(RealRunner *rr, Job *j)
{
    PgState st = pg_state(j->pg);
    if (st == PG_FAILED) {
        fail(j, "SQL on the server", pg_error(j->pg));
        return;
    }
    if (st == PG_CONNECTING || st == PG_BUSY)
        return;
    if (st == PG_IDLE && now_ms() < j->next_poll_ms)
        return;
    if (st == PG_DONE) {
        const char *v = pg_value(j->pg);
        switch (j->phase) {
        case 0: free(j->before); j->before = strdup(v); j->phase = 1; break;
        case 1: j->phase = 2; break;
        case 2:
            if (strcmp(v, j->before) != 0)
                j->phase = 3;
            else
                j->next_poll_ms = now_ms() + 50;
            break;
        case 3: {
            /* "own|others": replc's settings waiting for a restart, and a DBA's */
            const char *bar = strchr(v, '|');
            if (bar && bar[1])
                sb_printf(&j->out, "notice: waiting for a restart, not set by replc (left to you): %s\n", bar + 1);
            char *own = strndup(v, bar ? (size_t)(bar - v) : strlen(v));
            bool none = !*own;
            if (rr->dry_run && !none)
                sb_printf(&j->out, "would restart to apply: %s\n", own);
            free(own);
            if (none) {
                finish_job(j, RES_OK);
                return;
            }
            if (rr->dry_run) {
                finish_job(j, RES_WOULD_CHANGE);
                return;
            }
            /* a restart is a shell step: the compiler's script does it */
            give(rr, j);
            j->kind = JOB_SHELL;
            shell_start(rr, j);
            return;
        }
        }
        free(pg_error(j->pg));   /* back to idle */
        if (now_ms() < j->next_poll_ms)
            return;
    }
    if (now_ms() > j->deadline_ms) {
        fail(j, "timed out waiting for the server to reload its configuration", NULL);
        return;
    }
    static const char *const q[] = {"SELECT pg_conf_load_time()", "SELECT pg_reload_conf()",
                                    "SELECT pg_conf_load_time()", NULL};
    const char *sql = q[j->phase];
    if (j->phase == 3)
        sql = arena_printf(&j->arena, "SELECT (%s) || '|' || (%s)",
                           rr->dry_run ? sql_restart_needed(&j->arena, j->s->node)
                                       : sql_pending_restart(&j->arena, j->s->node),
                           sql_pending_others(&j->arena, j->s->node));
    pg_send(j->pg, sql);
}

static bool advance(Runner *r, Job *j, struct pollfd *pfd, int n)
{
    RealRunner *rr = (RealRunner *)r;
    (void)pfd;
    (void)n;
    if (j->done)
        return true;
    if (j->child_running) {
        char *out = NULL;
        int status;
        if (shell_step(j, &out, &status))
            shell_done(rr, j, out, status);
        else if (!j->sh->live) {   /* shell_step: again, in a new session */
            j->child_running = false;
            shell_start(rr, j);
        }
        return j->done;
    }
    kick_step(rr, j);
    if (j->done)
        return true;
    if (!j->pg)
        return j->done;
    PgState st = pg_state(j->pg);
    if (st == PG_CONNECTING || st == PG_BUSY)
        st = pg_step(j->pg);
    if (st == PG_FAILED && j->reused && !pg_connection_ok(j->pg)) {
        /* an idle pooled connection that its server had closed (a restart
         * the pool did not hear of): nothing ran on it; the step starts
         * over on a new one */
        free(pg_error(j->pg));
        reopen(rr, j);
        j->in_action = false;
        j->showing = false;
        return false;
    }
    if (st == PG_DONE)
        j->reused = false;
    if (j->kind == JOB_SQL && j->kick && now_ms() > j->deadline_ms && (st == PG_BUSY || st == PG_CONNECTING)) {
        pg_cancel(j->pg);
        fail(j, arena_printf(&j->arena, "timed out after %ds waiting for %s", rr->timeout_s, j->what),
             strdup(j->before ? j->before : "the standby never reached a consistent snapshot"));
        return true;
    }
    switch (j->kind) {
    case JOB_SQL:
        if (st == PG_IDLE && j->idx == 0 && !j->in_action)
            sql_next(rr, j);
        else if (st == PG_DONE || st == PG_FAILED) {
            if (st == PG_FAILED && j->idx == 0 && !j->in_action && !pg_connection_ok(j->pg)) {
                char *e = pg_error(j->pg);
                if (rr->dry_run) {
                    sb_printf(&j->out, "cannot check yet (%s)\n", e);
                    free(e);
                    finish_job(j, RES_WOULD_CHANGE);
                } else
                    fail(j, arena_printf(&j->arena, "cannot connect to '%s' (%s port %d)", j->s->node->name,
                                         j->s->node->host, j->s->node->port), e);
            } else
                sql_result(rr, j);
        }
        break;
    case JOB_WAIT: wait_poll(rr, j); break;
    case JOB_RESTART: restart_poll(rr, j); break;
    case JOB_CHECK: check_poll(rr, j); break;
    case JOB_RELOCK: relock_poll(rr, j); break;
    case JOB_SHELL: break;
    }
    return j->done;
}

static void free_job(RealRunner *rr, Job *j)
{
    if (j->child_running)   /* stopped half way: its session goes with it */
        shell_close(j->sh, true);
    give(rr, j);
    if (j->kick_node)
        pg_pool_give(rr->pool, j->kick_node, j->kick_db, j->kick);
    else
        pg_close(j->kick);
    free(j->before);
    free(j->lock_error);
    arena_free(&j->arena);
    sb_free(&j->out);
    free(j->error);
    free(j);
}

static StepResult finish(Runner *r, Job *j, char **output, char **error)
{
    (void)r;
    StepResult res = j->result;
    if (j->kick_node && res != RES_FAILED)
        sb_printf(&j->out, "'%s' logged %d standby snapshot(s) meanwhile\n", j->kick_node->name, j->kicks);
    *output = j->out.s;
    j->out.s = NULL;
    *error = j->error;
    j->error = NULL;
    free_job((RealRunner *)r, j);
    return res;
}

static void cancel(Runner *r, Job *j)
{
    (void)r;
    if (j->pg)
        pg_cancel(j->pg);
    free_job((RealRunner *)r, j);
}

const char *script_waiting_for(const char *output, size_t *len)
{
    static const char lead[] = "waiting for ";
    /* the script's own last "waiting for" line (lib.sh's wait_for) */
    const char *last = NULL, *p = output;
    while ((p = strstr(p, lead))) {
        last = p + sizeof lead - 1;
        p++;
    }
    if (!last)
        return NULL;
    const char *e = strchr(last, '\n');
    /* a line after it: that wait is over */
    if (e && e[strspn(e, "\n")])
        return NULL;
    *len = e ? (size_t)(e - last) : strlen(last);
    return last;
}

/* What the job waits for, with the last error of what it polls; without
 * the words "waiting for", which exec.c puts in front. */
static const char *waiting_for(Runner *r, Job *j)
{
    (void)r;
    if (j->child_running) {
        size_t len;
        const char *w = script_waiting_for(shell_output(j), &len);
        return w ? arena_strndup(&j->arena, w, len) : NULL;
    }
    if (j->what && j->before && j->kind == JOB_WAIT)
        return arena_printf(&j->arena, "%s (last error: %s)", j->what, one_line(&j->arena, j->before));
    if (j->what)
        return j->what;
    return NULL;
}

void real_runner_end(RealRunner *r)
{
    Shell *shells = r->shells;
    if (!shells)
        return;
    int n = r->m->nodes.n;
    for (int i = 0; i < n; i++)   /* end of input: each session's sh exits */
        if (shells[i].live) {
            shells[i].child.keep_stdin = false;
            if (shells[i].child.input_off >= shells[i].child.input_len && shells[i].child.in_fd >= 0) {
                close(shells[i].child.in_fd);
                shells[i].child.in_fd = -1;
            }
        }
    long deadline = now_ms() + 5000;
    for (int i = 0; i < n; i++) {
        Shell *sh = &shells[i];
        while (sh->live && !child_step(&sh->child) && now_ms() < deadline) {
            struct pollfd pfd = {sh->child.out_fd, POLLIN, 0};
            poll(&pfd, 1, 50);
        }
        shell_close(sh, sh->live && sh->child.status < 0);   /* still there after 5 s: stopped */
    }
    free(shells);
    r->shells = NULL;
}

void real_runner_init(RealRunner *r, const Model *m, bool dry_run, int timeout_s)
{
    memset(r, 0, sizeof *r);
    r->base.ctx = r;
    r->base.start = start;
    r->base.fds = fds;
    r->base.advance = advance;
    r->base.finish = finish;
    r->base.cancel = cancel;
    r->base.waiting_for = waiting_for;
    r->m = m;
    r->dry_run = dry_run;
    r->timeout_s = timeout_s;
}
