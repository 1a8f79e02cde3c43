-- replc: step publications.sql of node 'pub'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- publication p
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'p') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION p FOR TABLE t;
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'p' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster tls') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION p IS 'replc cluster tls';
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'p' AND NOT (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t')::oid]::oid[]) x)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION p SET TABLE t;
\set replc_changed 1
\endif

-- options of publication p
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'p' AND ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION p SET (publish = 'insert, update, delete, truncate', publish_via_partition_root = false);
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
