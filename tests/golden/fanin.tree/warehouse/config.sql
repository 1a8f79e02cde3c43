-- replc: step config.sql of node 'warehouse'. Generated; do not edit.
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

-- wal_level: PostgreSQL's default
SELECT current_setting('wal_level') = 'minimal' AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET wal_level = 'replica';
\set replc_changed 1
\endif

-- max_wal_senders: 0 subscription(s) to this node with their table-sync connections, 2 per standby (0); at least 0, 10 when the server restarts anyway
SELECT current_setting('max_wal_senders')::bigint < 10 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 0 OR current_setting('max_replication_slots')::bigint < 4 OR current_setting('max_logical_replication_workers')::bigint < 5 OR current_setting('max_worker_processes')::bigint < 6 OR current_setting('max_prepared_transactions')::bigint < 1) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_wal_senders = 10;
\set replc_changed 1
\endif

-- max_replication_slots: 0 slot(s) for subscribers and standbys, 7 replication origin(s) for this node's subscriptions; at least 4, 10 when the server restarts anyway
SELECT current_setting('max_replication_slots')::bigint < 4 OR (current_setting('max_replication_slots')::bigint < 10 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 0 OR current_setting('max_replication_slots')::bigint < 4 OR current_setting('max_logical_replication_workers')::bigint < 5 OR current_setting('max_worker_processes')::bigint < 6 OR current_setting('max_prepared_transactions')::bigint < 1)) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_replication_slots = 10;
\set replc_changed 1
\endif

-- max_logical_replication_workers: 4 apply worker(s) with their table-sync and parallel workers; at least 5, 9 when the server restarts anyway
SELECT current_setting('max_logical_replication_workers')::bigint < 5 OR (current_setting('max_logical_replication_workers')::bigint < 9 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 0 OR current_setting('max_replication_slots')::bigint < 4 OR current_setting('max_logical_replication_workers')::bigint < 5 OR current_setting('max_worker_processes')::bigint < 6 OR current_setting('max_prepared_transactions')::bigint < 1)) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_logical_replication_workers = 9;
\set replc_changed 1
\endif

-- max_worker_processes: max_logical_replication_workers + 1 (the launcher); at least 6, 10 when the server restarts anyway
SELECT current_setting('max_worker_processes')::bigint < 6 OR (current_setting('max_worker_processes')::bigint < 10 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 0 OR current_setting('max_replication_slots')::bigint < 4 OR current_setting('max_logical_replication_workers')::bigint < 5 OR current_setting('max_worker_processes')::bigint < 6 OR current_setting('max_prepared_transactions')::bigint < 1)) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_worker_processes = 10;
\set replc_changed 1
\endif

-- max_prepared_transactions: a subscription uses two_phase; at least 1, 10 when the server restarts anyway
SELECT current_setting('max_prepared_transactions')::bigint < 1 OR (current_setting('max_prepared_transactions')::bigint < 10 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 0 OR current_setting('max_replication_slots')::bigint < 4 OR current_setting('max_logical_replication_workers')::bigint < 5 OR current_setting('max_worker_processes')::bigint < 6 OR current_setting('max_prepared_transactions')::bigint < 1)) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_prepared_transactions = 10;
\set replc_changed 1
\endif

-- synchronous_standby_names: it names standbys that are no longer this node's
SELECT current_setting('synchronous_standby_names') <> '' AND (NOT EXISTS (SELECT FROM regexp_split_to_table(regexp_replace(current_setting('synchronous_standby_names'), '^\s*((FIRST|ANY)\s+)?[0-9]+\s*\(|\)\s*$', '', 'gi'), '\s*,\s*') x WHERE btrim(x, ' "') <> ALL (ARRAY['shop1', 'shop2', 'shop3', 'shop4', 'warehouse']::text[])) OR NOT EXISTS (SELECT FROM regexp_split_to_table(regexp_replace(current_setting('synchronous_standby_names'), '^\s*((FIRST|ANY)\s+)?[0-9]+\s*\(|\)\s*$', '', 'gi'), '\s*,\s*') x WHERE btrim(x, ' "') IN (SELECT application_name FROM pg_stat_replication))) AS replc_do \gset
\if :replc_do
ALTER SYSTEM RESET synchronous_standby_names;
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
