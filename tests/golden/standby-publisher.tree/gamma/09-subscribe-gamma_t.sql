-- replc: step 09-subscribe-gamma_t.sql of node 'gamma'. Generated; do not edit.
-- create subscription 'gamma_t' if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

SELECT NOT EXISTS (SELECT FROM pg_subscription WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())) AS replc_do \gset
\if :replc_do
CREATE SUBSCRIPTION gamma_t
    CONNECTION 'host=10.2.0.2 port=5432 dbname=repl user=postgres'
    PUBLICATION pt
    WITH (create_slot = false, streaming = off);
\endif

-- replc's mark: what carries it and leaves the topology is dropped by --prune
SELECT EXISTS (SELECT FROM pg_subscription WHERE subname = 'gamma_t' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster standby-publisher') AS replc_do \gset
\if :replc_do
COMMENT ON SUBSCRIPTION gamma_t IS 'replc cluster standby-publisher';
\endif
