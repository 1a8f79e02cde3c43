-- replc: step 06-tables.sql of node 'süb \ node'. Generated; do not edit.
-- create schemas and tables if missing
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
CREATE SCHEMA IF NOT EXISTS "Sch""ema";

CREATE TABLE IF NOT EXISTS "Sch""ema"."ta ble;--" (
    "col""q" int,
    "émoji ✓" text,
    a$b varchar(10),
    PRIMARY KEY ("col""q")
);

CREATE TABLE IF NOT EXISTS abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk (
    id int,
    PRIMARY KEY (id)
);
