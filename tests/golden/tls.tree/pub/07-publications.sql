-- replc: step 07-publications.sql of node 'pub'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication p
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'p') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION p FOR TABLE t;
\set replc_changed 1
\endif

SELECT to_regclass('t') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'p') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION p ADD TABLE t;
\set replc_changed 1
\endif

-- slot of subscription s of node sub
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 's') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('s', 'pgoutput', false, false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
