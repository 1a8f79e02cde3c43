-- replc: step subscribe.gamma_t.sql of node 'gamma'. Generated; do not edit.
-- create subscription 'gamma_t' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- subscription gamma_t: an initial copy into a table that holds rows is refused
SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AND (coalesce((xpath('/table/row/c/text()', query_to_xml(CASE WHEN to_regclass('t') IS NULL THEN 'SELECT 0 AS c' ELSE format('SELECT count(*) AS c FROM (SELECT FROM %s LIMIT 1) x', to_regclass('t')) END, false, false, '')))[1]::text, '0') = '1') AS replc_do \gset
\if :replc_do
DO 'DECLARE r record; n bigint; found text := ''''; BEGIN FOR r IN SELECT x.name, to_regclass(x.rel) AS rel FROM unnest(ARRAY[''t'']::text[], ARRAY[''t'']::text[]) AS x(name, rel) WHERE to_regclass(x.rel) IS NOT NULL LOOP EXECUTE format(''SELECT count(*) FROM %s'', r.rel) INTO n; IF n > 0 THEN found := found || CASE WHEN found = '''' THEN '''' ELSE '', '' END || format(''''''%s'''' (%s row(s))'', r.name, n); END IF; END LOOP; RAISE EXCEPTION ''node ''''%'''': table(s) % already hold rows, and subscription ''''%'''' would copy the publisher''''s rows into them (duplicates, or a duplicate-key stall)'', ''gamma'', found, ''gamma_t'' USING HINT = ''Empty them (on this node only), or subscribe with (copy_data = false).''; END';
\set replc_changed 1
\endif

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION gamma_t
    CONNECTION 'host=10.2.0.2 port=5432 dbname=repl user=postgres'
    PUBLICATION pt
    WITH (synchronous_commit = 'on', create_slot = false, streaming = off);
\set replc_changed 1
\endif

-- subscription gamma_t: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=10.2.0.2 port=5432 dbname=repl user=postgres')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t CONNECTION 'host=10.2.0.2 port=5432 dbname=repl user=postgres';
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND s.subdisableonerr AND EXISTS (SELECT FROM pg_stat_subscription_stats t WHERE t.subid = s.oid AND t.apply_error_count + t.sync_error_count > 0))) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription gamma_t was disabled after an error (disable_on_error); replc leaves it disabled: find the error in the server log, fix its cause, then ALTER SUBSCRIPTION gamma_t ENABLE'
\endif

-- subscription gamma_t: enabled again (the topology no longer declares it disabled)
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') = 'replc cluster standby-publisher; declared disabled')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t ENABLE;
\set replc_changed 1
\endif

-- subscription gamma_t: disabled by someone else while its tables change: refused
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') = 'replc cluster standby-publisher' AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['pt']::text[]) ORDER BY 1) OR (SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t')::oid]::oid[]) x)))) AS replc_do \gset
\if :replc_do
DO 'DECLARE x int; BEGIN RAISE EXCEPTION ''subscription ''''%'''' is disabled on the server (not by the topology: replc leaves it so), and its publications or tables differ from the topology''''s: PostgreSQL changes them only on an enabled subscription'', ''gamma_t'' USING HINT = ''On node ''''gamma'''': ALTER SUBSCRIPTION gamma_t ENABLE, then apply again (the tables added are copied); or write enabled = false for it in the topology.''; END';
\set replc_changed 1
\endif

-- subscription gamma_t: an initial copy into a table that holds rows is refused
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (((to_regclass('t')::oid NOT IN (SELECT srrelid FROM pg_subscription_rel WHERE srsubid = s.oid) AND coalesce((xpath('/table/row/c/text()', query_to_xml(CASE WHEN to_regclass('t') IS NULL THEN 'SELECT 0 AS c' ELSE format('SELECT count(*) AS c FROM (SELECT FROM %s LIMIT 1) x', to_regclass('t')) END, false, false, '')))[1]::text, '0') = '1')))) AS replc_do \gset
\if :replc_do
DO 'DECLARE r record; n bigint; found text := ''''; BEGIN FOR r IN SELECT x.name, to_regclass(x.rel) AS rel FROM unnest(ARRAY[''t'']::text[], ARRAY[''t'']::text[]) AS x(name, rel) WHERE to_regclass(x.rel) IS NOT NULL AND to_regclass(x.rel)::oid NOT IN (SELECT srrelid FROM pg_subscription_rel WHERE srsubid = (SELECT oid FROM pg_subscription WHERE subname = ''gamma_t'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))) LOOP EXECUTE format(''SELECT count(*) FROM %s'', r.rel) INTO n; IF n > 0 THEN found := found || CASE WHEN found = '''' THEN '''' ELSE '', '' END || format(''''''%s'''' (%s row(s))'', r.name, n); END IF; END LOOP; RAISE EXCEPTION ''node ''''%'''': table(s) % already hold rows, and subscription ''''%'''' would copy the publisher''''s rows into them as it adds them (duplicates, or a duplicate-key stall)'', ''gamma'', found, ''gamma_t'' USING HINT = ''Empty them (on this node only), or subscribe with (copy_data = false).''; END';
\set replc_changed 1
\endif

-- subscription gamma_t: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['pt']::text[]) ORDER BY 1) AND s.subtwophasestate <> 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET PUBLICATION pt WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['pt']::text[]) ORDER BY 1) AND s.subtwophasestate = 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET PUBLICATION pt WITH (refresh = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subbinary <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET (binary = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET (disable_on_error = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.suborigin <> 'any')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET (origin = 'any');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subpasswordrequired <> true)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET (password_required = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subrunasowner <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET (run_as_owner = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> 'f')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET (streaming = 'off');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subsynccommit <> 'on')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t SET (synchronous_commit = 'on');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((s.subtwophasestate <> 'd') <> false)) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription ''gamma_t'': two_phase differs from the topology''s false; PostgreSQL 17 cannot change it after CREATE SUBSCRIPTION: write the server''s value in the topology, or drop the subscription by hand (DROP SUBSCRIPTION gamma_t) and apply again, which creates it anew and copies its tables again'
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subfailover <> false)) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription ''gamma_t'': failover differs from the topology''s false; PostgreSQL changes it only while the subscription is disabled, which replc does not do by itself: by hand, ALTER SUBSCRIPTION gamma_t DISABLE; ALTER SUBSCRIPTION gamma_t SET (failover = false); ALTER SUBSCRIPTION gamma_t ENABLE; or write the server''s value in the topology'
\endif

-- subscription gamma_t: tables added while two_phase is enabled: refused
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subtwophasestate = 'e' AND EXISTS (SELECT FROM unnest(ARRAY[to_regclass('t')::oid]::oid[]) x WHERE x IS NOT NULL AND x NOT IN (SELECT r.srrelid FROM pg_subscription_rel r WHERE r.srsubid = s.oid)))) AS replc_do \gset
\if :replc_do
DO 'DECLARE tabs text; BEGIN SELECT string_agg(x::regclass::text, '', '') INTO tabs FROM pg_subscription s, LATERAL (SELECT x FROM unnest(ARRAY[to_regclass(''t'')::oid]::oid[]) x WHERE x IS NOT NULL AND x NOT IN (SELECT r.srrelid FROM pg_subscription_rel r WHERE r.srsubid = s.oid)) t WHERE subname = ''gamma_t'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()); RAISE EXCEPTION ''subscription ''''%'''' has two_phase enabled: PostgreSQL refuses to copy the table(s) % added to its publications (REFRESH PUBLICATION with copy_data)'', ''gamma_t'', tabs USING HINT = ''PostgreSQL 17 cannot turn two_phase off. On node ''''gamma'''', by hand: DROP SUBSCRIPTION gamma_t, empty the tables it receives on this node (TRUNCATE), and apply again: replc creates it anew and copies every table. Or leave the tables out of the publications in the topology.''; END';
\set replc_changed 1
\endif

-- subscription gamma_t: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t')::oid]::oid[]) x) AND s.subtwophasestate <> 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t')::oid]::oid[]) x) AND s.subtwophasestate = 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION gamma_t REFRESH PUBLICATION WITH (copy_data = false);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION gamma_t IS 'replc cluster standby-publisher';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
