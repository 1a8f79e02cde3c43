-- replc: step subscribe.delta_tu.sql of node 'delta'. Generated; do not edit.
-- create subscription 'delta_tu' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- subscription delta_tu: an initial copy into a table that holds rows is refused
SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AND (coalesce((xpath('/table/row/c/text()', query_to_xml(CASE WHEN to_regclass('t') IS NULL THEN 'SELECT 0 AS c' ELSE format('SELECT count(*) AS c FROM (SELECT FROM %s LIMIT 1) x', to_regclass('t')) END, false, false, '')))[1]::text, '0') = '1' OR coalesce((xpath('/table/row/c/text()', query_to_xml(CASE WHEN to_regclass('u') IS NULL THEN 'SELECT 0 AS c' ELSE format('SELECT count(*) AS c FROM (SELECT FROM %s LIMIT 1) x', to_regclass('u')) END, false, false, '')))[1]::text, '0') = '1') AS replc_do \gset
\if :replc_do
DO 'DECLARE r record; n bigint; found text := ''''; BEGIN FOR r IN SELECT x.name, to_regclass(x.rel) AS rel FROM unnest(ARRAY[''t'', ''u'']::text[], ARRAY[''t'', ''u'']::text[]) AS x(name, rel) WHERE to_regclass(x.rel) IS NOT NULL LOOP EXECUTE format(''SELECT count(*) FROM %s'', r.rel) INTO n; IF n > 0 THEN found := found || CASE WHEN found = '''' THEN '''' ELSE '', '' END || format(''''''%s'''' (%s row(s))'', r.name, n); END IF; END LOOP; RAISE EXCEPTION ''node ''''%'''': table(s) % already hold rows, and subscription ''''%'''' would copy the publisher''''s rows into them (duplicates, or a duplicate-key stall)'', ''delta'', found, ''delta_tu'' USING HINT = ''Empty them (on this node only), or subscribe with (copy_data = false).''; END';
\set replc_changed 1
\endif

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION delta_tu
    CONNECTION 'host=10.2.0.3 port=5432 dbname=repl user=postgres'
    PUBLICATION pt, pu
    WITH (streaming = 'parallel', create_slot = false);
\set replc_changed 1
\endif

-- subscription delta_tu: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=10.2.0.3 port=5432 dbname=repl user=postgres')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION delta_tu CONNECTION 'host=10.2.0.3 port=5432 dbname=repl user=postgres';
\set replc_changed 1
\endif

-- subscription delta_tu: an initial copy into a table that holds rows is refused
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (((to_regclass('t')::oid NOT IN (SELECT srrelid FROM pg_subscription_rel WHERE srsubid = s.oid) AND coalesce((xpath('/table/row/c/text()', query_to_xml(CASE WHEN to_regclass('t') IS NULL THEN 'SELECT 0 AS c' ELSE format('SELECT count(*) AS c FROM (SELECT FROM %s LIMIT 1) x', to_regclass('t')) END, false, false, '')))[1]::text, '0') = '1') OR (to_regclass('u')::oid NOT IN (SELECT srrelid FROM pg_subscription_rel WHERE srsubid = s.oid) AND coalesce((xpath('/table/row/c/text()', query_to_xml(CASE WHEN to_regclass('u') IS NULL THEN 'SELECT 0 AS c' ELSE format('SELECT count(*) AS c FROM (SELECT FROM %s LIMIT 1) x', to_regclass('u')) END, false, false, '')))[1]::text, '0') = '1')))) AS replc_do \gset
\if :replc_do
DO 'DECLARE r record; n bigint; found text := ''''; BEGIN FOR r IN SELECT x.name, to_regclass(x.rel) AS rel FROM unnest(ARRAY[''t'', ''u'']::text[], ARRAY[''t'', ''u'']::text[]) AS x(name, rel) WHERE to_regclass(x.rel) IS NOT NULL AND to_regclass(x.rel)::oid NOT IN (SELECT srrelid FROM pg_subscription_rel WHERE srsubid = (SELECT oid FROM pg_subscription WHERE subname = ''delta_tu'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))) LOOP EXECUTE format(''SELECT count(*) FROM %s'', r.rel) INTO n; IF n > 0 THEN found := found || CASE WHEN found = '''' THEN '''' ELSE '', '' END || format(''''''%s'''' (%s row(s))'', r.name, n); END IF; END LOOP; RAISE EXCEPTION ''node ''''%'''': table(s) % already hold rows, and subscription ''''%'''' would copy the publisher''''s rows into them as it adds them (duplicates, or a duplicate-key stall)'', ''delta'', found, ''delta_tu'' USING HINT = ''Empty them (on this node only), or subscribe with (copy_data = false).''; END';
\set replc_changed 1
\endif

-- subscription delta_tu: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['pt', 'pu']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION delta_tu SET PUBLICATION pt, pu WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> 'p')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION delta_tu SET (streaming = 'parallel');
\set replc_changed 1
\endif

-- subscription delta_tu: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t')::oid, to_regclass('u')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION delta_tu REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION delta_tu IS 'replc cluster standby-publisher';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
