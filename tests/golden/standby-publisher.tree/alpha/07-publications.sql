-- replc: step 07-publications.sql of node 'alpha'. Generated; do not edit.
-- create 2 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication pt
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pt') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION pt FOR TABLE t;
\set replc_changed 1
\endif

SELECT to_regclass('t') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'pt') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pt ADD TABLE t;
\set replc_changed 1
\endif

-- publication pu
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pu') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION pu FOR TABLE u;
\set replc_changed 1
\endif

SELECT to_regclass('u') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'pu') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pu ADD TABLE u;
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
