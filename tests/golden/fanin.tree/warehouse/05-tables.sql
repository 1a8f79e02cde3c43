-- replc: step 05-tables.sql of node 'warehouse'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
CREATE SCHEMA IF NOT EXISTS shop1;
CREATE SCHEMA IF NOT EXISTS shop2;
CREATE SCHEMA IF NOT EXISTS shop3;
CREATE SCHEMA IF NOT EXISTS shop4;

CREATE TABLE IF NOT EXISTS shop1.orders (
    id bigint,
    amount numeric(10,2) NOT NULL,
    at timestamp with time zone,
    PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS shop2.orders (
    id bigint,
    amount numeric(10,2) NOT NULL,
    at timestamp with time zone,
    PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS shop3.orders (
    id bigint,
    amount numeric(10,2),
    PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS shop4.orders (
    id bigint,
    tags text[],
    PRIMARY KEY (id)
);
