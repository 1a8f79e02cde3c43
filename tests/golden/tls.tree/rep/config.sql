-- replc: step config.sql of node 'rep'. Generated; do not edit.
-- raise server settings to the derived values (ALTER SYSTEM)
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';
-- Each setting is raised to at least what replication needs; a higher value is kept
-- (reported when the topology sets it lower). Room for more parallel initial
-- copies is added only when the server restarts anyway.
-- The restart step reloads the configuration and restarts when one needs it.

-- wal_level: the same as its source 'pub'
SELECT current_setting('wal_level') <> 'logical' AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET wal_level = 'logical';
\set replc_changed 1
\endif

-- max_wal_senders: 0 subscription(s) to this node with their table-sync connections, 2 per standby (0); at least 2, 10 when the server restarts anyway
SELECT current_setting('max_wal_senders')::bigint < 2 OR (current_setting('max_wal_senders')::bigint < 10 AND (current_setting('wal_level') <> 'logical' OR current_setting('max_wal_senders')::bigint < 2 OR current_setting('max_replication_slots')::bigint < 0 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('hot_standby') <> 'on')) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_wal_senders = 10;
\set replc_changed 1
\endif

-- max_replication_slots: 0 slot(s) for subscribers and standbys, 0 replication origin(s) for this node's subscriptions; at least 0, 10 when the server restarts anyway
SELECT current_setting('max_replication_slots')::bigint < 10 AND (current_setting('wal_level') <> 'logical' OR current_setting('max_wal_senders')::bigint < 2 OR current_setting('max_replication_slots')::bigint < 0 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('hot_standby') <> 'on') AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_replication_slots = 10;
\set replc_changed 1
\endif

-- max_logical_replication_workers: 0 apply worker(s) with their table-sync and parallel workers; at least 0, 4 when the server restarts anyway
SELECT current_setting('max_logical_replication_workers')::bigint < 4 AND (current_setting('wal_level') <> 'logical' OR current_setting('max_wal_senders')::bigint < 2 OR current_setting('max_replication_slots')::bigint < 0 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('hot_standby') <> 'on') AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_logical_replication_workers = 4;
\set replc_changed 1
\endif

-- max_worker_processes: max_logical_replication_workers + 1 (the launcher); at least 1, 8 when the server restarts anyway
SELECT current_setting('max_worker_processes')::bigint < 1 OR (current_setting('max_worker_processes')::bigint < 8 AND (current_setting('wal_level') <> 'logical' OR current_setting('max_wal_senders')::bigint < 2 OR current_setting('max_replication_slots')::bigint < 0 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('hot_standby') <> 'on')) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_worker_processes = 8;
\set replc_changed 1
\endif

-- hot_standby: the node is a hot standby
SELECT current_setting('hot_standby') <> 'on' AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET hot_standby = 'on';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
