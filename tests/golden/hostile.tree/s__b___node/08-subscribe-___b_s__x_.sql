-- replc: step 08-subscribe-___b_s__x_.sql of node 'süb \ node'. Generated; do not edit.
-- create subscription 'Süb's "x"' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION "Süb's ""x"""
    CONNECTION E'host=10.9.0.1 port=5432 dbname=''db name\\''; DROP DATABASE x; --'' user=''us\\\\er$(id)`id`'''
    PUBLICATION "Pub $1; --"
    WITH (slot_name = 'sub_slot', synchronous_commit = 'off''; --', create_slot = false, streaming = off);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
