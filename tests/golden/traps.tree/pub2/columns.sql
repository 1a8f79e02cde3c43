-- replc: step columns.sql of node 'pub2'. Generated; do not edit.
-- add the columns of the published tables, after the subscribers
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- columns of table orders added to the topology since
SELECT to_regclass('orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('orders') AND attnum > 0 AND NOT attisdropped AND attname = 'id') AS replc_do \gset
\if :replc_do
ALTER TABLE orders ADD COLUMN id bigint;
\set replc_changed 1
\endif

SELECT to_regclass('orders') IS NOT NULL AND NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('orders') AND attnum > 0 AND NOT attisdropped AND attname = 'note') AS replc_do \gset
\if :replc_do
ALTER TABLE orders ADD COLUMN note text;
\set replc_changed 1
\endif

-- columns of table orders whose type differs: refused
SELECT EXISTS (SELECT FROM pg_attribute JOIN (VALUES ('id', 'bigint'), ('note', 'text')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass('orders') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type)) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(format(''%I is %s, not %s'', attname, format_type(atttypid, atttypmod), d.type), ''; '' ORDER BY attnum) INTO cols FROM pg_attribute JOIN (VALUES (''id'', ''bigint''), (''note'', ''text'')) AS d(name, type) ON attname = d.name WHERE attrelid = to_regclass(''orders'') AND attnum > 0 AND NOT attisdropped AND atttypid <> to_regtype(d.type); RAISE EXCEPTION ''table ''''%'''' on the server: %'', ''orders'', cols USING HINT = ''replc never changes a column''''s type: change it by hand (ALTER TABLE ... ALTER COLUMN ... TYPE) on every node, subscribers first, or write the server''''s type in the topology.''; END';
\set replc_changed 1
\endif

-- columns of table orders no longer declared: refused
SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('orders') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY['id', 'note']::name[])) AS replc_do \gset
\if :replc_do
DO 'DECLARE cols text; BEGIN SELECT string_agg(quote_ident(attname), '', '' ORDER BY attnum) INTO cols FROM pg_attribute WHERE attrelid = to_regclass(''orders'') AND attnum > 0 AND NOT attisdropped AND attname <> ALL (ARRAY[''id'', ''note'']::name[]); RAISE EXCEPTION ''table ''''%'''' has column(s) % on the server that the topology does not declare'', ''orders'', cols USING HINT = ''replc never drops a column: drop it by hand on every node, publisher first, or declare it in the topology.''; END';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
