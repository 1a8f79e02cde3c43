#!/bin/bash
# tests/pg17/install.sh: PostgreSQL 17 server binaries for the tests; prints
# their bin directory. Kept for the pg17 suites and for users: it is
# tests/lib/pgnpm.sh 17 (read that for the cache, the lock and the pin).
#
# Usage:  PG17BIN=$(tests/pg17/install.sh)
# Env:    REPLC_PG17_CACHE   cache folder (default: tests/lib/pgnpm.sh's)
set -euo pipefail
[ -n "${REPLC_PG17_CACHE:-}" ] && export REPLC_PGNPM_CACHE=$REPLC_PG17_CACHE
exec "$(dirname "$0")/../lib/pgnpm.sh" 17
