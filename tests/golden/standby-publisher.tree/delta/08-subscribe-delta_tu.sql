-- replc: step 08-subscribe-delta_tu.sql of node 'delta'. Generated; do not edit.
-- create subscription 'delta_tu' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION delta_tu
    CONNECTION 'host=10.2.0.3 port=5432 dbname=repl user=postgres'
    PUBLICATION pt, pu
    WITH (streaming = 'parallel', create_slot = false);
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'delta_tu' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION delta_tu IS 'replc cluster standby-publisher';
\endif
