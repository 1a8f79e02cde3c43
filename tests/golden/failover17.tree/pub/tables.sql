-- replc: step tables.sql of node 'pub'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- table items
SELECT to_regclass('items') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS items (
    id bigint,
    name text,
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
