-- replc: step 09-subscribe-subs_test2.sql of node 'otus11-1'. Generated; do not edit.
-- create subscription 'subs_test2' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION subs_test2
    CONNECTION 'host=192.168.56.12 port=5432 dbname=repl user=postgres'
    PUBLICATION publ_test2
    WITH (create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
