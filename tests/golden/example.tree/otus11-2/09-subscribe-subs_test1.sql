-- replc: step 09-subscribe-subs_test1.sql of node 'otus11-2'. Generated; do not edit.
-- create subscription 'subs_test1' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION subs_test1
    CONNECTION 'host=192.168.56.11 port=5432 dbname=repl user=postgres'
    PUBLICATION publ_test1
    WITH (create_slot = false, streaming = off);
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'subs_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION subs_test1 IS 'replc cluster postgres2021-2147483647';
\endif
