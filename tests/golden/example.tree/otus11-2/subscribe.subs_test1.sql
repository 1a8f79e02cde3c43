-- replc: step subscribe.subs_test1.sql of node 'otus11-2'. Generated; do not edit.
-- create subscription 'subs_test1' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION subs_test1
    CONNECTION 'host=192.168.56.11 port=5432 dbname=repl user=postgres'
    PUBLICATION publ_test1
    WITH (create_slot = false, disable_on_error = true, streaming = off);
\set replc_changed 1
\endif

-- subscription subs_test1: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=192.168.56.11 port=5432 dbname=repl user=postgres')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test1 CONNECTION 'host=192.168.56.11 port=5432 dbname=repl user=postgres';
\set replc_changed 1
\endif

-- subscription subs_test1: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['publ_test1']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test1 SET PUBLICATION publ_test1 WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> true)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test1 SET (disable_on_error = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test1 SET (streaming = off);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND s.subdisableonerr AND EXISTS (SELECT FROM pg_stat_subscription_stats t WHERE t.subid = s.oid AND t.apply_error_count + t.sync_error_count > 0))) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription subs_test1 was disabled after an error (disable_on_error); replc leaves it disabled: find the error in the server log, fix its cause, then ALTER SUBSCRIPTION subs_test1 ENABLE'
\endif

-- subscription subs_test1: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('test1')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs_test1 REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION subs_test1 IS 'replc cluster postgres2021-2147483647';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
