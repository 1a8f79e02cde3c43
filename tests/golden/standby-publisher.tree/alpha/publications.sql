-- replc: step publications.sql of node 'alpha'. Generated; do not edit.
-- create 2 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- publication pt
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pt') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION pt FOR TABLE t;
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pt' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION pt IS 'replc cluster standby-publisher';
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'pt' AND NOT (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t')::oid]::oid[]) x)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pt SET TABLE t;
\set replc_changed 1
\endif

-- publication pu
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pu') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION pu FOR TABLE u;
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pu' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION pu IS 'replc cluster standby-publisher';
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'pu' AND NOT (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('u')::oid]::oid[]) x)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pu SET TABLE u;
\set replc_changed 1
\endif

-- options of publication pt
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pt' AND ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pt SET (publish = 'insert, update, delete, truncate', publish_via_partition_root = false);
\set replc_changed 1
\endif

-- options of publication pu
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'pu' AND ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION pu SET (publish = 'insert, update, delete, truncate', publish_via_partition_root = false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
