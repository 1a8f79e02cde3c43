-- replc: step config.sql of node 'primary'. Generated; do not edit.
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

-- wal_level: the node has standbys
SELECT current_setting('wal_level') = 'minimal' AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET wal_level = 'replica';
\set replc_changed 1
\endif

-- max_wal_senders: 0 subscription(s) to this node with their table-sync connections, 2 per standby (1); at least 1, 10 when the server restarts anyway
SELECT current_setting('max_wal_senders')::bigint < 1 OR (current_setting('max_wal_senders')::bigint < 10 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 1 OR current_setting('max_replication_slots')::bigint < 1 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('max_connections')::bigint < 300 OR current_setting('listen_addresses') <> '*')) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_wal_senders = 10;
\set replc_changed 1
\endif

-- max_replication_slots: 1 slot(s) for subscribers and standbys, 0 replication origin(s) for this node's subscriptions; at least 1, 10 when the server restarts anyway
SELECT current_setting('max_replication_slots')::bigint < 1 OR (current_setting('max_replication_slots')::bigint < 10 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 1 OR current_setting('max_replication_slots')::bigint < 1 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('max_connections')::bigint < 300 OR current_setting('listen_addresses') <> '*')) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_replication_slots = 10;
\set replc_changed 1
\endif

-- max_logical_replication_workers: 0 apply worker(s) with their table-sync and parallel workers; at least 0, 4 when the server restarts anyway
SELECT current_setting('max_logical_replication_workers')::bigint < 4 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 1 OR current_setting('max_replication_slots')::bigint < 1 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('max_connections')::bigint < 300 OR current_setting('listen_addresses') <> '*') AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_logical_replication_workers = 4;
\set replc_changed 1
\endif

-- max_worker_processes: max_logical_replication_workers + 1 (the launcher); at least 1, 8 when the server restarts anyway
SELECT current_setting('max_worker_processes')::bigint < 1 OR (current_setting('max_worker_processes')::bigint < 8 AND (current_setting('wal_level') = 'minimal' OR current_setting('max_wal_senders')::bigint < 1 OR current_setting('max_replication_slots')::bigint < 1 OR current_setting('max_logical_replication_workers')::bigint < 0 OR current_setting('max_worker_processes')::bigint < 1 OR current_setting('max_connections')::bigint < 300 OR current_setting('listen_addresses') <> '*')) AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_worker_processes = 8;
\set replc_changed 1
\endif

-- max_connections: set in the topology
SELECT current_setting('max_connections')::bigint < 300 AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET max_connections = 300;
\set replc_changed 1
\endif

SELECT current_setting('max_connections')::bigint > 300 AS replc_do \gset
\if :replc_do
\echo 'notice: max_connections is higher on the server than the topology''s 300; replc never lowers a setting: lower it by hand (ALTER SYSTEM SET max_connections = 300, then restart)'
\endif

-- listen_addresses: peers connect to this node
SELECT current_setting('listen_addresses') <> '*' AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET listen_addresses = '*';
\set replc_changed 1
\endif

-- synchronous_standby_names: it names standbys that are no longer this node's
SELECT current_setting('synchronous_standby_names') <> '' AND (NOT EXISTS (SELECT FROM regexp_split_to_table(regexp_replace(current_setting('synchronous_standby_names'), '^\s*((FIRST|ANY)\s+)?[0-9]+\s*\(|\)\s*$', '', 'gi'), '\s*,\s*') x WHERE btrim(x, ' "') <> ALL (ARRAY['primary', 's1', 's2', 's3']::text[]))) AS replc_do \gset
\if :replc_do
ALTER SYSTEM RESET synchronous_standby_names;
\set replc_changed 1
\endif

-- shared_buffers: set in the topology
SELECT NOT (EXISTS (SELECT FROM pg_settings WHERE name = 'shared_buffers' AND CASE WHEN vartype IN ('integer', 'real') THEN setting::numeric * coalesce(nullif(substring(unit from '^[0-9]+'), '')::numeric, 1) * CASE substring(unit from '[A-Za-z]+$') WHEN 'B' THEN 1 WHEN 'kB' THEN 1024 WHEN 'MB' THEN 1048576 WHEN 'GB' THEN 1073741824 WHEN 'TB' THEN 1099511627776 WHEN 'us' THEN 0.001 WHEN 'ms' THEN 1 WHEN 's' THEN 1000 WHEN 'min' THEN 60000 WHEN 'h' THEN 3600000 WHEN 'd' THEN 86400000 ELSE 1 END = 1 * 1073741824 WHEN vartype = 'enum' THEN lower(setting) = lower('1GB') ELSE setting = '1GB' END) OR current_setting('shared_buffers', true) = '1GB') AS replc_do \gset
\if :replc_do
ALTER SYSTEM SET shared_buffers = '1GB';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
