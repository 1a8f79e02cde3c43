-- replc: step 06-publications.sql of node 'pub'; rm -rf / #'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication Pub $1; --
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'Pub $1; --') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION "Pub $1; --" FOR TABLE "Sch""ema"."ta ble;--", abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk;
\set replc_changed 1
\endif

SELECT to_regclass('"Sch""ema"."ta ble;--"') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'Pub $1; --') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION "Pub $1; --" ADD TABLE "Sch""ema"."ta ble;--";
\set replc_changed 1
\endif

SELECT to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'Pub $1; --') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION "Pub $1; --" ADD TABLE abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk;
\set replc_changed 1
\endif

-- slot of subscription Süb's "x" of node süb \ node
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'sub_slot') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('sub_slot', 'pgoutput', false, false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
