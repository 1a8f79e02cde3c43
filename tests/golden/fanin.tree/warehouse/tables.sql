-- replc: step tables.sql of node 'warehouse'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'shop1') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS shop1;
\set replc_changed 1
\endif

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'shop2') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS shop2;
\set replc_changed 1
\endif

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'shop3') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS shop3;
\set replc_changed 1
\endif

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'shop4') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS shop4;
\set replc_changed 1
\endif

-- table shop1.orders
SELECT to_regclass('shop1.orders') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS shop1.orders (
    id bigint,
    amount numeric(10,2) NOT NULL,
    at timestamp with time zone,
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

-- columns of table shop1.orders added to the topology since
SELECT to_regclass('shop1.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop1.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'id') AS replc_do \gset
\if :replc_do
ALTER TABLE shop1.orders ADD COLUMN id bigint;
\set replc_changed 1
\endif

SELECT to_regclass('shop1.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop1.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'amount') AS replc_do \gset
\if :replc_do
ALTER TABLE shop1.orders ADD COLUMN amount numeric(10,2) NOT NULL;
\set replc_changed 1
\endif

SELECT to_regclass('shop1.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop1.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'at') AS replc_do \gset
\if :replc_do
ALTER TABLE shop1.orders ADD COLUMN at timestamp with time zone;
\set replc_changed 1
\endif

-- columns of table shop1.orders whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('id', 'bigint'), ('amount', 'numeric(10,2)'), ('at', 'timestamp with time zone')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('shop1.orders') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''id'', ''bigint''), (''amount'', ''numeric(10,2)''), (''at'', ''timestamp with time zone'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''shop1.orders'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''shop1.orders'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table shop1.orders no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop1.orders') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['id', 'amount', 'at']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''shop1.orders'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''id'', ''amount'', ''at'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''shop1.orders'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

-- table shop2.orders
SELECT to_regclass('shop2.orders') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS shop2.orders (
    id bigint,
    amount numeric(10,2) NOT NULL,
    at timestamp with time zone,
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

-- columns of table shop2.orders added to the topology since
SELECT to_regclass('shop2.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop2.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'id') AS replc_do \gset
\if :replc_do
ALTER TABLE shop2.orders ADD COLUMN id bigint;
\set replc_changed 1
\endif

SELECT to_regclass('shop2.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop2.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'amount') AS replc_do \gset
\if :replc_do
ALTER TABLE shop2.orders ADD COLUMN amount numeric(10,2) NOT NULL;
\set replc_changed 1
\endif

SELECT to_regclass('shop2.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop2.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'at') AS replc_do \gset
\if :replc_do
ALTER TABLE shop2.orders ADD COLUMN at timestamp with time zone;
\set replc_changed 1
\endif

-- columns of table shop2.orders whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('id', 'bigint'), ('amount', 'numeric(10,2)'), ('at', 'timestamp with time zone')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('shop2.orders') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''id'', ''bigint''), (''amount'', ''numeric(10,2)''), (''at'', ''timestamp with time zone'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''shop2.orders'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''shop2.orders'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table shop2.orders no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop2.orders') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['id', 'amount', 'at']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''shop2.orders'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''id'', ''amount'', ''at'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''shop2.orders'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

-- table shop3.orders
SELECT to_regclass('shop3.orders') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS shop3.orders (
    id bigint,
    amount numeric(10,2),
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

-- columns of table shop3.orders added to the topology since
SELECT to_regclass('shop3.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop3.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'id') AS replc_do \gset
\if :replc_do
ALTER TABLE shop3.orders ADD COLUMN id bigint;
\set replc_changed 1
\endif

SELECT to_regclass('shop3.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop3.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'amount') AS replc_do \gset
\if :replc_do
ALTER TABLE shop3.orders ADD COLUMN amount numeric(10,2);
\set replc_changed 1
\endif

-- columns of table shop3.orders whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('id', 'bigint'), ('amount', 'numeric(10,2)')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('shop3.orders') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''id'', ''bigint''), (''amount'', ''numeric(10,2)'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''shop3.orders'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''shop3.orders'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table shop3.orders no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop3.orders') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['id', 'amount']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''shop3.orders'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''id'', ''amount'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''shop3.orders'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

-- table shop4.orders
SELECT to_regclass('shop4.orders') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS shop4.orders (
    id bigint,
    tags text[],
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

-- columns of table shop4.orders added to the topology since
SELECT to_regclass('shop4.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop4.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'id') AS replc_do \gset
\if :replc_do
ALTER TABLE shop4.orders ADD COLUMN id bigint;
\set replc_changed 1
\endif

SELECT to_regclass('shop4.orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop4.orders') AND attnum > 0 AND NOT attisdropped AND attname = 'tags') AS replc_do \gset
\if :replc_do
ALTER TABLE shop4.orders ADD COLUMN tags text[];
\set replc_changed 1
\endif

-- columns of table shop4.orders whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('id', 'bigint'), ('tags', 'text[]')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('shop4.orders') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''id'', ''bigint''), (''tags'', ''text[]'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''shop4.orders'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''shop4.orders'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table shop4.orders no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('shop4.orders') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['id', 'tags']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''shop4.orders'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''id'', ''tags'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''shop4.orders'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
