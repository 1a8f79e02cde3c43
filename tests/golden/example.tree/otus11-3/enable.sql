-- replc: step enable.sql of node 'otus11-3'. Generated; do not edit.
-- enable the 2 new subscription(s) together, in one transaction (one launcher pass)
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- subscriptions subs3_test1, subs3_test2: enabled in one transaction (up to PostgreSQL 15 the launcher starts the workers of all of them in one pass), then marked as replc's
SELECT EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') OR EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') OR EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') OR EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') AS replc_do \gset
\if :replc_do
DO $replc$
BEGIN
    IF EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') THEN
        ALTER SUBSCRIPTION subs3_test1 ENABLE;
    END IF;
    IF EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND NOT s.subenabled AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') THEN
        ALTER SUBSCRIPTION subs3_test2 ENABLE;
    END IF;
    IF EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test1' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') THEN
        COMMENT ON SUBSCRIPTION subs3_test1 IS 'replc cluster postgres2021-2147483647';
    END IF;
    IF EXISTS (SELECT FROM pg_subscription s WHERE subname = 'subs3_test2' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND obj_description(s.oid, 'pg_subscription') IS DISTINCT FROM 'replc cluster postgres2021-2147483647') THEN
        COMMENT ON SUBSCRIPTION subs3_test2 IS 'replc cluster postgres2021-2147483647';
    END IF;
END
$replc$;
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
