-- replc: step 06-publications.sql of node 'shop2'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication p2
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'p2') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION p2 FOR TABLE shop2.orders WITH (publish = 'insert, update');
\set replc_changed 1
\endif

SELECT to_regclass('shop2.orders') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'p2') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION p2 ADD TABLE shop2.orders;
\set replc_changed 1
\endif

-- slot of subscription warehouse_from_shop2 of node warehouse
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'warehouse_from_shop2') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('warehouse_from_shop2', 'pgoutput', false, false, false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
