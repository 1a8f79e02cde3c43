/* model.h: the resolved topology. Names are resolved to pointers, settings
 * merged (defaults, then the node's own), and the per-node configuration
 * derived. Built by check.c and derive.c; queried through model.c; read by
 * plan.c, the emitters and --apply. */
#ifndef REPLC_MODEL_H
#define REPLC_MODEL_H

#include <stdbool.h>

#include "ast.h"

typedef struct MNode MNode;
typedef struct MTable MTable;
typedef struct MPub MPub;
typedef struct MSub MSub;

typedef enum { PW_NONE, PW_ENV, PW_FILE, PW_LITERAL } PasswordKind;

/* One derived or user-given server setting (ALTER SYSTEM). */
typedef enum {
    GUC_WAL_LEVEL,
    GUC_MAX_WAL_SENDERS,
    GUC_MAX_REPLICATION_SLOTS,
    GUC_MAX_LOGICAL_REPLICATION_WORKERS,
    GUC_MAX_WORKER_PROCESSES,
    GUC_MAX_ACTIVE_REPLICATION_ORIGINS,
    GUC_MAX_PREPARED_TRANSACTIONS,
    GUC_MAX_CONNECTIONS,
    GUC_MAX_LOCKS_PER_TRANSACTION,
    GUC_HOT_STANDBY,
    GUC_HOT_STANDBY_FEEDBACK,
    GUC_LISTEN_ADDRESSES,
    GUC_SYNCHRONOUS_STANDBY_NAMES,
    GUC_COUNT
} GucId;

typedef struct UserGuc {
    const char *name;
    const char *value;
    Span span;
} UserGuc;

/* What derive.c made of a user's 'set' of a derived setting. */
typedef enum {
    USER_NONE,          /* not set by the user */
    USER_USED,          /* set, and used */
    USER_BELOW_PEAK,    /* used, but too low for the initial copy (a warning) */
    USER_NOT_NUMBER,    /* a numeric setting that is not a whole number: ignored */
    USER_BELOW_FLOOR,   /* lower than the topology needs: ignored */
    USER_LOCAL_ONLY,    /* listen_addresses that shuts the peers out: ignored */
} UserVerdict;

typedef struct Derived {
    /* (fields ordered by size: one per setting on every node) */
    bool set;           /* emitted for this node */
    bool exact;         /* set to exactly this value (not "at least") */
    bool below_source;  /* standby: raised to its source's value */
    UserVerdict verdict; /* what derive.c made of the user's 'set' of it (below) */
    long value;         /* numeric GUCs: the value at least this */
    long floor;         /* below this the topology cannot work (steady state) */
    long peak;          /* below this the initial copy or a peak stalls */
    const char *text;   /* non-numeric GUCs (wal_level, hot_standby, listen_addresses) */
    const char *why;    /* how it was counted, for the plan and diagnostics */
    long own;           /* the value before a standby takes its source's */
    /* the user's 'set' of it, weighed by derive.c and reported by replcheck.c */
    const UserGuc *user;
    long user_value;    /* numeric: the value the user wrote */
    const char *counted; /* why the topology needs it, before the user's set */
} Derived;

typedef struct HbaLine {
    const char *type;      /* "host" */
    const char *database;  /* database name (a physical line: "replication") */
    bool physical;         /* the replication keyword, for a standby */
    const char *user;
    const char *address;   /* 10.0.0.1/32, or a host name */
    const char *method;
    const MNode *peer;     /* who it admits */
    const char *why;
} HbaLine;

typedef struct MColumn {
    const char *name;
    const char *type;
    Span type_span;
    bool not_null;
} MColumn;

struct MTable {
    const char *schema;   /* NULL: unqualified */
    const char *name;
    const char *display;  /* schema.name or name, as written */
    Vec columns;          /* MColumn * */
    Vec pkey;             /* const char *: primary key column names */
    bool has_columns;     /* false: exists on its publisher, copied from there */
    bool replica_full;
    Span span;
    int index;
};

typedef enum { STREAM_DEFAULT, STREAM_OFF, STREAM_ON, STREAM_PARALLEL } Streaming;
typedef enum { ORIGIN_DEFAULT, ORIGIN_NONE, ORIGIN_ANY } Origin;

/* Subscription options (PostgreSQL's names; subopt_name()), in name order. */
typedef enum {
    SUBOPT_BINARY, SUBOPT_CONNECT, SUBOPT_COPY_DATA, SUBOPT_CREATE_SLOT,
    SUBOPT_DISABLE_ON_ERROR, SUBOPT_ENABLED, SUBOPT_FAILOVER, SUBOPT_ORIGIN,
    SUBOPT_PASSWORD_REQUIRED, SUBOPT_RUN_AS_OWNER, SUBOPT_SLOT_NAME,
    SUBOPT_STREAMING, SUBOPT_SYNCHRONOUS_COMMIT, SUBOPT_TWO_PHASE,
    SUBOPT_COUNT
} SubOpt;

/* A subscription's options, parsed once by check.c. A value not given is
 * PostgreSQL's default (connect = false makes enabled, create_slot and
 * copy_data default to false, as PostgreSQL does), except disable_on_error:
 * true on 15+ (replc's default; stepsql.c writes it out). */
typedef struct SubOptions {
    bool given[SUBOPT_COUNT];
    Span *span;                    /* [SUBOPT_COUNT]: where each given option was written; NULL
                                    * when none is given (most subscriptions: memory) */
    unsigned char order[SUBOPT_COUNT]; /* SubOpt: the given options as written: CREATE SUBSCRIPTION's WITH list */
    int n;
    bool binary, connect, copy_data, create_slot, disable_on_error, enabled, failover,
         password_required, run_as_owner, two_phase;
    Origin origin;
    Streaming streaming;
    const char *slot_name;         /* as written; NULL: not given */
    Span slot_name_span;           /* its value */
    const char *synchronous_commit; /* as written; NULL: not given */
} SubOptions;

typedef enum {
    PUBOPT_PUBLISH, PUBOPT_PUBLISH_GENERATED_COLUMNS, PUBOPT_PUBLISH_VIA_PARTITION_ROOT,
    PUBOPT_COUNT
} PubOpt;

/* A publication's options, parsed once by check.c. */
typedef struct PubOptions {
    bool given[PUBOPT_COUNT];
    Span span[PUBOPT_COUNT];
    unsigned char order[PUBOPT_COUNT]; /* PubOpt: the given options as written: CREATE PUBLICATION's WITH list */
    int n;
    const char *publish;           /* as written ('insert, update'); NULL: not given */
    bool generated_stored;         /* publish_generated_columns = stored */
    bool via_partition_root;
} PubOptions;

struct MPub {
    const char *name;
    MNode *node;
    bool all_tables;
    Vec tables;           /* MTable * */
    const PubOptions *opt; /* shared by the publications that give no option (memory) */
    bool pub_insert, pub_update, pub_delete, pub_truncate;   /* from opt.publish */
    Span span;
};

struct MSub {
    const char *name;
    MNode *node;          /* the subscriber */
    MNode *publisher;
    Vec pubs;             /* MPub * */
    const Vec *tables;    /* MTable *: union of the publications' tables; the first
                           * publication's own list when there is one (memory); never NULL */
    SubOptions *opt;      /* shared by the subscriptions that give no option (memory):
                           * copy it before changing it (derive.c) */
    const char *slot;     /* effective slot name on the publisher; NULL for slot_name = NONE */
    bool precreate_slot;  /* the slot is made before CREATE SUBSCRIPTION (create_slot = false there):
                           * by the publisher, or by the subscriber when the publisher is a standby */
    bool copy_data;       /* an initial copy happens: copy_data and connect */
    bool origin_none;     /* opt.origin == ORIGIN_NONE */
    Span span;
    unsigned name_start, name_end; /* its name, or the publisher's when not named, in span's
                                    * file: sub_name_span() (8 bytes, not a Span: MSub 104 -> 96) */
};

typedef struct StandbyInfo {
    MNode *source;
    const char *slot;
    bool sync;
    const char *delay;
    bool force;
    Span span;
} StandbyInfo;

/* A node's settings that most nodes have the same, merged. Nodes with the same
 * share one (most take them all from the defaults): one pointer in MNode, not
 * 136 bytes. cluster and cluster_nodes are the model's, set at the end of
 * check_program_ex. */
typedef struct NodeConf {
    const char *cluster;  /* the model's cluster name (ownership marks) */
    const Vec *cluster_nodes; /* every node of the cluster (MNode *) */
    const char *database;
    const char *user;
    const char *pw_value; /* env name or file path; never a literal's text */
    const char *ssh;      /* the 'ssh' setting, "user@host[:port]" or "local"; NULL when not given:
                           * MODEL_SSH_USER "@" host, made when used (model_ssh; memory) */
    const char *repl_user;   /* replication_user: the role subscriptions and standbys connect to
                              * it as (replc creates it); NULL: they connect as 'user' */
    PasswordKind pw_kind;
    Span repl_span;       /* where replication_user is given */
    const char *pw_literal; /* a literal password: only --apply's connections use it */
    const char *pgdata;
    const char *bindir;
    const char *service;  /* "auto", "pg_ctl" or a restart command */
    const char *sslmode;  /* libpq's sslmode for connections to it; NULL: libpq's default */
    const char *repl_pw_env; /* replication_password env NAME: NAME; NULL: not given */
    Vec user_gucs;        /* UserGuc *: the node's own (never shared when it has any) */
} NodeConf;

struct MNode {
    const char *name;
    const Vec *server_nodes;  /* the nodes on its server (same host and port), itself too (model_group_servers);
                               * empty when it is alone there; NULL: not grouped yet */
    Span span;
    int index;
    /* settings, merged (the ints side by side: no padding, memory) */
    int port;
    int version;
    const char *host;
    const NodeConf *conf; /* its settings that most nodes have the same, shared by the nodes that have
                           * the same (memory) */
    /* topology */
    Vec pubs;             /* MPub * on this node */
    Vec subs;             /* MSub * on this node */
    Vec subscribers;      /* MSub * whose publisher is this node */
    StandbyInfo *standby; /* non-NULL: this node is a physical standby */
    Vec *standbys;        /* MNode *: standbys streaming from this node; NULL: none (most nodes;
                           * vec_count(), memory) */
    Vec tables;           /* MTable * to create here, in declaration order */
    /* derived: GUC_COUNT of them, made by derive_settings (not before:
     * the model's biggest part, left out while the syntax tree is alive);
     * with Model.check_only, NULL for a node that sets nothing and is no
     * source of one that does */
    Derived *guc;
    Vec *hba;             /* HbaLine *; NULL: none (--check makes none; vec_count(), memory) */
};

typedef struct Model {
    const char *cluster;
    Vec nodes;            /* MNode *, declaration order */
    Vec tables;           /* MTable *, declaration order */
    bool prune;           /* --prune: each node gets a prune step (plan.c) */
    bool check_only;      /* --check: only diagnostics are wanted; derive_settings makes no
                           * pg_hba.conf lines and derives only what a check reads (MNode.guc) */
} Model;

const char *guc_name(GucId id);
/* max_connections and the other settings a standby may not have lower than
 * its primary (REPLICATION.md 1.4) */
bool guc_standby_floor(GucId id);
bool guc_is_numeric(GucId id);
/* A change of it takes effect only at a server restart (context postmaster). */
bool guc_needs_restart(GucId id);
const MNode *model_find_node(const Model *m, const char *name);
/* The node whose session holds the cluster lock for n's server: the first
 * node of the topology with n's host and port. */
const MNode *model_lock_node(const Model *m, const MNode *n);
/* Its sslmode is require or stricter: its server admits peers with hostssl lines only. */
bool model_ssl_required(const MNode *n);
/* s with every char outside [a-z0-9_] made '_' (default object names): s
 * itself when it has none (so s must live as long as the result). */
const char *model_ident(Arena *a, const char *s);
/* The connection string peers use to reach node n (no password, ever):
 * host, port, dbname (when given), user, passfile, sslmode (when set),
 * application_name (when given). */
void model_conninfo(StrBuf *b, const MNode *n, const char *dbname, const char *appname);
/* Where node n's shell steps run: its 'ssh' setting, or MODEL_SSH_USER@host
 * when none is given, appended to b. model_ssh_local: 'ssh local'. */
#define MODEL_SSH_USER "postgres"
void model_ssh(StrBuf *b, const MNode *n);
bool model_ssh_local(const MNode *n);
/* The role subscriptions and standbys connect to n as: its replication_user,
 * else its user. */
const char *model_repl_user(const MNode *n);
/* The connection string of subscriptions and standbys to n: as
 * model_conninfo, but as model_repl_user(n), whose password ~/.pgpass holds
 * (no passfile). */
void model_repl_conninfo(StrBuf *b, const MNode *n, const char *dbname, const char *appname);
const char *subopt_name(SubOpt o);
/* A boolean option's value (false for the options that are not booleans). */
bool subopt_bool(const SubOptions *o, SubOpt id);
const char *pubopt_name(PubOpt o);
/* What of a row change publication p publishes that needs a replica
 * identity: "updates and deletes", "updates", "deletes", or NULL. */
const char *model_pub_changes(const MPub *p);
/* The primary at the top of a node's chain of standbys (the node itself for a primary). */
MNode *model_chain_root(const MNode *n);
/* Every standby streaming from n, directly or through other standbys, in a
 * stable order (depth first, declaration order). */
void model_standbys_below(Arena *a, const MNode *n, Vec *out);
/* Every node, each standby after its source (else in declaration order):
 * the order settings are derived and checked in. */
void model_sources_first(Arena *a, const Model *m, Vec *out);
/* Columns added to a declared table go to the subscribers first, then to
 * the publisher (PostgreSQL's order). The nodes that receive a declared
 * table from primary pub (directly or through one of its standbys), each
 * once, in declaration order. */
void model_column_subscribers(Arena *a, const MNode *pub, Vec *out);
/* t is declared and some other node receives it from pub: pub adds its
 * columns in its columns step, after the subscribers (wait-columns). */
bool model_defers_columns(Arena *a, const MNode *pub, const MTable *t);
/* The declared tables (MTable *) that sub_node receives from pub, each once. */
void model_received_tables(Arena *a, const MNode *pub, const MNode *sub_node, Vec *out);
/* The peers whose servers n's scripts connect to (the ~/.pgpass lines it
 * needs), each once, in a stable order. */
void model_peers(Arena *a, const MNode *n, Vec *out);
/* The replication roles primary p's server holds for peers (read-only
 * standbys get theirs from it): the nodes among p and the standbys below it
 * that have a replication_user and peers, one per role name. */
void model_primary_roles(Arena *a, const MNode *p, Vec *out);
/* The peers whose replication role n's server connects as (its
 * subscriptions, its standby's walreceiver and pg_basebackup, promote.sh's
 * subscriptions): those with a replication_user and its password, each once. */
void model_repl_peers(Arena *a, const MNode *n, Vec *out);
/* The primary whose database holds the publications of s: its publisher, or
 * the top of the publisher's chain when the publisher is a standby (16+). */
MNode *sub_primary(const MSub *s);
/* Where subscription s is named: its name, or its publisher's when it
 * has the default name. */
Span sub_name_span(const MSub *s);
/* The database a subscription connects to on its publisher. */
const char *sub_dbname(const MSub *s);
/* The slot a promoted standby's copy of subscription s uses (promote.sh):
 * the original one, taken over once the old subscriber is gone. */
const char *model_promoted_slot(Arena *a, const MSub *s, const MNode *standby);
/* The ownership mark replc puts on what it makes for a cluster (the
 * COMMENT of its publications and subscriptions): "replc cluster NAME". */
const char *model_mark(Arena *a, const char *cluster);
/* The mark of subscription sub: model_mark, and when the topology declares
 * it disabled (enabled = false, connect = true), "; declared disabled" after
 * it. So the next run can tell a subscription the topology disabled (enabled
 * again once enabled = false leaves the file) from one someone else disabled
 * (left disabled). What looks for the mark takes both (sql_marked). */
const char *model_sub_mark(Arena *a, const MSub *sub);
/* The suffix of a disabled subscription's mark, after model_mark (also
 * written out in src/sh/prune.sh). */
#define MODEL_MARK_DISABLED "; declared disabled"
/* Whether sub is created disabled and enabled by its node's enable step
 * together with the node's other new subscriptions: up to PostgreSQL 15 the
 * launcher starts workers in one pass at most every wal_retrieve_retry_interval
 * (16 keeps that interval per subscription). When the node has two or more
 * subscriptions that run (connect and enabled). */
bool model_sub_enable_later(const MSub *sub);
/* The slots replc makes on node n's server (every node on it, see
 * model_server_nodes) and records in its block of pg_hba.conf
 * ('# slot NAME'): its standbys' physical slots, then its subscribers'
 * logical slots. A recorded slot no longer in this list is --prune's. */
void model_recorded_slots(Arena *a, const MNode *n, Vec *out);
/* The nodes of the cluster on n's server (same host and port; n among them,
 * in declaration order): they share its pg_hba.conf and its slots. */
void model_server_nodes(Arena *a, const MNode *n, Vec *out);
/* Group the nodes by server (host and port) once: each node's server_nodes. */
void model_group_servers(Arena *a, Model *m);
/* The pg_hba.conf lines derived for n's server: those of every node on it. */
void model_server_hba(Arena *a, const MNode *n, Vec *out);
/* A derived pg_hba.conf line as replc writes it (names quoted for the file). */
void model_hba_line(StrBuf *b, const HbaLine *h);

#endif
