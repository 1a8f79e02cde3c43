-- replc: step 11-subscribe-warehouse_from_shop3.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'warehouse_from_shop3' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'warehouse_from_shop3' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION warehouse_from_shop3
    CONNECTION 'host=shop3.example port=5432 dbname=shop user=replicator'
    PUBLICATION p3
    WITH (create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
