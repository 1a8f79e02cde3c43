-- replc: step tables.sql of node 'otus11-3'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- table test1
SELECT to_regclass('test1') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS test1 (
    k1 int,
    v1 varchar,
    PRIMARY KEY (k1)
);
\set replc_changed 1
\endif

-- columns of table test1 added to the topology since
SELECT to_regclass('test1') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('test1') AND attnum > 0 AND NOT attisdropped AND attname = 'k1') AS replc_do \gset
\if :replc_do
ALTER TABLE test1 ADD COLUMN k1 int;
\set replc_changed 1
\endif

SELECT to_regclass('test1') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('test1') AND attnum > 0 AND NOT attisdropped AND attname = 'v1') AS replc_do \gset
\if :replc_do
ALTER TABLE test1 ADD COLUMN v1 varchar;
\set replc_changed 1
\endif

-- columns of table test1 whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('k1', 'int'), ('v1', 'varchar')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('test1') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''k1'', ''int''), (''v1'', ''varchar'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''test1'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''test1'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table test1 no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('test1') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['k1', 'v1']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''test1'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''k1'', ''v1'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''test1'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

-- table test2
SELECT to_regclass('test2') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS test2 (
    k2 int,
    v2 varchar,
    PRIMARY KEY (k2)
);
\set replc_changed 1
\endif

-- columns of table test2 added to the topology since
SELECT to_regclass('test2') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('test2') AND attnum > 0 AND NOT attisdropped AND attname = 'k2') AS replc_do \gset
\if :replc_do
ALTER TABLE test2 ADD COLUMN k2 int;
\set replc_changed 1
\endif

SELECT to_regclass('test2') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('test2') AND attnum > 0 AND NOT attisdropped AND attname = 'v2') AS replc_do \gset
\if :replc_do
ALTER TABLE test2 ADD COLUMN v2 varchar;
\set replc_changed 1
\endif

-- columns of table test2 whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('k2', 'int'), ('v2', 'varchar')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('test2') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''k2'', ''int''), (''v2'', ''varchar'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''test2'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''test2'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table test2 no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('test2') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['k2', 'v2']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''test2'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''k2'', ''v2'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''test2'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
