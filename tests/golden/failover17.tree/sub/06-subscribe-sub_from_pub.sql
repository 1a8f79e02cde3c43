-- replc: step 06-subscribe-sub_from_pub.sql of node 'sub'. Generated; do not edit.
-- create subscription 'sub_from_pub' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION sub_from_pub
    CONNECTION 'host=10.7.0.1 port=5432 dbname=app user=postgres'
    PUBLICATION p
    WITH (failover = true, create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
