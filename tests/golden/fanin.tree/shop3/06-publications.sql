-- replc: step 06-publications.sql of node 'shop3'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication p3
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'p3') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION p3 FOR TABLE shop3.orders;
\set replc_changed 1
\endif

SELECT to_regclass('shop3.orders') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'p3') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION p3 ADD TABLE shop3.orders;
\set replc_changed 1
\endif

-- slot of subscription warehouse_from_shop3 of node warehouse
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'warehouse_from_shop3') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('warehouse_from_shop3', 'pgoutput', false, false, false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
