-- replc: step tables.sql of node 'süb \ node'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'Sch"ema') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS "Sch""ema";
\set replc_changed 1
\endif

-- table Sch"ema.ta ble;--
SELECT to_regclass('"Sch""ema"."ta ble;--"') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS "Sch""ema"."ta ble;--" (
    "col""q" int,
    "émoji ✓" text,
    a$b varchar(10),
    PRIMARY KEY ("col""q")
);
\set replc_changed 1
\endif

-- columns of table Sch"ema.ta ble;-- added to the topology since
SELECT to_regclass('"Sch""ema"."ta ble;--"') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('"Sch""ema"."ta ble;--"') AND attnum > 0 AND NOT attisdropped AND attname = 'col"q') AS replc_do \gset
\if :replc_do
ALTER TABLE "Sch""ema"."ta ble;--" ADD COLUMN "col""q" int;
\set replc_changed 1
\endif

SELECT to_regclass('"Sch""ema"."ta ble;--"') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('"Sch""ema"."ta ble;--"') AND attnum > 0 AND NOT attisdropped AND attname = 'émoji ✓') AS replc_do \gset
\if :replc_do
ALTER TABLE "Sch""ema"."ta ble;--" ADD COLUMN "émoji ✓" text;
\set replc_changed 1
\endif

SELECT to_regclass('"Sch""ema"."ta ble;--"') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('"Sch""ema"."ta ble;--"') AND attnum > 0 AND NOT attisdropped AND attname = 'a$b') AS replc_do \gset
\if :replc_do
ALTER TABLE "Sch""ema"."ta ble;--" ADD COLUMN a$b varchar(10);
\set replc_changed 1
\endif

-- columns of table Sch"ema.ta ble;-- whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('col"q', 'int'), ('émoji ✓', 'text'), ('a$b', 'varchar(10)')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('"Sch""ema"."ta ble;--"') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''col"q'', ''int''), (''émoji ✓'', ''text''), (''a$b'', ''varchar(10)'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''"Sch""ema"."ta ble;--"'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''Sch"ema.ta ble;--'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table Sch"ema.ta ble;-- no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('"Sch""ema"."ta ble;--"') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['col"q', 'émoji ✓', 'a$b']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''"Sch""ema"."ta ble;--"'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''col"q'', ''émoji ✓'', ''a$b'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''Sch"ema.ta ble;--'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

-- table abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk
SELECT to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk (
    id int,
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

-- columns of table abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk added to the topology since
SELECT to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk') AND attnum > 0 AND NOT attisdropped AND attname = 'id') AS replc_do \gset
\if :replc_do
ALTER TABLE abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk ADD COLUMN id int;
\set replc_changed 1
\endif

-- columns of table abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('id', 'int')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''id'', ''int'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['id']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''id'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
