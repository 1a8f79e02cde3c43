-- replc: step publications.sql of node 'all'. Generated; do not edit.
-- create 1 publication(s) and the subscribers' slots if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- publication everything: tables without a replica identity are refused
SELECT (CASE WHEN NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = 'everything' AND p.puballtables AND NOT ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) THEN (SELECT coalesce(string_agg(c.oid::regclass::text, ', ' ORDER BY c.oid::regclass::text), '') FROM pg_class c WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND c.oid >= 16384 AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema')) AND NOT (c.relreplident = 'f' OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisreplident OR (c.relreplident = 'd' AND i.indisprimary))))) ELSE '' END) <> '' AS replc_do \gset
\if :replc_do
DO 'DECLARE tabs text; BEGIN tabs := CASE WHEN NOT EXISTS (SELECT FROM pg_publication p WHERE p.pubname = ''everything'' AND p.puballtables AND NOT ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) THEN (SELECT coalesce(string_agg(c.oid::regclass::text, '', '' ORDER BY c.oid::regclass::text), '''') FROM pg_class c WHERE c.relkind = ''r'' AND c.relpersistence = ''p'' AND c.oid >= 16384 AND c.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname IN (''pg_catalog'', ''information_schema'')) AND NOT (c.relreplident = ''f'' OR EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND (i.indisreplident OR (c.relreplident = ''d'' AND i.indisprimary))))) ELSE '''' END; RAISE EXCEPTION ''node ''''%'''': publication ''''%'''' publishes updates and deletes, but table(s) without a replica identity would be in it: %; UPDATE and DELETE on them would fail'', ''all'', ''everything'', tabs USING HINT = ''Give each table a primary key, or ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX), or publish only inserts: with (publish = ''''insert'''').''; END';
\set replc_changed 1
\endif

-- publication everything
SELECT NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'everything') AS replc_do \gset
\if :replc_do
CREATE PUBLICATION everything FOR ALL TABLES;
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'everything' AND obj_description(oid, 'pg_publication') IS DISTINCT FROM 'replc cluster repluser') AS replc_do \gset
\if :replc_do
COMMENT ON PUBLICATION everything IS 'replc cluster repluser';
\set replc_changed 1
\endif

-- options of publication everything
SELECT EXISTS (SELECT FROM pg_publication WHERE pubname = 'everything' AND ((pubinsert, pubupdate, pubdelete, pubtruncate) <> (true, true, true, true) OR pubviaroot <> false)) AS replc_do \gset
\if :replc_do
ALTER PUBLICATION everything SET (publish = 'insert, update, delete, truncate', publish_via_partition_root = false);
\set replc_changed 1
\endif

-- slot of subscription s2 of node sub2
SELECT NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = 's2') AS replc_do \gset
\if :replc_do
SELECT pg_create_logical_replication_slot('s2', 'pgoutput', false, false);
\set replc_changed 1
\endif

-- replication role repl_agent: connect, read the published tables
SELECT NOT has_database_privilege('repl_agent', 'app', 'CONNECT') AS replc_do \gset
\if :replc_do
GRANT CONNECT ON DATABASE app TO repl_agent;
\set replc_changed 1
\endif

-- publication everything is FOR ALL TABLES: reading all data
SELECT NOT pg_has_role('repl_agent', 'pg_read_all_data', 'MEMBER') AS replc_do \gset
\if :replc_do
GRANT pg_read_all_data TO repl_agent;
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
