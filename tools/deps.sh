#!/bin/sh
# tools/deps.sh build|test: install the Debian packages replc needs when they
# are missing (needs root for apt-get; does nothing when all are present).
set -eu
need=""
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkgs="gcc make flex bison libpq-dev"
if [ "${1:-build}" = test ]; then
    # real servers for the integration tests, ssh for the hosts, npm for PostgreSQL 17
    pkgs="$pkgs postgresql-15 postgresql-client-15 openssh-server openssh-client iproute2 procps time nodejs npm valgrind python3"
fi
for p in $pkgs; do
    have "$p" || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "tools/deps.sh: installing:$need"
if [ "$(id -u)" != 0 ]; then
    echo "tools/deps.sh: not root; install these packages:$need" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $need >/dev/null
