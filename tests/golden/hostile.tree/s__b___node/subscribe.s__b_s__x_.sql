-- replc: step subscribe.s__b_s__x_.sql of node 'süb \ node'. Generated; do not edit.
-- create subscription 'Süb's "x"' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION "Süb's ""x"""
    CONNECTION E'host=10.9.0.1 port=5432 dbname=''db name\\''; DROP DATABASE x; --'' user=''us\\\\er$(id)`id`'''
    PUBLICATION "Pub $1; --"
    WITH (slot_name = 'sub_slot', synchronous_commit = 'off''; --', create_slot = false, streaming = off);
\set replc_changed 1
\endif

-- subscription Süb's "x": its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> E'host=10.9.0.1 port=5432 dbname=''db name\\''; DROP DATABASE x; --'' user=''us\\\\er$(id)`id`''')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" CONNECTION E'host=10.9.0.1 port=5432 dbname=''db name\\''; DROP DATABASE x; --'' user=''us\\\\er$(id)`id`''';
\set replc_changed 1
\endif

-- subscription Süb's "x": its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['Pub $1; --']::text[]) ORDER BY 1) AND s.subtwophasestate <> 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET PUBLICATION "Pub $1; --" WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['Pub $1; --']::text[]) ORDER BY 1) AND s.subtwophasestate = 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET PUBLICATION "Pub $1; --" WITH (refresh = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subbinary <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET (binary = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET (disable_on_error = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET (streaming = 'off');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subsynccommit <> 'off''; --')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET (synchronous_commit = 'off''; --');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((s.subtwophasestate <> 'd') <> false)) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription ''Süb''s "x"'': two_phase differs from the topology''s false; PostgreSQL 15 cannot change it after CREATE SUBSCRIPTION: write the server''s value in the topology, or drop the subscription by hand (DROP SUBSCRIPTION Süb''s "x") and apply again, which creates it anew and copies its tables again'
\endif

-- subscription Süb's "x": tables added while two_phase is enabled: refused
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subtwophasestate = 'e' AND EXISTS (SELECT FROM unnest(ARRAY[to_regclass('"Sch""ema"."ta ble;--"')::oid, to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk')::oid]::oid[]) x WHERE x IS NOT NULL AND x NOT IN (SELECT r.srrelid FROM pg_subscription_rel r WHERE r.srsubid = s.oid)))) AS replc_do \gset
\if :replc_do
DO E'DECLARE tabs text; BEGIN SELECT string_agg(x::regclass::text, '', '') INTO tabs FROM pg_subscription s, LATERAL (SELECT x FROM unnest(ARRAY[to_regclass(''"Sch""ema"."ta ble;--"'')::oid, to_regclass(''abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk'')::oid]::oid[]) x WHERE x IS NOT NULL AND x NOT IN (SELECT r.srrelid FROM pg_subscription_rel r WHERE r.srsubid = s.oid)) t WHERE subname = ''Süb''''s "x"'' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()); RAISE EXCEPTION ''subscription ''''%'''' has two_phase enabled: PostgreSQL refuses to copy the table(s) % added to its publications (REFRESH PUBLICATION with copy_data)'', ''Süb''''s "x"'', tabs USING HINT = E''PostgreSQL 15 cannot turn two_phase off. On node ''''süb \\\\ node'''', by hand: DROP SUBSCRIPTION Süb''''s "x", empty the tables it receives on this node (TRUNCATE), and apply again: replc creates it anew and copies every table. Or leave the tables out of the publications in the topology.''; END';
\set replc_changed 1
\endif

-- subscription Süb's "x": tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('"Sch""ema"."ta ble;--"')::oid, to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk')::oid]::oid[]) x) AND s.subtwophasestate <> 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('"Sch""ema"."ta ble;--"')::oid, to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk')::oid]::oid[]) x) AND s.subtwophasestate = 'e')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" REFRESH PUBLICATION WITH (copy_data = false);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster c''l; --x') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION "Süb's ""x""" IS 'replc cluster c''l; --x';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
