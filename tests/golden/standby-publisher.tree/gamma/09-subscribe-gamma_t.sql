-- replc: step 09-subscribe-gamma_t.sql of node 'gamma'. Generated; do not edit.
-- create subscription 'gamma_t' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION gamma_t
    CONNECTION 'host=10.2.0.2 port=5432 dbname=repl user=postgres'
    PUBLICATION pt
    WITH (create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
