/* explain.c: what each diagnostic code means and how to fix it. */
#include "explain.h"

#include <string.h>

static const struct {
    const char *code;
    const char *text;
} entries[] = {
    {"syntax",
     "The file does not follow the grammar of the topology language (LANGUAGE.md).\n"
     "The message says what was expected and what was found. Simple statements end\n"
     "with ';'; blocks { ... } take no ';' after them; paths, addresses and other\n"
     "text with dots or slashes are written as strings: host \"10.0.0.1\";\n"},
    {"lexical",
     "A character or string that the language does not allow: an unterminated\n"
     "string (strings may not span lines), an unknown escape (only \\\" and \\\\),\n"
     "a name starting with a digit, or a stray character. Quote it as a string.\n"},
    {"include-missing",
     "An include names a file that cannot be read. Paths are relative to the\n"
     "file that contains the include.\n"},
    {"include-cycle",
     "Files include each other in a circle. Each file is read once; a cycle means\n"
     "the topology has no beginning. Remove one of the includes.\n"},
    {"duplicate-cluster", "The file names the cluster twice with different names. Keep one 'cluster' statement.\n"},
    {"unknown-setting",
     "A key that is not a setting. Settings are host, port, database, user,\n"
     "password, version, pgdata, bindir, ssh and service. PostgreSQL server\n"
     "settings are written 'set NAME = VALUE;'. The hint suggests the closest key.\n"},
    {"duplicate-setting", "A setting is given twice in one block. The second would silently win; remove one.\n"},
    {"bad-value",
     "A setting or option has a value of the wrong kind (a number where a name is\n"
     "needed, a version outside 10-18, a relative path, an option value that\n"
     "PostgreSQL does not accept).\n"},
    {"duplicate-node", "Two nodes have the same name. Node names identify servers; rename one.\n"},
    {"duplicate-table", "A table is declared twice, or listed twice in one publication.\n"},
    {"duplicate-column", "A table declares the same column twice.\n"},
    {"duplicate-primary-key", "A table has a primary key twice (on a column and as 'primary key (...)', or twice).\n"},
    {"unknown-column", "'primary key (...)' names a column the table does not declare.\n"},
    {"bad-type",
     "A column type may hold only letters, digits, '_', spaces, parentheses,\n"
     "commas and brackets (varchar(20), numeric(10,2), int[]): it is copied into\n"
     "CREATE TABLE, so anything else is refused.\n"},
    {"duplicate-publication", "A node declares two publications with the same name; PostgreSQL would refuse the second.\n"},
    {"duplicate-subscription", "A node declares two subscriptions with the same name (perhaps two unnamed\nsubscriptions to the same node). Name them.\n"},
    {"duplicate-option", "An option is given twice in one 'with (...)'.\n"},
    {"duplicate-standby", "A node says 'standby from' twice; a standby streams from one source.\n"},
    {"unknown-node", "A subscription or standby names a node that is not declared.\n"},
    {"unknown-publication",
     "A subscription names a publication that its publisher does not declare.\n"
     "PostgreSQL only warns at CREATE SUBSCRIPTION; then, up to version 17, the\n"
     "subscription fails at the first change and creating the publication later\n"
     "does not cure it. Declare the publication on the publisher node.\n"},
    {"unknown-table", "A publication names a table that is not declared with 'table'.\n"},
    {"unknown-option", "An option that PostgreSQL does not have for a publication, subscription or\nstandby. The hint suggests the closest one.\n"},
    {"self-subscription", "A node subscribes to itself. Subscriptions copy between servers.\n"},
    {"standby-cycle", "Standbys stream from each other in a circle, so no chain ends at a primary.\nThe message prints the cycle as a path.\n"},
    {"standby-replicates",
     "A standby is read-only and replays everything its source does: its own\n"
     "publish or subscribe could never run. Declare them on the source.\n"},
    {"name-line-break", "A name holds a carriage return or line feed. Such a name could break out of a\ncomment or a line in a generated file, so it is refused.\n"},
    {"name-too-long",
     "PostgreSQL keeps at most 63 bytes of a name and silently cuts the rest, so\n"
     "two long names with the same beginning would become one. Shorten it.\n"},
    {"missing-pgdata", "No longer reported. A standby without 'pgdata' compiles: its scripts find the\n"
                       "data directory at run time (the running server's, else the Debian cluster\n"
                       "of its 'version'), and stop with a message asking for 'pgdata' when\n"
                       "neither tells.\n"},
    {"subscribe-to-standby",
     "A subscription whose publisher is a physical standby. Below PostgreSQL 16 a\n"
     "standby cannot decode WAL (\"logical decoding cannot be used while in\n"
     "recovery\"): subscribe to the primary. From 16 it can, and replc sets it up:\n"
     "wal_level = logical on the standby (its primary publishes, so it has it too),\n"
     "hot_standby_feedback = on up the chain, the publications of the primary, and\n"
     "a step on the subscriber that makes the slot on the standby while asking the\n"
     "primary to log standby snapshots (pg_log_standby_snapshot()); without one an\n"
     "idle primary leaves the slot, and each table-sync slot, waiting for ever.\n"
     "Refused on 16+: 'create_slot = true' (CREATE SUBSCRIPTION would make the slot\n"
     "and wait) and 'failover = true' (a slot made on a standby cannot fail over).\n"},
    {"replica-identity",
     "A table without a primary key is in a publication that publishes UPDATE or\n"
     "DELETE. Once it is published, PostgreSQL refuses those statements on the\n"
     "publisher itself: \"cannot update table ... because it does not have a\n"
     "replica identity and publishes updates\". Ways out: give the table a\n"
     "primary key; declare it 'replica identity full' (costly); or publish only\n"
     "inserts: with (publish = 'insert').\n"},
    {"replica-identity-full",
     "With replica identity full every UPDATE and DELETE writes the whole old row\n"
     "to WAL, and each subscriber finds the row by comparing all columns: a full\n"
     "scan per row unless an index fits (btree from 16, hash from 17). Columns\n"
     "whose types have no equality operator cannot be applied at all.\n"},
    {"logical-cycle",
     "Subscriptions form a cycle that carries the same table (A -> B -> A).\n"
     "Below PostgreSQL 16 a change applied by a subscription is published again:\n"
     "without a key one inserted row becomes dozens within seconds; with a key\n"
     "the apply stops on a duplicate key and every later change waits. From 16,\n"
     "'origin = none' on every subscription of the cycle stops the echo, but the\n"
     "publisher must be 16 or later too (an older one ignores the option).\n"},
    {"origin-copy-data",
     "A subscription with origin = none copies the table's existing rows, but its\n"
     "publisher also receives that table by subscription. The initial copy cannot\n"
     "tell where rows came from. Create the second direction with copy_data = false.\n"},
    {"several-writers",
     "The same table is written in more than one place: delivered to a node by two\n"
     "subscriptions, or written on a node that also receives it. PostgreSQL has no\n"
     "conflict resolution: equal keys stop the apply (\"duplicate key value\").\n"},
    {"slot-name",
     "Replication slot names may hold only lower-case letters, digits and '_'. A\n"
     "subscription's slot is named after the subscription unless slot_name says\n"
     "otherwise, so 'Subs' or 'subs-x' fail at CREATE SUBSCRIPTION (\"contains\n"
     "invalid character\"). Add with (slot_name = subs_x).\n"},
    {"slot-collision",
     "Two subscriptions or standbys would use the same replication slot on one\n"
     "publisher. Slots are per server, so the second fails with \"replication slot\n"
     "... already exists\". Give one a different slot_name (or slot for a standby).\n"},
    {"version-too-old",
     "An option that the node's PostgreSQL version does not have: origin,\n"
     "password_required, run_as_owner and streaming = parallel need 16; two_phase\n"
     "and disable_on_error 15; binary and streaming 14; failover 17;\n"
     "publish_generated_columns 18. The server would reject it.\n"},
    {"publisher-ignores-option",
     "The subscriber asks for something its publisher's version does not know\n"
     "(origin below 16, streaming = parallel below 16, two_phase below 15, binary\n"
     "below 14). The publisher silently goes on without it.\n"},
    {"standby-version", "A standby must run the same major version as its source: physical\nreplication copies data files.\n"},
    {"standby-of-subscriber",
     "A standby of a node that has subscriptions carries copies of them. Promoted,\n"
     "it would start apply workers on the same slots as the original (\"replication\n"
     "slot ... is active for PID ...\"), or silently take them over. replc sets\n"
     "max_logical_replication_workers = 0 on such a standby.\n"},
    {"capacity",
     "A server setting given with 'set' is lower than the topology needs: slots,\n"
     "WAL senders, logical replication workers, worker processes or origins. The\n"
     "hint shows how the need was counted (REPLICATION.md 1.2-1.4). A standby's\n"
     "max_connections, max_prepared_transactions, max_locks_per_transaction,\n"
     "max_wal_senders and max_worker_processes may not be lower than its source's.\n"},
    {"capacity-peak",
     "A server setting given with 'set' covers steady replication but not the\n"
     "initial copy: each table-sync worker needs its own slot, WAL sender and\n"
     "worker while it copies. The copy then waits for free ones, or stalls.\n"},
    {"slot-name-none",
     "slot_name = NONE creates a subscription without a slot; PostgreSQL requires\n"
     "enabled = false and create_slot = false with it.\n"},
    {"failover-two-phase",
     "PostgreSQL 17 rejects a subscription with both failover = true and\n"
     "two_phase = true (recent 17 minor releases); 18 allows the combination.\n"},
    {"listen-addresses",
     "A node that peers connect to listens only on the loopback interface, so\n"
     "subscribers and standbys cannot reach it (\"Connection refused\").\n"},
    {"standby-sync-unsupported",
     "A standby says sync = true, but replc does not write synchronous_standby_names\n"
     "yet: setting it on the source before the standby streams would make every\n"
     "commit on the source wait. The standby streams asynchronously; set the\n"
     "source's synchronous_standby_names to the standby's name once it streams.\n"},
    {"literal-password",
     "The password is written in the topology file. Write 'password env NAME;'\n"
     "and set NAME when applying. Generated scripts never contain a password; for\n"
     "a literal they read it from PGPASSWORD.\n"},
};

const char *explain_text(const char *code)
{
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        if (strcmp(entries[i].code, code) == 0)
            return entries[i].text;
    return NULL;
}

const char *const *explain_codes(void)
{
    static const char *codes[sizeof entries / sizeof entries[0] + 1];
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        codes[i] = entries[i].code;
    return codes;
}
