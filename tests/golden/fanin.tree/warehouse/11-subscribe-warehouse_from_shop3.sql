-- replc: step 11-subscribe-warehouse_from_shop3.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'warehouse_from_shop3' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'warehouse_from_shop3' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION warehouse_from_shop3
    CONNECTION 'host=shop3.example port=5432 dbname=shop user=replicator'
    PUBLICATION p3
    WITH (create_slot = false, streaming = off);
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'warehouse_from_shop3' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster fanin') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION warehouse_from_shop3 IS 'replc cluster fanin';
\endif
