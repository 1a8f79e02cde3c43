-- replc: step subscribe.s1.sql of node 'sub'. Generated; do not edit.
-- create subscription 's1' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 's1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION s1
    CONNECTION 'host=10.4.0.1 port=5432 dbname=app user=repl_agent'
    PUBLICATION p1
    WITH (create_slot = false, streaming = off);
\set replc_changed 1
\endif

-- subscription s1: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=10.4.0.1 port=5432 dbname=app user=repl_agent')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s1 CONNECTION 'host=10.4.0.1 port=5432 dbname=app user=repl_agent';
\set replc_changed 1
\endif

-- subscription s1: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['p1']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s1 SET PUBLICATION p1 WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> 'f')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s1 SET (streaming = off);
\set replc_changed 1
\endif

-- subscription s1: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t1')::oid, to_regclass('sales.orders')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s1 REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 's1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster repluser') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION s1 IS 'replc cluster repluser';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
