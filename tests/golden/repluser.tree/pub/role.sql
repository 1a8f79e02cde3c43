-- replc: step role.sql of node 'pub'. Generated; do not edit.
-- create the replication roles that peers connect as, if missing (password from the environment)
-- Run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Safe to run again.
-- A statement waits at most 5 s behind another session's lock, then fails
-- (lock timeout); run.sh then runs the file again, at most 6 times in all,
-- and names the transactions it waited behind.
SET lock_timeout = '5s';

-- replication role repl_agent: the subscriptions and standbys of 'pub' connect as it
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'repl_agent') AS replc_do \gset
\if :replc_do
CREATE ROLE repl_agent LOGIN REPLICATION;
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = 'repl_agent' AND NOT (rolcanlogin AND rolreplication)) AS replc_do \gset
\if :replc_do
ALTER ROLE repl_agent LOGIN REPLICATION;
\set replc_changed 1
\endif

-- its password, from environment variable REPL_AGENT_PASSWORD, when it has none
SELECT EXISTS (SELECT FROM pg_authid WHERE rolname = 'repl_agent' AND rolpassword IS NULL) AS replc_do \gset
\if :replc_do
\set replc_pw_set `[ -n "${REPL_AGENT_PASSWORD-}" ] && echo 1 || echo 0`
\if :replc_pw_set
\set replc_pw `printenv REPL_AGENT_PASSWORD`
SELECT count(set_config('log_statement', 'none', false)) + count(set_config('log_min_error_statement', 'panic', false)) AS replc_quiet FROM pg_roles WHERE rolname = current_user AND rolsuper \gset
ALTER ROLE repl_agent PASSWORD :'replc_pw';
\unset replc_pw
\else
DO 'BEGIN RAISE EXCEPTION ''environment variable REPL_AGENT_PASSWORD is not set; it holds the password of role repl_agent''; END';
\endif
\set replc_changed 1
\endif

SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = 'repl_agent' AND rolsuper) AS replc_do \gset
\if :replc_do
\echo 'notice: replication role repl_agent is a superuser; replc leaves it so (ALTER ROLE repl_agent NOSUPERUSER to have peers connect without superuser rights)'
\endif

\if :{?replc_changed}
\echo 'replc-result: changed'
\else
\echo 'replc-result: ok'
\endif
