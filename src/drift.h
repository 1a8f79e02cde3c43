/* drift.h: what the live servers hold that the topology does not declare
 * (the other way round is the steps' guards): subscriptions, publications,
 * tables added to a declared publication, physical slots and pg_hba.conf
 * lines recorded in replc's block. What carries this cluster's mark is
 * replc's (--prune drops it); the rest is reported and never touched. */
#ifndef REPLC_DRIFT_H
#define REPLC_DRIFT_H

#include <stdbool.h>

#include "model.h"

typedef struct DriftItem {
    const char *node;
    const char *kind;     /* "subscription", "publication", "publication table", "physical slot", "pg_hba.conf line" */
    const char *name;
    const char *detail;   /* the slot of a subscription, the publication of a table, or "" */
    bool ours;            /* carries this cluster's mark: --prune drops it */
} DriftItem;

typedef struct Drift {
    Vec items;            /* DriftItem *, by node (declaration order); within a node,
                           * replc's block of pg_hba.conf first, then its database by kind and name */
    Vec errors;           /* char *: nodes that could not be asked */
} Drift;

/* Ask every reachable primary (in a), at most timeout_ms. */
void drift_collect(Arena *a, const Model *m, Drift *d, int timeout_ms);
/* Count of items that make --status report a difference (all of them). */
int drift_count(const Drift *d);
/* One line per item, terraform-style sign first: '-' for replc's (dropped
 * with prune; without it "left in place"), '?' for what is not replc's. */
void drift_text(StrBuf *b, const Drift *d, bool prune);
/* The items as a JSON array (docs/status.md). */
void drift_json(StrBuf *b, const Drift *d);

#endif
