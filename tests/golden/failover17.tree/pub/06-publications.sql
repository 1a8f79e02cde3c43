-- replc: step 06-publications.sql of node 'pub'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication p
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'p') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION p FOR TABLE items;
\set replc_changed 1
\endif

SELECT to_regclass('items') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'p') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION p ADD TABLE items;
\set replc_changed 1
\endif

-- slot of subscription sub_from_pub of node sub
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'sub_from_pub') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('sub_from_pub', 'pgoutput', false, false, true);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
