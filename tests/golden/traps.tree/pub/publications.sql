-- replc: step publications.sql of node 'pub'. Generated; do not edit.
-- create 3 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- publication everything: tables without a replica identity are refused
SELECT (CASE WHEN NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'everything' AND p.puballtables AND NOT ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) THEN (SELECT coalesce(string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid::regclass::text), '') FROM pg_class c WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND c.oid >= 16384 AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')) AND NOT (c.relreplident = 'f' OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisreplident OR (c.relreplident = 'd' AND i.indisprimary))))) ELSE '' END) <> '' AS replc_do \gset
\if :replc_do
DO 'DECLARE tabs text; BEGIN tabs := CASE WHEN NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = ''everything'' AND p.puballtables AND NOT ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) THEN (SELECT coalesce(string_agg(c.oid::regclass::text, '', '' ORDER BY c.oid::regclass::text), '''') FROM pg_class c WHERE c.relkind = ''r'' AND c.relpersistence = ''p'' AND c.oid >= 16384 AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN (''pg_catalog'', ''information_schema'')) AND NOT (c.relreplident = ''f'' OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisreplident OR (c.relreplident = ''d'' AND i.indisprimary))))) ELSE '''' END; RAISE EXCEPTION ''node ''''%'''': publication ''''%'''' publishes updates and deletes, but table(s) without a replica identity would be in it: %; UPDATE and DELETE on them would fail'', ''pub'', ''everything'', tabs USING HINT = ''Give each table a primary key, or ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX), or publish only inserts: with (publish = ''''insert'''').''; END';
\set replc_changed 1
\endif

-- publication some: tables without a replica identity are refused
SELECT (CASE WHEN NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'some' AND (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('legacy.audit')::oid]::oid[]) x) AND NOT ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) THEN (SELECT coalesce(string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid::regclass::text), '') FROM pg_class c WHERE c.oid IN (to_regclass('legacy.audit')) AND NOT (c.relreplident = 'f' OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisreplident OR (c.relreplident = 'd' AND i.indisprimary))))) ELSE '' END) <> '' AS replc_do \gset
\if :replc_do
DO 'DECLARE tabs text; BEGIN tabs := CASE WHEN NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = ''some'' AND (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), ''{}'') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), ''{}'') FROM unnest(ARRAY[to_regclass(''legacy.audit'')::oid]::oid[]) x) AND NOT ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) THEN (SELECT coalesce(string_agg(c.oid::regclass::text, '', '' ORDER BY c.oid::regclass::text), '''') FROM pg_class c WHERE c.oid IN (to_regclass(''legacy.audit'')) AND NOT (c.relreplident = ''f'' OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisreplident OR (c.relreplident = ''d'' AND i.indisprimary))))) ELSE '''' END; RAISE EXCEPTION ''node ''''%'''': publication ''''%'''' publishes updates and deletes, but table(s) without a replica identity would be in it: %; UPDATE and DELETE on them would fail'', ''pub'', ''some'', tabs USING HINT = ''Give each table a primary key, or ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX), or publish only inserts: with (publish = ''''insert'''').''; END';
\set replc_changed 1
\endif

-- publication everything
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'everything') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION everything FOR ALL TABLES;
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'everything' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster traps') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION everything IS 'replc cluster traps';
\set replc_changed 1
\endif

-- publication some
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'some') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION "some" FOR TABLE legacy.audit;
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'some' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster traps') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION "some" IS 'replc cluster traps';
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'some' AND NOT (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('legacy.audit')::oid]::oid[]) x)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION "some" SET TABLE legacy.audit;
\set replc_changed 1
\endif

-- publication inserts
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'inserts') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION inserts FOR TABLE legacy.audit WITH (publish = 'insert');
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'inserts' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster traps') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION inserts IS 'replc cluster traps';
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'inserts' AND NOT (SELECT coalesce(array_agg(r.prrelid ORDER BY r.prrelid), '{}') FROM pg_publication_rel r WHERE r.prpubid = p.oid) = (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('legacy.audit')::oid]::oid[]) x)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION inserts SET TABLE legacy.audit;
\set replc_changed 1
\endif

-- options of publication everything
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'everything' AND ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION everything SET (publish = 'insert, update, delete, truncate', publish_via_partition_root = false);
\set replc_changed 1
\endif

-- options of publication some
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'some' AND ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION "some" SET (publish = 'insert, update, delete, truncate', publish_via_partition_root = false);
\set replc_changed 1
\endif

-- options of publication inserts
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'inserts' AND ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, false, false, false) OR pubviaroot <> false)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION inserts SET (publish = 'insert', publish_via_partition_root = false);
\set replc_changed 1
\endif

-- slot of subscription sub_from_pub of node sub
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'sub_from_pub') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('sub_from_pub', 'pgoutput', false, false);
\set replc_changed 1
\endif

-- slot of subscription sub2_from_pub of node sub2
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 'sub2_from_pub') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('sub2_from_pub', 'pgoutput', false, false);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
