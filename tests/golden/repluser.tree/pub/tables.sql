-- replc: step tables.sql of node 'pub'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'sales') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS sales;
\set replc_changed 1
\endif

-- table t1
SELECT to_regclass('t1') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS t1 (
    k int,
    v text,
    PRIMARY KEY (k)
);
\set replc_changed 1
\endif

-- table sales.orders
SELECT to_regclass('sales.orders') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS sales.orders (
    id int,
    total numeric(10,2),
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
