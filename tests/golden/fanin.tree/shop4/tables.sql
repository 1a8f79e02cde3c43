-- replc: step tables.sql of node 'shop4'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'shop4') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS shop4;
\set replc_changed 1
\endif

-- table shop4.orders
SELECT to_regclass('shop4.orders') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS shop4.orders (
    id bigint,
    tags text[],
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
