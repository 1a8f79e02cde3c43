-- replc: step 05-tables.sql of node 'shop4'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
CREATE SCHEMA IF NOT EXISTS shop4;

CREATE TABLE IF NOT EXISTS shop4.orders (
    id bigint,
    tags text[],
    PRIMARY KEY (id)
);
