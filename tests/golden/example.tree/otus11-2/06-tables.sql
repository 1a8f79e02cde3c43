-- replc: step 06-tables.sql of node 'otus11-2'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.

CREATE TABLE IF NOT EXISTS test2 (
    k2 int,
    v2 varchar,
    PRIMARY KEY (k2)
);

CREATE TABLE IF NOT EXISTS test1 (
    k1 int,
    v1 varchar,
    PRIMARY KEY (k1)
);
