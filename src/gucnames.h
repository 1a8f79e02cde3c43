/* gucnames.h: the names of PostgreSQL's server settings, per major version
 * (14 to 18), generated from the real servers' pg_settings by tools/gucs.sh
 * into src/gucs.def. check.c checks 'set NAME = VALUE' against them. */
#ifndef REPLC_GUCNAMES_H
#define REPLC_GUCNAMES_H

#include <stdbool.h>

/* The first and last major whose settings are known. */
enum { GUCNAMES_FIRST = 14, GUCNAMES_LAST = 18 };

typedef struct GucName {
    const char *name;     /* as pg_settings spells it (DateStyle, work_mem) */
    unsigned majors;      /* bit (MAJOR - GUCNAMES_FIRST) per major that has it */
    const char *context;  /* pg_settings.context in the newest such major */
} GucName;

/* The setting called name in any known major, compared without regard to
 * case as PostgreSQL does; NULL when no known major has it. */
const GucName *gucname_find(const char *name);
bool gucname_in(const GucName *g, int major);
/* The majors that have it, as "16, 17 and 18" (a static buffer). */
const char *gucname_majors(const GucName *g);
/* Every setting name of major, in name order: *n of them (a static array). */
const char *const *gucname_list(int major, int *n);
/* A custom setting (an extension's): PREFIX.NAME, each part letters, digits,
 * '_' and '$', not starting with a digit or '$' (PostgreSQL's rule). */
bool gucname_custom(const char *name);
/* ALTER SYSTEM refuses it: its context is internal, or it is one of the
 * settings that only the command line or postgresql.conf may give. */
bool gucname_fixed(const GucName *g);

#endif
