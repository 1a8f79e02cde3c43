-- replc: step subscribe.warehouse_from_shop2.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'warehouse_from_shop2' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION warehouse_from_shop2
    CONNECTION 'host=shop2.example port=5432 dbname=shop user=replicator'
    PUBLICATION p2
    WITH (streaming = 'parallel', create_slot = false, disable_on_error = true);
\set replc_changed 1
\endif

-- subscription warehouse_from_shop2: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=shop2.example port=5432 dbname=shop user=replicator')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION warehouse_from_shop2 CONNECTION 'host=shop2.example port=5432 dbname=shop user=replicator';
\set replc_changed 1
\endif

-- subscription warehouse_from_shop2: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['p2']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION warehouse_from_shop2 SET PUBLICATION p2 WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> true)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION warehouse_from_shop2 SET (disable_on_error = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> 'p')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION warehouse_from_shop2 SET (streaming = 'parallel');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND s.subdisableonerr AND EXISTS (SELECT FROM pg_stat_subscription_stats t WHERE t.subid = s.oid AND t.apply_error_count + t.sync_error_count > 0))) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription warehouse_from_shop2 was disabled after an error (disable_on_error); replc leaves it disabled: find the error in the server log, fix its cause, then ALTER SUBSCRIPTION warehouse_from_shop2 ENABLE'
\endif

-- subscription warehouse_from_shop2: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('shop2.orders')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION warehouse_from_shop2 REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster fanin') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION warehouse_from_shop2 IS 'replc cluster fanin';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
