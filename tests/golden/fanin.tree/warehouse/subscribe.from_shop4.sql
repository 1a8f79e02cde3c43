-- replc: step subscribe.from_shop4.sql of node 'warehouse'. Generated; do not edit.
-- create subscription 'from_shop4' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION from_shop4
    CONNECTION 'host=shop4.example port=5432 dbname=shop user=replicator'
    PUBLICATION p4
    WITH (copy_data = false, create_slot = false, streaming = off);
\set replc_changed 1
\endif

-- subscription from_shop4: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=shop4.example port=5432 dbname=shop user=replicator')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 CONNECTION 'host=shop4.example port=5432 dbname=shop user=replicator';
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND s.subdisableonerr AND EXISTS (SELECT FROM pg_stat_subscription_stats t WHERE t.subid = s.oid AND t.apply_error_count + t.sync_error_count > 0))) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription from_shop4 was disabled after an error (disable_on_error); replc leaves it disabled: find the error in the server log, fix its cause, then ALTER SUBSCRIPTION from_shop4 ENABLE'
\endif

-- subscription from_shop4: enabled again (the topology no longer declares it disabled)
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') = 'replc cluster fanin; declared disabled')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 ENABLE;
\set replc_changed 1
\endif

-- subscription from_shop4: disabled by someone else while its tables change: refused
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') = 'replc cluster fanin' AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['p4']::text[]) ORDER BY 1) OR (SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('shop4.orders')::oid]::oid[]) x)))) AS replc_do \gset
\if :replc_do
DO 'DECLARE x int; BEGIN RAISE EXCEPTION ''subscription ''''%'''' is disabled on the server (not by the topology: replc leaves it so), and its publications or tables differ from the topology''''s: PostgreSQL changes them only on an enabled subscription'', ''from_shop4'' USING HINT = ''On node ''''warehouse'''': ALTER SUBSCRIPTION from_shop4 ENABLE, then apply again (the tables added are copied); or write enabled = false for it in the topology.''; END';
\set replc_changed 1
\endif

-- subscription from_shop4: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['p4']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET PUBLICATION p4 WITH (copy_data = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subbinary <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET (binary = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET (disable_on_error = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.suborigin <> 'any')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET (origin = 'any');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subpasswordrequired <> true)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET (password_required = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subrunasowner <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET (run_as_owner = false);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> 'f')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET (streaming = 'off');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subsynccommit <> 'off')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 SET (synchronous_commit = 'off');
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((s.subtwophasestate <> 'd') <> false)) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription ''from_shop4'': two_phase differs from the topology''s false; PostgreSQL 17 cannot change it after CREATE SUBSCRIPTION: write the server''s value in the topology, or drop the subscription by hand (DROP SUBSCRIPTION from_shop4) and apply again, which creates it anew and copies its tables again'
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subfailover <> false)) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription ''from_shop4'': failover differs from the topology''s false; PostgreSQL changes it only while the subscription is disabled, which replc does not do by itself: by hand, ALTER SUBSCRIPTION from_shop4 DISABLE; ALTER SUBSCRIPTION from_shop4 SET (failover = false); ALTER SUBSCRIPTION from_shop4 ENABLE; or write the server''s value in the topology'
\endif

-- subscription from_shop4: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('shop4.orders')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION from_shop4 REFRESH PUBLICATION WITH (copy_data = false);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'from_shop4' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster fanin') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION from_shop4 IS 'replc cluster fanin';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
