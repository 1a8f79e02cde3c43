#!/bin/sh
# lib.sh: the functions every replc shell step uses. replc writes this file
# once into each host's directory, where every step sources it; replc --apply
# sends it on ssh's standard input once, at the start of the host's session,
# and then the host's steps one after another. Generated; do not edit.
#
# Its top level only defines functions and reads the environment
# (REPLC_TIMEOUT, REPLC_DRY_RUN): over ssh it runs before the step assigns
# its values. The functions read the values the step assigned before it
# calls them: node, port, bindir, passfile, local_postgres, pgdata, ...
# shellcheck disable=SC2154 # each step assigns the values these functions read

# set: the step does not source this file again (over ssh it comes first)
# shellcheck disable=SC2034 # read by the step, before it sources this file
replc_lib=1
timeout=${REPLC_TIMEOUT:-300}
changed=0
last_error=
kicks=0

# setup: this host's PostgreSQL programs ($bindir), its port for the local
# socket ($port, unless PGPORT is set) and the password file ($passfile)
setup() {
    if [ -n "$bindir" ]; then PATH=$bindir:$PATH; export PATH
    elif [ -n "${version:-}" ] && [ -d "/usr/pgsql-$version/bin" ]; then
        PATH=/usr/pgsql-$version/bin:$PATH; export PATH   # the PGDG (RHEL) layout
    fi
    PGPORT=${PGPORT:-$port}; export PGPORT
    if [ -n "$passfile" ]; then PGPASSFILE=$passfile; export PGPASSFILE; fi
    # replc's own commits never wait for a synchronous standby (a
    # subscriber's, docs/failover.md): one that is down, or leaving the
    # topology, must not stall the steps that reconfigure it
    PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c synchronous_commit=local"; export PGOPTIONS
}

say() { printf 'replc: %s: %s\n' "$node" "$*"; }

# dry: true in a dry run (REPLC_DRY_RUN=1), where nothing is changed
dry() { [ "${REPLC_DRY_RUN:-0}" = 1 ]; }

# change WHAT: about to change something (REPLC_DRY_RUN=1: say so and stop)
change() {
    if dry; then say "would $*"; echo 'replc-result: would-change'; exit 0; fi
    changed=1
}

# finish: the last line says whether anything changed
finish() { if [ "$changed" = 1 ]; then echo 'replc-result: changed'; else echo 'replc-result: ok'; fi; exit 0; }

# lpsql CONNINFO SQL: one query on this host's server, through the local
# socket as psql does by default; its one value on standard output
lpsql() { psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# peer NAME COMMAND...: run a query on a peer, its answer in $answer; keep its
# error in $last_error, and stop at once when the peer refuses the password
peer() {
    peer_name=$1; shift
    if out=$("$@" 2>&1); then answer=$out; return 0; fi
    last_error=$out
    case $out in
    *'password authentication failed'*|*'no password supplied'*)
        say "cannot log in to $peer_name: $out"
        exit 1 ;;
    esac
    return 1
}

# try COMMAND...: run COMMAND, its output thrown away; when it fails, its
# error output (on one line) in $last_error, for wait_for to show
try() {
    if out=$("$@" 2>&1 >/dev/null); then return 0; fi
    last_error=$(printf '%s' "$out" | tr '\n' ' ')
    if [ -z "$last_error" ]; then last_error="$1 failed without a message"; fi
    return 1
}

# wait_for WHAT CHECK...: run CHECK until it succeeds, at most $timeout
# seconds, a nap between two tries; every line about the wait carries the last error a check kept
# in $last_error (try, peer)
wait_for() {
    what=$1; shift
    last_error=
    start=$(date +%s); next=$start
    until "$@"; do
        now=$(date +%s)
        if [ $((now - start)) -ge "$timeout" ]; then
            say "timed out after ${timeout}s waiting for $what${last_error:+ (last error: $last_error)}"
            exit 1
        fi
        if [ "$now" -ge "$next" ]; then
            say "waiting for $what${last_error:+ (last error: $last_error)}"
            next=$((now + 10))
        fi
        nap
    done
}

# nap: the pause between two checks: 0.1 s where sleep takes a fraction
# (POSIX's need not: tried once, at the first nap, else 1 s)
nap() {
    if [ -z "${tick:-}" ]; then
        if sleep 0.1 2>/dev/null; then tick=0.1; return 0; fi
        tick=1
    fi
    sleep "$tick"
}

# find_pgdata: the data directory ($pgdata): the topology's, else asked from
# the server, else (the server does not answer) the Debian cluster of
# version $version on this host, else the PGDG/RHEL layout's
# /var/lib/pgsql/$version/data (when /var/lib/pgsql/$version is there)
find_pgdata() {
    [ -z "$pgdata" ] || return 0
    pgdata=$(lpsql "$local_postgres" 'SHOW data_directory' 2>/dev/null) || pgdata=
    [ -z "$pgdata" ] || return 0
    how="the Debian cluster of version $version"
    if command -v pg_lsclusters >/dev/null 2>&1; then
        pgdata=$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v { print $6; exit }')
    fi
    if [ -z "$pgdata" ] && [ -d "/var/lib/pgsql/$version" ]; then
        pgdata=/var/lib/pgsql/$version/data how="the PGDG (RHEL) layout of version $version"
    fi
    if [ -z "$pgdata" ]; then
        say "cannot tell the data directory: the server on port $port does not answer, no Debian cluster of version $version is here (pg_lsclusters), nor /var/lib/pgsql/$version (PGDG)"
        say "write it in the topology: pgdata \"/path/to/data\";"
        exit 1
    fi
    say "data directory $pgdata ($how; pgdata not given)"
}

# The server manager: how this host's server is started and stopped, found
# once by find_manager, so that after any step the server runs as before:
#   debian   a Debian cluster owns the data directory: pg_ctlcluster VERSION NAME
#   systemd  a systemd unit runs it ($unit): systemctl ($systemctl, its
#            path, as sudoers names commands), as root (sudo -n)
#   pg_ctl   neither: pg_ctl, its log in $server_log (outside the data directory)
#   command  the topology's service command
# $manager_how says which, for messages.
under_systemd() { [ -d /run/systemd/system ] && systemctl=$(command -v systemctl 2>/dev/null) && [ -n "$systemctl" ]; }

# as_root COMMAND...: COMMAND as root: directly when we are root, else sudo -n
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# may_root COMMAND...: true when as_root can run COMMAND without a password
may_root() {
    [ "$(id -u)" = 0 ] && return 0
    command -v sudo >/dev/null 2>&1 && sudo -n -l "$@" >/dev/null 2>&1
}

# realdir DIR: DIR with its symbolic links resolved (DIR when it is missing)
realdir() { (cd "$1" 2>/dev/null && pwd -P) || printf '%s\n' "$1"; }

# pid_unit: the systemd unit whose cgroup holds the running postmaster
pid_unit() {
    pid=$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null) || return 0
    [ -r "/proc/$pid/cgroup" ] || return 0
    sed -n 's|^0::.*/\([^/]*\.service\)$|\1|p; s|^1:name=systemd:.*/\([^/]*\.service\)$|\1|p' "/proc/$pid/cgroup" | head -n 1
}

# debian_cluster: "VERSION NAME" of the Debian cluster whose data directory
# is $pgdata, or nothing
debian_cluster() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    want=$(realdir "$pgdata")
    pg_lsclusters -h 2>/dev/null | while read -r v c _ _ _ d _; do
        if [ "$(realdir "$d")" = "$want" ]; then echo "$v $c"; break; fi
    done
}

find_manager() {
    [ -z "${manager:-}" ] || return 0
    find_pgdata
    # a Debian cluster's programs, whatever runs it (pg_ctl, postgres -C)
    cluster=$(debian_cluster)
    if [ -n "$cluster" ]; then
        cl_version=${cluster% *} cl_name=${cluster#* }
        if [ -z "$bindir" ] && [ -d "/usr/lib/postgresql/$cl_version/bin" ]; then
            PATH=/usr/lib/postgresql/$cl_version/bin:$PATH; export PATH
        fi
    fi
    case $service in
    pg_ctl) manager='pg_ctl' ;;
    auto) ;;
    *) manager='command'; manager_how="service \"$service\" (the topology's)"; return 0 ;;
    esac
    if [ -z "${manager:-}" ]; then
        if [ -n "$cluster" ]; then
            unit=postgresql@$cl_version-$cl_name.service
            # under systemd, a cluster that systemd runs (or starts at boot) stays with it
            if under_systemd && { systemctl -q is-active "$unit" || systemctl -q is-enabled "$unit"; } 2>/dev/null; then
                manager='systemd'; manager_how="systemd unit $unit (Debian cluster $cl_version/$cl_name)"
            else
                manager='debian'; manager_how="Debian cluster $cl_version/$cl_name (pg_ctlcluster)"
            fi
            return 0
        fi
        if under_systemd; then
            unit=$(pid_unit)
            if [ -z "$unit" ]; then
                want=$(realdir "$pgdata")
                for u in "postgresql-$version.service" "postgresql@$version-main.service" postgresql.service; do
                    d=$(systemctl show -p Environment --value "$u" 2>/dev/null | tr ' ' '\n' | sed -n 's/^PGDATA=//p')
                    if [ -n "$d" ] && [ "$(realdir "$d")" = "$want" ]; then unit=$u; break; fi
                done
            fi
            if [ -n "$unit" ]; then manager='systemd'; manager_how="systemd unit $unit"; return 0; fi
        fi
        manager='pg_ctl'
    fi
    server_log=${HOME:-/tmp}/replc-server-$port.log
    manager_how="pg_ctl (its log in $server_log)"
}

# manager_check: stop, before anything changes, when the server manager
# cannot act here (a command the topology names that fails, a systemd unit
# without the root rights to restart it)
manager_check() {
    find_manager
    if [ "$service" = auto ]; then
        # the server that answers on this port must be the one in $pgdata
        if ran=$(lpsql "$local_postgres" 'SHOW data_directory' 2>/dev/null) && [ -n "$ran" ] &&
            [ "$(realdir "$ran")" != "$(realdir "$pgdata")" ]; then
            say "the server on port $port runs from $ran, not from pgdata $pgdata; nothing was changed here"
            say "write in the topology: pgdata \"$ran\";"
            exit 1
        fi
        # on a host with Debian clusters, a data directory none of them owns
        if [ "$manager" = pg_ctl ] && [ ! -f "$pgdata/PG_VERSION" ] &&
            clusters=$(pg_lsclusters -h 2>/dev/null) && [ -n "$clusters" ]; then
            say "no Debian cluster here has the data directory $pgdata; pg_lsclusters shows: $(printf '%s\n' "$clusters" | awk '{ printf "%s%s/%s in %s", NR > 1 ? ", " : "", $1, $2, $6 }'); nothing was changed here"
            say "write in the topology the data directory of the cluster to use, e.g. pgdata \"$(printf '%s\n' "$clusters" | awk '{ print $6; exit }')\";"
            exit 1
        fi
    fi
    # the steps tell a running server by pg_ctl status, and may start one
    if ! command -v pg_ctl >/dev/null 2>&1; then
        say "no pg_ctl here: not in ${bindir:+bindir $bindir nor }the PATH ($PATH); nothing was changed here"
        say "write in the topology the directory of this server's programs (pg_ctl, postgres), e.g. bindir \"/usr/lib/postgresql/$version/bin\";"
        exit 1
    fi
    case $manager in
    command)
        probe="${service%%restart*}status${service#*restart}"
        set +e; out=$(sh -c "$probe" </dev/null 2>&1); st=$?; set -e
        # 0: running; 3: not running (LSB, pg_ctl, systemctl)
        if [ "$st" != 0 ] && [ "$st" != 3 ]; then
            service=auto manager=
            find_manager
            say "the topology's service \"$probe\" failed (exit $st)${out:+: $out}; nothing was changed here"
            say "found here: $manager_how; remove the service line to use it, or write the command that restarts this server, with the word 'restart' in it"
            exit 1
        fi ;;
    systemd)
        for a in start stop restart; do
            if ! may_root "$systemctl" "$a" "$unit"; then
                if command -v sudo >/dev/null 2>&1; then why=; else why=' (sudo is not installed)'; fi
                say "the server runs as $manager_how, and the user $(id -un) may not run 'sudo -n $systemctl $a $unit'$why; nothing was changed here"
                say "allow it in sudoers (visudo -f /etc/sudoers.d/replc): $(id -un) ALL=(root) NOPASSWD: $systemctl start $unit, $systemctl stop $unit, $systemctl restart $unit"
                say "or write in the topology the command that restarts this server: service \"...restart...\";"
                exit 1
            fi
        done ;;
    esac
}

# server ACTION: start, stop or restart this host's server through its
# manager. The manager runs to its end even when the link to replc goes in
# the middle (a restart cut between its stop and its start left the server
# down: pg_ctl died writing to the closed link): its output goes to files,
# shown once it is done, and it ignores hangups.
server() {
    find_manager
    server_out=${HOME:-/tmp}/replc-server-$port.out
    if (
        trap '' HUP
        case $manager in
        debian) pg_ctlcluster "$cl_version" "$cl_name" "$1" ;;
        systemd) as_root "$systemctl" "$1" "$unit" ;;
        pg_ctl) pg_ctl -D "$pgdata" -w -t "$timeout" -m fast -l "$server_log" "$1" ;;
        command) sh -c "${service%%restart*}$1${service#*restart}" ;;
        esac
    ) </dev/null >"$server_out" 2>"$server_out.err"; then server_st=0; else server_st=$?; fi
    cat "$server_out"
    cat "$server_out.err" >&2
    rm -f "$server_out" "$server_out.err"
    return "$server_st"
}

# What a standby's steps share: its data directory ($pgdata), replc's marker
# of a standby built from its source ($marker), and whether it runs and streams.
# ours: a standby that replc built from this source
ours() { [ -f "$pgdata/standby.signal" ] && [ "$(cat "$pgdata/replc_standby" 2>/dev/null)" = "$marker" ]; }
running() { pg_ctl -D "$pgdata" status >/dev/null 2>&1; }
streaming() {
    if ! st=$(lpsql "$local_postgres" 'SELECT status FROM pg_stat_wal_receiver' 2>&1); then
        last_error=$(printf '%s' "$st" | tr '\n' ' '); return 1
    fi
    if [ "$st" = streaming ]; then return 0; fi
    last_error="no WAL receiver streaming (pg_stat_wal_receiver status: ${st:-none})"; return 1
}

# kick: ask the primary ($primary, at $primary_conninfo) to log a standby
# snapshot; a slot on a standby (a subscription's, or a table-sync worker's)
# waits for one, and an idle primary does not log one by itself. Called
# once a nap: it asks at the first call, then about every half second.
kick() {
    kick_calls=$((${kick_calls:-0} + 1))
    if [ "${tick:-1}" != 1 ] && [ $((kick_calls % 5)) != 1 ]; then return 0; fi
    if peer "'$primary'" psql -XAtq -d "$primary_conninfo" -c 'SELECT pg_log_standby_snapshot()'; then kicks=$((kicks + 1)); fi
}
