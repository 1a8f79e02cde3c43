-- replc: step 07-publications.sql of node 'otus11-2'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication publ_test2
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'publ_test2') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION publ_test2 FOR TABLE test2;
\set replc_changed 1
\endif

SELECT to_regclass('test2') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'publ_test2') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION publ_test2 ADD TABLE test2;
\set replc_changed 1
\endif

-- slot of subscription subs_test2 of node otus11-1
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'subs_test2') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('subs_test2', 'pgoutput', false, false);
\set replc_changed 1
\endif

-- slot of subscription subs3_test2 of node otus11-3
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'subs3_test2') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('subs3_test2', 'pgoutput', false, false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
