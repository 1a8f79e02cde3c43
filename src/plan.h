/* plan.h: the step graph. Each step runs on one host, knows the steps it
 * waits for (on its own host: the one before it; across hosts: what it needs
 * from a peer) and is emitted as one file named by what it does
 * (subscribe.<sub>.sql), never by its position: adding an object to the
 * topology adds files and renames none. */
#ifndef REPLC_PLAN_H
#define REPLC_PLAN_H

#include "model.h"

typedef enum {
    STEP_PGPASS,        /* sh: peers' passwords into ~/.pgpass */
    STEP_RAISE,         /* sh: an existing standby's floor settings, before its primary restarts */
    STEP_BASEBACKUP,    /* sh: rebuild a standby from its source, start, wait streaming */
    STEP_HBA,           /* sh: pg_hba.conf lines for peers, reload */
    STEP_ROLE,          /* sql: replication roles peers connect as (replication_user) */
    STEP_CONFIG,        /* sql: ALTER SYSTEM for derived settings (raise only) */
    STEP_RESTART,       /* sh: restart when a setting waits for it */
    STEP_DATABASE,      /* sql: create the database if missing */
    STEP_TABLES,        /* sql: schemas and tables */
    STEP_COL_WAIT,      /* sh: wait until a subscriber has the declared columns of what it receives */
    STEP_COLUMNS,       /* sql: columns added to the tables the node publishes (after its subscribers') */
    STEP_COPY_TABLE,    /* sh: definition of a column-less table from its publisher */
    STEP_PUBLICATIONS,  /* sql: publications */
    STEP_SUB_WAIT,      /* sh: wait until the publisher's publications exist */
    STEP_STANDBY_SLOT,  /* sh: the slot on a standby publisher, the primary logging snapshots */
    STEP_SUBSCRIBE,     /* sql: create the subscription if missing */
    STEP_SUB_ENABLE,    /* sql: 14/15: enable the node's new subscriptions in one transaction */
    STEP_SUB_SYNC,      /* sh: wait until every table is synchronised */
    STEP_PRUNE,         /* sh (--prune): drop what carries replc's mark and is no longer declared */
} StepKind;

/* How a step's file is written and run: psql -f FILE.sql, or sh FILE.sh. */
typedef enum { LANG_SQL, LANG_SHELL } StepLang;

typedef struct Step {
    int id;             /* 1-based, in the plan's global order (internal: --apply's arrays) */
    const char *name;   /* the stable id: <node dir>/<kind>[.<object>], the file without .sql/.sh */
    StepKind kind;
    StepLang lang;      /* step_lang(kind) */
    MNode *node;
    const char *file;   /* <kind>[.<object>].sql / .sh, in the node's directory */
    const char *what;   /* one line for plan.txt */
    const char *db;     /* the database it connects to: on its node, or for the
                         * wait-publisher and slot steps on the subscription's publisher */
    Span span;          /* what in the topology caused it (for messages) */
    MSub *sub;          /* STEP_SUB_* */
    MTable *table;      /* STEP_COPY_TABLE */
    MNode *peer;        /* STEP_COL_WAIT: the subscriber waited for */
    unsigned visit;     /* plan.c: the last search that reached it */
    Vec deps;           /* Step * */
    bool soft;          /* runs once its dependencies ended, whatever their result
                         * (the enable step: what could be created is enabled) */
} Step;

typedef struct Plan {
    Vec steps;          /* Step *, a topological order, stable */
    Vec node_steps;     /* Vec * per node (index = node->index): its steps in order */
    Vec node_dirs;      /* const char * per node: directory name in the output */
    Vec promote;        /* MNode *: the standbys of subscribers that get promote.sh (run by hand) */
} Plan;

Plan *plan_build(Arena *a, Model *m);
const char *step_kind_name(StepKind k);
/* How many step kinds there are (step_kind_name takes 0 .. this - 1). */
int step_kind_count(void);
/* The one place that says which steps are SQL files. */
StepLang step_lang(StepKind k);
/* A rough duration of a step of kind k (ms), for the scheduler's priorities. */
int step_cost(StepKind k);
/* The steps keep[id - 1] selects, renumbered; dependencies on the others dropped. */
Plan *plan_subset(Arena *a, const Plan *p, const bool *keep);
/* Whether node n gets promote.sh (it is in p->promote). */
bool plan_promotes(const Plan *p, const MNode *n);

#endif
