-- replc: step 13-subscribe-from_shop4.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'from_shop4' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION from_shop4
    CONNECTION 'host=shop4.example port=5432 dbname=shop user=replicator'
    PUBLICATION p4
    WITH (copy_data = false, create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
