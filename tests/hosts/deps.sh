#!/bin/bash
# tests/hosts/deps.sh: make sure the tools that tests/hosts/hosts.sh needs are
# installed; install the missing Debian packages (and only then run apt-get).
#
# Usage: tests/hosts/deps.sh            (as root)
# Exit 0 when everything is present (or was installed), 1 otherwise.
set -euo pipefail

PGBIN_DEFAULT=/usr/lib/postgresql/15/bin

log() { printf 'deps.sh: %s\n' "$*" >&2; }

missing=()
need_cmd() {          # need_cmd COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}
need_pkg() {          # need_pkg PACKAGE  (installed per dpkg)
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$1")
}

need_cmd ip          iproute2
need_cmd bridge      iproute2
need_cmd unshare     util-linux
need_cmd nsenter     util-linux
need_cmd setsid      util-linux
need_cmd runuser     util-linux
need_cmd mount       mount
need_cmd timeout     coreutils
need_cmd od          coreutils
need_cmd usermod     passwd
need_cmd ssh         openssh-client
need_cmd ssh-keygen  openssh-client
need_cmd psql        postgresql-client-15
need_cmd pg_isready  postgresql-client-15
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x "$PGBIN_DEFAULT/initdb" ] && [ -x "$PGBIN_DEFAULT/pg_ctl" ] &&
    [ -x "$PGBIN_DEFAULT/pg_basebackup" ] || missing+=(postgresql-15)
need_pkg postgresql-15

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

# de-duplicate, keep order
declare -A seen=()
pkgs=()
for p in "${missing[@]}"; do
    [ -n "${seen[$p]:-}" ] && continue
    seen[$p]=1
    pkgs+=("$p")
done

[ "$(id -u)" = 0 ] || { log "missing packages ${pkgs[*]} and not root to install them"; exit 1; }
log "installing: ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2
# The Debian package starts a cluster "15/main" on port 5432 of the root
# namespace; it does not conflict with the test hosts (own namespaces), so it
# is left alone.
