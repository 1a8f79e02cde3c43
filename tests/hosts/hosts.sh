#!/bin/bash
# tests/hosts/hosts.sh: N PostgreSQL "hosts" on one machine, for replc's tests.
#
# Each host hI is its own network namespace (replc-hI) with its own address,
# its own sshd on port 22 and its own PostgreSQL server on port 5432, and its
# own view of three paths, like identical VMs:
#   /srv/replc           per-host folder: data directory /srv/replc/data,
#                        server log /srv/replc/log/postgresql.log
#   /run/postgresql      private tmpfs (socket directory)
#   /var/lib/postgresql  per-host HOME of the postgres OS user (~/.pgpass)
#   /etc/postgresql, /var/log/postgresql
#                        the Debian layout's own; the plain layout: empty (the
#                        machine's own Debian cluster is not seen)
#   /usr/local/bin       the machine's, less its PostgreSQL server programs
# Everything started over ssh into a host lives in that host's namespaces.
#
# Addresses: loopback only. Admin side (the root namespace, on the bridge
# replc-br0) 127.77.0.1/24, host I 127.77.0.(10+I). 127.x is made routable
# between namespaces with route_localnet=1 and a /24 route in the "local"
# routing table (which otherwise sends all of 127/8 to lo).
#
# Usage (as root):
#   hosts.sh up N [--pgbin DIR] [--layout plain|debian] [--state DIR]
#                                              create h1..hN (tears down leftovers first)
#   hosts.sh down [--state DIR]                stop and delete everything (safe twice)
#   hosts.sh env [--state DIR]                 print the env file (KEY=value lines)
#   hosts.sh psql I [psql args...]             psql -X -h $HI_IP -U postgres ... (root ns)
#   hosts.sh ssh I CMD...                      ssh to host I as postgres
#   hosts.sh log I                             print host I's server log
#   hosts.sh exec I CMD...                     run CMD as root inside host I (its net+mount ns)
#   hosts.sh systemd I UNIT                    host I's server run by UNIT of a stand-in
#                                              systemd (tests/hosts/systemctl), with its
#                                              own empty /etc/sudoers.d
# --state may also be given before the subcommand; default $REPLC_HOSTS_STATE
# or /tmp/replc-hosts. Names (replc-h*, replc-br0, replc-v*) and addresses are
# fixed: one test bed per machine at a time.
#
# The state dir keeps logs after `down` (a new `up` wipes it):
#   env                       the env file (mode 600: holds the password)
#   ssh/id_ed25519            client key (authorized for postgres on every host)
#   hI/srv/...                host I's /srv/replc (data, log/postgresql.log)
#   hI/home/                  host I's /var/lib/postgresql
#   hI/sshd.log, hI/sshd.pid, hI/setup.log
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A test bed's names and addresses: several beds with different prefixes and
# networks run side by side (REPLC_HOSTS_PREFIX, REPLC_HOSTS_NET).
PREFIX=${REPLC_HOSTS_PREFIX:-replc}
NET=${REPLC_HOSTS_NET:-127.77.0}
[[ $PREFIX =~ ^[a-z][a-z0-9]{0,7}$ ]] || { echo "hosts.sh: REPLC_HOSTS_PREFIX must be 1-8 of [a-z0-9], a letter first" >&2; exit 2; }
[[ $NET =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || { echo "hosts.sh: REPLC_HOSTS_NET must be 127.X.Y" >&2; exit 2; }
STATE=${REPLC_HOSTS_STATE:-/tmp/$PREFIX-hosts}
PGBIN=/usr/lib/postgresql/15/bin
LAYOUT=plain                   # plain: initdb + pg_ctl; debian: pg_createcluster + pg_ctlcluster
DEB_VERSION=15
BRIDGE=$PREFIX-br0
ADMIN_IP=$NET.1
COMMON=/srv/replc              # per-host folder is bound here
PGDATA_PATH=$COMMON/data
PGHOME=/var/lib/postgresql     # postgres' HOME, per host
SOCKDIR=/run/postgresql
MAXN=200

log() { printf 'hosts.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

host_ip() { printf '%s.%d' "$NET" $((10 + $1)); }
ns_name() { printf '%s-h%d' "$PREFIX" "$1"; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

ssh_opts() {
    printf '%s' "-i $STATE/ssh/id_ed25519 -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=10"
}

setsys() {  # setsys PATH VALUE   (write a /proc/sys file; interface names may hold '-')
    printf '%s\n' "$2" > "/proc/sys/$1"
}

# ---------------------------------------------------------------- down

# Stop every process in one namespace: postmasters get SIGQUIT (immediate
# shutdown), everything else SIGTERM; what is left after a few seconds, SIGKILL.
stop_ns_procs() {
    local ns=$1 pids p pp i
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    for p in $pids; do
        [ -r "/proc/$p/comm" ] || continue
        if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = postgres ]; then
            pp=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null || echo 1)
            if [ "$(cat "/proc/$pp/comm" 2>/dev/null)" != postgres ]; then
                kill -QUIT "$p" 2>/dev/null || true      # postmaster: immediate stop
            fi
        else
            kill -TERM "$p" 2>/dev/null || true
        fi
    done
    for i in $(seq 50); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] || return 0
        sleep 0.1
    done
    log "$ns: killing what is left: $(echo "$pids" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    for i in $(seq 30); do
        [ -n "$(ip netns pids "$ns" 2>/dev/null || true)" ] || return 0
        sleep 0.1
    done
    log "$ns: processes survive SIGKILL: $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
}

do_down() {
    need_root
    local ns nss=() link
    while read -r ns _; do
        [[ $ns =~ ^$PREFIX-h[0-9]+$ ]] && nss+=("$ns")
    done < <(ip netns list 2>/dev/null)
    # stop processes of all hosts at once (in parallel: each waits up to 5 s)
    local pids=()
    for ns in "${nss[@]}"; do
        stop_ns_procs "$ns" & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    for ns in "${nss[@]}"; do
        ip netns del "$ns" 2>/dev/null || log "cannot delete namespace $ns"
    done
    # veth peers die with their namespace; remove any that did not, then the bridge
    while read -r link; do
        ip link del "$link" 2>/dev/null || true
    done < <(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
             grep -E "^$PREFIX-v[0-9]+$" || true)
    if ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link del "$BRIDGE" || log "cannot delete $BRIDGE"
    fi
    # launcher processes whose namespace is gone already (pid files)
    if [ -d "$STATE" ]; then
        local f pid
        for f in "$STATE"/h*/launch.pid "$STATE"/h*/sshd.pid; do
            [ -f "$f" ] || continue
            pid=$(cat "$f" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]] && [ -d "/proc/$pid" ] &&
               grep -qa -e sshd -e unshare "/proc/$pid/cmdline" 2>/dev/null; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
            rm -f "$f"
        done
    fi
    # $COMMON stays: removing a directory that is a mount point in another
    # bed's namespaces would detach that mount there
    return 0
}

# ---------------------------------------------------------------- up

setup_network() {
    local n=$1 i ns ip veth
    ip link add "$BRIDGE" type bridge
    setsys "net/ipv6/conf/$BRIDGE/disable_ipv6" 1 2>/dev/null || true
    setsys "net/ipv4/conf/$BRIDGE/route_localnet" 1
    ip addr add "$ADMIN_IP/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    # the "local" table routes all of 127/8 to lo; a more specific route wins
    ip route add "$NET.0/24" dev "$BRIDGE" src "$ADMIN_IP" table local
    for i in $(seq "$n"); do
        ns=$(ns_name "$i"); ip=$(host_ip "$i"); veth=$PREFIX-v$i
        ip netns add "$ns"
        ip link add "$veth" type veth peer name eth0 netns "$ns"
        setsys "net/ipv6/conf/$veth/disable_ipv6" 1 2>/dev/null || true
        setsys "net/ipv4/conf/$veth/route_localnet" 1
        ip link set "$veth" master "$BRIDGE" up
        ip netns exec "$ns" sh -c '
            echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet
            echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet
            echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6 2>/dev/null || true'
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$ip/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" route add "$NET.0/24" dev eth0 src "$ip" table local
    done
}

start_sshd() {    # start_sshd I
    local i=$1 ns ip dir
    ns=$(ns_name "$i"); ip=$(host_ip "$i"); dir=$STATE/h$i
    # ip netns exec: network namespace; unshare -m: a private mount namespace
    # in which this host's folders are mounted on the common paths. sshd is
    # exec'd there, so every session (and every server it starts) sees them.
    setsid ip netns exec "$ns" unshare -m --propagation private /bin/sh -c '
        set -e
        mount -t tmpfs -o mode=2775,uid=$2,gid=$3,size=16m replc-run "$4"
        mount --bind "$1/srv" "$5"
        mount --bind "$1/home" "$6"
        # the Debian layout: this host'"'"'s own packaged-cluster folders; the
        # plain layout: none, this machine'"'"'s own Debian cluster hidden
        if [ -d "$1/etc" ]; then
            mount --bind "$1/etc" /etc/postgresql
            mount --bind "$1/varlog" /var/log/postgresql
        else
            mount -t tmpfs -o mode=755,size=1m replc-none /etc/postgresql
            mount -t tmpfs -o mode=755,size=1m replc-none /var/log/postgresql
        fi
        # no PostgreSQL server program on the PATH (this machine links pg_ctl,
        # postgres, initdb into /usr/local/bin): /usr/local/bin, a tmpfs of
        # links to the rest of the machine'"'"'s, reached through a bind mount
        mount --bind /usr/local/bin "$1/localbin"
        mount -t tmpfs -o mode=755,size=1m replc-bin /usr/local/bin
        for f in "$1/localbin"/*; do
            [ -e "$f" ] || continue
            case ${f##*/}:$(readlink -f "$f") in
            pg_*:*|postgres:*|postmaster:*|initdb:*|*:/usr/lib/postgresql/*) ;;
            *) ln -s "$f" "/usr/local/bin/${f##*/}" ;;
            esac
        done
        exec /usr/sbin/sshd -D -f /dev/null -E "$1/sshd.log" \
            -o ListenAddress="$7:22" -o HostKey="$8" \
            -o AuthorizedKeysFile="$9" -o StrictModes=no -o UsePAM=no \
            -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
            -o AllowUsers=postgres -o PidFile="$1/sshd.pid" \
            -o MaxStartups=100 -o MaxSessions=100 -o UseDNS=no' \
        sh "$dir" "$(id -u postgres)" "$(id -g postgres)" "$SOCKDIR" "$COMMON" "$PGHOME" \
        "$ip" "$STATE/ssh/host_ed25519_key" "$STATE/ssh/authorized_keys" \
        </dev/null >>"$dir/launch.log" 2>&1 &
    echo $! > "$dir/launch.pid"
}

# The script that sets up one server, run as postgres inside the host (stdin
# of ssh: the password never appears on a command line).
server_setup_script() {   # server_setup_script PASSWORD
    if [ "$LAYOUT" = debian ]; then debian_setup_script "$1"; else plain_setup_script "$1"; fi
}

# The server's own settings (appended to CONF; with LOGDIR, the logging
# collector writes there) and the initial pg_hba.conf: local and the admin
# side only, so that everything else must come from the tool under test.
conf_and_hba() {   # conf_and_hba CONF HBA [LOGDIR]
    cat <<EOF
cat >> '$1' <<'CONF'

# --- set by tests/hosts/hosts.sh
listen_addresses = '*'
port = 5432
unix_socket_directories = '$SOCKDIR'
log_line_prefix = '%m [%p] %q%u@%d %h '
log_connections = on
shared_buffers = 32MB
CONF
EOF
    if [ -n "${3:-}" ]; then
        cat <<EOF
cat >> '$1' <<'CONF'
logging_collector = on
log_directory = '$3'
log_filename = 'postgresql.log'
log_rotation_age = 0
log_rotation_size = 0
CONF
EOF
    fi
    cat <<EOF
cat > '$2' <<'HBA'
# --- set by tests/hosts/hosts.sh: local and the admin side only
local   all          all                    trust
local   replication  all                    trust
host    all          all    $ADMIN_IP/32    trust
HBA
EOF
}

set_password_script() {   # set_password_script PASSWORD
    cat <<EOF
psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
SET password_encryption = 'scram-sha-256';
ALTER ROLE postgres PASSWORD '$1';
SQL
EOF
}

# plain: initdb into /srv/replc/data, run by pg_ctl, the log in /srv/replc/log
plain_setup_script() {   # plain_setup_script PASSWORD
    cat <<EOF
set -e
PGBIN='$PGBIN'
D='$PGDATA_PATH'
"\$PGBIN/initdb" -D "\$D" -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N >'$COMMON/initdb.log' 2>&1 ||
    { cat '$COMMON/initdb.log' >&2; exit 1; }
mkdir -p '$COMMON/log'
EOF
    conf_and_hba "$PGDATA_PATH/postgresql.conf" "$PGDATA_PATH/pg_hba.conf" "$COMMON/log"
    cat <<EOF
"\$PGBIN/pg_ctl" -D "\$D" -l '$COMMON/startup.log' -w -t 60 start >/dev/null ||
    { cat '$COMMON/startup.log' >&2; exit 1; }
EOF
    set_password_script "$1"
}

# debian: a packaged cluster as postgresql-common makes it (configuration in
# /etc/postgresql/V/main, data in /var/lib/postgresql/V/main, the log in
# /var/log/postgresql/postgresql-V-main.log), run by pg_ctlcluster
debian_setup_script() {   # debian_setup_script PASSWORD
    local conf=/etc/postgresql/$DEB_VERSION/main
    cat <<EOF
set -e
pg_createcluster --locale C.UTF-8 -e UTF8 -p 5432 $DEB_VERSION main -- -A trust -N >'$COMMON/createcluster.log' 2>&1 ||
    { cat '$COMMON/createcluster.log' >&2; exit 1; }
EOF
    conf_and_hba "$conf/postgresql.conf" "$conf/pg_hba.conf"
    cat <<EOF
pg_ctlcluster $DEB_VERSION main start >'$COMMON/startup.log' 2>&1 ||
    { cat '$COMMON/startup.log' >&2; exit 1; }
EOF
    set_password_script "$1"
}

write_env() {   # write_env N PASSWORD
    local n=$1 pw=$2 i
    {
        printf 'HOSTS_N=%d\n' "$n"
        for i in $(seq "$n"); do printf 'H%d_IP=%s\n' "$i" "$(host_ip "$i")"; done
        printf 'ADMIN_IP=%s\n' "$ADMIN_IP"
        printf 'HOSTS_SSH_KEY=%s\n' "$STATE/ssh/id_ed25519"
        printf "HOSTS_SSH_OPTS='%s'\n" "$(ssh_opts)"
        printf 'HOSTS_LAYOUT=%s\n' "$LAYOUT"
        if [ "$LAYOUT" = debian ]; then
            printf 'HOSTS_PGDATA=%s\n' "$PGHOME/$DEB_VERSION/main"
            printf 'HOSTS_CONFDIR=%s\n' "/etc/postgresql/$DEB_VERSION/main"
            printf 'HOSTS_LOG=%s\n' "/var/log/postgresql/postgresql-$DEB_VERSION-main.log"
        else
            printf 'HOSTS_PGDATA=%s\n' "$PGDATA_PATH"
            printf 'HOSTS_CONFDIR=%s\n' "$PGDATA_PATH"
            printf 'HOSTS_LOG=%s\n' "$COMMON/log/postgresql.log"
        fi
        printf 'HOSTS_PGBIN=%s\n' "$PGBIN"
        printf 'HOSTS_PASSWORD=%s\n' "$pw"
        printf 'HOSTS_STATE=%s\n' "$STATE"
    } > "$STATE/env.tmp"
    chmod 600 "$STATE/env.tmp"
    mv "$STATE/env.tmp" "$STATE/env"
}

do_up() {
    need_root
    local n=$1 i t0 pw ip pids=() rc=0
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le $MAXN ] || die "N must be 1..$MAXN"
    [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] || die "no initdb/pg_ctl in $PGBIN"
    if [ "$LAYOUT" = debian ]; then
        [ "$PGBIN" = "/usr/lib/postgresql/$DEB_VERSION/bin" ] ||
            die "--layout debian runs Debian's packaged PostgreSQL $DEB_VERSION; it takes no --pgbin"
        command -v pg_createcluster >/dev/null || die "no pg_createcluster (package postgresql-common)"
    fi
    t0=${EPOCHREALTIME/[.,]/}
    "$HERE/deps.sh"
    id postgres >/dev/null 2>&1 || die "no OS user postgres"
    runuser -u postgres -- "$PGBIN/pg_ctl" --version >/dev/null 2>&1 ||
        die "user postgres cannot run $PGBIN/pg_ctl"

    do_down
    case $STATE in /|/tmp|/srv|/var|/root|"") die "refusing state dir '$STATE'";; esac
    rm -rf "$STATE"
    mkdir -p "$STATE/ssh"
    chmod 755 "$STATE" "$STATE/ssh"
    ssh-keygen -q -t ed25519 -N '' -C replc-hosts -f "$STATE/ssh/id_ed25519"
    ssh-keygen -q -t ed25519 -N '' -C replc-hosts-hostkey -f "$STATE/ssh/host_ed25519_key"
    cp "$STATE/ssh/id_ed25519.pub" "$STATE/ssh/authorized_keys"
    chmod 644 "$STATE/ssh/authorized_keys"
    pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

    # sshd without PAM refuses a locked account ('!' in /etc/shadow)
    if [ "$(passwd -S postgres | awk '{print $2}')" = L ]; then
        usermod -p '*' postgres
    fi
    mkdir -p /run/sshd "$COMMON" "$SOCKDIR" "$PGHOME" /etc/postgresql /var/log/postgresql
    chmod 755 /run/sshd

    setup_network "$n"
    for i in $(seq "$n"); do
        mkdir -p "$STATE/h$i/srv" "$STATE/h$i/home" "$STATE/h$i/localbin"
        chown postgres:postgres "$STATE/h$i/srv" "$STATE/h$i/home"
        chmod 755 "$STATE/h$i" "$STATE/h$i/srv" "$STATE/h$i/home"
        if [ "$LAYOUT" = debian ]; then
            mkdir -p "$STATE/h$i/etc" "$STATE/h$i/varlog"
            chown postgres:postgres "$STATE/h$i/etc" "$STATE/h$i/varlog"
            chmod 755 "$STATE/h$i/etc"
            chmod 2775 "$STATE/h$i/varlog"
        fi
        start_sshd "$i"
    done
    write_env "$n" "$pw"

    # wait for every sshd
    local ok SSHO
    read -r -a SSHO <<<"$(ssh_opts)"
    for i in $(seq "$n"); do
        ip=$(host_ip "$i"); ok=
        for _ in $(seq 100); do
            if ssh "${SSHO[@]}" -o ConnectTimeout=2 "postgres@$ip" true </dev/null 2>/dev/null; then ok=1; break; fi
            sleep 0.1
        done
        [ -n "$ok" ] || { cat "$STATE/h$i/launch.log" "$STATE/h$i/sshd.log" >&2 2>/dev/null || true
                          die "sshd of h$i ($ip) does not accept ssh postgres@$ip"; }
    done

    # initdb + start every server, in parallel
    for i in $(seq "$n"); do
        ip=$(host_ip "$i")
        server_setup_script "$pw" | ssh "${SSHO[@]}" "postgres@$ip" sh -s >"$STATE/h$i/setup.log" 2>&1 &
        pids+=($!)
    done
    for i in $(seq "$n"); do
        if ! wait "${pids[$((i-1))]}"; then
            log "setting up the server of h$i failed:"; sed 's/^/  /' "$STATE/h$i/setup.log" >&2; rc=1
        fi
    done
    [ $rc = 0 ] || die "server setup failed"

    # every server reachable from the admin side
    for i in $(seq "$n"); do
        ip=$(host_ip "$i"); ok=
        for _ in $(seq 100); do
            if pg_isready -q -h "$ip" -p 5432 -U postgres -d postgres -t 2; then ok=1; break; fi
            sleep 0.1
        done
        [ -n "$ok" ] || die "server of h$i ($ip) is not ready"
    done
    local dt=$(( (${EPOCHREALTIME/[.,]/} - t0) / 100000 ))
    log "up: $n hosts in $((dt / 10)).$((dt % 10)) s; env: $STATE/env"
}

# ---------------------------------------------------------------- helpers

load_env() {
    [ -r "$STATE/env" ] || die "no $STATE/env: run 'hosts.sh up N' first"
    # shellcheck disable=SC1091
    . "$STATE/env"
}

host_index() {
    [[ ${1:-} =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$HOSTS_N" ] ||
        die "host index must be 1..$HOSTS_N, not '${1:-}'"
}

usage() {
    sed -n '/^# Usage/,/^# --state/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# ---------------------------------------------------------------- main

# global --state before the subcommand
while [ $# -gt 0 ]; do
    case $1 in
        --state) [ $# -ge 2 ] || usage; STATE=$2; shift 2 ;;
        --state=*) STATE=${1#*=}; shift ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || usage
cmd=$1; shift
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac

case $cmd in
    up|down|env)
        args=()
        while [ $# -gt 0 ]; do
            case $1 in
                --state) [ $# -ge 2 ] || usage; STATE=$2; shift 2 ;;
                --state=*) STATE=${1#*=}; shift ;;
                --pgbin) [ "$cmd" = up ] && [ $# -ge 2 ] || usage; PGBIN=$2; shift 2 ;;
                --pgbin=*) [ "$cmd" = up ] || usage; PGBIN=${1#*=}; shift ;;
                --layout) [ "$cmd" = up ] && [ $# -ge 2 ] || usage; LAYOUT=$2; shift 2 ;;
                --layout=*) [ "$cmd" = up ] || usage; LAYOUT=${1#*=}; shift ;;
                -h|--help) usage ;;
                *) args+=("$1"); shift ;;
            esac
        done
        case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
        case $cmd in
            up)   [ ${#args[@]} = 1 ] || usage
                  case $LAYOUT in plain|debian) ;; *) die "--layout is plain or debian, not '$LAYOUT'" ;; esac
                  do_up "${args[0]}" ;;
            down) [ ${#args[@]} = 0 ] || usage; do_down ;;
            env)  [ ${#args[@]} = 0 ] || usage; load_env; cat "$STATE/env" ;;
        esac
        ;;
    psql)
        load_env; host_index "${1:-}"; i=$1; shift
        ipvar=H${i}_IP
        exec psql -X -h "${!ipvar}" -p 5432 -U postgres "$@"
        ;;
    ssh)
        load_env; host_index "${1:-}"; i=$1; shift
        ipvar=H${i}_IP
        # shellcheck disable=SC2086
        exec ssh $HOSTS_SSH_OPTS "postgres@${!ipvar}" "$@"
        ;;
    log)
        load_env; host_index "${1:-}"
        case $HOSTS_LAYOUT in
            debian) cat "$STATE/h$1/varlog/postgresql-$DEB_VERSION-main.log" ;;
            *) cat "$STATE/h$1/srv/log/postgresql.log" ;;
        esac
        ;;
    exec)
        need_root; load_env; host_index "${1:-}"; i=$1; shift
        [ $# -ge 1 ] || usage
        pid=$(cat "$STATE/h$i/sshd.pid" 2>/dev/null || true)
        [[ $pid =~ ^[0-9]+$ ]] && [ -d "/proc/$pid" ] || die "sshd of h$i is not running"
        exec nsenter -t "$pid" -n -m -- "$@"
        ;;
    systemd)
        need_root; load_env; host_index "${1:-}"; i=$1
        [[ ${2:-} =~ ^[A-Za-z0-9@._-]+$ ]] || usage
        unit=${2%.service}.service
        pid=$(cat "$STATE/h$i/sshd.pid" 2>/dev/null || true)
        [[ $pid =~ ^[0-9]+$ ]] && [ -d "/proc/$pid" ] || die "sshd of h$i is not running"
        # in host I's mount namespace only: /run/systemd/system (systemd's
        # sign that it runs), the stand-in systemctl first on the PATH, the
        # unit over the running server (its main process: the postmaster
        # now running), and an empty /etc/sudoers.d of its own
        if [ "$HOSTS_LAYOUT" = debian ]; then
            unitconf="PGDATA=$HOSTS_PGDATA"$'\n'"CLUSTER='$DEB_VERSION main'"
        else
            unitconf="PGDATA=$HOSTS_PGDATA"$'\n'"PGBIN=$HOSTS_PGBIN"$'\n'"LOG=$COMMON/log/startup.log"
        fi
        nsenter -t "$pid" -n -m -- sh -c '
            set -e
            if [ ! -d /run/systemd/standin ]; then
                mount -t tmpfs -o mode=755,size=1m replc-systemd /run/systemd
                mkdir -p /run/systemd/system /run/systemd/standin/units
                : >/run/systemd/standin/journal; chmod 666 /run/systemd/standin/journal
                cp "$1" /usr/local/bin/systemctl; chmod 755 /usr/local/bin/systemctl
                mkdir -p /etc/sudoers.d
                mount -t tmpfs -o mode=755,size=1m replc-sudoers /etc/sudoers.d
            fi
            printf "%s\n" "$3" >"/run/systemd/standin/units/$2"
            head -n 1 "$4/postmaster.pid" >"/run/systemd/standin/$2.pid"
            ' sh "$HERE/systemctl" "$unit" "$unitconf" "$HOSTS_PGDATA"
        ;;
    -h|--help|help) usage ;;
    *) usage ;;
esac
