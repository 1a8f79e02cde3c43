/* emit_scripts.c: the per-host SQL and shell steps and run.sh. Every name
 * goes through quote.c; SQL inside shell is composed as a SQL text first,
 * then quoted as one shell word. */
#include "emit.h"

#include <string.h>
#include <strings.h>

#include "quote.h"
#include "stepsql.h"

/* ---------- shared pieces ---------- */

static void sh_word(StrBuf *b, const char *s) { q_shell(b, s); }

/* a SQL text as one shell word */
static void sh_sql(StrBuf *b, const StrBuf *sql) { q_shell(b, sql->s ? sql->s : ""); }

void emit_conninfo(StrBuf *b, const MNode *n, const char *dbname, const char *appname)
{
    sb_puts(b, "host=");
    q_conninfo(b, n->host);
    sb_printf(b, " port=%d", n->port);
    if (dbname) {
        sb_puts(b, " dbname=");
        q_conninfo(b, dbname);
    }
    sb_puts(b, " user=");
    q_conninfo(b, n->user);
    if (n->pw_kind == PW_FILE) {
        sb_puts(b, " passfile=");
        q_conninfo(b, n->pw_value);
    }
    if (appname) {
        sb_puts(b, " application_name=");
        q_conninfo(b, appname);
    }
}

/* local connection string: through the socket, as psql does by default */
static void local_conninfo(StrBuf *b, const MNode *n, const char *db)
{
    sb_puts(b, "dbname=");
    q_conninfo(b, db);
    sb_puts(b, " user=");
    q_conninfo(b, n->user);
}

static void sh_header(StrBuf *b, const Model *m, const Step *s)
{
    /* names hold no line breaks (check.c), so they are safe in comments */
    sb_printf(b, "#!/bin/sh\n# replc: step %s of node '%s' (cluster '%s'). Generated; do not edit.\n"
                 "# %s\n# Safe to run again: it checks what is in place first.\n",
              s->file, s->node->name, m->cluster, s->what);
    sb_puts(b, "set -eu\n");
    const MNode *n = s->node;
    if (n->bindir) {
        sb_puts(b, "PATH=");
        sh_word(b, n->bindir);
        sb_puts(b, ":$PATH; export PATH\n");
    }
    sb_printf(b, "PGPORT=${PGPORT:-%d}; export PGPORT\n", n->port);
    if (n->pw_kind == PW_FILE) {
        sb_puts(b, "PGPASSFILE=");
        sh_word(b, n->pw_value);
        sb_puts(b, "; export PGPASSFILE\n");
    }
    sb_puts(b, "timeout=${REPLC_TIMEOUT:-300}\nnode=");
    sh_word(b, n->name);
    sb_puts(b, "\nsay() { printf 'replc: %s: %s\\n' \"$node\" \"$*\"; }\n"
               "# change WHAT: about to change something (REPLC_DRY_RUN=1: say so and stop)\n"
               "changed=0\n"
               "change() {\n"
               "    if [ \"${REPLC_DRY_RUN:-0}\" = 1 ]; then say \"would $*\"; echo 'replc-result: would-change'; exit 0; fi\n"
               "    changed=1\n"
               "}\n"
               "# finish: the last line says whether anything changed\n"
               "finish() { if [ \"$changed\" = 1 ]; then echo 'replc-result: changed'; else echo 'replc-result: ok'; fi; exit 0; }\n");
}

static const char wait_fn[] =
    "# peer NAME COMMAND...: run a query on a peer, its answer in $answer; keep its\n"
    "# error in $last_error, and stop at once when the peer refuses the password\n"
    "last_error=\n"
    "peer() {\n"
    "    peer_name=$1; shift\n"
    "    if out=$(\"$@\" 2>&1); then answer=$out; return 0; fi\n"
    "    last_error=$out\n"
    "    case $out in\n"
    "    *'password authentication failed'*|*'no password supplied'*)\n"
    "        say \"cannot log in to $peer_name: $out\"\n"
    "        exit 1 ;;\n"
    "    esac\n"
    "    return 1\n"
    "}\n"
    "# wait_for WHAT CHECK...: run CHECK until it succeeds, at most $timeout seconds\n"
    "wait_for() {\n"
    "    what=$1; shift\n"
    "    start=$(date +%s); next=$start\n"
    "    until \"$@\"; do\n"
    "        now=$(date +%s)\n"
    "        if [ $((now - start)) -ge \"$timeout\" ]; then\n"
    "            say \"timed out after ${timeout}s waiting for $what\"\n"
    "            if [ -n \"$last_error\" ]; then say \"last error: $last_error\"; fi\n"
    "            exit 1\n"
    "        fi\n"
    "        if [ \"$now\" -ge \"$next\" ]; then\n"
    "            say \"waiting for $what\"\n"
    "            next=$((now + 10))\n"
    "        fi\n"
    "        sleep 1\n"
    "    done\n"
    "}\n";

/* psql on this host: local socket, one value out */
static void local_psql(StrBuf *b, const MNode *n, const char *db)
{
    StrBuf c;
    sb_init(&c);
    local_conninfo(&c, n, db);
    sb_puts(b, "psql -XAtq -v ON_ERROR_STOP=1 -d ");
    sh_word(b, c.s);
    sb_free(&c);
}

static void sql_header(StrBuf *b, const Step *s)
{
    sb_printf(b, "-- replc: step %s of node '%s'. Generated; do not edit.\n-- %s\n", s->file,
              s->node->name, s->what);
    sb_puts(b, "-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.\n");
}

/* ---------- SQL steps ---------- */

/* A SQL step as psql runs it: each guarded statement under \if. */
static void emit_sql_step(StrBuf *b, const Step *s)
{
    sql_header(b, s);
    if (s->kind == STEP_CONFIG)
        sb_puts(b, "-- Each setting is raised to at least the derived value; a higher value is kept.\n"
                   "-- The restart step reloads the configuration and restarts when one needs it.\n");
    Arena a;
    arena_init(&a);
    Vec v = step_sql(&a, s);
    for (int i = 0; i < v.n; i++) {
        const SqlStmt *st = v.items[i];
        sb_putc(b, '\n');
        if (st->comment)
            sb_printf(b, "-- %s\n", st->comment);
        if (st->guard)
            sb_printf(b, "SELECT %s AS replc_do \\gset\n\\if :replc_do\n%s;\n\\endif\n", st->guard, st->sql);
        else
            sb_printf(b, "%s;\n", st->sql);
    }
    arena_free(&a);
}

/* ---------- shell steps ---------- */

static void add_pgpass_line(StrBuf *b, const MNode *peer)
{
    StrBuf key;
    sb_init(&key);
    q_pgpass(&key, peer->host);
    sb_printf(&key, ":%d:*:", peer->port);
    q_pgpass(&key, peer->user);
    const char *var = peer->pw_kind == PW_ENV ? peer->pw_value : "PGPASSWORD";
    sb_puts(b, "put ");
    sh_word(b, key.s);
    sb_putc(b, ' ');
    sh_word(b, var);
    sb_putc(b, '\n');
    sb_free(&key);
}

static void emit_pgpass(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    sb_puts(b,
            "# The password never appears in this file: it is read from the environment.\n"
            "file=$HOME/.pgpass\n"
            "umask 077\n"
            "# put HOST:PORT:DB:USER VAR: one line for that peer, password from $VAR\n"
            "put() {\n"
            "    eval \"pw=\\${$2-}\"\n"
            "    if [ -z \"$pw\" ]; then\n"
            "        say \"environment variable $2 is not set; it holds the password for $1\"\n"
            "        exit 1\n"
            "    fi\n"
            "    esc=$(printf '%s' \"$pw\" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/:/\\\\:/g')\n"
            "    if [ -f \"$file\" ] && grep -qxF -- \"$1:$esc\" \"$file\"; then return; fi\n"
            "    change \"write the ~/.pgpass line for $1\"\n"
            "    [ -f \"$file\" ] || : > \"$file\"\n"
            "    chmod 600 \"$file\"\n"
            "    tmp=\"$file.replc.$$\"\n"
            "    P=\"$1:\" awk 'index($0, ENVIRON[\"P\"]) != 1' \"$file\" > \"$tmp\"\n"
            "    printf '%s:%s\\n' \"$1\" \"$esc\" >> \"$tmp\"\n"
            "    mv \"$tmp\" \"$file\"\n"
            "    say \"~/.pgpass: line for $1\"\n"
            "}\n");
    Arena a;
    arena_init(&a);
    Vec peers = {0};
    model_peers(&a, n, &peers);
    for (int i = 0; i < peers.n; i++) {
        const MNode *peer = peers.items[i];
        if (peer->pw_kind == PW_ENV || peer->pw_kind == PW_LITERAL)
            add_pgpass_line(b, peer);
    }
    arena_free(&a);
    sb_puts(b, "finish\n");
}

static void emit_hba(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    sb_puts(b, "hba=$(");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SHOW hba_file')\n"
               "if [ ! -f \"$hba\" ]; then say \"cannot find pg_hba.conf ($hba)\"; exit 1; fi\n"
               "add() {\n"
               "    if ! grep -qxF -- \"$1\" \"$hba\"; then\n"
               "        change \"add to pg_hba.conf: $1\"\n"
               "        printf '%s\\n' \"$1\" >> \"$hba\"\n"
               "        say \"pg_hba.conf: added $1\"\n"
               "    fi\n"
               "}\n");
    for (int i = 0; i < n->hba.n; i++) {
        const HbaLine *h = n->hba.items[i];
        StrBuf line;
        sb_init(&line);
        sb_printf(&line, "%s ", h->type);
        if (h->physical)
            sb_puts(&line, "replication");
        else
            q_hba(&line, h->database);
        sb_putc(&line, ' ');
        q_hba(&line, h->user);
        sb_printf(&line, " %s %s", h->address, h->method);
        sb_puts(b, "add ");
        sh_word(b, line.s);
        sb_putc(b, '\n');
        sb_free(&line);
    }
    sb_puts(b, "if [ \"$changed\" = 1 ]; then\n    ");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SELECT pg_reload_conf()' >/dev/null\nfi\n"
               "bad=$(");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL')\n"
               "if [ \"$bad\" != 0 ]; then say \"pg_hba.conf has $bad line(s) with errors (see pg_hba_file_rules)\"; exit 1; fi\n"
               "finish\n");
}

static void pg_ctl_cmd(StrBuf *b, const MNode *n, const char *action)
{
    if (strcmp(n->service, "pg_ctl") == 0) {
        sb_printf(b, "pg_ctl -D \"$pgdata\" -w -t \"$timeout\" -m fast -l \"$pgdata/replc-server.log\" %s", action);
        return;
    }
    /* a user's service command: 'restart' becomes the action asked for */
    StrBuf cmd;
    sb_init(&cmd);
    const char *r = strstr(n->service, "restart");
    sb_putn(&cmd, n->service, (size_t)(r - n->service));
    sb_puts(&cmd, action);
    sb_puts(&cmd, r + strlen("restart"));
    sb_puts(b, "sh -c ");
    sh_word(b, cmd.s);
    sb_free(&cmd);
}

static void pgdata_line(StrBuf *b, const MNode *n)
{
    if (n->pgdata) {
        sb_puts(b, "pgdata=");
        sh_word(b, n->pgdata);
        sb_putc(b, '\n');
    } else {
        sb_puts(b, "pgdata=$(");
        local_psql(b, n, "postgres");
        sb_puts(b, " -c 'SHOW data_directory')\n");
    }
}

/* Before a primary restarts: each standby below it that answers and is a
 * standby must have been raised (its raise step), or its replay would pause
 * on the primary's higher settings. One that does not answer is not
 * streaming yet; its base backup brings the new settings. */
static void emit_wait_standbys_raised(StrBuf *b, const MNode *n)
{
    Arena a;
    arena_init(&a);
    Vec below = {0};
    model_standbys_below(&a, n, &below);
    if (below.n)
        sb_puts(b, "# standby_raised CONNINFO QUERY: true when the standby does not answer, or\n"
                   "# answers that its settings are high enough\n"
                   "standby_raised() {\n"
                   "    out=$(psql -XAtq -d \"$1\" -c \"$2\" 2>/dev/null) || return 0\n"
                   "    [ \"$out\" = t ]\n"
                   "}\n");
    for (int i = 0; i < below.n; i++) {
        const MNode *st = below.items[i];
        Step raise = {0};
        raise.kind = STEP_RAISE;
        raise.node = (MNode *)st;
        StrBuf ci, what;
        sb_init(&ci);
        sb_init(&what);
        emit_conninfo(&ci, st, "postgres", NULL);
        sb_puts(&ci, " connect_timeout=5");
        sb_printf(&what, "standby '%s' to raise its settings first (its raise step)", st->name);
        sb_puts(b, "wait_for ");
        sh_word(b, what.s);
        sb_puts(b, " standby_raised ");
        sh_word(b, ci.s);
        sb_putc(b, ' ');
        sh_word(b, sql_standby_guards_clear(&a, &raise));
        sb_putc(b, '\n');
        sb_free(&ci);
        sb_free(&what);
    }
    arena_free(&a);
}

static void emit_restart(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    sb_puts(b, wait_fn);
    sb_puts(b, "up() { ");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SELECT 1' >/dev/null 2>&1; }\n");
    sb_puts(b, "wait_for 'the server to accept connections' up\n"
               "# a reload applies what needs no restart, and marks what does as pending\n"
               "if [ \"${REPLC_DRY_RUN:-0}\" != 1 ]; then\n    before=$(");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SELECT pg_conf_load_time()')\n    ");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SELECT pg_reload_conf()' >/dev/null\n"
               "    reloaded() { [ \"$(");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SELECT pg_conf_load_time()')\" != \"$before\" ]; }\n"
               "    wait_for 'the server to reload its configuration' reloaded\nfi\n");
    sb_puts(b, "pending=$(");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c ");
    sh_word(b, sql_pending_restart());
    sb_puts(b, ")\nif [ -z \"$pending\" ]; then\n    say 'no restart needed'\n    finish\nfi\n");
    pgdata_line(b, n);
    sb_puts(b, "change \"restart to apply: $pending\"\n");
    if (!n->standby)
        emit_wait_standbys_raised(b, n);
    pg_ctl_cmd(b, n, "restart");
    sb_puts(b, " </dev/null\nwait_for 'the server to accept connections after the restart' up\nfinish\n");
}

/* In a dry run nothing that a wait waits for is made, so waits end at once. */
static const char dry_wait[] = "if [ \"${REPLC_DRY_RUN:-0}\" = 1 ]; then finish; fi\n";

static void emit_sub_wait(StrBuf *b, const Step *s)
{
    const MSub *sub = s->sub;
    const MNode *pub = sub->publisher;
    sb_puts(b, wait_fn);
    sb_puts(b, dry_wait);
    Arena a;
    arena_init(&a);
    StrBuf ci;
    sb_init(&ci);
    emit_conninfo(&ci, pub, sub_dbname(sub), NULL);
    sb_puts(&ci, " connect_timeout=5");
    sb_puts(b, "ready() {\n    peer ");
    sh_word(b, arena_printf(&a, "'%s'", pub->name));
    sb_puts(b, " psql -XAtq -d ");
    sh_word(b, ci.s);
    sb_puts(b, " -c ");
    sh_word(b, sql_publications_count(&a, sub));
    sb_printf(b, " || return 1\n    [ \"$answer\" = %d ]\n}\n", sub_ready_count(sub));
    StrBuf what;
    sb_init(&what);
    sb_printf(&what, "the publication(s)%s of subscription '%s' on '%s' (%s port %d)",
              sub->precreate_slot ? " and slot" : "", sub->name,
              pub->name, pub->host, pub->port);
    sb_puts(b, "wait_for ");
    sh_word(b, what.s);
    sb_puts(b, " ready\nsay 'publisher ready'\nfinish\n");
    sb_free(&what);
    sb_free(&ci);
    arena_free(&a);
}

/* kick: for a subscription to a standby. A slot made on a standby is ready
 * only after the primary logs a snapshot of its running transactions, which
 * an idle primary does not do by itself (REPLICATION.md 7.7). */
static void emit_kick_fn(StrBuf *b, const MSub *sub, const char *indent)
{
    const MNode *primary = sub_primary(sub);
    StrBuf ci, w;
    sb_init(&ci);
    sb_init(&w);
    emit_conninfo(&ci, primary, sub_dbname(sub), NULL);
    sb_puts(&ci, " connect_timeout=5");
    sb_printf(b, "%s# kick: ask the primary '%s' to log a standby snapshot; a slot on standby\n"
                 "%s# '%s' (the subscription's, or a table-sync worker's) waits for one\n",
              indent, primary->name, indent, sub->publisher->name);
    sb_printf(&w, "'%s'", primary->name);
    sb_printf(b, "%skicks=0\n%skick() {\n%s    if peer ", indent, indent, indent);
    sh_word(b, w.s);
    sb_puts(b, " psql -XAtq -d ");
    sh_word(b, ci.s);
    sb_printf(b, " -c 'SELECT pg_log_standby_snapshot()'; then kicks=$((kicks + 1)); fi\n%s}\n", indent);
    sb_free(&w);
    sb_free(&ci);
}

static void emit_standby_slot(StrBuf *b, const Step *s)
{
    const MSub *sub = s->sub;
    const MNode *pub = sub->publisher;
    sb_puts(b, wait_fn);
    emit_kick_fn(b, sub, "");
    Arena a;
    arena_init(&a);
    Vec v = step_sql(&a, s);
    const SqlStmt *st = v.items[0];
    StrBuf ci;
    sb_init(&ci);
    emit_conninfo(&ci, pub, sub_dbname(sub), NULL);
    sb_puts(&ci, " connect_timeout=5");
    sb_puts(b, "on_standby() { psql -XAtq -v ON_ERROR_STOP=1 -d ");
    sh_word(b, ci.s);
    sb_puts(b, " -c \"$1\"; }\nslot=");
    sh_word(b, sub->slot);
    sb_puts(b, "\nstandby=");
    sh_word(b, pub->name);
    sb_puts(b, "\nprimary=");
    sh_word(b, sub_primary(sub)->name);
    sb_puts(b, "\nif [ \"$(on_standby ");
    sh_word(b, arena_printf(&a, "SELECT %s", st->guard));
    sb_puts(b, ")\" = f ]; then say \"slot $slot exists on '$standby'\"; finish; fi\n"
               "change \"create slot $slot on standby '$standby'\"\n"
               "log=${TMPDIR:-/tmp}/replc-slot.$$\n"
               "# the server gives up by itself after $timeout seconds\n"
               "PGOPTIONS=\"-c statement_timeout=${timeout}s\" on_standby ");
    sh_word(b, st->sql);
    sb_puts(b, " >\"$log\" 2>&1 &\npid=$!\n"
               "while kill -0 \"$pid\" 2>/dev/null; do kick; sleep 1; done\n"
               "if wait \"$pid\"; then\n"
               "    rm -f \"$log\"\n"
               "    say \"slot $slot created on '$standby' ('$primary' logged $kicks standby snapshot(s) meanwhile)\"\n"
               "    finish\n"
               "fi\n"
               "say \"could not create slot $slot on '$standby': $(cat \"$log\")\"\n"
               "if [ -n \"$last_error\" ]; then say \"last answer of '$primary': $last_error\"; fi\n"
               "rm -f \"$log\"\n"
               "exit 1\n");
    sb_free(&ci);
    arena_free(&a);
}

static void emit_sub_sync(StrBuf *b, const Step *s)
{
    const MSub *sub = s->sub;
    const MNode *n = s->node;
    sb_puts(b, wait_fn);
    sb_puts(b, dry_wait);
    Arena a;
    arena_init(&a);
    if (sub->publisher->standby)
        emit_kick_fn(b, sub, "");
    sb_puts(b, "synced() { ");
    if (sub->publisher->standby)
        sb_puts(b, "kick; ");
    sb_puts(b, "[ \"$(");
    local_psql(b, n, n->database);
    sb_puts(b, " -c ");
    sh_word(b, sql_subscription_synced(&a, sub));
    sb_puts(b, ")\" = t ]; }\n");
    StrBuf what;
    sb_init(&what);
    sb_printf(&what, "every table of subscription '%s' to be synchronised (pg_subscription_rel)", sub->name);
    sb_puts(b, "wait_for ");
    sh_word(b, what.s);
    if (sub->publisher->standby) {
        sb_puts(b, " synced\nprimary=");
        sh_word(b, sub_primary(sub)->name);
        sb_puts(b, "\nsay \"subscription synchronised ('$primary' logged $kicks standby snapshot(s) meanwhile)\"\nfinish\n");
    } else
        sb_puts(b, " synced\nsay 'subscription synchronised'\nfinish\n");
    sb_free(&what);
    arena_free(&a);
}

static void emit_copy_table(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    const MNode *pub = s->sub->publisher;
    const MTable *t = s->table;
    sb_puts(b, wait_fn);
    StrBuf ci, sql, pat;
    sb_init(&ci);
    sb_init(&sql);
    sb_init(&pat);
    emit_conninfo(&ci, pub, sub_dbname(s->sub), NULL);
    sb_puts(&sql, "SELECT to_regclass(");
    q_regclass(&sql, t->schema, t->name);
    sb_puts(&sql, ") IS NOT NULL");
    q_dump_pattern(&pat, t->schema, t->name);
    sb_puts(b, "here() { [ \"$(");
    local_psql(b, n, n->database);
    sb_puts(b, " -c ");
    sh_sql(b, &sql);
    sb_puts(b, ")\" = t ]; }\nthere() { [ \"$(psql -XAtq -d ");
    sh_word(b, ci.s);
    sb_puts(b, " -c ");
    sh_sql(b, &sql);
    sb_puts(b, " 2>/dev/null)\" = t ]; }\nif here; then say 'table already here'; finish; fi\n");
    StrBuf what;
    sb_init(&what);
    sb_printf(&what, "table '%s' on '%s'", t->display, pub->name);
    sb_puts(b, "change ");
    StrBuf cw;
    sb_init(&cw);
    sb_printf(&cw, "copy the definition of '%s' from '%s'", t->display, pub->name);
    sh_word(b, cw.s);
    sb_free(&cw);
    sb_puts(b, "\nwait_for ");
    sh_word(b, what.s);
    sb_puts(b, " there\npg_dump --schema-only --no-owner --no-privileges --no-publications "
               "--no-subscriptions -d ");
    sh_word(b, ci.s);
    sb_puts(b, " --table=");
    sh_word(b, pat.s);
    sb_puts(b, " | psql -X -q -v ON_ERROR_STOP=1 -d ");
    StrBuf lc;
    sb_init(&lc);
    local_conninfo(&lc, n, n->database);
    sh_word(b, lc.s);
    sb_puts(b, "\nsay 'table definition copied'\nfinish\n");
    sb_free(&lc);
    sb_free(&what);
    sb_free(&ci);
    sb_free(&sql);
    sb_free(&pat);
}

/* What a standby's steps share: its data directory, replc's marker of a
 * standby built from its source, and whether the server runs and streams. */
static void standby_prologue(StrBuf *b, const MNode *n)
{
    const MNode *src = n->standby->source;
    sb_puts(b, wait_fn);
    pgdata_line(b, n);
    StrBuf marker;
    sb_init(&marker);
    sb_printf(&marker, "replc standby: node=%s source=%s", n->ident, src ? src->ident : "");
    sb_puts(b, "marker=");
    sh_word(b, marker.s);
    sb_free(&marker);
    sb_puts(b, "\n# ours: a standby that replc built from this source\n"
               "ours() { [ -f \"$pgdata/standby.signal\" ] && [ \"$(cat \"$pgdata/replc_standby\" 2>/dev/null)\" = \"$marker\" ]; }\n"
               "running() { pg_ctl -D \"$pgdata\" status >/dev/null 2>&1; }\n"
               "streaming() { [ \"$(");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c 'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null)\" = streaming ]; }\n");
}

static void emit_basebackup(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    const MNode *src = n->standby->source;
    const StandbyInfo *si = n->standby;
    standby_prologue(b, n);
    StrBuf repl, bb, sql;
    sb_init(&repl);
    sb_init(&bb);
    sb_init(&sql);
    emit_conninfo(&repl, src, "replication", NULL);
    sb_puts(&repl, " replication=true connect_timeout=5");
    emit_conninfo(&bb, src, NULL, n->name);
    /* already built: make sure it runs and streams */
    sb_puts(b, "if ours; then\n"
               "    say 'already a standby of its source'\n"
               "    if ! running; then change 'start the server'; ");
    pg_ctl_cmd(b, n, "start");
    sb_puts(b, " </dev/null; fi\n");
    StrBuf what;
    sb_init(&what);
    sb_printf(&what, "'%s' to stream from '%s' (pg_stat_wal_receiver)", n->name, src->name);
    sb_puts(b, "    wait_for ");
    sh_word(b, what.s);
    sb_puts(b, " streaming\n    finish\nfi\n");
    /* refuse to wipe user data */
    sb_puts(b, "userdata=0\nif running; then\n    userdata=$(");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c \"SELECT ");
    sb_puts(b, sql_user_data());
    sb_puts(b, "\")\n"
               "elif [ -d \"$pgdata/base\" ]; then\n"
               "    userdata=$(($(ls \"$pgdata/base\" | wc -l) - 3))\n"
               "    [ \"$userdata\" -ge 0 ] || userdata=0\n"
               "fi\n");
    if (!si->force) {
        sb_puts(b, "if [ \"$userdata\" != 0 ]; then\n"
                   "    say \"$pgdata holds user data ($userdata database(s) or relation(s) besides the defaults); not replacing it\"\n"
                   "    say ");
        StrBuf hint;
        sb_init(&hint);
        sb_printf(&hint, "to replace it anyway, write: standby from %s with (force)", src->name);
        sh_word(b, hint.s);
        sb_free(&hint);
        sb_puts(b, "\n    exit 1\nfi\n");
    } else {
        sb_puts(b, "if [ \"$userdata\" != 0 ]; then say \"replacing $pgdata, which holds user data, as 'with (force)' says\"; fi\n");
    }
    StrBuf what2;
    sb_init(&what2);
    sb_printf(&what2, "rebuild %s from '%s' with pg_basebackup", n->pgdata, src->name);
    sb_puts(b, "change ");
    sh_word(b, what2.s);
    sb_putc(b, '\n');
    sb_free(&what2);
    /* wait for the source: it admits us and its settings are in place */
    long senders = src->guc[GUC_MAX_WAL_SENDERS].value;
    sb_puts(b, "source_ready() {\n    peer ");
    StrBuf pw;
    sb_init(&pw);
    sb_printf(&pw, "'%s'", src->name);
    sh_word(b, pw.s);
    sb_free(&pw);
    sb_puts(b, " psql -XAtq -d ");
    sh_word(b, repl.s);
    sb_printf(b, " -c 'SHOW max_wal_senders' || return 1\n"
                 "    [ -n \"$answer\" ] && [ \"$answer\" -ge %ld ]\n}\n", senders);
    StrBuf w2;
    sb_init(&w2);
    sb_printf(&w2, "'%s' (%s port %d) to admit replication connections with max_wal_senders >= %ld",
              src->name, src->host, src->port, senders);
    sb_puts(b, "wait_for ");
    sh_word(b, w2.s);
    sb_puts(b, " source_ready\n");
    sb_free(&w2);
    sb_puts(b, "if running; then say 'stopping the server to rebuild it'; ");
    pg_ctl_cmd(b, n, "stop");
    sb_puts(b, " </dev/null; fi\n"
               "if [ -d \"$pgdata\" ] && [ -n \"$(ls -A \"$pgdata\")\" ]; then\n"
               "    if [ ! -f \"$pgdata/PG_VERSION\" ]; then\n"
               "        say \"$pgdata is not empty and is not a PostgreSQL data directory; not touching it\"\n"
               "        exit 1\n"
               "    fi\n"
               "    find \"$pgdata\" -mindepth 1 -delete\n"
               "fi\n"
               "mkdir -p \"$pgdata\"\nchmod 700 \"$pgdata\"\n");
    /* a slot left by an earlier failed attempt would make -C fail */
    sb_puts(b, "psql -XAtq -d ");
    sh_word(b, repl.s);
    sb_puts(b, " -c ");
    StrBuf drop;
    sb_init(&drop);
    sb_puts(&drop, "DROP_REPLICATION_SLOT ");
    q_ident(&drop, si->slot);
    sh_sql(b, &drop);
    sb_puts(b, " >/dev/null 2>&1 || true\n");
    sb_free(&drop);
    sb_puts(b, "# no password on the command line or in primary_conninfo: ~/.pgpass has it\n"
               "unset PGPASSWORD\n"
               "say 'pg_basebackup (fast checkpoint, WAL streaming, slot ");
    sb_puts(b, "'");
    sh_word(b, si->slot);
    sb_puts(b, "')'\npg_basebackup -d ");
    sh_word(b, bb.s);
    sb_puts(b, " -D \"$pgdata\" -R -X stream -C -S ");
    sh_word(b, si->slot);
    sb_puts(b, " -c fast\n");
    if (n->port != src->port)
        sb_printf(b, "printf 'port = %d\\n' >> \"$pgdata/postgresql.auto.conf\"\n", n->port);
    if (si->delay) {
        StrBuf lit;
        sb_init(&lit);
        sb_puts(&lit, "recovery_min_apply_delay = ");
        q_literal(&lit, si->delay);
        sb_puts(b, "printf '%s\\n' ");
        sh_word(b, lit.s);
        sb_puts(b, " >> \"$pgdata/postgresql.auto.conf\"\n");
        sb_free(&lit);
    }
    sb_puts(b, "printf '%s\\n' \"$marker\" > \"$pgdata/replc_standby\"\n");
    pg_ctl_cmd(b, n, "start");
    sb_puts(b, " </dev/null\nwait_for ");
    sh_word(b, what.s);
    sb_puts(b, " streaming\nsay 'standby streaming'\nfinish\n");
    sb_free(&what);
    sb_free(&repl);
    sb_free(&bb);
    sb_free(&sql);
}

/* An existing standby, before its primary restarts: the settings the
 * primary's WAL is checked against, raised and applied with a restart. A
 * standby not built yet gets its source's settings from the base backup. */
static void emit_raise(StrBuf *b, const Step *s)
{
    const MNode *n = s->node;
    standby_prologue(b, n);
    sb_puts(b, "if ! ours; then\n"
               "    say 'not a standby yet: its base backup brings the source'\\''s settings'\n"
               "    finish\nfi\n"
               "# stopped, it would refuse to start once its source runs with higher values\n"
               "if ! running; then\n    change 'start the server'\n    ");
    pg_ctl_cmd(b, n, "start");
    sb_puts(b, " </dev/null\nfi\nq() { ");
    local_psql(b, n, "postgres");
    sb_puts(b, " -c \"$1\"; }\n"
               "up() { q 'SELECT 1' >/dev/null 2>&1; }\n"
               "wait_for 'the server to accept connections' up\n"
               "# raise GUARD STATEMENT: run the statement when the guard holds\n"
               "raise() {\n"
               "    if [ \"$(q \"SELECT $1\")\" = t ]; then\n"
               "        change \"$2\"\n"
               "        q \"$2\" >/dev/null\n"
               "        say \"$2\"\n"
               "    fi\n"
               "}\n");
    Arena a;
    arena_init(&a);
    Vec v = step_sql(&a, s);
    for (int i = 0; i < v.n; i++) {
        const SqlStmt *st = v.items[i];
        sb_puts(b, "raise ");
        sh_word(b, st->guard);
        sb_putc(b, ' ');
        sh_word(b, st->sql);
        sb_putc(b, '\n');
    }
    arena_free(&a);
    sb_puts(b, "if [ \"$changed\" = 0 ]; then finish; fi\n"
               "# each of these takes effect only at a restart\n");
    pg_ctl_cmd(b, n, "restart");
    sb_puts(b, " </dev/null\n");
    StrBuf what;
    sb_init(&what);
    sb_printf(&what, "'%s' to stream again (pg_stat_wal_receiver)", n->name);
    sb_puts(b, "wait_for ");
    sh_word(b, what.s);
    sb_puts(b, " streaming\nfinish\n");
    sb_free(&what);
}

void emit_step(StrBuf *b, const Model *m, const Step *s)
{
    switch (s->kind) {
    case STEP_CONFIG: case STEP_DATABASE: case STEP_TABLES: case STEP_PUBLICATIONS: case STEP_SUBSCRIBE:
        emit_sql_step(b, s);
        return;
    default: break;
    }
    sh_header(b, m, s);
    switch (s->kind) {
    case STEP_PGPASS: emit_pgpass(b, s); break;
    case STEP_HBA: emit_hba(b, s); break;
    case STEP_RESTART: emit_restart(b, s); break;
    case STEP_SUB_WAIT: emit_sub_wait(b, s); break;
    case STEP_SUB_SYNC: emit_sub_sync(b, s); break;
    case STEP_COPY_TABLE: emit_copy_table(b, s); break;
    case STEP_BASEBACKUP: emit_basebackup(b, s); break;
    case STEP_RAISE: emit_raise(b, s); break;
    case STEP_STANDBY_SLOT: emit_standby_slot(b, s); break;
    default: break;
    }
}

void emit_run_sh(StrBuf *b, const Model *m, const Plan *p, const MNode *n)
{
    const Vec *steps = p->node_steps.items[n->index];
    sb_printf(b, "#!/bin/sh\n# replc: every step of node '%s' (cluster '%s'), in order. Generated; do "
                 "not edit.\n", n->name, m->cluster);
    sb_puts(b, ""
               "# Copy this directory to the host and run it there as the PostgreSQL OS user:\n"
               "#     sh run.sh\n"
               "# It stops at the first failure; running it again is safe.\n"
               "set -eu\ncd \"$(dirname \"$0\")\"\n");
    if (n->bindir) {
        sb_puts(b, "PATH=");
        sh_word(b, n->bindir);
        sb_puts(b, ":$PATH; export PATH\n");
    }
    sb_printf(b, "PGPORT=${PGPORT:-%d}; export PGPORT\n", n->port);
    sb_puts(b, "node=");
    sh_word(b, n->name);
    sb_puts(b, "\nrun() {\n"
               "    printf 'replc: %s: %s: %s\\n' \"$node\" \"$1\" \"$2\"\n"
               "    case $1 in\n"
               "    *.sql) psql -X -q -v ON_ERROR_STOP=1 -d \"$3\" -f \"$1\" ;;\n"
               "    *) sh \"./$1\" ;;\n"
               "    esac || { printf 'replc: %s: step %s failed\\n' \"$node\" \"$1\" >&2; exit 1; }\n"
               "}\n");
    for (int i = 0; i < steps->n; i++) {
        const Step *s = steps->items[i];
        sb_puts(b, "run ");
        sh_word(b, s->file);
        sb_putc(b, ' ');
        sh_word(b, s->what);
        if (s->db && (s->kind == STEP_CONFIG || s->kind == STEP_DATABASE || s->kind == STEP_TABLES ||
                      s->kind == STEP_PUBLICATIONS || s->kind == STEP_SUBSCRIBE)) {
            StrBuf c;
            sb_init(&c);
            local_conninfo(&c, n, s->db);
            sb_putc(b, ' ');
            sh_word(b, c.s);
            sb_free(&c);
        }
        sb_putc(b, '\n');
    }
    sb_puts(b, "printf 'replc: %s: all steps done\\n' \"$node\"\n");
}

/* promote.sh: run by hand. Promotes a standby of a subscriber and moves the
 * subscriptions it carries onto slots of its own, so that it never competes
 * with the original for the same slot. */
void emit_promote(StrBuf *b, const Model *m, const MNode *n)
{
    const MNode *root = model_chain_root(n);
    Step pseudo = {0};
    pseudo.node = (MNode *)n;
    pseudo.file = "promote.sh";
    pseudo.what = "promote this standby and take over the subscriptions it carries (run by hand)";
    sh_header(b, m, &pseudo);
    sb_printf(b, "# '%s' is a standby of subscriber '%s' and carries copies of its subscriptions.\n"
                 "# Run this only when '%s' is gone for good or stopped: the subscriptions then\n"
                 "# continue from here, each on a new slot of its own on the publisher. Changes\n"
                 "# published after '%s' last applied and before the new slot exists are not\n"
                 "# sent again: compare the tables with their publishers afterwards.\n",
              n->name, root->name, root->name, root->name);
    sb_puts(b, wait_fn);
    pgdata_line(b, n);
    sb_puts(b, "q() { ");
    local_psql(b, n, n->database);
    sb_puts(b, " -c \"$1\"; }\n");
    sb_puts(b, "if [ \"$(q 'SELECT pg_is_in_recovery()')\" = t ]; then\n    say 'promoting'\n    pg_ctl -D \"$pgdata\" -w -t \"$timeout\" promote\nfi\n"
               "primary() { [ \"$(q 'SELECT pg_is_in_recovery()' 2>/dev/null)\" = f ]; }\n"
               "wait_for 'the end of recovery' primary\n");
    for (int i = 0; i < root->subs.n; i++) {
        const MSub *s = root->subs.items[i];
        if (!s->publisher)
            continue;
        Arena a;
        arena_init(&a);
        const char *slot = model_promoted_slot(&a, s, n);
        StrBuf sql, ci, create;
        sb_init(&sql);
        sb_init(&ci);
        sb_init(&create);
        sb_puts(&sql, "SELECT coalesce(subslotname, '') FROM pg_subscription WHERE subname = ");
        q_literal(&sql, s->name);
        sb_puts(&sql, " AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())");
        sb_printf(b, "\n# subscription '%s' (from '%s')\nslot=$(q ", s->name, s->publisher->name);
        sh_sql(b, &sql);
        sb_puts(b, ")\nif [ \"$slot\" != ");
        sh_word(b, slot);
        sb_puts(b, " ]; then\n    q ");
        sb_reset(&sql);
        sb_puts(&sql, "ALTER SUBSCRIPTION ");
        q_ident(&sql, s->name);
        sb_puts(&sql, " DISABLE");
        sh_sql(b, &sql);
        sb_puts(b, " >/dev/null\n    q ");
        sb_reset(&sql);
        sb_puts(&sql, "ALTER SUBSCRIPTION ");
        q_ident(&sql, s->name);
        sb_puts(&sql, " SET (slot_name = NONE)");
        sh_sql(b, &sql);
        sb_puts(b, " >/dev/null\n");
        if (s->publisher->standby) {
            /* a slot on a standby waits for the primary's next standby snapshot */
            emit_kick_fn(b, s, "    ");
            sb_puts(b, "    ( while :; do kick; sleep 1; done ) & kicker=$!\n");
        }
        sb_puts(b, "    psql -XAtq -v ON_ERROR_STOP=1 -d ");
        emit_conninfo(&ci, s->publisher, sub_dbname(s), NULL);
        sh_word(b, ci.s);
        sb_puts(b, " -c ");
        sb_puts(&create, "SELECT pg_create_logical_replication_slot(");
        q_literal(&create, slot);
        sb_puts(&create, ", 'pgoutput') WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = ");
        q_literal(&create, slot);
        sb_puts(&create, ")");
        sh_sql(b, &create);
        if (s->publisher->standby)
            sb_puts(b, " >/dev/null || { kill \"$kicker\"; exit 1; }\n    kill \"$kicker\"\n    q ");
        else
            sb_puts(b, " >/dev/null\n    q ");
        sb_reset(&sql);
        sb_puts(&sql, "ALTER SUBSCRIPTION ");
        q_ident(&sql, s->name);
        sb_puts(&sql, " SET (slot_name = ");
        q_literal(&sql, slot);
        sb_puts(&sql, ")");
        sh_sql(b, &sql);
        sb_puts(b, " >/dev/null\n    say ");
        StrBuf msg;
        sb_init(&msg);
        sb_printf(&msg, "subscription '%s' moved to slot '%s' on '%s'", s->name, slot, s->publisher->name);
        sh_word(b, msg.s);
        sb_puts(b, "\nfi\nq ");
        sb_reset(&sql);
        sb_puts(&sql, "ALTER SUBSCRIPTION ");
        q_ident(&sql, s->name);
        sb_puts(&sql, " ENABLE");
        sh_sql(b, &sql);
        sb_puts(b, " >/dev/null\n");
        sb_free(&msg);
        sb_free(&sql);
        sb_free(&ci);
        sb_free(&create);
        arena_free(&a);
    }
    long workers = root->guc[GUC_MAX_LOGICAL_REPLICATION_WORKERS].value;
    sb_printf(b, "\n# apply workers, off while this node was a standby\n"
                 "if [ \"$(q 'SHOW max_logical_replication_workers')\" -lt %ld ]; then\n"
                 "    q 'ALTER SYSTEM SET max_logical_replication_workers = %ld' >/dev/null\n    ", workers, workers);
    pg_ctl_cmd(b, n, "restart");
    sb_puts(b, " </dev/null\nfi\nsay 'promoted; the subscriptions run here now'\n");
}
