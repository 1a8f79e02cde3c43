/* check.c: resolve names, run every semantic check, derive per-node settings.
 * Program -> Model. All problems are reported; none stops the others. */
#include "check.h"

#include "derive.h"
#include "gucnames.h"
#include "map.h"
#include "replcheck.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How often a column name has appeared so far in the table being checked. */
typedef struct ColumnSeen {
    int table;     /* index of the table declaration the count is for */
    int count;
} ColumnSeen;

typedef struct Checker {
    Arena *a;
    DiagCtx *d;
    Model *m;
    const Program *prog;
    Map nodes;     /* name -> MNode * */
    Map tables;    /* display name -> MTable * */
    Map pubs;      /* node_key -> MPub *: the pubs of nodes with more than SCAN_MAX */
    Map subs;      /* node_key -> MSub *: the subs of nodes with more than SCAN_MAX */
    StrBuf key;    /* node_key's result */
    Map columns;   /* column name -> ColumnSeen *, shared by all tables */
    Vec guc_reported; /* Setting *: server settings whose name was reported (once, not per node) */
    SubOptions *sub_default; /* the options of every subscription that gives none */
    PubOptions *pub_default; /* the options of every publication that gives none */
    const NodeConf *conf;    /* the last node's less used settings (conf_share) */
    Vec standby_pubs;        /* Span *: the first publish of each standby that publishes, in node
                              * order (pass 0 keeps it for pass 1: publications are given back
                              * before pass 1) */
    int standby_pubs_next;   /* pass 1's place in it */
} Checker;

/* ---------- small helpers ---------- */

/* true/false in PostgreSQL's spellings; -1 when not a boolean */
static int parse_bool(const char *s)
{
    static const char *yes[] = {"true", "on", "yes", "1", "t", "y"};
    static const char *no[] = {"false", "off", "no", "0", "f", "n"};
    for (int i = 0; i < 6; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* A name may not hold a line break; PostgreSQL names hold at most 63 bytes. */
static void check_name(Checker *c, const Word *w, const char *what, bool pg_object)
{
    if (!w->s)
        return;
    if (strchr(w->s, '\r') || strchr(w->s, '\n')) {
        diag_error(c->d, w->span, "name-line-break", "%s name contains a line break", what);
        return;
    }
    if (!*w->s)
        diag_error(c->d, w->span, "bad-value", "%s name is empty", what);
    else if (pg_object && strlen(w->s) > 63) {
        Diagnostic *dg = diag_error(c->d, w->span, "name-too-long",
                                    "%s name '%.20s...' is %zu bytes long, more than 63",
                                    what, w->s, strlen(w->s));
        diag_hint(c->d, dg, "PostgreSQL truncates names to 63 bytes, so two long names with "
                            "the same beginning would collide. Choose a shorter name.");
    }
}

static void suggest(Checker *c, Diagnostic *dg, const char *word, const Vec *names)
{
    const char *best = diag_suggest(word, (const char *const *)names->items, names->n);
    if (best)
        diag_hint(c->d, dg, "Did you mean '%s'?", best);
}

/* ---------- settings ---------- */

static const char *setting_keys[] = {
    "host", "port", "database", "user", "password", "version",
    "pgdata", "bindir", "ssh", "service", "sslmode", "set",
    "replication_user", "replication_password",
    /* statements a misspelt key may have meant */
    "publish", "subscribe", "standby",
};
enum { N_SETTING_KEYS = 14, N_SUGGEST_KEYS = 17, KEY_REPL_USER = 12, KEY_REPL_PASSWORD = 13 };

typedef struct Settings {
    const Setting *s[N_SETTING_KEYS];   /* by key; "password" and "set" unused; replication_password:
                                         * its 'env NAME' form */
    const Setting *password;
    Vec gucs;                           /* Setting * (SET_GUC), latest wins */
} Settings;

static int key_index(const char *k)
{
    for (int i = 0; i < N_SETTING_KEYS; i++)
        if (strcmp(setting_keys[i], k) == 0)
            return i;
    return -1;
}

/* An environment variable's name: [A-Za-z_][A-Za-z0-9_]* */
static void check_env_name(Checker *c, const Word *w)
{
    const char *v = w->s;
    bool ok = *v && !isdigit((unsigned char)*v);
    for (const char *q = v; *q; q++)
        if (!isalnum((unsigned char)*q) && *q != '_')
            ok = false;
    if (!ok)
        diag_error(c->d, w->span, "bad-value", "'%s' is not an environment variable name", v);
}

/* Collect one block's settings, reporting unknown and repeated keys. */
static void collect_settings(Checker *c, const Vec *items, Settings *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < items->n; i++) {
        const Setting *s = items->items[i];
        if (s->kind == SET_GUC) {
            check_name(c, &s->key, "setting", false);
            for (int k = 0; k < out->gucs.n; k++) {
                const Setting *o = out->gucs.items[k];
                if (strcmp(o->key.s, s->key.s) == 0) {
                    Diagnostic *dg = diag_error(c->d, s->key.span, "duplicate-setting",
                                                "server setting '%s' is set twice", s->key.s);
                    diag_note(c->d, dg, o->key.span, "first set here");
                }
            }
            vec_push(c->a, &out->gucs, (void *)s);
            continue;
        }
        int k = key_index(s->key.s);
        if (s->kind == SET_ENV && k >= 0 && k != KEY_REPL_PASSWORD) {
            Diagnostic *dg = diag_error(c->d, s->key.span, "bad-value", "setting '%s' takes no 'env NAME'",
                                        s->key.s);
            diag_hint(c->d, dg, "Only 'password' and 'replication_password' are read from the environment.");
            continue;
        }
        if (s->kind == SET_PLAIN && k == KEY_REPL_PASSWORD) {
            Diagnostic *dg = diag_error(c->d, s->value.span, "bad-value",
                                        "replication_password is read from the environment, not written here");
            diag_hint(c->d, dg, "Write 'replication_password env NAME;' and set NAME when applying or running "
                                "the scripts: replc never writes the password out.");
            continue;
        }
        if (s->kind == SET_ENV)
            check_env_name(c, &s->value);
        if (s->kind != SET_PLAIN && s->kind != SET_ENV) {
            if (out->password) {
                Diagnostic *dg = diag_error(c->d, s->span, "duplicate-setting",
                                            "setting 'password' is given twice");
                diag_note(c->d, dg, out->password->span, "first given here");
            }
            out->password = s;
            if (s->kind == SET_PASSWORD_ENV)
                check_env_name(c, &s->value);
            if (s->kind == SET_PASSWORD_FILE)
                check_name(c, &s->value, "password file", false);
            continue;
        }
        if (k < 0 || k == 4 || k == 11) {
            Diagnostic *dg = diag_error(c->d, s->key.span, "unknown-setting",
                                        "unknown setting '%s'", s->key.s);
            const char *best = diag_suggest(s->key.s, setting_keys, N_SUGGEST_KEYS);
            if (best && s->kind == SET_ENV)
                diag_hint(c->d, dg, "Did you mean '%s'? Only 'password' and 'replication_password' read "
                                    "their value with 'env NAME'.", best);
            else if (best)
                diag_hint(c->d, dg, "Did you mean '%s'?", best);
            else
                diag_hint(c->d, dg, "Settings are host, port, database, user, password, version, "
                                    "pgdata, bindir, ssh, service, sslmode, replication_user and "
                                    "replication_password; server settings are written 'set NAME = VALUE;'.");
            continue;
        }
        if (out->s[k]) {
            Diagnostic *dg = diag_error(c->d, s->key.span, "duplicate-setting",
                                        "setting '%s' is given twice", s->key.s);
            diag_note(c->d, dg, out->s[k]->key.span, "first given here");
        }
        out->s[k] = s;
        check_name(c, &s->value, setting_keys[k], k == KEY_REPL_USER);
    }
}

static const Setting *pick(const Settings *node, const Settings *defs, int k)
{
    return node->s[k] ? node->s[k] : defs->s[k];
}

static int number_setting(Checker *c, const Setting *s, int lo, int hi, int dflt, const char *what)
{
    if (!s)
        return dflt;
    if (s->value.kind != W_NUMBER) {
        diag_error(c->d, s->value.span, "bad-value", "%s must be a number, not '%s'", what, s->value.s);
        return dflt;
    }
    long v = strtol(s->value.s, NULL, 10);
    if (strlen(s->value.s) > 6 || v < lo || v > hi) {
        diag_error(c->d, s->value.span, "bad-value", "%s %s is out of range (%d to %d)",
                   what, s->value.s, lo, hi);
        return dflt;
    }
    return (int)v;
}

/* 'set NAME = VALUE': NAME is a server setting of the node's major (or an
 * extension's PREFIX.NAME), that ALTER SYSTEM may set. A name in defaults is
 * reported once, at the first node it fails on. Returns the name as
 * PostgreSQL spells it, or NULL when it was reported. */
static const char *check_guc_name(Checker *c, const Setting *g, const MNode *n, bool shared)
{
    const char *name = g->key.s;
    for (int i = 0; i < c->guc_reported.n; i++)
        if (c->guc_reported.items[i] == g)
            return NULL;
    const GucName *known = gucname_find(name);
    Diagnostic *dg = NULL;
    if (known && gucname_in(known, n->version)) {
        if (!gucname_fixed(known))
            return known->name;
        dg = diag_error(c->d, g->key.span, "fixed-server-setting",
                        "server setting '%s' cannot be set with ALTER SYSTEM", known->name);
        diag_hint(c->d, dg, "%s", strcmp(known->context, "internal") == 0
                                      ? "Its value is fixed when PostgreSQL is built or the cluster is "
                                        "made (initdb); remove the 'set'."
                                      : "Only the server's command line or postgresql.conf may give it, "
                                        "and replc edits neither; remove the 'set'.");
    } else if (gucname_custom(name)) {
        return name;                 /* an extension's: PostgreSQL keeps it as a placeholder */
    } else if (strchr(name, '.')) {
        dg = diag_error(c->d, g->key.span, "unknown-server-setting",
                        "'%s' is not a name for an extension's server setting", name);
        diag_hint(c->d, dg, "An extension's setting is PREFIX.NAME, each part letters, digits, '_' "
                            "and '$', not starting with a digit or '$'.");
    } else if (n->version < GUCNAMES_FIRST) {
        bool plain = *name != '\0';
        for (const char *p = name; *p; p++)
            plain &= isalnum((unsigned char)*p) || *p == '_';
        if (plain)
            return name;             /* no list of its settings: PostgreSQL checks it */
        dg = diag_error(c->d, g->key.span, "unknown-server-setting",
                        "'%s' is not a server setting name", name);
        diag_hint(c->d, dg, "A setting name holds letters, digits and '_'; an extension's is "
                            "written with its prefix, as pg_stat_statements.max.");
    } else if (known) {
        dg = diag_error(c->d, g->key.span, "unknown-server-setting",
                        "PostgreSQL %d has no server setting '%s' (node '%s')", n->version, name, n->name);
        diag_hint(c->d, dg, "'%s' is a setting of PostgreSQL %s.", known->name, gucname_majors(known));
    } else {
        dg = diag_error(c->d, g->key.span, "unknown-server-setting",
                        "PostgreSQL %d has no server setting '%s' (node '%s')", n->version, name, n->name);
        int nn;
        const char *const *all = gucname_list(n->version, &nn);
        const char *best = diag_suggest(name, all, nn);
        if (best)
            diag_hint(c->d, dg, "Did you mean '%s'?", best);
        else
            diag_hint(c->d, dg, "An extension's setting is written with its prefix, as "
                                "pg_stat_statements.max.");
    }
    (void)dg;
    if (shared)   /* (a node's own is read once: its part may be given back) */
        vec_push(c->a, &c->guc_reported, (void *)g);
    return NULL;
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_span(Span a, Span b)
{
    return a.file == b.file && a.start == b.start && a.end == b.end;
}

/* k kept in the model: the previous node's copy when it is the same (nodes
 * that take these settings from the defaults share one), else a new one. A
 * node's own server settings are never shared. */
static const NodeConf *conf_share(Checker *c, const NodeConf *k)
{
    const NodeConf *l = c->conf;
    if (l && !k->user_gucs.n && !l->user_gucs.n && same_str(k->database, l->database) &&
        same_str(k->user, l->user) && k->pw_kind == l->pw_kind && same_str(k->pw_value, l->pw_value) &&
        same_str(k->ssh, l->ssh) && same_str(k->repl_user, l->repl_user) && same_span(k->repl_span, l->repl_span) &&
        same_str(k->pw_literal, l->pw_literal) &&
        same_str(k->pgdata, l->pgdata) && same_str(k->bindir, l->bindir) && same_str(k->service, l->service) &&
        same_str(k->sslmode, l->sslmode) && same_str(k->repl_pw_env, l->repl_pw_env))
        return l;
    NodeConf *x = arena_alloc(c->a, sizeof *x);
    *x = *k;
    c->conf = x;
    return x;
}

static void resolve_settings(Checker *c, MNode *n, const Settings *own, const Settings *defs)
{
    const Setting *s;
    NodeConf conf = {0}, *nc = &conf;   /* n->conf, shared at the end */
    n->host = (s = pick(own, defs, 0)) ? s->value.s : n->name;
    bool host_ok = *n->host != '\0' || !s;
    if (!s && (strchr(n->host, '\r') || strchr(n->host, '\n')))
        host_ok = true;   /* the name is reported already */
    for (const char *q = n->host; *q; q++)
        if (!(isalnum((unsigned char)*q) || *q == '.' || *q == '-' || *q == ':' || *q == '_'))
            host_ok = false;
    if (!host_ok) {
        Diagnostic *dg = diag_error(c->d, s ? s->value.span : n->span, "bad-value",
                                    "'%s' is not a host name or IP address", n->host);
        diag_hint(c->d, dg, "%s", s ? "Write an address (\"10.0.0.1\") or a DNS name of letters, "
                                      "digits, '.' and '-'."
                                    : "Without 'host', a node is reached at its own name; give it a "
                                      "'host' setting.");
    }
    n->port = number_setting(c, pick(own, defs, 1), 1, 65535, 5432, "port");
    nc->database = (s = pick(own, defs, 2)) ? s->value.s : "postgres";
    nc->user = (s = pick(own, defs, 3)) ? s->value.s : "postgres";
    n->version = number_setting(c, pick(own, defs, 5), 10, 18, 17, "version");
    if ((s = pick(own, defs, 6))) {
        nc->pgdata = s->value.s;
        if (nc->pgdata[0] != '/' || strcmp(nc->pgdata, "/") == 0)
            diag_error(c->d, s->value.span, "bad-value",
                       "pgdata must be an absolute path to a data directory, not '%s'", nc->pgdata);
    }
    if ((s = pick(own, defs, 7))) {
        nc->bindir = s->value.s;
        if (nc->bindir[0] != '/')
            diag_error(c->d, s->value.span, "bad-value", "bindir must be an absolute path, not '%s'",
                       nc->bindir);
    }
    nc->ssh = (s = pick(own, defs, 8)) ? s->value.s : NULL;   /* NULL: postgres@host, made when used */
    nc->service = (s = pick(own, defs, 9)) ? s->value.s : "auto";
    if (s && strcmp(nc->service, "pg_ctl") != 0 && strcmp(nc->service, "auto") != 0 && !strstr(nc->service, "restart"))
        diag_error(c->d, s->value.span, "bad-value",
                   "service must be 'auto', 'pg_ctl' or a command containing the word 'restart'");
    /* sslmode: libpq's, for every connection to this node */
    if ((s = pick(own, defs, 10))) {
        static const char *const modes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
        nc->sslmode = s->value.s;
        bool known = false;
        for (size_t k = 0; k < sizeof modes / sizeof modes[0]; k++)
            known |= strcmp(nc->sslmode, modes[k]) == 0;
        if (!known) {
            Diagnostic *dg = diag_error(c->d, s->value.span, "bad-value", "'%s' is not an sslmode", nc->sslmode);
            const char *best = diag_suggest(nc->sslmode, modes, (int)(sizeof modes / sizeof modes[0]));
            diag_hint(c->d, dg, best ? "Did you mean '%s'? sslmode is one of disable, allow, prefer, require, "
                                       "verify-ca and verify-full, as in libpq."
                                     : "%ssslmode is one of disable, allow, prefer, require, verify-ca and "
                                       "verify-full, as in libpq.", best ? best : "");
            nc->sslmode = NULL;
        }
    }
    /* replication_user: the role subscribers and standbys connect as */
    if ((s = pick(own, defs, KEY_REPL_USER))) {
        nc->repl_user = s->value.s;
        nc->repl_span = s->value.span;
        if (strcmp(nc->repl_user, nc->user) == 0) {
            Diagnostic *dg = diag_error(c->d, s->value.span, "replication-user",
                                        "replication_user '%s' of node '%s' is its admin user", nc->repl_user,
                                        n->name);
            diag_hint(c->d, dg, "The replication role is the unprivileged one that subscriptions and standbys "
                                "connect as; give it another name, or leave replication_user out to have them "
                                "connect as the admin user.");
        }
    }
    if ((s = pick(own, defs, KEY_REPL_PASSWORD))) {
        nc->repl_pw_env = s->value.s;
        if (!nc->repl_user) {
            Diagnostic *dg = diag_error(c->d, s->span, "replication-user",
                                        "node '%s' has a replication_password but no replication_user", n->name);
            diag_hint(c->d, dg, "Name the role too: 'replication_user NAME;'.");
        }
    }
    const Setting *pw = own->password ? own->password : defs->password;
    if (pw) {
        switch (pw->kind) {
        case SET_PASSWORD_ENV: nc->pw_kind = PW_ENV; nc->pw_value = pw->value.s; break;
        case SET_PASSWORD_FILE: nc->pw_kind = PW_FILE; nc->pw_value = pw->value.s; break;
        default:
            nc->pw_kind = PW_LITERAL;
            nc->pw_value = "PGPASSWORD";
            nc->pw_literal = pw->value.s;
            break;
        }
    }
    /* server settings: defaults' then the node's own, the node winning per name */
    const Settings *blocks[2] = {defs, own};
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < blocks[b]->gucs.n; i++) {
            const Setting *g = blocks[b]->gucs.items[i];
            const char *name = check_guc_name(c, g, n, b == 0);
            if (!name)
                continue;
            UserGuc *u = NULL;
            for (int k = 0; k < nc->user_gucs.n; k++) {
                UserGuc *o = nc->user_gucs.items[k];
                if (strcmp(o->name, name) == 0)
                    u = o;
            }
            if (!u) {
                u = arena_alloc(c->a, sizeof *u);
                vec_push(c->a, &nc->user_gucs, u);
            }
            u->name = name;
            u->value = g->value.s;
            u->span = g->span;
        }
    n->conf = conf_share(c, nc);
}

/* ---------- options ---------- */

typedef enum { OPT_BOOL, OPT_TEXT, OPT_NAME, OPT_STREAMING, OPT_ORIGIN, OPT_PUBLISH, OPT_GENCOLS } OptType;

typedef struct OptSpec {
    const char *name;
    OptType type;
    int since;
} OptSpec;

static const OptSpec sub_opts[SUBOPT_COUNT] = {   /* index: SubOpt */
    {"binary", OPT_BOOL, 14},           {"connect", OPT_BOOL, 10},
    {"copy_data", OPT_BOOL, 10},        {"create_slot", OPT_BOOL, 10},
    {"disable_on_error", OPT_BOOL, 15}, {"enabled", OPT_BOOL, 10},
    {"failover", OPT_BOOL, 17},         {"origin", OPT_ORIGIN, 16},
    {"password_required", OPT_BOOL, 16}, {"run_as_owner", OPT_BOOL, 16},
    {"slot_name", OPT_NAME, 10},        {"streaming", OPT_STREAMING, 14},
    {"synchronous_commit", OPT_TEXT, 10}, {"two_phase", OPT_BOOL, 15},
};
static const OptSpec pub_opts[PUBOPT_COUNT] = {   /* index: PubOpt */
    {"publish", OPT_PUBLISH, 10},
    {"publish_generated_columns", OPT_GENCOLS, 18},
    {"publish_via_partition_root", OPT_BOOL, 13},
};
enum { SBOPT_DELAY, SBOPT_FORCE, SBOPT_SLOT, SBOPT_SYNC, SBOPT_COUNT };
static const OptSpec standby_opts[SBOPT_COUNT] = {
    {"delay", OPT_TEXT, 10}, {"force", OPT_BOOL, 10},
    {"slot", OPT_NAME, 10},  {"sync", OPT_BOOL, 10},
};

static const char *const origin_words[] = {"none", "any"};          /* Origin - 1 */
static const char *const gencols_words[] = {"none", "stored"};
static const char *const parallel_word[] = {"parallel"};          /* streaming, besides booleans */

/* The index of s among n words, case-insensitively; -1 when none. The one
 * parser of every option that takes one of a few words. */
static int parse_enum(const char *s, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(s, words[i]) == 0)
            return i;
    return -1;
}

/* Validate options against a table whose index is the option's id. by_id[id]
 * gets the option given (the first on repeats, NULL when absent or invalid);
 * order[] the ids given, as written. Returns how many were given. */
static int check_options(Checker *c, const Vec *opts, const OptSpec *specs, int nspecs,
                         const char *kind, int version, const char *node,
                         const Option **by_id, int *order)
{
    int given = 0;
    for (int k = 0; k < nspecs; k++)
        by_id[k] = NULL;
    Vec seen = {0};
    for (int i = 0; i < opts->n; i++) {
        Option *o = opts->items[i];
        int id = -1;
        for (int k = 0; k < nspecs; k++)
            if (strcmp(specs[k].name, o->name.s) == 0)
                id = k;
        const OptSpec *sp = id >= 0 ? &specs[id] : NULL;
        if (!sp) {
            Diagnostic *dg = diag_error(c->d, o->name.span, "unknown-option",
                                        "unknown %s option '%s'", kind, o->name.s);
            const char *names[16];
            for (int k = 0; k < nspecs; k++)
                names[k] = specs[k].name;
            const char *best = diag_suggest(o->name.s, names, nspecs);
            if (best)
                diag_hint(c->d, dg, "Did you mean '%s'?", best);
            continue;
        }
        bool dup = false;
        for (int k = 0; k < seen.n; k++) {
            Option *p = seen.items[k];
            if (strcmp(p->name.s, o->name.s) == 0) {
                Diagnostic *dg = diag_error(c->d, o->name.span, "duplicate-option",
                                            "%s option '%s' is given twice", kind, o->name.s);
                diag_note(c->d, dg, p->name.span, "first given here");
                dup = true;
            }
        }
        if (dup)
            continue;
        const char *v = o->has_value ? o->value.s : "true";
        bool ok = true;
        switch (sp->type) {
        case OPT_BOOL: ok = parse_bool(v) >= 0; break;
        case OPT_TEXT: ok = o->has_value; break;
        case OPT_NAME: ok = o->has_value && o->value.kind != W_NUMBER; break;
        case OPT_ORIGIN: ok = parse_enum(v, origin_words, 2) >= 0; break;
        case OPT_GENCOLS: ok = parse_enum(v, gencols_words, 2) >= 0; break;
        case OPT_STREAMING:
            ok = parse_bool(v) >= 0 || parse_enum(v, parallel_word, 1) == 0;
            if (ok && parse_enum(v, parallel_word, 1) == 0 && version < 16) {
                Diagnostic *dg = diag_error(c->d, o->span, "version-too-old",
                                            "streaming = parallel needs PostgreSQL 16 or later, "
                                            "but node '%s' is version %d", node, version);
                diag_hint(c->d, dg, "Use streaming = on, or raise the node's version.");
                continue;
            }
            break;
        case OPT_PUBLISH: {
            ok = o->has_value;
            if (!ok)
                break;
            char *copy = arena_strdup(c->a, v);
            for (char *tok = strtok(copy, ", "); tok; tok = strtok(NULL, ", "))
                if (strcmp(tok, "insert") && strcmp(tok, "update") && strcmp(tok, "delete") &&
                    strcmp(tok, "truncate"))
                    ok = false;
            break;
        }
        }
        if (!ok) {
            const char *want = sp->type == OPT_BOOL ? "true or false"
                             : sp->type == OPT_ORIGIN ? "none or any"
                             : sp->type == OPT_GENCOLS ? "none or stored"
                             : sp->type == OPT_STREAMING ? "off, on or parallel"
                             : sp->type == OPT_PUBLISH ? "a list of insert, update, delete, truncate"
                             : "a value";
            diag_error(c->d, o->has_value ? o->value.span : o->span, "bad-value",
                       "%s option '%s' takes %s%s%s%s", kind, o->name.s, want,
                       o->has_value ? ", not '" : "", o->has_value ? o->value.s : "",
                       o->has_value ? "'" : "");
            continue;
        }
        if (version < sp->since) {
            Diagnostic *dg = diag_error(c->d, o->name.span, "version-too-old",
                                        "%s option '%s' needs PostgreSQL %d or later, but node '%s' "
                                        "is version %d", kind, o->name.s, sp->since, node, version);
            diag_hint(c->d, dg, "PostgreSQL %d rejects the option; remove it or raise the node's "
                                "version.", version);
            continue;
        }
        vec_push(c->a, &seen, o);
        by_id[id] = o;
        order[given++] = id;
    }
    return given;
}

/* A boolean option's value: bare means true; dflt when not given. */
static bool opt_bool(const Option *o, bool dflt)
{
    return o ? !o->has_value || parse_bool(o->value.s) == 1 : dflt;
}

/* ---------- tables ---------- */

static bool type_text_ok(const char *t)
{
    for (; *t; t++)
        if (!(isalnum((unsigned char)*t) || strchr("_ (),[]", *t)))
            return false;
    return true;
}

/* How many columns named name table declaration 'table' has so far. */
static int column_count(const Checker *c, const char *name, int table)
{
    const ColumnSeen *cs = map_get(&c->columns, name);
    return cs && cs->table == table ? cs->count : 0;
}

/* The count of name in table declaration 'table', to be raised by the caller. */
static ColumnSeen *column_seen(Checker *c, const char *name, int table)
{
    ColumnSeen *cs = map_get(&c->columns, name);
    if (!cs) {
        cs = arena_alloc(c->a, sizeof *cs);
        map_put(c->a, &c->columns, name, cs);
    } else if (cs->table == table)
        return cs;
    cs->table = table;
    cs->count = 0;
    return cs;
}

static int by_last_table(const void *a, const void *b)
{
    int x = (*(ProgramPart *const *)a)->last_table, y = (*(ProgramPart *const *)b)->last_table;
    return (x > y) - (x < y);
}

/* with parts (nparts > 0): each file's tables' declarations given back
 * once its last table is checked (parts is sorted here) */
static void check_tables(Checker *c, ProgramPart **parts, int nparts)
{
    Vec colnames = {0};   /* (one list for every table: no garbage per table) */
    if (nparts)
        qsort(parts, (size_t)nparts, sizeof *parts, by_last_table);
    int next_part = 0;
    for (int i = 0; i <= c->prog->tables.n; i++) {
        for (; next_part < nparts && parts[next_part]->last_table < i; next_part++)
            arena_free(&parts[next_part]->tables);
        if (i == c->prog->tables.n)
            break;
        const TableDecl *td = c->prog->tables.items[i];
        check_name(c, &td->name.name, "table", true);
        if (td->name.schema)
            check_name(c, td->name.schema, "schema", true);
        MTable *t = arena_alloc(c->a, sizeof *t);
        t->schema = td->name.schema ? td->name.schema->s : NULL;
        t->name = td->name.name.s;
        t->display = t->schema ? arena_printf(c->a, "%s.%s", t->schema, t->name) : t->name;
        t->has_columns = td->has_columns;
        t->replica_full = td->replica_full;
        t->span = td->name.span;
        MTable *o = map_get(&c->tables, t->display);
        if (o) {
            Diagnostic *dg = diag_error(c->d, td->name.span, "duplicate-table",
                                        "table '%s' is declared twice", t->display);
            diag_note(c->d, dg, o->span, "first declared here");
        } else
            map_put(c->a, &c->tables, t->display, t);
        colnames.n = 0;
        vec_reserve(c->a, &t->columns, td->columns.n);
        for (int k = 0; k < td->columns.n; k++) {
            const Column *col = td->columns.items[k];
            check_name(c, &col->name, "column", true);
            ColumnSeen *cs = column_seen(c, col->name.s, i);
            for (int j = 0; j < cs->count; j++)   /* once per earlier column of that name */
                diag_error(c->d, col->name.span, "duplicate-column",
                           "column '%s' appears twice in table '%s'", col->name.s, t->display);
            cs->count++;
            if (!type_text_ok(col->type))
                diag_error(c->d, col->type_span, "bad-type",
                           "type '%s' of column '%s' may hold only letters, digits, '_', "
                           "spaces, parentheses, commas and brackets", col->type, col->name.s);
            vec_push(c->a, &colnames, (void *)col->name.s);
            MColumn *mc = arena_alloc(c->a, sizeof *mc);
            mc->name = col->name.s;
            mc->type = col->type;
            mc->type_span = col->type_span;
            mc->not_null = col->not_null;
            vec_push(c->a, &t->columns, mc);
            if (col->primary_key) {
                if (t->pkey.n || td->pkey.n)
                    diag_error(c->d, col->span, "duplicate-primary-key",
                               "table '%s' has more than one primary key", t->display);
                else
                    vec_push(c->a, &t->pkey, (void *)col->name.s);
            }
        }
        for (int k = 0; k < td->pkey.n; k++) {
            const Word *w = td->pkey.items[k];
            if (column_count(c, w->s, i) == 0) {
                Diagnostic *dg = diag_error(c->d, w->span, "unknown-column",
                                            "primary key names unknown column '%s' of table '%s'",
                                            w->s, t->display);
                suggest(c, dg, w->s, &colnames);
            }
            if (t->pkey.n && k == 0 && td->pkey.n) {
                diag_error(c->d, td->pkey_span, "duplicate-primary-key",
                           "table '%s' has more than one primary key", t->display);
                t->pkey.n = 0;
            }
            vec_push(c->a, &t->pkey, (void *)w->s);
        }
        t->index = c->m->tables.n;
        vec_push(c->a, &c->m->tables, t);
    }
}

static MTable *find_table(Checker *c, const TName *tn)
{
    const char *disp = tn->schema ? arena_printf(c->a, "%s.%s", tn->schema->s, tn->name.s) : tn->name.s;
    MTable *t = map_get(&c->tables, disp);
    if (t)
        return t;
    Vec names = {0};
    for (int i = 0; i < c->m->tables.n; i++)
        vec_push(c->a, &names, (void *)((MTable *)c->m->tables.items[i])->display);
    Diagnostic *dg = diag_error(c->d, tn->span, "unknown-table", "unknown table '%s'", disp);
    const char *best = diag_suggest(disp, (const char *const *)names.items, names.n);
    if (best)
        diag_hint(c->d, dg, "Did you mean '%s'?", best);
    else
        diag_hint(c->d, dg, "Declare it with 'table %s (...);' (or 'table %s;' when it already "
                            "exists on its publisher).", disp, disp);
    return NULL;
}

static void add_table(Arena *a, MNode *n, MTable *t)
{
    for (int i = 0; i < n->tables.n; i++)
        if (n->tables.items[i] == t)
            return;
    vec_push(a, &n->tables, t);
}

/* ---------- nodes ---------- */

static MNode *find_node(Checker *c, const Word *w, bool report)
{
    MNode *n = map_get(&c->nodes, w->s);
    if (n)
        return n;
    if (report) {
        Diagnostic *dg = diag_error(c->d, w->span, "unknown-node", "unknown node '%s'", w->s);
        Vec names = {0};
        for (int i = 0; i < c->m->nodes.n; i++)
            vec_push(c->a, &names, (void *)((MNode *)c->m->nodes.items[i])->name);
        suggest(c, dg, w->s, &names);
    }
    return NULL;
}

/* Give back one arena (at offset 'which' of ProgramPart) of the parts, in
 * the order of their last nodes, whose last node comes before node 'before':
 * parts[*next] is the first not given back yet. */
static void give_back(ProgramPart **parts, int nparts, int *next, int before, size_t which)
{
    for (; *next < nparts && parts[*next]->last_node < before; ++*next)
        arena_free((Arena *)((char *)parts[*next] + which));
}

static void declare_nodes(Checker *c, const Settings *defs, ProgramPart **parts, int nparts)
{
    int next_part = 0;
    for (int i = 0; i < c->prog->nodes.n; i++) {
        const NodeDecl *nd = c->prog->nodes.items[i];
        give_back(parts, nparts, &next_part, i, offsetof(ProgramPart, early));   /* their nodes' settings */
        check_name(c, &nd->name, "node", true);
        MNode *dup = find_node(c, &nd->name, false);
        if (dup) {
            Diagnostic *dg = diag_error(c->d, nd->name.span, "duplicate-node",
                                        "node '%s' is declared twice", nd->name.s);
            diag_note(c->d, dg, dup->span, "first declared here");
            continue;
        }
        MNode *n = arena_alloc(c->a, sizeof *n);
        n->name = nd->name.s;
        n->span = nd->name.span;
        n->index = c->m->nodes.n;
        Settings own;
        collect_settings(c, &nd->settings, &own);
        resolve_settings(c, n, &own, defs);
        if (n->conf->pw_kind == PW_LITERAL) {
            const Setting *pw = own.password ? own.password : defs->password;
            if (pw == own.password || i == 0) {   /* report a defaults literal once */
                Diagnostic *dg = diag_warning(c->d, pw->span, "literal-password",
                                              "password written in the topology file");
                diag_hint(c->d, dg, "Anyone who can read the file can read the password. Write "
                                    "'password env NAME;' and set NAME when applying; generated "
                                    "scripts read the password from PGPASSWORD.");
            }
        }
        vec_push(c->a, &c->m->nodes, n);
        map_put(c->a, &c->nodes, n->name, n);
    }
    give_back(parts, nparts, &next_part, INT_MAX, offsetof(ProgramPart, early));
}

/* The key of a name on node n in c->pubs and c->subs: "INDEX:NAME" (one map
 * for all nodes; a map per node would cost a kilobyte per node). Valid until
 * the next call. */
static const char *node_key(Checker *c, const MNode *n, const char *name)
{
    sb_reset(&c->key);
    sb_printf(&c->key, "%d:%s", n->index, name);
    return c->key.s;
}

/* A node's publications (or subscriptions) up to this many are found by
 * looking through its list; past it by the map (memory: most nodes have a
 * few, and a map entry costs more than the search). */
enum { SCAN_MAX = 8 };

static const char *pub_name(const void *p)
{
    return ((const MPub *)p)->name;
}

static const char *sub_name(const void *s)
{
    return ((const MSub *)s)->name;
}

/* The item of n's list v named name (v mapped in m past SCAN_MAX), or NULL. */
static void *find_named(Checker *c, const Map *m, const MNode *n, const Vec *v,
                        const char *(*name_of)(const void *), const char *name)
{
    if (v->n > SCAN_MAX)
        return map_get(m, node_key(c, n, name));
    for (int i = 0; i < v->n; i++)
        if (strcmp(name_of(v->items[i]), name) == 0)
            return v->items[i];
    return NULL;
}

/* After pushing onto n's list v: map what find_named will look up in m. */
static void named_added(Checker *c, Map *m, const MNode *n, const Vec *v, const char *(*name_of)(const void *))
{
    for (int i = v->n == SCAN_MAX + 1 ? 0 : v->n - 1; v->n > SCAN_MAX && i < v->n; i++)
        map_put(c->a, m, arena_strdup(c->a, node_key(c, n, name_of(v->items[i]))), v->items[i]);
}

static MPub *find_pub(Checker *c, const MNode *n, const char *name)
{
    return find_named(c, &c->pubs, n, &n->pubs, pub_name, name);
}

/* The publication's options into its typed fields. */
static void pub_options(Checker *c, MPub *p, const PublishDecl *pd)
{
    const Option *o[PUBOPT_COUNT];
    PubOptions opts = {0}, *po = &opts;
    int order[PUBOPT_COUNT];
    po->n = check_options(c, &pd->options, pub_opts, PUBOPT_COUNT, "publication", p->node->version,
                          p->node->name, o, order);
    for (int k = 0; k < po->n; k++)
        po->order[k] = (PubOpt)order[k];
    for (int id = 0; id < PUBOPT_COUNT; id++)
        if ((po->given[id] = o[id] != NULL))
            po->span[id] = o[id]->span;
    po->publish = o[PUBOPT_PUBLISH] ? o[PUBOPT_PUBLISH]->value.s : NULL;
    po->generated_stored = o[PUBOPT_PUBLISH_GENERATED_COLUMNS] &&
                           parse_enum(o[PUBOPT_PUBLISH_GENERATED_COLUMNS]->value.s, gencols_words, 2) == 1;
    po->via_partition_root = opt_bool(o[PUBOPT_PUBLISH_VIA_PARTITION_ROOT], false);
    p->pub_insert = p->pub_update = p->pub_delete = p->pub_truncate = true;
    if (po->publish) {
        p->pub_insert = strstr(po->publish, "insert") != NULL;
        p->pub_update = strstr(po->publish, "update") != NULL;
        p->pub_delete = strstr(po->publish, "delete") != NULL;
        p->pub_truncate = strstr(po->publish, "truncate") != NULL;
    }
    p->opt = po->n ? NULL : c->pub_default;
    if (!p->opt) {
        PubOptions *keep = arena_alloc(c->a, sizeof *keep);
        *keep = *po;
        if (!po->n)
            c->pub_default = keep;
        p->opt = keep;
    }
}

static void resolve_publications(Checker *c, MNode *n, const NodeDecl *nd)
{
    for (int i = 0; i < nd->publishes.n; i++) {
        const PublishDecl *pd = nd->publishes.items[i];
        check_name(c, &pd->name, "publication", true);
        MPub *dup = find_pub(c, n, pd->name.s);
        if (dup) {
            Diagnostic *dg = diag_error(c->d, pd->name.span, "duplicate-publication",
                                        "publication '%s' is declared twice on node '%s'",
                                        pd->name.s, n->name);
            diag_note(c->d, dg, dup->span, "first declared here");
            continue;
        }
        MPub *p = arena_alloc(c->a, sizeof *p);
        p->name = pd->name.s;
        p->node = n;
        p->all_tables = pd->all_tables;
        p->span = pd->name.span;
        pub_options(c, p, pd);
        if (p->all_tables) {
            for (int k = 0; k < c->m->tables.n; k++)
                vec_push(c->a, &p->tables, c->m->tables.items[k]);
        }
        for (int k = 0; k < pd->tables.n; k++) {
            const TName *tn = pd->tables.items[k];
            MTable *t = find_table(c, tn);
            if (!t)
                continue;
            bool seen = false;
            for (int j = 0; j < p->tables.n; j++)
                if (p->tables.items[j] == t)
                    seen = true;
            if (seen) {
                diag_error(c->d, tn->span, "duplicate-table",
                           "table '%s' is listed twice in publication '%s'", t->display, p->name);
                continue;
            }
            vec_push(c->a, &p->tables, t);
        }
        vec_push(c->a, &n->pubs, p);
        named_added(c, &c->pubs, n, &n->pubs, pub_name);
    }
    if (nd->standbys.n && nd->publishes.n) {   /* for resolve_standby's error */
        Span *at = arena_alloc(c->a, sizeof *at);
        *at = ((const PublishDecl *)nd->publishes.items[0])->span;
        vec_push(c->a, &c->standby_pubs, at);
    }
}

static MSub *find_sub(Checker *c, const MNode *n, const char *name)
{
    return find_named(c, &c->subs, n, &n->subs, sub_name, name);
}

/* The subscription's options into its typed fields, and what follows from
 * them: the slot, whether it is made beforehand, whether data is copied. */
static void sub_options(Checker *c, MSub *s, const SubscribeDecl *sd)
{
    const MNode *n = s->node;
    const Option *o[SUBOPT_COUNT];
    int order[SUBOPT_COUNT];
    SubOptions opts = {0}, *so = &opts;
    static const Vec none;
    so->n = check_options(c, sd->options ? sd->options : &none, sub_opts, SUBOPT_COUNT, "subscription", n->version, n->name,
                          o, order);
    for (int k = 0; k < so->n; k++)
        so->order[k] = (SubOpt)order[k];
    if (so->n)
        so->span = arena_alloc(c->a, sizeof(Span) * SUBOPT_COUNT);
    for (int id = 0; id < SUBOPT_COUNT; id++)
        if ((so->given[id] = o[id] != NULL))
            so->span[id] = o[id]->span;
    so->connect = opt_bool(o[SUBOPT_CONNECT], true);
    so->enabled = opt_bool(o[SUBOPT_ENABLED], so->connect);   /* connect = false implies these */
    so->create_slot = opt_bool(o[SUBOPT_CREATE_SLOT], so->connect);
    so->copy_data = opt_bool(o[SUBOPT_COPY_DATA], so->connect);
    so->binary = opt_bool(o[SUBOPT_BINARY], false);
    /* replc's default, not PostgreSQL's: a conflict stops the subscription
     * visibly instead of a worker that fails and retries for ever */
    so->disable_on_error = opt_bool(o[SUBOPT_DISABLE_ON_ERROR], false);
    so->failover = opt_bool(o[SUBOPT_FAILOVER], false);
    so->password_required = opt_bool(o[SUBOPT_PASSWORD_REQUIRED], true);
    so->run_as_owner = opt_bool(o[SUBOPT_RUN_AS_OWNER], false);
    so->two_phase = opt_bool(o[SUBOPT_TWO_PHASE], false);
    so->origin = o[SUBOPT_ORIGIN] ? (Origin)(1 + parse_enum(o[SUBOPT_ORIGIN]->value.s, origin_words, 2))
                                  : ORIGIN_DEFAULT;
    const Option *st = o[SUBOPT_STREAMING];
    if (!st)
        so->streaming = STREAM_DEFAULT;
    else if (st->has_value && parse_enum(st->value.s, parallel_word, 1) == 0)
        so->streaming = STREAM_PARALLEL;
    else
        so->streaming = opt_bool(st, false) ? STREAM_ON : STREAM_OFF;
    if (o[SUBOPT_SLOT_NAME]) {
        so->slot_name = o[SUBOPT_SLOT_NAME]->value.s;
        so->slot_name_span = o[SUBOPT_SLOT_NAME]->value.span;
    }
    so->synchronous_commit = o[SUBOPT_SYNCHRONOUS_COMMIT] ? o[SUBOPT_SYNCHRONOUS_COMMIT]->value.s : NULL;

    s->slot = so->slot_name ? so->slot_name : s->name;
    if (so->slot_name && strcasecmp(so->slot_name, "none") == 0) {
        s->slot = NULL;   /* no slot: the subscription is created detached */
        if (so->enabled || so->create_slot) {
            Diagnostic *dg = diag_error(c->d, so->span[SUBOPT_SLOT_NAME], "slot-name-none",
                                        "slot_name = NONE needs enabled = false and create_slot = false");
            diag_hint(c->d, dg, "PostgreSQL refuses it otherwise (\"subscription with slot_name = "
                                "NONE must also set enabled = false\").");
        }
    }
    if (n->version == 17 && so->failover && so->two_phase) {
        Diagnostic *dg = diag_error(c->d, sd->span, "failover-two-phase",
                                    "subscription '%s' uses both failover and two_phase, which "
                                    "PostgreSQL 17 does not allow together", s->name);
        diag_hint(c->d, dg, "Recent PostgreSQL 17 releases reject the combination at CREATE "
                            "SUBSCRIPTION; PostgreSQL 18 allows it. Drop one of them.");
    }
    s->copy_data = so->copy_data && so->connect;
    s->origin_none = so->origin == ORIGIN_NONE;
    /* Two servers subscribing to each other at the same moment deadlock when
     * CREATE SUBSCRIPTION creates the slot: each slot waits for the other's
     * transaction. So the publisher creates the slot in its own session. */
    s->precreate_slot = s->slot && !so->given[SUBOPT_CREATE_SLOT] && so->connect;
    /* every subscription without options has the same ones: one copy */
    s->opt = so->n ? NULL : c->sub_default;
    if (!s->opt) {
        s->opt = arena_alloc(c->a, sizeof *s->opt);
        *s->opt = *so;
        if (!so->n)
            c->sub_default = s->opt;
    }
}

/* A subscription to a standby (16+): what it may not ask for. False when the
 * subscription cannot be resolved further. */
static bool sub_to_standby(Checker *c, MSub *s, const SubscribeDecl *sd, const MNode *primary)
{
    const MNode *pubnode = s->publisher;
    const SubOptions *so = s->opt;
    if (pubnode->version < 16) {
        Diagnostic *dg = diag_error(c->d, sub_word(sd, &sd->to).span, "subscribe-to-standby",
                                    "subscription '%s' subscribes to '%s', which is a standby",
                                    s->name, pubnode->name);
        diag_hint(c->d, dg, "PostgreSQL %d cannot decode WAL while in recovery (logical "
                            "decoding on a standby needs 16 or later). Subscribe to the "
                            "primary of '%s' instead.", pubnode->version, pubnode->name);
        return false;
    }
    if (primary->standby)   /* a cycle of standbys, reported by check_standby_cycles */
        return false;
    if (so->given[SUBOPT_CREATE_SLOT] && so->create_slot && so->connect) {
        Diagnostic *dg = diag_error(c->d, so->span[SUBOPT_CREATE_SLOT], "subscribe-to-standby",
                                    "subscription '%s' to standby '%s' asks CREATE SUBSCRIPTION "
                                    "to create its slot", s->name, pubnode->name);
        diag_hint(c->d, dg, "On a standby the slot is only ready once the primary '%s' logs a "
                            "snapshot; CREATE SUBSCRIPTION would wait for it, for ever on an "
                            "idle primary. Remove 'create_slot' and replc creates the slot "
                            "while asking '%s' for snapshots (pg_log_standby_snapshot()).",
                  primary->name, primary->name);
    }
    if (so->failover) {
        Diagnostic *dg = diag_error(c->d, so->span[SUBOPT_FAILOVER], "subscribe-to-standby",
                                    "subscription '%s' to standby '%s' asks for failover", s->name,
                                    pubnode->name);
        diag_hint(c->d, dg, "A slot made on a standby cannot be synchronised to another "
                            "standby (\"cannot enable failover for a replication slot created "
                            "on the standby\"). Subscribe to the primary '%s' for failover.",
                  primary->name);
    }
    return true;
}

/* The publications of s on primary (its publisher, or the top of the
 * publisher's chain), and the tables they bring to the subscriber. */
static void sub_publications(Checker *c, MSub *s, const SubscribeDecl *sd, MNode *primary)
{
    const MNode *pubnode = s->publisher;
    for (int k = 0; k < sd->npubs; k++) {
        const Word pw = sub_word(sd, &sd->pubs[k]), *w = &pw;
        MPub *p = find_pub(c, primary, w->s);
        if (!p) {
            Diagnostic *dg = primary == pubnode
                ? diag_error(c->d, w->span, "unknown-publication",
                             "node '%s' has no publication '%s'", pubnode->name, w->s)
                : diag_error(c->d, w->span, "unknown-publication",
                             "standby '%s' carries no publication '%s': its primary '%s' has none "
                             "by that name", pubnode->name, w->s, primary->name);
            Vec names = {0};
            for (int j = 0; j < primary->pubs.n; j++)
                vec_push(c->a, &names, (void *)((MPub *)primary->pubs.items[j])->name);
            suggest(c, dg, w->s, &names);
            continue;
        }
        void **slot = NULL;   /* p's place in its node's list, looked for in a short one */
        for (int j = 0; !s->pubs.n && j < primary->pubs.n && j <= SCAN_MAX && !slot; j++)
            if (primary->pubs.items[j] == p)
                slot = &primary->pubs.items[j];
        if (slot)   /* the first publication: its place in the primary's list, not a list of
                     * its own (most subscriptions name one; memory); cap = n, so that a
                     * second one makes a list of its own and nothing is written into it */
            s->pubs = (Vec){slot, 1, 1};
        else
            vec_push(c->a, &s->pubs, p);
        if (s->pubs.n == 1) {
            /* the first publication's tables (no repeats): its list, not a copy
             * (most subscriptions have one; memory) */
            s->tables = &p->tables;
            for (int j = 0; j < p->tables.n; j++)
                add_table(c->a, s->node, p->tables.items[j]);
            continue;
        }
        Vec *own = (Vec *)s->tables;   /* (from the second publication on: its own) */
        if (s->pubs.n == 2) {   /* a second one: a list of its own */
            own = arena_alloc(c->a, sizeof *own);
            vec_reserve(c->a, own, s->tables->n + p->tables.n);
            for (int j = 0; j < s->tables->n; j++)
                own->items[own->n++] = s->tables->items[j];
            s->tables = own;
        }
        for (int j = 0; j < p->tables.n; j++) {
            MTable *t = p->tables.items[j];
            bool seen = false;
            for (int q = 0; q < s->tables->n; q++)
                if (s->tables->items[q] == t)
                    seen = true;
            if (!seen)
                vec_push(c->a, own, t);
            add_table(c->a, s->node, t);
        }
    }
}

/* A new subscription of n from its declaration; NULL when it is a duplicate
 * or a subscription to the node itself. */
static MSub *sub_declare(Checker *c, MNode *n, const SubscribeDecl *sd, MNode *pubnode)
{
    const char *name = sd->name ? sd->name->s : NULL;
    if (name)
        check_name(c, sd->name, "subscription", true);
    else {
        StrBuf b;
        sb_init(&b);
        sb_printf(&b, "%s_from_%s", n->name, sd->to.s);
        name = model_ident(c->a, b.s);
        if (name == b.s)
            name = arena_strdup(c->a, b.s);
        sb_free(&b);
    }
    MSub *dup = find_sub(c, n, name);
    if (dup) {
        Diagnostic *dg = diag_error(c->d, sd->name ? sd->name->span : sub_word(sd, &sd->to).span,
                                    "duplicate-subscription",
                                    "subscription '%s' is declared twice on node '%s'", name, n->name);
        diag_note(c->d, dg, sub_name_span(dup), "first declared here");
        return NULL;
    }
    if (pubnode == n) {
        Diagnostic *dg = diag_error(c->d, sub_word(sd, &sd->to).span, "self-subscription",
                                    "node '%s' subscribes to itself", n->name);
        diag_hint(c->d, dg, "A subscription copies data between two servers; a node already "
                            "has its own tables.");
        return NULL;
    }
    static const Vec no_tables;
    MSub *s = arena_alloc(c->a, sizeof *s);
    s->tables = &no_tables;
    s->name = name;
    s->node = n;
    s->publisher = pubnode;
    s->span = sd->span;
    Span at = sd->name ? sd->name->span : sub_word(sd, &sd->to).span;   /* (in the statement's file) */
    s->name_start = at.start;
    s->name_end = at.end;
    return s;
}

/* Pass 1: count in each publisher's subscribers.n the subscriptions that
 * name it (at most what pass 2 adds), so that sized_subscribers() can make
 * each list once (memory: no list grown 1, 4, 8 and left behind). */
static void count_subscribers(Checker *c, const NodeDecl *nd)
{
    for (const SubscribeDecl *sd = nd->subscribes; sd; sd = sd->next) {
        const Word to = sub_word(sd, &sd->to);
        MNode *pubnode = find_node(c, &to, false);
        if (pubnode)
            pubnode->subscribers.n++;
    }
}

/* Pass 1: n's list of tables sized once (memory: a list grown 1, then 4
 * leaves the first behind), for its publications' tables and at most those
 * of the publications its subscriptions name (those found now: an unresolved
 * standby publisher's are added by growing); then its publications' tables,
 * in declaration order. */
static void sized_tables(Checker *c, MNode *n, const NodeDecl *nd)
{
    int count = 0;
    for (int i = 0; i < n->pubs.n; i++)
        count += ((MPub *)n->pubs.items[i])->tables.n;
    for (const SubscribeDecl *sd = nd->subscribes; sd; sd = sd->next) {
        const Word to = sub_word(sd, &sd->to);
        MNode *pubnode = find_node(c, &to, false);
        MNode *primary = pubnode ? model_chain_root(pubnode) : NULL;
        for (int k = 0; primary && k < sd->npubs; k++) {
            MPub *p = find_pub(c, primary, sd->pubs[k].s);
            count += p ? p->tables.n : 0;
        }
    }
    vec_reserve(c->a, &n->tables, count);
    for (int i = 0; i < n->pubs.n; i++) {
        MPub *p = n->pubs.items[i];
        for (int k = 0; k < p->tables.n; k++)
            add_table(c->a, n, p->tables.items[k]);
    }
}

static void sized_subscribers(Checker *c)
{
    for (int i = 0; i < c->m->nodes.n; i++) {
        MNode *n = c->m->nodes.items[i];
        int count = n->subscribers.n;
        n->subscribers.n = 0;
        vec_reserve(c->a, &n->subscribers, count);
    }
}

static void resolve_subscriptions(Checker *c, MNode *n, const NodeDecl *nd)
{
    int count = 0;
    for (const SubscribeDecl *sd = nd->subscribes; sd; sd = sd->next)
        count++;
    vec_reserve(c->a, &n->subs, count);   /* (its list sized once: memory) */
    for (const SubscribeDecl *sd = nd->subscribes; sd; sd = sd->next) {
        const Word to = sub_word(sd, &sd->to);
        MNode *pubnode = find_node(c, &to, true);
        MSub *s = sub_declare(c, n, sd, pubnode);
        if (!s)
            continue;
        sub_options(c, s, sd);
        vec_push(c->a, &n->subs, s);
        named_added(c, &c->subs, n, &n->subs, sub_name);
        if (!pubnode)
            continue;
        /* a standby carries its primary's publications (decoding there needs 16+) */
        MNode *primary = model_chain_root(pubnode);
        if (pubnode->standby && !sub_to_standby(c, s, sd, primary)) {
            s->publisher = NULL;
            continue;
        }
        vec_push(c->a, &pubnode->subscribers, s);
        sub_publications(c, s, sd, primary);
    }
}

static void resolve_standby(Checker *c, MNode *n, const NodeDecl *nd)
{
    for (int i = 0; i < nd->standbys.n; i++) {
        const StandbyDecl *sd = nd->standbys.items[i];
        if (i > 0) {
            Diagnostic *dg = diag_error(c->d, sd->span, "duplicate-standby",
                                        "node '%s' is a standby twice", n->name);
            diag_note(c->d, dg, ((StandbyDecl *)nd->standbys.items[0])->span, "first declared here");
            continue;
        }
        MNode *src = find_node(c, &sd->from, true);
        if (src == n) {
            diag_error(c->d, sd->from.span, "standby-cycle", "node '%s' is a standby of itself", n->name);
            src = NULL;
        }
        StandbyInfo *si = arena_alloc(c->a, sizeof *si);
        si->source = src;
        si->span = sd->span;
        const Option *opts[SBOPT_COUNT];
        int order[SBOPT_COUNT];
        check_options(c, &sd->options, standby_opts, SBOPT_COUNT, "standby", n->version, n->name, opts, order);
        si->slot = opts[SBOPT_SLOT] ? opts[SBOPT_SLOT]->value.s : model_ident(c->a, n->name);
        si->sync = opt_bool(opts[SBOPT_SYNC], false);
        if (si->sync) {
            Diagnostic *dg = diag_warning(c->d, opts[SBOPT_SYNC]->span, "standby-sync-unsupported",
                                          "standby '%s' asks for synchronous replication, which this "
                                          "version of replc does not set up", n->name);
            diag_hint(c->d, dg, "The standby streams asynchronously. To make it synchronous, set "
                                "synchronous_standby_names on its source once it streams (its "
                                "application_name is '%s').", n->name);
        }
        si->force = opt_bool(opts[SBOPT_FORCE], false);
        si->delay = opts[SBOPT_DELAY] ? opts[SBOPT_DELAY]->value.s : NULL;
        n->standby = si;
        if (src)
            vec_push(c->a, vec_made(c->a, &src->standbys), n);
        /* without pgdata, the scripts find the data directory at run time:
         * the running server's, else the Debian cluster of its version */
        if (nd->publishes.n || nd->subscribes) {
            const Span at = nd->publishes.n ? *(const Span *)c->standby_pubs.items[c->standby_pubs_next++]
                                            : nd->subscribes->span;
            Diagnostic *dg = diag_error(c->d, at, "standby-replicates",
                                        "standby '%s' may not publish or subscribe", n->name);
            diag_note(c->d, dg, sd->span, "it is a standby here");
            diag_hint(c->d, dg, "A standby is a read-only copy of its source and carries whatever "
                                "the source publishes and subscribes.");
        }
    }
}

/* Standby cycles: follow source pointers; report each cycle once as a path. */
static void check_standby_cycles(Checker *c)
{
    int n = c->m->nodes.n;
    int *state = calloc((size_t)n, sizeof(int));   /* 0 new, 1 on path, 2 done */
    for (int i = 0; i < n; i++) {
        MNode *start = c->m->nodes.items[i];
        MNode *x = start;
        while (x && state[x->index] == 0) {
            state[x->index] = 1;
            x = x->standby ? x->standby->source : NULL;
        }
        if (x && state[x->index] == 1) {
            StrBuf b;
            sb_init(&b);
            MNode *y = x;
            do {
                sb_printf(&b, "'%s' -> ", y->name);
                y = y->standby->source;
            } while (y != x);
            sb_printf(&b, "'%s'", x->name);
            Diagnostic *dg = diag_error(c->d, x->standby->span, "standby-cycle",
                                        "standbys form a cycle: %s", b.s);
            diag_hint(c->d, dg, "Every chain of standbys must end at a primary.");
            sb_free(&b);
            for (MNode *z = start; z && state[z->index] == 1; z = z->standby ? z->standby->source : NULL)
                state[z->index] = 2;
            y = x;
            do {   /* break the cycle so later passes terminate */
                MNode *next = y->standby->source;
                y->standby->source = NULL;
                y = next;
            } while (y && y != x);
        }
        for (x = start; x && state[x->index] == 1; x = x->standby ? x->standby->source : NULL)
            state[x->index] = 2;
    }
    free(state);
}

static const char *node_name_of(const void *n)
{
    return ((const MNode *)n)->name;
}

static const char *table_display_of(const void *t)
{
    return ((const MTable *)t)->display;
}

static int by_last_node(const void *a, const void *b)
{
    int x = (*(ProgramPart *const *)a)->last_node, y = (*(ProgramPart *const *)b)->last_node;
    return (x > y) - (x < y);
}

Model *check_program_ex(Arena *a, DiagCtx *d, const Program *prog, const char *default_cluster, Arena *tree,
                        Arena *tables, Arena *early, Arena *pubs, bool check_only)
{
    Checker c = {a, d, arena_alloc(a, sizeof(Model)), prog, {0}, {0}, {0}, {0}, {0}, {0}, {0}, NULL, NULL, NULL, {0}, 0};
    c.m->check_only = check_only;
    c.nodes.key_of = node_name_of;     /* (the maps keep no keys: memory) */
    c.tables.key_of = table_display_of;
    sb_init(&c.key);
    c.m->cluster = default_cluster;
    for (int i = 0; i < prog->clusters.n; i++) {
        const Word *w = prog->clusters.items[i];
        check_name(&c, w, "cluster", false);
        if (i == 0)
            c.m->cluster = w->s;
        else if (strcmp(w->s, c.m->cluster) != 0) {
            Diagnostic *dg = diag_error(d, w->span, "duplicate-cluster",
                                        "cluster is named twice ('%s', then '%s')", c.m->cluster, w->s);
            diag_note(d, dg, ((Word *)prog->clusters.items[0])->span, "first named here");
        }
    }
    Settings defs;
    collect_settings(&c, &prog->defaults, &defs);
    /* with tree: each file's tables given back once checked; its part once
     * its last node is resolved; its settings once its last node is
     * declared, its publications once their last node's are resolved (pass 0) */
    int nparts = tree ? prog->parts.n : 0, next_part = 0;
    ProgramPart **parts = malloc(sizeof *parts * ((size_t)nparts + 1));
    if (nparts)   /* (no memcpy or qsort of an empty range: UBSan, a NULL source) */
        memcpy(parts, prog->parts.items, sizeof *parts * (size_t)nparts);
    check_tables(&c, parts, nparts);
    map_release(a, &c.columns);
    if (tables)
        arena_free(tables);   /* the tables' declarations: read no more */
    if (nparts)
        qsort(parts, (size_t)nparts, sizeof *parts, by_last_node);
    declare_nodes(&c, &defs, parts, nparts);
    if (early)
        arena_free(early);   /* settings: read no more */
    /* nodes that were duplicates are not in the model; map decls by name */
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 1 && pubs)
            arena_free(pubs);   /* publications: read no more (pass 0 kept what pass 1 reports) */
        if (pass == 1)
            map_release(a, &c.tables);   /* only publications name tables */
        if (pass == 2)
            sized_subscribers(&c);
        for (int i = 0; i < prog->nodes.n; i++) {
            const NodeDecl *nd = prog->nodes.items[i];
            MNode *n = find_node(&c, &nd->name, false);
            if (pass == 0)
                give_back(parts, nparts, &next_part, i, offsetof(ProgramPart, pubs));
            else if (pass == 2)
                give_back(parts, nparts, &next_part, i, offsetof(ProgramPart, arena));
            if (!n || n->span.start != nd->name.span.start || n->span.file != nd->name.span.file)
                continue;
            if (pass == 0)
                resolve_publications(&c, n, nd);
            else if (pass == 1) {
                resolve_standby(&c, n, nd);
                count_subscribers(&c, nd);
                sized_tables(&c, n, nd);
            }
            else
                resolve_subscriptions(&c, n, nd);
        }
        if (pass != 1)   /* (the last nodes' files) */
            give_back(parts, nparts, &next_part, INT_MAX, pass == 0 ? offsetof(ProgramPart, pubs)
                                                                    : offsetof(ProgramPart, arena));
        next_part = 0;
    }
    free(parts);
    sb_free(&c.key);
    /* names are resolved: the maps go back (a big map has blocks of its own) */
    map_release(a, &c.nodes);
    map_release(a, &c.pubs);
    map_release(a, &c.subs);

    if (tree)
        arena_free(tree);   /* the model keeps no pointer into the tree, only its strings */
    check_standby_cycles(&c);
    for (int i = 0; i < c.m->nodes.n; i++) {   /* once per conf (the nodes that share one follow each other) */
        NodeConf *nc = (NodeConf *)((MNode *)c.m->nodes.items[i])->conf;   /* (check.c's: conf_share) */
        if (nc->cluster_nodes)
            continue;
        nc->cluster = c.m->cluster;
        nc->cluster_nodes = &c.m->nodes;
    }
    model_group_servers(a, c.m);
    /* run even after errors, so that one run reports everything */
    check_replication(a, d, c.m);
    derive_settings(a, c.m);
    check_derived(a, d, c.m);
    return c.m;
}

Model *check_program(Arena *a, DiagCtx *d, const Program *prog, const char *default_cluster)
{
    return check_program_ex(a, d, prog, default_cluster, NULL, NULL, NULL, NULL, false);
}
