-- replc: step 07-subscribe-warehouse_from_shop1.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'warehouse_from_shop1' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'warehouse_from_shop1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION warehouse_from_shop1
    CONNECTION 'host=shop1.example port=5432 dbname=shop user=replicator'
    PUBLICATION p1
    WITH (two_phase = true, binary = true, create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
