-- replc: step subscribe.s__b_s__x_.sql of node 'süb \ node'. Generated; do not edit.
-- create subscription 'Süb's "x"' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION "Süb's ""x"""
    CONNECTION E'host=10.9.0.1 port=5432 dbname=''db name\\''; DROP DATABASE x; --'' user=''us\\\\er$(id)`id`'''
    PUBLICATION "Pub $1; --"
    WITH (slot_name = 'sub_slot', synchronous_commit = 'off''; --', create_slot = false, disable_on_error = true, streaming = off);
\set replc_changed 1
\endif

-- subscription Süb's "x": its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> E'host=10.9.0.1 port=5432 dbname=''db name\\''; DROP DATABASE x; --'' user=''us\\\\er$(id)`id`''')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" CONNECTION E'host=10.9.0.1 port=5432 dbname=''db name\\''; DROP DATABASE x; --'' user=''us\\\\er$(id)`id`''';
\set replc_changed 1
\endif

-- subscription Süb's "x": its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['Pub $1; --']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET PUBLICATION "Pub $1; --" WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> true)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET (disable_on_error = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET (streaming = off);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subsynccommit <> 'off''; --')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" SET (synchronous_commit = 'off''; --');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND s.subdisableonerr AND EXISTS (SELECT FROM pg_stat_subscription_stats t WHERE t.subid = s.oid AND t.apply_error_count + t.sync_error_count > 0))) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription Süb''s "x" was disabled after an error (disable_on_error); replc leaves it disabled: find the error in the server log, fix its cause, then ALTER SUBSCRIPTION Süb''s "x" ENABLE'
\endif

-- subscription Süb's "x": tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'Süb''s "x"' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('"Sch""ema"."ta ble;--"')::oid, to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION "Süb's ""x""" REFRESH PUBLICATION WITH (copy_data = true);
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
