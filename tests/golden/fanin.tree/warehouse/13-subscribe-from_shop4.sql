-- replc: step 13-subscribe-from_shop4.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'from_shop4' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION from_shop4
    CONNECTION 'host=shop4.example port=5432 dbname=shop user=replicator'
    PUBLICATION p4
    WITH (copy_data = false, create_slot = false, streaming = off);
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster fanin') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION from_shop4 IS 'replc cluster fanin';
\endif
