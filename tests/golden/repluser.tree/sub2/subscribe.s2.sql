-- replc: step subscribe.s2.sql of node 'sub2'. Generated; do not edit.
-- create subscription 's2' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 's2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION s2
    CONNECTION 'host=10.4.0.2 port=5432 dbname=app user=repl_agent'
    PUBLICATION everything
    WITH (create_slot = false, streaming = off);
\set replc_changed 1
\endif

-- subscription s2: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=10.4.0.2 port=5432 dbname=app user=repl_agent')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s2 CONNECTION 'host=10.4.0.2 port=5432 dbname=app user=repl_agent';
\set replc_changed 1
\endif

-- subscription s2: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['everything']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s2 SET PUBLICATION everything WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> 'f')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s2 SET (streaming = off);
\set replc_changed 1
\endif

-- subscription s2: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 's2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (NOT (SELECT coalesce(array_agg(srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) @> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('t1')::oid, to_regclass('sales.orders')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION s2 REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 's2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster repluser') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION s2 IS 'replc cluster repluser';
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
