#!/bin/sh
# tools/deps.sh build|test: install the Debian packages replc needs when they
# are missing (needs root for apt-get; does nothing when all are present).
# Each need is a command that must exist, and the package that brings it.
set -eu
need=""
want() {  # want COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 || case " $need " in *" $2 "*) ;; *) need="$need $2" ;; esac
}
want_pkg() {  # want_pkg PACKAGE: a library or files, no command to look for
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || need="$need $1"
}
want cc gcc
want make make
want flex flex
want bison bison
want pg_config libpq-dev
want_pkg libpq-dev
if [ "${1:-build}" = test ]; then
    # real servers for the integration tests, ssh for the hosts, sudo, npm for PostgreSQL
    # 14, 16, 17 and 18 (tests/lib/pgnpm.sh),
    # valgrind, mandoc for the man page's lint
    [ -x /usr/lib/postgresql/15/bin/postgres ] || need="$need postgresql-15"
    want psql postgresql-client-15
    want sshd openssh-server
    want ssh openssh-client
    want ip iproute2
    want sudo sudo     # tests/integration/systemd.sh: the server manager through sudo -n
    want ps procps
    [ -x /usr/bin/time ] || need="$need time"
    want valgrind valgrind
    want mandoc mandoc
    want shellcheck shellcheck
    want clang clang   # tests/fuzz: libFuzzer targets
    want python3 python3
    want node nodejs
    want npm npm
fi
[ -z "$need" ] && exit 0
echo "tools/deps.sh: installing:$need"
if [ "$(id -u)" != 0 ]; then
    echo "tools/deps.sh: not root; install these packages:$need" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
