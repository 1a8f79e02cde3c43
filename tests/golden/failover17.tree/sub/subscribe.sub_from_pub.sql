-- replc: step subscribe.sub_from_pub.sql of node 'sub'. Generated; do not edit.
-- create subscription 'sub_from_pub' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION sub_from_pub
    CONNECTION 'host=10.7.0.1 port=5432 dbname=app user=postgres'
    PUBLICATION p
    WITH (failover = true, create_slot = false, disable_on_error = true, streaming = off);
\set replc_changed 1
\endif

-- subscription sub_from_pub: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=10.7.0.1 port=5432 dbname=app user=postgres')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION sub_from_pub CONNECTION 'host=10.7.0.1 port=5432 dbname=app user=postgres';
\set replc_changed 1
\endif

-- subscription sub_from_pub: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['p']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION sub_from_pub SET PUBLICATION p WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subdisableonerr <> true)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION sub_from_pub SET (disable_on_error = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> 'f')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION sub_from_pub SET (streaming = off);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT s.subenabled AND s.subdisableonerr AND EXISTS (SELECT FROM pg_stat_subscription_stats t WHERE t.subid = s.oid AND t.apply_error_count + t.sync_error_count > 0))) AS replc_do \gset
\if :replc_do
\echo 'notice: subscription sub_from_pub was disabled after an error (disable_on_error); replc leaves it disabled: find the error in the server log, fix its cause, then ALTER SUBSCRIPTION sub_from_pub ENABLE'
\endif

-- subscription sub_from_pub: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('items')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION sub_from_pub REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'sub_from_pub' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster failover17') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION sub_from_pub IS 'replc cluster failover17';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
