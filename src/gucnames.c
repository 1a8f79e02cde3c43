/* gucnames.c: lookups over src/gucs.def, the server settings of each
 * PostgreSQL major replc knows (tools/gucs.sh makes it from pg_settings). */
#include "gucnames.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const GucName names[] = {
#define GUC(n, m, c) {n, m, c},
#include "gucs.def"
#undef GUC
};
enum { N_NAMES = sizeof names / sizeof names[0] };

const GucName *gucname_find(const char *name)
{
    for (int i = 0; i < N_NAMES; i++)
        if (strcasecmp(names[i].name, name) == 0)
            return &names[i];
    return NULL;
}

bool gucname_in(const GucName *g, int major)
{
    return major >= GUCNAMES_FIRST && major <= GUCNAMES_LAST &&
           (g->majors >> (major - GUCNAMES_FIRST) & 1u);
}

const char *gucname_majors(const GucName *g)
{
    static char buf[64];
    int have[GUCNAMES_LAST - GUCNAMES_FIRST + 1], n = 0;
    for (int v = GUCNAMES_FIRST; v <= GUCNAMES_LAST; v++)
        if (gucname_in(g, v))
            have[n++] = v;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof buf - l, "%s%d", i == 0 ? "" : i == n - 1 ? " and " : ", ", have[i]);
    }
    return buf;
}

const char *const *gucname_list(int major, int *n)
{
    static const char *list[GUCNAMES_LAST - GUCNAMES_FIRST + 1][N_NAMES];
    static int count[GUCNAMES_LAST - GUCNAMES_FIRST + 1] = {0};
    int k = major - GUCNAMES_FIRST;
    if (k < 0 || k > GUCNAMES_LAST - GUCNAMES_FIRST) {
        *n = 0;
        return NULL;
    }
    if (count[k] == 0)
        for (int i = 0; i < N_NAMES; i++)
            if (gucname_in(&names[i], major))
                list[k][count[k]++] = names[i].name;
    *n = count[k];
    return list[k];
}

static bool custom_part(const char *p, const char *end)
{
    if (p == end || isdigit((unsigned char)*p) || *p == '$')
        return false;
    for (; p < end; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '$')
            return false;
    return true;
}

bool gucname_custom(const char *name)
{
    const char *dot = strchr(name, '.');
    if (!dot)
        return false;
    const char *p = name;
    for (;;) {
        const char *end = strchr(p, '.');
        if (!end)
            end = p + strlen(p);
        if (!custom_part(p, end))
            return false;
        if (!*end)
            return true;
        p = end + 1;
    }
}

bool gucname_fixed(const GucName *g)
{
    /* PostgreSQL marks these GUC_DISALLOW_IN_AUTO_FILE: not in pg_settings */
    static const char *const cmdline_only[] = {"config_file", "data_directory", "hba_file", "ident_file"};
    if (strcmp(g->context, "internal") == 0)
        return true;
    for (size_t i = 0; i < sizeof cmdline_only / sizeof cmdline_only[0]; i++)
        if (strcmp(g->name, cmdline_only[i]) == 0)
            return true;
    return false;
}
