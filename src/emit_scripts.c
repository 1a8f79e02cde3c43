/* emit_scripts.c: the per-host SQL and shell steps, lib.sh and run.sh.
 * Every name goes through quote.c; a shell step is its values, each quoted
 * as one shell word, in front of its template from src/sh/. */
#include "emit.h"

#include "protocol.h"
#include "quote.h"
#include "shtpl.h"
#include "stepsql.h"

/* ---------- shared pieces ---------- */

/* local connection string: through the socket, as psql does by default */
static void local_conninfo(StrBuf *b, const MNode *n, const char *db)
{
    sb_puts(b, "dbname=");
    q_conninfo(b, db);
    sb_puts(b, " user=");
    q_conninfo(b, n->conf->user);
}

static void sql_header(StrBuf *b, const Step *s)
{
    sb_printf(b, "-- replc: step %s of node '%s'. Generated; do not edit.\n-- %s\n", s->file,
              s->node->name, s->what);
    sb_puts(b, "-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.\n");
    /* DDL waits behind a long transaction no longer than this (and every
     * session queued behind it with it): run.sh tries the file again */
    sb_printf(b, "-- A statement waits at most %d s behind another session's lock, then fails\n"
                 "-- (lock timeout); run.sh then runs the file again, at most %d times in all,\n"
                 "-- and names the transactions it waited behind.\n"
                 "SET lock_timeout = '%ds';\n",
              STEP_LOCK_TIMEOUT_S, STEP_LOCK_TRIES, STEP_LOCK_TIMEOUT_S);
}

/* ---------- SQL steps ---------- */

/* ALTER ROLE ... PASSWORD as psql runs it: the password from the environment
 * at run time (printenv), kept out of the server's log; the file holds only
 * the variable's name (checked: [A-Za-z_][A-Za-z0-9_]*). */
static void sql_password(StrBuf *b, Arena *a, const SqlStmt *st)
{
    sb_printf(b, "\\set replc_pw_set `[ -n \"${%s-}\" ] && echo 1 || echo 0`\n\\if :replc_pw_set\n",
              st->password_env);
    sb_printf(b, "\\set replc_pw `printenv %s`\n", st->password_env);
    sb_puts(b, "SELECT count(set_config('log_statement', 'none', false)) + count(set_config("
               "'log_min_error_statement', 'panic', false)) AS replc_quiet FROM pg_roles "
               "WHERE rolname = current_user AND rolsuper \\gset\n");
    sb_printf(b, "%s PASSWORD :'replc_pw';\n\\unset replc_pw\n\\else\nDO ", st->sql);
    StrBuf body;
    sb_init(&body);
    sb_puts(&body, "BEGIN RAISE EXCEPTION ");
    q_literal(&body, arena_printf(a, "environment variable %s is not set; it holds the password of role %s",
                                  st->password_env, st->password_role));
    sb_puts(&body, "; END");
    q_literal(b, body.s);
    sb_free(&body);
    sb_puts(b, ";\n\\endif\n");
}

/* A SQL step as psql runs it: each guarded statement under \if. */
static void emit_sql_step(StrBuf *b, const Step *s)
{
    sql_header(b, s);
    if (s->kind == STEP_CONFIG)
        sb_puts(b, "-- Each setting is raised to at least what replication needs; a higher value is kept\n"
                   "-- (reported when the topology sets it lower). Room for more parallel initial\n"
                   "-- copies is added only when the server restarts anyway.\n"
                   "-- The restart step reloads the configuration and restarts when one needs it.\n");
    Arena a;
    arena_init(&a);
    Vec v = step_sql(&a, s);
    for (int i = 0; i < v.n; i++) {
        const SqlStmt *st = v.items[i];
        sb_putc(b, '\n');
        if (st->comment)
            sb_printf(b, "-- %s\n", st->comment);
        if (st->notice) {
            sb_printf(b, "SELECT %s AS replc_do \\gset\n\\if :replc_do\n\\echo ", st->guard);
            q_literal(b, arena_printf(&a, "notice: %s", st->notice));
            sb_puts(b, "\n\\endif\n");
        } else if (st->password_env) {
            sb_printf(b, "SELECT %s AS replc_do \\gset\n\\if :replc_do\n", st->guard);
            sql_password(b, &a, st);
            sb_puts(b, "\\set replc_changed 1\n\\endif\n");
        } else if (st->guard)
            sb_printf(b, "SELECT %s AS replc_do \\gset\n\\if :replc_do\n%s;\n\\set replc_changed 1\n\\endif\n",
                      st->guard, st->sql);
        else
            sb_printf(b, "%s;\n\\set replc_changed 1\n", st->sql);
    }
    /* the last line says whether anything changed, as a shell step's does */
    sb_puts(b, "\n\\if :{?replc_changed}\n\\echo '" RESULT_PREFIX RESULT_CHANGED "'\n\\else\n\\echo '"
               RESULT_PREFIX RESULT_OK "'\n\\endif\n");
    arena_free(&a);
}

/* ---------- shell steps ----------
 * A shell step is: the header comment, `set -eu`, the step's values as
 * assignments (each quoted by q_shell_quoted; a list as "$@" through `set --`),
 * the line that sources lib.sh, then its template's body (src/sh/, embedded
 * by tools/embed.sh). The values are all that C writes. */

/* Before the first command, so for the whole file: a value may hold $ or \ */
#define SH_DATA_DIRECTIVE "# shellcheck disable=SC2016,SC1003 # the values are data: a $ or \\ in them stays literal\n"

/* NAME=VALUE: one value of the step (NULL: empty) */
static void sh_var(StrBuf *b, const char *name, const char *value)
{
    sb_printf(b, "%s=", name);
    q_shell_quoted(b, value ? value : "");
    sb_putc(b, '\n');
}

static void sh_var_long(StrBuf *b, const char *name, long value)
{
    sb_printf(b, "%s=%ld\n", name, value);
}

/* "$@" of the step: `set --`, then one row of n values a line */
static void sh_args_begin(StrBuf *b)
{
    sb_puts(b, "set --");
}

static void sh_args_row(StrBuf *b, int n, const char *const *values)
{
    sb_puts(b, " \\\n   ");
    for (int i = 0; i < n; i++) {
        sb_putc(b, ' ');
        q_shell_quoted(b, values[i] ? values[i] : "");
    }
}

static void sh_args_end(StrBuf *b)
{
    sb_putc(b, '\n');
}

/* The header comment and the values every step has. about: more comment
 * lines, or NULL. */
static void sh_begin(StrBuf *b, const Model *m, const MNode *n, const char *file, const char *what,
                     const char *about)
{
    /* names hold no line breaks (check.c), so they are safe in comments */
    sb_printf(b, "#!/bin/sh\n# replc: step %s of node '%s' (cluster '%s'). Generated; do not edit.\n"
                 "# %s\n# Safe to run again: it checks what is in place first.\n",
              file, n->name, m->cluster, what);
    if (about)
        sb_puts(b, about);
    sb_puts(b, SH_DATA_DIRECTIVE "set -eu\n");
    sh_var(b, "node", n->name);
    sh_var_long(b, "port", n->port);
    sh_var(b, "bindir", n->conf->bindir);
    sh_var(b, "passfile", n->conf->pw_kind == PW_FILE ? n->conf->pw_value : NULL);
}

/* Source lib.sh (unless replc --apply sent it ahead), then the body. */
static void sh_end(StrBuf *b, const char *body)
{
    sb_puts(b, "# the common functions, from this directory (replc --apply sends them ahead)\n"
               "# shellcheck source-path=SCRIPTDIR source=lib.sh\n"
               "[ -n \"${replc_lib:-}\" ] || . \"$(dirname \"$0\")/lib.sh\"\n");
    sb_puts(b, body);
}

void emit_lib_sh(StrBuf *b)
{
    sb_puts(b, sh_lib);
}

/* local_postgres=, local_db=: conninfo of this host's server through the
 * local socket, its 'postgres' database or the node's */
static void sh_local(StrBuf *b, const MNode *n, const char *name, const char *db)
{
    StrBuf c;
    sb_init(&c);
    local_conninfo(&c, n, db);
    sh_var(b, name, c.s);
    sb_free(&c);
}

/* service=: auto (found on the host), pg_ctl, or the topology's service
 * command; version=: the major version, to find a Debian cluster or a
 * systemd unit (lib.sh: find_manager) */
static void sh_service(StrBuf *b, const MNode *n)
{
    sh_var(b, "service", n->conf->service);
    sh_var_long(b, "version", n->version);
}

/* pgdata=: the data directory, or '' to ask the server (lib.sh: find_pgdata) */
static void sh_pgdata(StrBuf *b, const MNode *n)
{
    sh_var(b, "pgdata", n->conf->pgdata);
}

/* NAME=: conninfo that this host uses to reach peer n, with a short timeout */
static void sh_peer_conninfo(StrBuf *b, const char *name, const MNode *n, const char *db)
{
    StrBuf c;
    sb_init(&c);
    model_conninfo(&c, n, db, NULL);
    sb_puts(&c, " connect_timeout=5");
    sh_var(b, name, c.s);
    sb_free(&c);
}

/* A peer's ~/.pgpass key, HOST:PORT:*:USER, each field quoted for the file. */
void pgpass_key(StrBuf *b, const MNode *peer)
{
    q_pgpass(b, peer->host);
    sb_printf(b, ":%d:*:", peer->port);
    q_pgpass(b, peer->conf->user);
}

/* What replc writes into a standby's data directory (replc_standby) once
 * it is built from its source. */
void standby_marker(StrBuf *b, const MNode *n)
{
    const MNode *src = n->standby->source;
    Arena a;
    arena_init(&a);
    sb_printf(b, "replc standby: node=%s source=%s", model_ident(&a, n->name),
              src ? model_ident(&a, src->name) : "");
    arena_free(&a);
}

static void emit_pgpass(StrBuf *b, const Step *s)
{
    Arena a;
    arena_init(&a);
    Vec peers = {0};
    model_peers(&a, s->node, &peers);
    sh_args_begin(b);
    for (int i = 0; i < peers.n; i++) {
        const MNode *peer = peers.items[i];
        if (peer->conf->pw_kind != PW_ENV && peer->conf->pw_kind != PW_LITERAL)
            continue;
        StrBuf key;
        sb_init(&key);
        pgpass_key(&key, peer);
        const char *row[2] = {key.s, peer->conf->pw_kind == PW_ENV ? peer->conf->pw_value : "PGPASSWORD"};
        sh_args_row(b, 2, row);
        sb_free(&key);
    }
    /* the replication roles this server's own connections use */
    Vec repl = {0};
    model_repl_peers(&a, s->node, &repl);
    for (int i = 0; i < repl.n; i++) {
        const MNode *peer = repl.items[i];
        StrBuf key;
        sb_init(&key);
        q_pgpass(&key, peer->host);
        sb_printf(&key, ":%d:*:", peer->port);
        q_pgpass(&key, peer->conf->repl_user);
        const char *row[2] = {key.s, peer->conf->repl_pw_env};
        sh_args_row(b, 2, row);
        sb_free(&key);
    }
    sh_args_end(b);
    arena_free(&a);
    sh_end(b, sh_pgpass);
}

/* NAME=: names one a line (no name holds a line break: check.c) */
static void sh_var_lines(StrBuf *b, const char *name, const Vec *names)
{
    StrBuf v;
    sb_init(&v);
    for (int i = 0; i < names->n; i++)
        sb_printf(&v, "%s%s", i ? "\n" : "", (const char *)names->items[i]);
    sh_var(b, name, v.s);
    sb_free(&v);
}

static void emit_hba(StrBuf *b, const Model *m, const Step *s)
{
    const MNode *n = s->node;
    Arena a;
    arena_init(&a);
    sh_local(b, n, "local_postgres", "postgres");
    sh_var(b, "mark", model_mark(&a, m->cluster));
    Vec slots = {0};
    model_recorded_slots(&a, n, &slots);
    sh_var_lines(b, "slots", &slots);
    sh_var_long(b, "prune", m->prune ? 1 : 0);
    /* the server's lines: nodes that share it share its pg_hba.conf */
    Vec lines = {0};
    model_server_hba(&a, n, &lines);
    sh_var(b, "sql_equivalent", sql_hba_equivalent(&a, &lines));
    sh_var(b, "sql_shadowed", sql_hba_shadowed(&a, &lines));
    sh_args_begin(b);
    for (int i = 0; i < lines.n; i++) {
        const HbaLine *h = lines.items[i];
        StrBuf line;
        sb_init(&line);
        model_hba_line(&line, h);
        const char *row[1] = {line.s};
        sh_args_row(b, 1, row);
        sb_free(&line);
    }
    arena_free(&a);
    sh_args_end(b);
    sh_end(b, sh_hba);
}

/* Before a primary restarts: each standby below it that answers and is a
 * standby must have been raised (its raise step), or its replay would pause
 * on the primary's higher settings. One that does not answer is not
 * streaming yet; its base backup brings the new settings. */
static void emit_restart(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    sh_local(b, n, "local_postgres", "postgres");
    sh_pgdata(b, n);
    sh_service(b, n);
    Arena a;
    arena_init(&a);
    sh_var(b, "pending_sql", sql_pending_restart(&a, n));
    sh_var(b, "others_sql", sql_pending_others(&a, n));
    Vec below = {0};
    if (!n->standby)
        model_standbys_below(&a, n, &below);
    sh_args_begin(b);
    for (int i = 0; i < below.n; i++) {
        const MNode *st = below.items[i];
        StrBuf ci;
        sb_init(&ci);
        model_conninfo(&ci, st, "postgres", NULL);
        sb_puts(&ci, " connect_timeout=5");
        const char *row[3] = {arena_printf(&a, "standby '%s' to raise its settings first (its raise step)", st->name),
                              ci.s, sql_standby_guards_clear(&a, st)};
        sh_args_row(b, 3, row);
        sb_free(&ci);
    }
    sh_args_end(b);
    arena_free(&a);
    sh_end(b, sh_restart);
}

static void emit_sub_wait(StrBuf *b, const Step *s)
{
    const MSub *sub = s->sub;
    const MNode *pub = sub->publisher;
    Arena a;
    arena_init(&a);
    sh_var(b, "publisher", pub->name);
    sh_peer_conninfo(b, "publisher_conninfo", pub, sub_dbname(sub));
    sh_var(b, "count_sql", sql_publications_count(&a, sub));
    sh_var_long(b, "ready_count", sub_ready_count(sub));
    sh_var(b, "waiting", arena_printf(&a, "the publication(s)%s of subscription '%s' on '%s' (%s port %d)",
                                      sub->precreate_slot ? " and slot" : "", sub->name, pub->name, pub->host,
                                      pub->port));
    arena_free(&a);
    sh_end(b, sh_wait_publisher);
}

static void emit_col_wait(StrBuf *b, const Step *s)
{
    const MNode *peer = s->peer;
    Arena a;
    arena_init(&a);
    sh_local(b, s->node, "local_db", s->node->conf->database);
    sh_var(b, "add_sql", sql_columns_to_add(&a, s->node));
    sh_var(b, "subscriber", peer ? peer->name : NULL);
    if (peer)
        sh_peer_conninfo(b, "subscriber_conninfo", peer, peer->conf->database);
    else
        sh_var(b, "subscriber_conninfo", NULL);
    sh_var(b, "missing_sql", peer ? sql_columns_missing(&a, s->node, peer) : NULL);
    sh_var(b, "waiting", peer ? arena_printf(&a, "'%s' (%s port %d) to have the columns added to the tables it "
                                                 "receives from here (subscribers first)",
                                             peer->name, peer->host, peer->port) : NULL);
    arena_free(&a);
    sh_end(b, sh_wait_columns);
}

/* primary=, primary_conninfo=: for a subscription to a standby, its primary,
 * which lib.sh's kick asks for standby snapshots (REPLICATION.md 7.7); ''
 * otherwise */
static void sh_kick_values(StrBuf *b, const MSub *sub)
{
    if (!sub->publisher->standby) {
        sh_var(b, "primary", NULL);
        sh_var(b, "primary_conninfo", NULL);
        return;
    }
    const MNode *primary = sub_primary(sub);
    sh_var(b, "primary", primary->name);
    sh_peer_conninfo(b, "primary_conninfo", primary, sub_dbname(sub));
}

static void emit_standby_slot(StrBuf *b, const Step *s)
{
    const MSub *sub = s->sub;
    const MNode *pub = sub->publisher;
    Arena a;
    arena_init(&a);
    Vec v = step_sql(&a, s);
    const SqlStmt *st = v.items[0];
    sh_var(b, "standby", pub->name);
    sh_peer_conninfo(b, "standby_conninfo", pub, sub_dbname(sub));
    sh_kick_values(b, sub);
    sh_var(b, "slot", sub->slot);
    sh_var(b, "missing_sql", arena_printf(&a, "SELECT %s", st->guard));
    sh_var(b, "create_sql", st->sql);
    arena_free(&a);
    sh_end(b, sh_slot);
}

static void emit_sub_sync(StrBuf *b, const Step *s)
{
    const MSub *sub = s->sub;
    const MNode *n = s->node;
    Arena a;
    arena_init(&a);
    sh_local(b, n, "local_db", n->conf->database);
    sh_var(b, "subscription", sub->name);
    sh_var(b, "synced_sql", sql_subscription_synced_durable(&a, sub));
    sh_kick_values(b, sub);
    arena_free(&a);
    sh_end(b, sh_wait_sync);
}

static void emit_copy_table(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    const MNode *pub = s->sub->publisher;
    const MTable *t = s->table;
    StrBuf ci, sql, pat;
    sb_init(&ci);
    sb_init(&sql);
    sb_init(&pat);
    model_conninfo(&ci, pub, sub_dbname(s->sub), NULL);
    sb_puts(&sql, "SELECT to_regclass(");
    q_regclass(&sql, t->schema, t->name);
    sb_puts(&sql, ") IS NOT NULL");
    q_dump_pattern(&pat, t->schema, t->name);
    sh_local(b, n, "local_db", n->conf->database);
    sh_var(b, "publisher", pub->name);
    sh_var(b, "publisher_conninfo", ci.s);
    sh_var(b, "table", t->display);
    sh_var(b, "exists_sql", sql.s);
    sh_var(b, "dump_pattern", pat.s);
    sb_free(&ci);
    sb_free(&sql);
    sb_free(&pat);
    sh_end(b, sh_copy_table);
}

/* What a standby's steps share: its data directory, replc's marker of a
 * standby built from its source, how to start and stop it. */
static void sh_standby_values(StrBuf *b, const MNode *n)
{
    sh_local(b, n, "local_postgres", "postgres");
    sh_pgdata(b, n);
    StrBuf marker;
    sb_init(&marker);
    standby_marker(&marker, n);
    sh_var(b, "marker", marker.s);
    sb_free(&marker);
    sh_service(b, n);
}

static void emit_basebackup(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    const MNode *src = n->standby->source;
    const StandbyInfo *si = n->standby;
    sh_standby_values(b, n);
    sh_var_long(b, "force", si->force ? 1 : 0);
    StrBuf sql;
    sb_init(&sql);
    sb_printf(&sql, "SELECT %s", sql_user_data());
    sh_var(b, "userdata_sql", sql.s);
    sh_var(b, "source", src->name);
    sh_var(b, "source_host", src->host);
    sh_var_long(b, "source_port", src->port);
    sh_var_long(b, "senders", src->guc[GUC_MAX_WAL_SENDERS].value);
    StrBuf repl;
    sb_init(&repl);
    model_repl_conninfo(&repl, src, "replication", NULL);
    sb_puts(&repl, " replication=true connect_timeout=5");
    sh_var(b, "repl_conninfo", repl.s);
    sb_reset(&repl);
    model_repl_conninfo(&repl, src, NULL, n->name);
    sh_var(b, "backup_conninfo", repl.s);
    sh_var(b, "slot", si->slot);
    /* a standby moved to this source: what pg_basebackup -R would write */
    sb_reset(&sql);
    sb_puts(&sql, "ALTER SYSTEM SET primary_conninfo = ");
    q_literal(&sql, repl.s);
    sh_var(b, "conninfo_sql", sql.s);
    sb_free(&repl);
    sb_reset(&sql);
    sb_puts(&sql, "ALTER SYSTEM SET primary_slot_name = ");
    q_literal(&sql, si->slot);
    sh_var(b, "slot_sql", sql.s);
    sb_reset(&sql);
    sb_puts(&sql, "CREATE_REPLICATION_SLOT ");
    q_ident(&sql, si->slot);
    sb_puts(&sql, " PHYSICAL RESERVE_WAL");
    sh_var(b, "create_slot_sql", sql.s);
    sb_reset(&sql);
    if (si->delay) {
        sb_puts(&sql, "recovery_min_apply_delay = ");
        q_literal(&sql, si->delay);
    }
    sh_var(b, "delay_setting", sql.s);
    /* an existing standby: its apply delay as declared now (none: 0) */
    sb_reset(&sql);
    sb_puts(&sql, "SELECT NOT ");
    sql_setting_equals(&sql, "recovery_min_apply_delay", si->delay ? si->delay : "0");
    sh_var(b, "delay_differs_sql", sql.s);
    sb_reset(&sql);
    if (si->delay) {
        sb_puts(&sql, "ALTER SYSTEM SET recovery_min_apply_delay = ");
        q_literal(&sql, si->delay);
    } else
        sb_puts(&sql, "ALTER SYSTEM RESET recovery_min_apply_delay");
    sh_var(b, "delay_sql", sql.s);
    /* the node's derived settings, as config.sql would set them: written
     * before the first start, they need no restart afterwards */
    sb_reset(&sql);
    for (int id = 0; id < GUC_COUNT; id++) {
        const Derived *d = &n->guc[id];
        if (!d->set)
            continue;
        sb_printf(&sql, "%s%s = ", sql.len ? "\n" : "", guc_name((GucId)id));
        if (guc_is_numeric((GucId)id))
            sb_printf(&sql, "%ld", d->value);
        else
            q_conf(&sql, d->text);
    }
    sh_var(b, "settings", sql.s);
    sb_free(&sql);
    sh_end(b, sh_basebackup);
}

/* An existing standby, before its primary restarts: the settings the
 * primary's WAL is checked against, raised and applied with a restart. A
 * standby not built yet gets its source's settings from the base backup. */
static void emit_raise(StrBuf *b, const Step *s)
{
    sh_standby_values(b, s->node);
    Arena a;
    arena_init(&a);
    Vec v = step_sql(&a, s);
    sh_args_begin(b);
    for (int i = 0; i < v.n; i++) {
        const SqlStmt *st = v.items[i];
        const char *row[2] = {st->guard, st->sql};
        sh_args_row(b, 2, row);
    }
    sh_args_end(b);
    arena_free(&a);
    sh_end(b, sh_raise);
}

/* What the topology declares on the node, for prune.sh to keep. */
static void emit_prune(StrBuf *b, const Model *m, const Step *s)
{
    const MNode *n = s->node;
    Arena a;
    arena_init(&a);
    sh_local(b, n, "local_postgres", "postgres");
    sh_local(b, n, "local_db", n->conf->database);
    sh_var(b, "database", n->conf->database);
    sh_var(b, "mark", model_mark(&a, m->cluster));
    Vec subs = {0}, pubs = {0};
    for (int i = 0; i < n->subs.n; i++)
        vec_push(&a, &subs, (void *)((const MSub *)n->subs.items[i])->name);
    for (int i = 0; i < n->pubs.n; i++)
        vec_push(&a, &pubs, (void *)((const MPub *)n->pubs.items[i])->name);
    sh_var_lines(b, "keep_subs", &subs);
    sh_var_lines(b, "keep_pubs", &pubs);
    Vec slots = {0};
    model_recorded_slots(&a, n, &slots);
    sh_var_lines(b, "keep_slots", &slots);
    arena_free(&a);
    sh_end(b, sh_prune);
}

void emit_step(StrBuf *b, const Model *m, const Step *s)
{
    if (s->lang == LANG_SQL) {
        emit_sql_step(b, s);
        return;
    }
    sh_begin(b, m, s->node, s->file, s->what, NULL);
    switch (s->kind) {
    case STEP_PGPASS: emit_pgpass(b, s); break;
    case STEP_HBA: emit_hba(b, m, s); break;
    case STEP_PRUNE: emit_prune(b, m, s); break;
    case STEP_RESTART: emit_restart(b, s); break;
    case STEP_SUB_WAIT: emit_sub_wait(b, s); break;
    case STEP_COL_WAIT: emit_col_wait(b, s); break;
    case STEP_SUB_SYNC: emit_sub_sync(b, s); break;
    case STEP_COPY_TABLE: emit_copy_table(b, s); break;
    case STEP_BASEBACKUP: emit_basebackup(b, s); break;
    case STEP_RAISE: emit_raise(b, s); break;
    case STEP_STANDBY_SLOT: emit_standby_slot(b, s); break;
    default: break;
    }
}

/* What finding the server manager needs (lib.sh: manager_check): run.sh
 * and replc --apply's preflight check it before anything changes. */
static void sh_server_values(StrBuf *b, const MNode *n)
{
    sh_var(b, "node", n->name);
    sh_var_long(b, "port", n->port);
    sh_var(b, "bindir", n->conf->bindir);
    sh_var(b, "passfile", n->conf->pw_kind == PW_FILE ? n->conf->pw_value : NULL);
    sh_local(b, n, "local_postgres", "postgres");
    sh_pgdata(b, n);
    sh_service(b, n);
}

void emit_server_check(StrBuf *b, const MNode *n)
{
    sh_server_values(b, n);
    sb_puts(b, "setup\nmanager_check\nsay \"server run by $manager_how\"\n");
}

void emit_run_sh(StrBuf *b, const Model *m, const Plan *p, const MNode *n)
{
    const Vec *steps = p->node_steps.items[n->index];
    sb_printf(b, "#!/bin/sh\n# replc: every step of node '%s' (cluster '%s'), in order. Generated; do "
                 "not edit.\n", n->name, m->cluster);
    sb_puts(b, "# Copy this directory to the host and run it there as the PostgreSQL OS user:\n"
               "#     sh run.sh\n"
               "# It stops at the first failure; running it again is safe.\n"
               SH_DATA_DIRECTIVE "set -eu\n");
    sh_server_values(b, n);
    sh_var_long(b, "lock_timeout", STEP_LOCK_TIMEOUT_S);
    sh_var_long(b, "lock_tries", STEP_LOCK_TRIES);
    sh_var(b, "lock_blockers_sql", sql_lock_blockers());
    sh_args_begin(b);
    for (int i = 0; i < steps->n; i++) {
        const Step *s = steps->items[i];
        StrBuf c;
        sb_init(&c);
        if (s->lang == LANG_SQL)
            local_conninfo(&c, n, s->db);
        const char *row[3] = {s->file, s->what, c.s};
        sh_args_row(b, 3, row);
        sb_free(&c);
    }
    sh_args_end(b);
    sb_puts(b, sh_run);
}

/* promote.sh: run by hand, or by replc --promote. Once the old subscriber is
 * gone, promotes a standby of it; its copies of the subscriptions take over
 * the original slots from the origin positions it replayed. */
void emit_promote(StrBuf *b, const Model *m, const MNode *n)
{
    const MNode *root = model_chain_root(n);
    Arena a;
    arena_init(&a);
    sh_begin(b, m, n, "promote.sh", "promote this standby and take over the subscriptions it carries (run by hand)",
             arena_printf(&a, "# '%s' is a standby of subscriber '%s' and carries copies of its subscriptions.\n"
                              "# Run this only when '%s' is gone for good: it refuses while '%s' answers\n"
                              "# (REPLC_FORCE=1: go on anyway, once it is fenced off). The subscriptions\n"
                              "# then continue from here on their original slots, from the positions this\n"
                              "# standby replayed: nothing is lost or applied twice (docs/failover.md).\n",
                          n->name, root->name, root->name, root->name));
    sh_local(b, n, "local_db", n->conf->database);
    sh_pgdata(b, n);
    sh_service(b, n);
    long workers = root->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS].value;
    sh_var_long(b, "workers", workers);
    sh_var(b, "workers_sql", arena_printf(&a, "ALTER SYSTEM SET max_logical_replication_workers = %ld", workers));
    sh_var(b, "old", root->name);
    sh_var(b, "sequences_sql", sql_advance_sequences(&a, root));
    StrBuf sql;
    sb_init(&sql);
    model_conninfo(&sql, root, "postgres", NULL);
    sb_puts(&sql, " connect_timeout=5");
    sh_var(b, "old_conninfo", sql.s);
    sh_args_begin(b);
    for (int i = 0; i < root->subs.n; i++) {
        const MSub *s = root->subs.items[i];
        if (!s->publisher || !s->slot)
            continue;
        const char *slot = model_promoted_slot(&a, s, n);
        const char *row[8];
        row[0] = s->name;
        row[1] = s->publisher->name;
        sb_reset(&sql);
        model_conninfo(&sql, s->publisher, sub_dbname(s), NULL);
        sb_puts(&sql, " connect_timeout=5");
        row[2] = arena_strdup(&a, sql.s);
        row[3] = slot;
        sb_reset(&sql);
        sb_puts(&sql, "SELECT coalesce(active_pid::text, 'inactive') || ' ' || coalesce(confirmed_flush_lsn::text, "
                      "'none') FROM pg_replication_slots WHERE slot_name = ");
        q_literal(&sql, slot);
        row[4] = arena_strdup(&a, sql.s);
        sb_reset(&sql);
        sb_puts(&sql, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ");
        q_literal(&sql, slot);
        sb_puts(&sql, " AND active_pid IS NOT NULL");
        row[5] = arena_strdup(&a, sql.s);
        sb_reset(&sql);
        sb_puts(&sql, "SELECT coalesce((SELECT o.remote_lsn::text FROM pg_replication_origin_status o "
                      "WHERE o.external_id = 'pg_' || s.oid), 'the start') FROM pg_subscription s "
                      "WHERE s.subname = ");
        q_literal(&sql, s->name);
        sb_puts(&sql, " AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())");
        row[6] = arena_strdup(&a, sql.s);
        sb_reset(&sql);
        sb_puts(&sql, "ALTER SUBSCRIPTION ");
        q_ident(&sql, s->name);
        sb_puts(&sql, " ENABLE");
        row[7] = arena_strdup(&a, sql.s);
        sh_args_row(b, 8, row);
    }
    sh_args_end(b);
    sb_free(&sql);
    arena_free(&a);
    sh_end(b, sh_promote);
}
