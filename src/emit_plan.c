/* emit_plan.c: plan.txt (for review), plan.json (for tools), topology.dot. */
#include "emit.h"

#include <string.h>

#include "quote.h"

static const char *role(const MNode *n)
{
    if (n->standby)
        return "standby";
    return "primary";
}

static void guc_value(StrBuf *b, const Derived *g, GucId id)
{
    if (guc_is_numeric(id))
        sb_printf(b, "%s%ld", g->exact ? "" : ">= ", g->value);
    else
        sb_puts(b, g->text);
}

/* ---- the facts a reviewer must see, shared by plan.txt and plan.json ---- */

/* How the node's password is found; never the password itself. */
static void password_text(StrBuf *b, const MNode *n)
{
    switch (n->conf->pw_kind) {
    case PW_ENV: sb_printf(b, "from environment variable %s", n->conf->pw_value); break;
    case PW_FILE: sb_printf(b, "passfile %s", n->conf->pw_value); break;
    case PW_LITERAL: sb_puts(b, "a literal in the topology (never written out)"); break;
    default: sb_puts(b, "none given (libpq's own rules)"); break;
    }
}

static const char *pw_kind_name(PasswordKind k)
{
    return k == PW_ENV ? "env" : k == PW_FILE ? "file" : k == PW_LITERAL ? "literal" : "none";
}

/* Where the node's table comes from: declared here, or (no columns) copied
 * from the publisher of the subscription that carries it, or there already. */
static const MSub *table_source(const MNode *n, const MTable *t)
{
    for (int k = 0; k < n->subs.n; k++) {
        const MSub *s = n->subs.items[k];
        for (int j = 0; j < s->tables->n; j++)
            if (s->tables->items[j] == t)
                return s;
    }
    return NULL;
}

static void table_text(StrBuf *b, const MNode *n, const MTable *t)
{
    sb_printf(b, "  table %s", t->display);
    if (t->has_columns) {
        sb_puts(b, " (");
        for (int k = 0; k < t->columns.n; k++) {
            const MColumn *c = t->columns.items[k];
            sb_printf(b, "%s%s %s%s", k ? ", " : "", c->name, c->type, c->not_null ? " not null" : "");
        }
        if (t->pkey.n) {
            sb_puts(b, ", primary key (");
            for (int k = 0; k < t->pkey.n; k++)
                sb_printf(b, "%s%s", k ? ", " : "", (const char *)t->pkey.items[k]);
            sb_putc(b, ')');
        }
        sb_putc(b, ')');
    } else {
        const MSub *from = table_source(n, t);
        if (from)
            sb_printf(b, ": definition copied from '%s'", from->publisher->name);
        else
            sb_puts(b, ": exists here already (not created)");
    }
    if (t->replica_full)
        sb_puts(b, ", replica identity full");
    sb_putc(b, '\n');
}

/* One publication option's value, as CREATE PUBLICATION takes it. */
static void pub_value(StrBuf *b, const MPub *p, PubOpt id, bool given)
{
    switch (id) {
    case PUBOPT_PUBLISH: q_literal(b, given ? p->opt->publish : "insert, update, delete, truncate"); break;
    case PUBOPT_PUBLISH_GENERATED_COLUMNS: q_literal(b, p->opt->generated_stored ? "stored" : "none"); break;
    default: sb_puts(b, p->opt->via_partition_root ? "true" : "false"); break;
    }
}

/* A subscription option as replc creates the subscription: given in the
 * topology, set by replc itself, or PostgreSQL's default. */
typedef enum { OPT_GIVEN, OPT_REPLC, OPT_DEFAULT } OptSource;

/* The first version with each option (index: SubOpt; check.c's sub_opts
 * says the same): the defaults line leaves out what the version lacks. */
static const int sub_since[SUBOPT_COUNT] = {14, 10, 10, 10, 15, 10, 17, 16, 16, 16, 10, 14, 10, 15};

static OptSource sub_source(const MSub *s, SubOpt id)
{
    if (s->opt->given[id])
        return OPT_GIVEN;
    if (id == SUBOPT_CREATE_SLOT && s->precreate_slot)
        return OPT_REPLC;
    if (id == SUBOPT_STREAMING && s->node->version >= 14)
        return OPT_REPLC;
    if (id == SUBOPT_DISABLE_ON_ERROR && s->node->version >= 15)
        return OPT_REPLC;
    return OPT_DEFAULT;
}

/* A boolean option's value as CREATE SUBSCRIPTION gets it: create_slot is
 * false there when replc makes the slot first. */
static bool sub_bool_value(const MSub *s, SubOpt id)
{
    return id == SUBOPT_CREATE_SLOT ? s->opt->create_slot && !s->precreate_slot : subopt_bool(s->opt, id);
}

static bool sub_is_bool(SubOpt id)
{
    return id != SUBOPT_ORIGIN && id != SUBOPT_STREAMING && id != SUBOPT_SLOT_NAME &&
           id != SUBOPT_SYNCHRONOUS_COMMIT;
}

/* The text value of a non-boolean subscription option. */
static const char *sub_text_value(const MSub *s, SubOpt id)
{
    const SubOptions *o = s->opt;
    switch (id) {
    case SUBOPT_ORIGIN: return o->origin == ORIGIN_NONE ? "none" : "any";
    case SUBOPT_STREAMING:
        return o->streaming == STREAM_PARALLEL ? "parallel" : o->streaming == STREAM_ON ? "on" : "off";
    case SUBOPT_SLOT_NAME: return s->slot ? s->slot : "none";
    case SUBOPT_SYNCHRONOUS_COMMIT: return o->synchronous_commit ? o->synchronous_commit : "off";
    default: return "";
    }
}

static void sub_option_text(StrBuf *b, const MSub *s, SubOpt id)
{
    sb_printf(b, "%s = ", subopt_name(id));
    if (sub_is_bool(id))
        sb_puts(b, sub_bool_value(s, id) ? "true" : "false");
    else
        q_literal(b, sub_text_value(s, id));
}

/* The options of s from one source, in name order ("with": given, then
 * replc's own; "defaults": the rest). */
static void sub_options_line(StrBuf *b, const MSub *s, bool defaults)
{
    int k = 0;
    for (int id = 0; id < SUBOPT_COUNT; id++) {
        OptSource src = sub_source(s, (SubOpt)id);
        if ((src == OPT_DEFAULT) != defaults || (src == OPT_DEFAULT && s->node->version < sub_since[id]))
            continue;
        sb_puts(b, k++ ? ", " : "");
        sub_option_text(b, s, (SubOpt)id);
        if (src == OPT_REPLC)
            sb_puts(b, " (set by replc)");
    }
    if (!k)
        sb_puts(b, "none");
}

/* A publication, its tables and options, for plan.txt. */
static void pub_text(StrBuf *b, const MNode *n, const MPub *pub)
{
    sb_printf(b, "  publication %s:%s", pub->name, pub->all_tables ? " all tables (declared:" : "");
    for (int j = 0; j < pub->tables.n; j++)
        sb_printf(b, "%s %s", j ? "," : "", ((MTable *)pub->tables.items[j])->display);
    if (pub->all_tables)
        sb_putc(b, ')');
    sb_puts(b, "\n    with (");
    int w = 0;
    for (int j = 0; j < pub->opt->n; j++) {
        sb_printf(b, "%s%s = ", w++ ? ", " : "", pubopt_name(pub->opt->order[j]));
        pub_value(b, pub, pub->opt->order[j], true);
    }
    sb_puts(b, w ? ")" : "none)");
    sb_puts(b, "; defaults: ");
    int d = 0;
    for (int id = 0; id < PUBOPT_COUNT; id++) {
        if (pub->opt->given[id] || (id == PUBOPT_PUBLISH_GENERATED_COLUMNS && n->version < 18) ||
            (id == PUBOPT_PUBLISH_VIA_PARTITION_ROOT && n->version < 13))
            continue;
        sb_printf(b, "%s%s = ", d++ ? ", " : "", pubopt_name((PubOpt)id));
        pub_value(b, pub, (PubOpt)id, false);
    }
    sb_puts(b, d ? "\n" : "none\n");
}

/* A subscription, its connection string and options, for plan.txt. */
static void sub_text(StrBuf *b, const MSub *s)
{
    sb_printf(b, "  subscription %s to %s (", s->name, s->publisher ? s->publisher->name : "?");
    for (int j = 0; j < s->pubs.n; j++)
        sb_printf(b, "%s%s", j ? ", " : "", ((MPub *)s->pubs.items[j])->name);
    sb_printf(b, "), slot %s%s%s\n", s->slot ? s->slot : "none",
              s->precreate_slot ? " (made by replc before the subscription)" : "",
              s->copy_data ? "" : ", no initial copy");
    StrBuf ci;
    sb_init(&ci);
    model_repl_conninfo(&ci, s->publisher, sub_dbname(s), NULL);
    sb_puts(b, "    connection ");
    q_literal(b, ci.s);
    sb_free(&ci);
    sb_puts(b, "\n    with (");
    sub_options_line(b, s, false);
    sb_puts(b, ")\n    defaults: ");
    sub_options_line(b, s, true);
    sb_putc(b, '\n');
}

void emit_plan_text(StrBuf *b, const Model *m, const Plan *p)
{
    sb_printf(b, "# replc plan for cluster '%s': %d node(s), %d step(s)\n", m->cluster, m->nodes.n,
              p->steps.n);
    sb_puts(b, "# Generated by replc; regenerate, do not edit.\n\n");
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        sb_printf(b, "node %s: %s, %s port %d, PostgreSQL %d, database %s, directory %s/\n", n->name,
                  role(n), n->host, n->port, n->version, n->conf->database,
                  (const char *)p->node_dirs.items[i]);
        sb_printf(b, "  connects as %s, password ", n->conf->user);
        password_text(b, n);
        sb_putc(b, '\n');
        if (n->conf->repl_user)
            sb_printf(b, "  subscribers and standbys connect as replication role %s (made by replc when missing: "
                         "LOGIN REPLICATION, SELECT on the published tables), password from environment "
                         "variable %s\n", n->conf->repl_user, n->conf->repl_pw_env ? n->conf->repl_pw_env : "(none)");
        /* what the scripts find on the host at run time is said as such */
        sb_puts(b, "  ssh ");
        model_ssh(b, n);
        sb_printf(b, ", service %s%s, ", n->conf->service,
                  strcmp(n->conf->service, "auto") == 0 ? " (found on the host: a Debian cluster owning pgdata, "
                                                    "else a systemd unit, else pg_ctl)" : "");
        if (n->conf->pgdata)
            sb_printf(b, "pgdata %s, ", n->conf->pgdata);
        else
            sb_printf(b, "pgdata (asked of the running server, else the Debian cluster of version %d, else "
                         "/var/lib/pgsql/%d/data when /var/lib/pgsql/%d is there (PGDG)), ",
                      n->version, n->version, n->version);
        if (n->conf->bindir)
            sb_printf(b, "bindir %s\n", n->conf->bindir);
        else
            sb_printf(b, "bindir (the host's PATH; a Debian cluster's /usr/lib/postgresql/%d/bin, else "
                         "/usr/pgsql-%d/bin, first)\n", n->version, n->version);
        if (n->standby && n->standby->source) {
            const StandbyInfo *sb = n->standby;
            sb_printf(b, "  standby of %s, slot %s, delay %s, sync %s, force %s\n", sb->source->name, sb->slot,
                      sb->delay ? sb->delay : "none", sb->sync ? "true" : "false", sb->force ? "true" : "false");
        }
        for (int k = 0; k < n->tables.n; k++)
            table_text(b, n, n->tables.items[k]);
        for (int k = 0; k < n->pubs.n; k++)
            pub_text(b, n, n->pubs.items[k]);
        for (int k = 0; k < n->subs.n; k++)
            sub_text(b, n->subs.items[k]);
        for (int id = 0; id < GUC_COUNT; id++) {
            const Derived *g = &n->guc[id];
            if (!g->set)
                continue;
            sb_printf(b, "  set %s ", guc_name((GucId)id));
            guc_value(b, g, (GucId)id);
            sb_printf(b, "  (%s)\n", g->why);
        }
        for (int k = 0; k < n->conf->user_gucs.n; k++) {
            const UserGuc *u = n->conf->user_gucs.items[k];
            bool derived = false;
            for (int id = 0; id < GUC_COUNT; id++)
                if (strcmp(guc_name((GucId)id), u->name) == 0)
                    derived = true;
            if (!derived)
                sb_printf(b, "  set %s = %s  (set in the topology)\n", u->name, u->value);
        }
        for (int k = 0; k < vec_count(n->hba); k++) {
            const HbaLine *h = n->hba->items[k];
            sb_puts(b, "  pg_hba.conf: ");
            model_hba_line(b, h);
            sb_printf(b, "  (%s)\n", h->why);
        }
        sb_putc(b, '\n');
    }
    sb_puts(b, "steps, in an order that respects every dependency, each node's as its run.sh runs them\n"
               "(id, what it does, the steps it waits for; a step's file is its id with .sql or .sh):\n");
    for (int i = 0; i < p->steps.n; i++) {
        const Step *s = p->steps.items[i];
        sb_printf(b, "  %s  %s", s->name, s->what);
        if (s->deps.n) {
            sb_puts(b, "  [after");
            for (int k = 0; k < s->deps.n; k++)
                sb_printf(b, "%s %s", k ? "," : "", ((Step *)s->deps.items[k])->name);
            if (s->soft)
                sb_puts(b, ", whatever its result");
            sb_puts(b, "]");
        }
        sb_putc(b, '\n');
    }
}

static void jkey(StrBuf *b, const char *k)
{
    q_json(b, k);
    sb_puts(b, ": ");
}

static void json_or_null(StrBuf *b, const char *s)
{
    if (s)
        q_json(b, s);
    else
        sb_puts(b, "null");
}

/* One table of a node, for plan.json. */
static void json_table(StrBuf *b, const MNode *n, const MTable *t, bool first)
{
    sb_puts(b, first ? "\n       {" : ",\n       {");
    jkey(b, "name");
    q_json(b, t->name);
    sb_puts(b, ", ");
    jkey(b, "schema");
    json_or_null(b, t->schema);
    sb_puts(b, ", ");
    jkey(b, "definition");
    const MSub *from = t->has_columns ? NULL : table_source(n, t);
    q_json(b, t->has_columns ? "declared" : from ? "copied" : "existing");
    if (from) {
        sb_puts(b, ", ");
        jkey(b, "copied_from");
        q_json(b, from->publisher->name);
    }
    sb_puts(b, ", \"columns\": [");
    for (int j = 0; j < t->columns.n; j++) {
        const MColumn *c = t->columns.items[j];
        sb_puts(b, j ? ", {" : "{");
        jkey(b, "name");
        q_json(b, c->name);
        sb_puts(b, ", ");
        jkey(b, "type");
        q_json(b, c->type);
        sb_printf(b, ", \"not_null\": %s}", c->not_null ? "true" : "false");
    }
    sb_puts(b, "], \"primary_key\": [");
    for (int j = 0; j < t->pkey.n; j++) {
        if (j)
            sb_puts(b, ", ");
        q_json(b, t->pkey.items[j]);
    }
    sb_printf(b, "], \"replica_identity_full\": %s}", t->replica_full ? "true" : "false");
}

/* One publication, for plan.json. */
static void json_pub(StrBuf *b, const MPub *pub, bool first)
{
    sb_puts(b, first ? "\n       {" : ",\n       {");
    jkey(b, "name");
    q_json(b, pub->name);
    sb_printf(b, ", \"all_tables\": %s, \"tables\": [", pub->all_tables ? "true" : "false");
    for (int j = 0; j < pub->tables.n; j++) {
        if (j)
            sb_puts(b, ", ");
        q_json(b, ((MTable *)pub->tables.items[j])->display);
    }
    sb_puts(b, "], \"options\": {");
    int w = 0;
    for (int id = 0; id < PUBOPT_COUNT; id++) {
        sb_puts(b, w++ ? ", " : "");
        jkey(b, pubopt_name((PubOpt)id));
        sb_puts(b, "{\"value\": ");
        if (id == PUBOPT_PUBLISH_VIA_PARTITION_ROOT)
            sb_puts(b, pub->opt->via_partition_root ? "true" : "false");
        else if (id == PUBOPT_PUBLISH)
            q_json(b, pub->opt->given[id] ? pub->opt->publish : "insert, update, delete, truncate");
        else
            q_json(b, pub->opt->generated_stored ? "stored" : "none");
        sb_printf(b, ", \"source\": \"%s\"}", pub->opt->given[id] ? "topology" : "default");
    }
    sb_puts(b, "}}");
}

/* One subscription, for plan.json. */
static void json_sub(StrBuf *b, const MSub *s, bool first)
{
    sb_puts(b, first ? "\n       {" : ",\n       {");
    jkey(b, "name");
    q_json(b, s->name);
    sb_puts(b, ", ");
    jkey(b, "publisher");
    q_json(b, s->publisher ? s->publisher->name : "");
    sb_puts(b, ", ");
    jkey(b, "slot");
    json_or_null(b, s->slot);
    sb_printf(b, ", \"slot_made_by_replc\": %s, \"copy_data\": %s, ", s->precreate_slot ? "true" : "false",
              s->copy_data ? "true" : "false");
    jkey(b, "connection");
    StrBuf ci;
    sb_init(&ci);
    model_repl_conninfo(&ci, s->publisher, sub_dbname(s), NULL);
    q_json(b, ci.s);
    sb_free(&ci);
    sb_puts(b, ", \"publications\": [");
    for (int j = 0; j < s->pubs.n; j++) {
        if (j)
            sb_puts(b, ", ");
        q_json(b, ((MPub *)s->pubs.items[j])->name);
    }
    sb_puts(b, "],\n        \"options\": {");
    for (int id = 0; id < SUBOPT_COUNT; id++) {
        sb_puts(b, id ? ", " : "");
        jkey(b, subopt_name((SubOpt)id));
        sb_puts(b, "{\"value\": ");
        if (sub_is_bool((SubOpt)id))
            sb_puts(b, sub_bool_value(s, (SubOpt)id) ? "true" : "false");
        else
            q_json(b, sub_text_value(s, (SubOpt)id));
        OptSource src = sub_source(s, (SubOpt)id);
        sb_printf(b, ", \"source\": \"%s\"}",
                  src == OPT_GIVEN ? "topology" : src == OPT_REPLC ? "replc" : "default");
    }
    sb_puts(b, "}}");
}

void emit_plan_json(StrBuf *b, const Model *m, const Plan *p)
{
    sb_puts(b, "{\n  ");
    jkey(b, "cluster");
    q_json(b, m->cluster);
    sb_puts(b, ",\n  \"nodes\": [");
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        sb_puts(b, i ? ",\n    {" : "\n    {");
        jkey(b, "name");
        q_json(b, n->name);
        sb_puts(b, ", ");
        jkey(b, "directory");
        q_json(b, p->node_dirs.items[i]);
        sb_puts(b, ", ");
        jkey(b, "role");
        q_json(b, role(n));
        sb_puts(b, ", ");
        jkey(b, "host");
        q_json(b, n->host);
        sb_printf(b, ", \"port\": %d, \"version\": %d, ", n->port, n->version);
        jkey(b, "database");
        q_json(b, n->conf->database);
        sb_puts(b, ", ");
        jkey(b, "user");
        q_json(b, n->conf->user);
        sb_puts(b, ",\n     ");
        jkey(b, "password");
        sb_puts(b, "{");
        jkey(b, "kind");
        q_json(b, pw_kind_name(n->conf->pw_kind));
        if (n->conf->pw_kind == PW_ENV || n->conf->pw_kind == PW_FILE) {
            sb_puts(b, ", ");
            jkey(b, n->conf->pw_kind == PW_ENV ? "variable" : "passfile");
            q_json(b, n->conf->pw_value);
        }
        sb_puts(b, "}, ");
        jkey(b, "replication_user");
        if (n->conf->repl_user) {
            sb_puts(b, "{\"name\": ");
            q_json(b, n->conf->repl_user);
            sb_puts(b, ", \"variable\": ");
            json_or_null(b, n->conf->repl_pw_env);
            sb_puts(b, "}, ");
        } else
            sb_puts(b, "null, ");
        jkey(b, "ssh");
        StrBuf ssh;
        sb_init(&ssh);
        model_ssh(&ssh, n);
        q_json(b, ssh.s);
        sb_free(&ssh);
        sb_puts(b, ", ");
        jkey(b, "service");
        q_json(b, n->conf->service);
        sb_puts(b, ", ");
        jkey(b, "pgdata");
        json_or_null(b, n->conf->pgdata);
        sb_puts(b, ", ");
        jkey(b, "bindir");
        json_or_null(b, n->conf->bindir);
        sb_puts(b, ",\n     ");
        jkey(b, "standby");
        if (n->standby && n->standby->source) {
            const StandbyInfo *sb = n->standby;
            sb_puts(b, "{");
            jkey(b, "source");
            q_json(b, sb->source->name);
            sb_puts(b, ", ");
            jkey(b, "slot");
            q_json(b, sb->slot);
            sb_puts(b, ", ");
            jkey(b, "delay");
            json_or_null(b, sb->delay);
            sb_printf(b, ", \"sync\": %s, \"force\": %s}", sb->sync ? "true" : "false",
                      sb->force ? "true" : "false");
        } else
            sb_puts(b, "null");
        sb_puts(b, ",\n     \"tables\": [");
        for (int k = 0; k < n->tables.n; k++)
            json_table(b, n, n->tables.items[k], k == 0);
        sb_puts(b, "],\n     \"publications\": [");
        for (int k = 0; k < n->pubs.n; k++)
            json_pub(b, n->pubs.items[k], k == 0);
        sb_puts(b, "],\n     \"subscriptions\": [");
        for (int k = 0; k < n->subs.n; k++)
            json_sub(b, n->subs.items[k], k == 0);
        sb_puts(b, "],\n     \"settings\": {");
        int ns = 0;
        for (int id = 0; id < GUC_COUNT; id++) {
            const Derived *g = &n->guc[id];
            if (!g->set)
                continue;
            sb_puts(b, ns++ ? ",\n       " : "\n       ");
            jkey(b, guc_name((GucId)id));
            sb_puts(b, "{\"value\": ");
            if (guc_is_numeric((GucId)id))
                sb_printf(b, "%ld", g->value);
            else
                q_json(b, g->text);
            sb_printf(b, ", \"at_least\": %s, ", guc_is_numeric((GucId)id) && !g->exact ? "true" : "false");
            jkey(b, "why");
            q_json(b, g->why);
            sb_puts(b, "}");
        }
        sb_puts(b, "},\n     \"user_settings\": {");
        for (int k = 0; k < n->conf->user_gucs.n; k++) {
            const UserGuc *u = n->conf->user_gucs.items[k];
            sb_puts(b, k ? ", " : "");
            jkey(b, u->name);
            q_json(b, u->value);
        }
        sb_puts(b, "},\n     \"hba\": [");
        for (int k = 0; k < vec_count(n->hba); k++) {
            StrBuf line;
            sb_init(&line);
            model_hba_line(&line, n->hba->items[k]);
            if (k)
                sb_puts(b, ", ");
            q_json(b, line.s);
            sb_free(&line);
        }
        sb_puts(b, "]}");
    }
    sb_puts(b, "\n  ],\n  \"steps\": [");
    for (int i = 0; i < p->steps.n; i++) {
        const Step *s = p->steps.items[i];
        sb_puts(b, i ? ",\n    {" : "\n    {");
        jkey(b, "id");
        q_json(b, s->name);
        sb_puts(b, ", ");
        jkey(b, "node");
        q_json(b, s->node->name);
        sb_puts(b, ", ");
        jkey(b, "kind");
        q_json(b, step_kind_name(s->kind));
        sb_puts(b, ", ");
        jkey(b, "file");
        q_json(b, s->file);
        sb_puts(b, ", ");
        jkey(b, "what");
        q_json(b, s->what);
        sb_puts(b, ", \"after\": [");
        for (int k = 0; k < s->deps.n; k++) {
            if (k)
                sb_puts(b, ", ");
            q_json(b, ((Step *)s->deps.items[k])->name);
        }
        sb_puts(b, s->soft ? "], \"after_any_result\": true}" : "]}");
    }
    sb_puts(b, "\n  ]\n}\n");
}

void emit_dot(StrBuf *b, const Model *m)
{
    sb_puts(b, "digraph ");
    q_dot(b, m->cluster);
    sb_puts(b, " {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
               "  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        StrBuf label;
        sb_init(&label);
        sb_printf(&label, "%s\n%s:%d  PG %d", n->name, n->host, n->port, n->version);
        for (int k = 0; k < n->pubs.n; k++)
            sb_printf(&label, "\npublication %s", ((MPub *)n->pubs.items[k])->name);
        sb_puts(b, "  ");
        q_dot(b, n->name);
        sb_puts(b, " [label=");
        /* DOT labels take \n escapes; q_dot escapes backslashes, so add them after */
        StrBuf q;
        sb_init(&q);
        q_dot(&q, label.s);
        for (char *c = q.s; *c; c++) {
            if (*c == '\n')
                sb_puts(b, "\\n");
            else
                sb_putc(b, *c);
        }
        sb_printf(b, "%s];\n", n->standby ? ", style=dashed" : "");
        sb_free(&q);
        sb_free(&label);
    }
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        for (int k = 0; k < n->subs.n; k++) {
            const MSub *s = n->subs.items[k];
            if (!s->publisher)
                continue;
            StrBuf label;
            sb_init(&label);
            sb_printf(&label, "%s (", s->name);
            for (int j = 0; j < s->pubs.n; j++)
                sb_printf(&label, "%s%s", j ? ", " : "", ((MPub *)s->pubs.items[j])->name);
            sb_puts(&label, ")");
            sb_puts(b, "  ");
            q_dot(b, s->publisher->name);
            sb_puts(b, " -> ");
            q_dot(b, n->name);
            sb_puts(b, " [label=");
            q_dot(b, label.s);
            sb_puts(b, "];\n");
            sb_free(&label);
        }
        if (n->standby && n->standby->source) {
            sb_puts(b, "  ");
            q_dot(b, n->standby->source->name);
            sb_puts(b, " -> ");
            q_dot(b, n->name);
            sb_puts(b, " [label=\"standby\", style=dashed];\n");
        }
    }
    sb_puts(b, "}\n");
}
