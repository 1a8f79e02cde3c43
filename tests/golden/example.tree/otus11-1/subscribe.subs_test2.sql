-- replc: step subscribe.subs_test2.sql of node 'otus11-1'. Generated; do not edit.
-- create subscription 'subs_test2' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION subs_test2
    CONNECTION 'host=192.168.56.12 port=5432 dbname=repl user=postgres'
    PUBLICATION publ_test2
    WITH (create_slot = false, streaming = off);
\set replc_changed 1
\endif

-- subscription subs_test2: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=192.168.56.12 port=5432 dbname=repl user=postgres')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 CONNECTION 'host=192.168.56.12 port=5432 dbname=repl user=postgres';
\set replc_changed 1
\endif

-- subscription subs_test2: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['publ_test2']::text[]) ORDER BY 1) AND s.subtwophasestate <> 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 SET PUBLICATION publ_test2 WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['publ_test2']::text[]) ORDER BY 1) AND s.subtwophasestate = 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 SET PUBLICATION publ_test2 WITH (refresh = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subbinary <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 SET (binary = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 SET (disable_on_error = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 SET (streaming = 'off');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subsynccommit <> 'off')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 SET (synchronous_commit = 'off');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((s.subtwophasestate <> 'd') <> false)) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription ''subs_test2'': two_phase differs from the topology''s false; PostgreSQL 15 cannot change it after CREATE SUBSCRIPTION: write the server''s value in the topology, or drop the subscription by hand (DROP SUBSCRIPTION subs_test2) and apply again, which creates it anew and copies its tables again'
\endif

-- subscription subs_test2: tables added while two_phase is enabled: refused
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subtwophasestate = 'e' AND EXISTS (SELECT FROM unnest(ARRAY[to_regclass('test2')::oid]::oid[]) x WHERE x IS NOT NULL AND x NOT IN (SELECT r.srrelid FROM pg_subscription_rel r WHERE r.srsubid = s.oid)))) AS replc_do \gset
\if :replc_do
DO 'DECLARE tabs text; BEGIN SELECT string_agg(x::regclass::text, '', '') INTO tabs FROM pg_subscription s, LATERAL (SELECT x FROM unnest(ARRAY[to_regclass(''test2'')::oid]::oid[]) x WHERE x IS NOT NULL AND x NOT IN (SELECT r.srrelid FROM pg_subscription_rel r WHERE r.srsubid = s.oid)) t WHERE subname = ''subs_test2'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()); RAISE EXCEPTION ''subscription ''''%'''' has two_phase enabled: PostgreSQL refuses to copy the table(s) % added to its publications (REFRESH PUBLICATION with copy_data)'', ''subs_test2'', tabs USING HINT = ''PostgreSQL 15 cannot turn two_phase off. On node ''''otus11-1'''', by hand: DROP SUBSCRIPTION subs_test2, empty the tables it receives on this node (TRUNCATE), and apply again: replc creates it anew and copies every table. Or leave the tables out of the publications in the topology.''; END';
\set replc_changed 1
\endif

-- subscription subs_test2: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('test2')::oid]::oid[]) x) AND s.subtwophasestate <> 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('test2')::oid]::oid[]) x) AND s.subtwophasestate = 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test2 REFRESH PUBLICATION WITH (copy_data = false);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION subs_test2 IS 'replc cluster postgres2021-2147483647';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
