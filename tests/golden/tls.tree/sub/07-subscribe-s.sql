-- replc: step 07-subscribe-s.sql of node 'sub'. Generated; do not edit.
-- create subscription 's' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 's' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION s
    CONNECTION 'host=10.3.0.1 port=5432 dbname=app user=postgres sslmode=require'
    PUBLICATION p
    WITH (create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
