-- replc: step 07-publications.sql of node 'alpha'. Generated; do not edit.
-- create 2 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- publication pt
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pt') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION pt FOR TABLE t;
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pt' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION pt IS 'replc cluster standby-publisher';
\endif

SELECT to_regclass('t') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'pt') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pt ADD TABLE t;
\endif

-- publication pu
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pu') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION pu FOR TABLE u;
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pu' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION pu IS 'replc cluster standby-publisher';
\endif

SELECT to_regclass('u') NOT IN (SELECT r.prrelid FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'pu') AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pu ADD TABLE u;
\endif
