-- replc: step 08-subscribe-delta_tu.sql of node 'delta'. Generated; do not edit.
-- create subscription 'delta_tu' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION delta_tu
    CONNECTION 'host=10.2.0.3 port=5432 dbname=repl user=postgres'
    PUBLICATION pt, pu
    WITH (streaming = 'parallel', create_slot = false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
