-- replc: step 06-tables.sql of node 'otus11-2'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

-- table test2
SELECT to_regclass('test2') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS test2 (
    k2 int,
    v2 varchar,
    PRIMARY KEY (k2)
);
\set replc_changed 1
\endif

-- table test1
SELECT to_regclass('test1') IS NULL AS replc_do \gset
\if :replc_do
CREATE TABLE IF NOT EXISTS test1 (
    k1 int,
    v1 varchar,
    PRIMARY KEY (k1)
);
\set replc_changed 1
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
