-- replc: step tables.sql of node 'pub'; rm -rf / #'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

SELECT NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'Sch"ema') AS replc_do \gset
\if :replc_do
CREATE SCHEMA IF NOT EXISTS "Sch""ema";
\set replc_changed 1
\endif

-- table Sch"ema.ta ble;--
SELECT to_regclass('"Sch""ema"."ta ble;--"') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS "Sch""ema"."ta ble;--" (
    "col""q" int,
    "émoji ✓" text,
    a$b varchar(10),
    PRIMARY KEY ("col""q")
);
\set replc_changed 1
\endif

-- table abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk
SELECT to_regclass('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk (
    id int,
    PRIMARY KEY (id)
);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
