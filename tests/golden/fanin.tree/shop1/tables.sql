-- replc: step tables.sql of node 'shop1'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'shop1') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS shop1;
\set replc_changed 1
\endif

-- table shop1.orders
SELECT to_regclass('shop1.orders') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS shop1.orders (
    id bigint,
    amount numeric(10,2) NOT NULL,
    at timestamp with time zone,
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
