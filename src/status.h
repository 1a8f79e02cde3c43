/* status.h: --status's report: the steps that differ, what the servers
 * hold that the topology does not declare (drift.h), and replication
 * health (each subscription, slot and standby), as text or as one JSON
 * document (docs/status.md). Collecting talks to the servers; rendering is
 * pure, so a unit test pins the JSON byte for byte. */
#ifndef REPLC_STATUS_H
#define REPLC_STATUS_H

#include "drift.h"

typedef struct StatusStep {
    const char *node, *step, *what;
    const char *state;     /* "ok", "differs", "failed", "not run" */
} StatusStep;

typedef struct SubHealth {
    const char *node, *name;
    bool enabled, worker;
    long tables_not_ready;
    long apply_errors, sync_errors;   /* -1: not known (before PostgreSQL 15) */
    bool disabled_by_error;           /* disabled, with disable_on_error and errors counted (15+) */
} SubHealth;

typedef struct SlotHealth {
    const char *node, *name, *type;
    bool active;
    long long wal_retained;           /* bytes; -1: not known */
    const char *wal_status;           /* pg_replication_slots.wal_status: reserved, extended,
                                       * unreserved, lost; "" when not known */
    long long safe_wal_size;          /* bytes until max_slot_wal_keep_size invalidates it;
                                       * -1: no bound (unset), or not known */
} SlotHealth;

typedef struct StandbyHealth {
    const char *node;                 /* its source */
    const char *client, *application_name, *state;
    long long replay_lag;             /* bytes; -1: not known */
} StandbyHealth;

typedef struct Status {
    const char *cluster;
    bool as_described;
    Vec steps;                        /* StatusStep * */
    Drift drift;
    Vec subs, slots, standbys;        /* SubHealth *, SlotHealth *, StandbyHealth * */
    Vec errors;                       /* char *: what could not be asked */
} Status;

/* Health of every reachable node (in a), at most timeout_ms. */
void status_health(Arena *a, const Model *m, Status *st, int timeout_ms);
void status_health_text(StrBuf *b, const Status *st);
void status_json(StrBuf *b, const Status *st);

#endif
