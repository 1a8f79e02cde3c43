/* rolesql.c: the guarded statements for replication roles (replication_user):
 * the role step on a primary (the role, LOGIN REPLICATION, its password from
 * the environment) and the grants its publications step adds (CONNECT, USAGE
 * on the schemas, SELECT on the published tables only). */
#include "stepsql.h"

#include <string.h>

#include "quote.h"

/* EXISTS (SELECT FROM catalog WHERE rolname = 'role' [AND cond]) */
static void role_where(StrBuf *g, const char *catalog, const char *role, const char *cond)
{
    sb_printf(g, "EXISTS (SELECT FROM %s WHERE rolname = ", catalog);
    q_literal(g, role);
    sb_printf(g, "%s%s)", cond ? " AND " : "", cond ? cond : "");
}

void role_sql(Arena *a, Vec *v, const MNode *n)
{
    Vec roles = {0};
    model_primary_roles(a, n, &roles);
    StrBuf g, q;
    sb_init(&g);
    sb_init(&q);
    for (int i = 0; i < roles.n; i++) {
        const MNode *r = roles.items[i];
        sb_puts(&g, "NOT ");
        role_where(&g, "pg_roles", r->conf->repl_user, NULL);
        sb_puts(&q, "CREATE ROLE ");
        q_ident(&q, r->conf->repl_user);
        sb_puts(&q, " LOGIN REPLICATION");
        sql_push(a, v, arena_printf(a, "replication role %s: the subscriptions and standbys of '%s' connect as it",
                                    r->conf->repl_user, r->name), &g, &q);
        role_where(&g, "pg_roles", r->conf->repl_user, "NOT (rolcanlogin AND rolreplication)");
        sb_puts(&q, "ALTER ROLE ");
        q_ident(&q, r->conf->repl_user);
        sb_puts(&q, " LOGIN REPLICATION");
        sql_push(a, v, NULL, &g, &q);
        if (r->conf->repl_pw_env) {
            /* set when it has none; the value is read at run time, never written here */
            role_where(&g, "pg_authid", r->conf->repl_user, "rolpassword IS NULL");
            sb_puts(&q, "ALTER ROLE ");
            q_ident(&q, r->conf->repl_user);
            SqlStmt *st = sql_push(a, v, arena_printf(a, "its password, from environment variable %s, when it "
                                                         "has none", r->conf->repl_pw_env), &g, &q);
            st->password_env = r->conf->repl_pw_env;
            st->password_role = r->conf->repl_user;
        }
        role_where(&g, "pg_roles", r->conf->repl_user, "rolsuper");
        SqlStmt *st = sql_push(a, v, NULL, &g, &q);
        st->notice = arena_printf(a, "replication role %s is a superuser; replc leaves it so (ALTER ROLE %s "
                                     "NOSUPERUSER to have peers connect without superuser rights)", r->conf->repl_user,
                                     r->conf->repl_user);
    }
    sb_free(&g);
    sb_free(&q);
}

/* GRANT what on object TO role, unless check (a has_*_privilege call) holds */
static SqlStmt *grant(Arena *a, Vec *v, StrBuf *g, StrBuf *q, const char *role, const char *check_fn,
                  const char *object_literal, const char *priv, const char *grant_head, const char *object_sql)
{
    sb_printf(g, "NOT %s(", check_fn);
    q_literal(g, role);
    sb_printf(g, ", %s, '%s')", object_literal, priv);
    sb_printf(q, "GRANT %s", grant_head);
    sb_puts(q, object_sql);
    sb_puts(q, " TO ");
    q_ident(q, role);
    return sql_push(a, v, NULL, g, q);
}

/* Whether role r already has its grants of table t in the statements so far. */
static bool seen_pair(Arena *a, Vec *seen, const char *role, const char *what)
{
    const char *key = arena_printf(a, "%s\n%s", role, what);
    for (int i = 0; i < seen->n; i++)
        if (strcmp(seen->items[i], key) == 0)
            return true;
    vec_push(a, seen, (void *)key);
    return false;
}

/* The grants of one subscription's replication role on primary n. */
static void sub_grants(Arena *a, Vec *v, const MNode *n, const MSub *s, Vec *seen)
{
    const char *role = s->publisher->conf->repl_user;
    if (!role)
        return;   /* the admin user: a superuser */
    StrBuf g, q, lit, obj;
    sb_init(&g);
    sb_init(&q);
    sb_init(&lit);
    sb_init(&obj);
    if (!seen_pair(a, seen, role, "")) {
        q_literal(&lit, n->conf->database);
        q_ident(&obj, n->conf->database);
        SqlStmt *st = grant(a, v, &g, &q, role, "has_database_privilege", lit.s, "CONNECT",
                            "CONNECT ON DATABASE ", obj.s);
        st->comment = arena_printf(a, "replication role %s: connect, read the published tables", role);
    }
    for (int k = 0; k < s->pubs.n; k++) {
        const MPub *p = s->pubs.items[k];
        if (p->all_tables && n->version >= 14) {
            /* FOR ALL TABLES publishes every table, those made later too */
            if (seen_pair(a, seen, role, "\npg_read_all_data"))
                continue;
            sb_puts(&g, "NOT pg_has_role(");
            q_literal(&g, role);
            sb_puts(&g, ", 'pg_read_all_data', 'MEMBER')");
            sb_puts(&q, "GRANT pg_read_all_data TO ");
            q_ident(&q, role);
            sql_push(a, v, arena_printf(a, "publication %s is FOR ALL TABLES: reading all data", p->name), &g, &q);
            continue;
        }
        for (int j = 0; j < p->tables.n; j++) {
            const MTable *t = p->tables.items[j];
            if (t->schema && !seen_pair(a, seen, role, arena_printf(a, "\nschema %s", t->schema))) {
                sb_reset(&lit);
                sb_reset(&obj);
                q_literal(&lit, t->schema);
                q_ident(&obj, t->schema);
                grant(a, v, &g, &q, role, "has_schema_privilege", lit.s, "USAGE", "USAGE ON SCHEMA ", obj.s);
            }
            if (seen_pair(a, seen, role, t->display))
                continue;
            sb_reset(&lit);
            sb_reset(&obj);
            q_regclass(&lit, t->schema, t->name);
            sb_puts(&lit, "::regclass");
            q_qualified(&obj, t->schema, t->name);
            grant(a, v, &g, &q, role, "has_table_privilege", lit.s, "SELECT", "SELECT ON TABLE ", obj.s);
        }
    }
    sb_free(&g);
    sb_free(&q);
    sb_free(&lit);
    sb_free(&obj);
}

void grant_sql(Arena *a, Vec *v, const MNode *n)
{
    Vec seen = {0}, at = {0};
    vec_push(a, &at, (void *)n);
    model_standbys_below(a, n, &at);   /* subscriptions to its standbys read its publications */
    for (int i = 0; i < at.n; i++) {
        const MNode *x = at.items[i];
        for (int k = 0; k < x->subscribers.n; k++)
            sub_grants(a, v, n, x->subscribers.items[k], &seen);
    }
}
