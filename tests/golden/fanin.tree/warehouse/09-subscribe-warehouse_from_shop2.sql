-- replc: step 09-subscribe-warehouse_from_shop2.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'warehouse_from_shop2' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'warehouse_from_shop2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION warehouse_from_shop2
    CONNECTION 'host=shop2.example port=5432 dbname=shop user=replicator'
    PUBLICATION p2
    WITH (streaming = 'parallel', create_slot = false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
