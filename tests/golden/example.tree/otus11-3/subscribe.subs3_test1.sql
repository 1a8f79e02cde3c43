-- replc: step subscribe.subs3_test1.sql of node 'otus11-3'. Generated; do not edit.
-- create subscription 'subs3_test1' if missing, disabled until the enable step
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION subs3_test1
    CONNECTION 'host=192.168.56.11 port=5432 dbname=repl user=postgres'
    PUBLICATION publ_test1
    WITH (synchronous_commit = 'on', enabled = false, create_slot = false, streaming = off);
\set replc_changed 1
\endif

-- subscription subs3_test1: its publisher's address
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subconninfo <> 'host=192.168.56.11 port=5432 dbname=repl user=postgres')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs3_test1 CONNECTION 'host=192.168.56.11 port=5432 dbname=repl user=postgres';
\set replc_changed 1
\endif

-- subscription subs3_test1: its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (ARRAY(SELECT unnest(s.subpublications) ORDER BY 1) <> ARRAY(SELECT unnest(ARRAY['publ_test1']::text[]) ORDER BY 1))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs3_test1 SET PUBLICATION publ_test1 WITH (copy_data = true);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.substream <> false)) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs3_test1 SET (streaming = off);
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND (s.subsynccommit <> 'on')) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs3_test1 SET (synchronous_commit = 'on');
\set replc_changed 1
\endif

-- subscription subs3_test1: tables added to or removed from its publications
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((SELECT coalesce(array_agg(srrelid ORDER BY srrelid), '{}') FROM pg_subscription_rel WHERE srsubid = s.oid) <> (SELECT coalesce(array_agg(x ORDER BY x), '{}') FROM unnest(ARRAY[to_regclass('test1')::oid]::oid[]) x))) AS replc_do \gset
\if :replc_do
ALTER SUBSCRIPTION subs3_test1 REFRESH PUBLICATION WITH (copy_data = true);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
