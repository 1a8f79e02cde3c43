#!/bin/sh
# tests/run.sh [fast]: the test suites. Prints one line per test and ends
# with "N passed, M failed".
#
#   sh tests/run.sh fast   what `make test` runs: unit, diagnostics, golden
#                          trees, promises, command line, install, man page
#                          (linted when mandoc is there); the normal build
#                          only; no root, no server, no valgrind
#   sh tests/run.sh        what `make check` runs: the same on the normal and
#                          the sanitizer build (build-asan/), valgrind and
#                          mandoc (which must be installed), then the
#                          real-server suites;
#                          REPLC_SKIP_SERVERS=1 leaves those out,
#                          REPLC_SKIP_FUZZ=1 the fuzzing (a quick run; CI
#                          never sets them)
#
# A suite is any command that prints tests/lib/tap.sh's lines; add one with
# `suite NAME COMMAND...` below.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
mode=${1:-all}
failed=""

suite() {  # suite NAME COMMAND...: run a suite, indent its lines, add its counts
    name=$1; shift
    out=$("$@" 2>&1); st=$?
    report "$name" "$st" "$out"
}

report() {  # report NAME STATUS OUTPUT: a finished suite's lines and counts
    note "$1"
    printf '%s\n' "$3" | sed 's/^/    /'
    line=$(printf '%s\n' "$3" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    p=${line%% passed*}
    f=${line#* passed, }; f=${f%% failed*}
    tap_add "${p:-0}" "${f:-0}"
    if [ "$2" != 0 ] && [ "${f:-0}" = 0 ]; then
        failed="$failed $1"; not_ok "$1 (exit $2)"
    elif [ "${f:-0}" != 0 ]; then
        failed="$failed $1"
    fi
}

# The real-server suites run in lanes side by side: each lane is its own test
# bed (tests/hosts/hosts.sh: REPLC_HOSTS_PREFIX names its namespaces,
# REPLC_HOSTS_NET is its /24), and runs its suites one after another. The
# version lanes (rv14, rv16, rv18) run the seed's cluster, the failover of
# its subscriber to its standby (14, 16) and two-way replication on the npm builds of other major versions (tests/lib/pgnpm.sh;
# its cache is shared by every suite of a version, and installs one version
# at a time under a per-version lock).
lane_run() {  # lane_run ID COMMAND...: a suite's output, status and wall seconds into $lanes/ID.*
    id=$1; shift
    t0=$(date +%s)
    "$@" > "$lanes/$id.out" 2>&1
    echo $? > "$lanes/$id.st"
    echo $(( $(date +%s) - t0 )) > "$lanes/$id.sec"
}

lane_report() {  # lane_report NAME ID: its result, named with its wall time (where the 20 minutes go)
    report "$1 ($(cat "$lanes/$2.sec" 2>/dev/null || echo '?') s)" "$(cat "$lanes/$2.st" 2>/dev/null || echo 127)" \
        "$(cat "$lanes/$2.out" 2>/dev/null)"
}

# valgrind: no invalid access and no leak; WANT is replc's own exit status
# (0, or 1 for a topology with errors), and any other status fails: 99 is
# valgrind's own report, 139 a crash
vg() {  # vg DESC WANT ARGS...
    desc=$1 want=$2; shift 2
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        ./replc "$@" > /dev/null 2> "$tmpv/vg.log"
    st=$?
    if [ "$st" = "$want" ]; then
        ok "valgrind: $desc"
    else
        not_ok "valgrind: $desc (exit $st, want $want)"; diag <"$tmpv/vg.log"
    fi
}

builds=build
[ "$mode" = fast ] || builds="build build-asan"
for b in $builds; do
    [ "$b" = build ] && replc=./replc || replc=$b/replc
    [ -x "$replc" ] || { not_ok "$replc is built"; failed="$failed $replc"; continue; }
    for t in "$b"/unit/test_*; do
        [ -x "$t" ] || continue
        suite "unit $(basename "$t") ($b)" "$t"
    done
    suite "diagnostics ($b)" sh tests/diag/run.sh "$replc"
    suite "golden trees ($b)" sh tests/golden/run.sh "$replc"
done
suite "shellcheck (templates and compiled trees)" sh tests/shellcheck.sh ./replc
suite "promises" sh tests/promises.sh ./replc
suite "command line" sh tests/cli.sh ./replc
suite "plan review (every property changes the plan)" sh tests/plan-review.sh ./replc
suite "review diff of one change (golden-diff)" sh tests/golden-diff/run.sh ./replc
suite "what the scripts tell an operator" sh tests/scripts-ux.sh ./replc
suite "the enable step of PostgreSQL 14/15 subscribers" sh tests/enable.sh ./replc
suite "memory of --check, linear in the input" sh tests/memory.sh ./replc
suite "a topology in many files compiles as in one" sh tests/split.sh ./replc
suite "make install" sh tests/install.sh
if [ "$mode" = fast ]; then
    suite "man page and completion" env REPLC_MANDOC_OPTIONAL=1 sh tests/man.sh ./replc
else
    suite "man page and completion" sh tests/man.sh ./replc
fi

[ "$mode" = fast ] && { [ -n "$failed" ] && echo "failed:$failed"; finish; }

suite "hostile input (generated)" sh tests/hostile.sh ./replc build-asan/replc
suite "a topology in many files (sanitizer build)" sh tests/split.sh build-asan/replc
if command -v valgrind > /dev/null; then
    tmpv=$(mktemp -d)
    vg "compile the example into a tree" 0 examples/topology.rc -o "$tmpv/out"
    vg "a file with syntax errors" 1 --check tests/diag/04-syntax-several-errors.rc
    vg "a file with semantic errors" 1 --check tests/diag/41-seed-replica-identity.rc
    vg "subscriptions to standbys" 0 tests/golden/standby-publisher.rc -o "$tmpv/sp"
    rm -rf "$tmpv"
else
    not_ok "valgrind is installed (tools/deps.sh test installs it)"; failed="$failed valgrind"
fi
# each lane's subshell exports its own test bed's names, on purpose
# shellcheck disable=SC2030,SC2031
if [ "${REPLC_SKIP_SERVERS:-0}" != 1 ]; then
    lanes=$(mktemp -d)
    (
        export REPLC_HOSTS_PREFIX=replc REPLC_HOSTS_NET=127.77.0
        lane_run scripts bash tests/integration/scripts.sh
        lane_run apply bash tests/integration/apply.sh
        lane_run faults bash tests/integration/apply-faults.sh
        lane_run enable bash tests/integration/enable.sh
        lane_run failover bash tests/integration/failover.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rpg REPLC_HOSTS_NET=127.77.1
        lane_run twoway bash tests/pg17/twoway.sh
        lane_run standby bash tests/pg17/standby.sh
        lane_run failover17 bash tests/pg17/failover.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rv14 REPLC_HOSTS_NET=127.77.4
        lane_run seed14s bash tests/versions/seed.sh 14 scripts
        lane_run seed14a bash tests/versions/seed.sh 14 apply
        lane_run failover14 bash tests/integration/failover.sh 14
    ) &
    (
        export REPLC_HOSTS_PREFIX=rv16 REPLC_HOSTS_NET=127.77.5
        lane_run seed16s bash tests/versions/seed.sh 16 scripts
        lane_run seed16a bash tests/versions/seed.sh 16 apply
        lane_run failover16 bash tests/integration/failover.sh 16
        lane_run twoway16 bash tests/pg17/twoway.sh 16
    ) &
    (
        export REPLC_HOSTS_PREFIX=rv18 REPLC_HOSTS_NET=127.77.6
        lane_run seed18s bash tests/versions/seed.sh 18 scripts
        lane_run seed18a bash tests/versions/seed.sh 18 apply
        lane_run twoway18 bash tests/pg17/twoway.sh 18
    ) &
    (
        export REPLC_HOSTS_PREFIX=rday REPLC_HOSTS_NET=127.77.7
        lane_run change bash tests/integration/change.sh
        lane_run prune bash tests/integration/prune.sh
        lane_run ergo bash tests/integration/ergo.sh
        lane_run trace bash tests/integration/trace.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rchg REPLC_HOSTS_NET=127.77.13
        lane_run change2 bash tests/integration/change2.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rch3 REPLC_HOSTS_NET=127.77.15
        lane_run change3 bash tests/integration/change3.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rusr REPLC_HOSTS_NET=127.77.9
        lane_run repluser bash tests/integration/repluser.sh
        lane_run packaged bash tests/integration/packaged.sh
        lane_run systemd bash tests/integration/systemd.sh
        lane_run tablespace bash tests/integration/tablespace.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rdeb REPLC_HOSTS_NET=127.77.2
        lane_run debian bash tests/integration/debian.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rhba REPLC_HOSTS_NET=127.77.11
        lane_run hba bash tests/integration/hba.sh
        lane_run traps bash tests/integration/traps.sh
    ) &
    (
        export REPLC_HOSTS_PREFIX=rflt REPLC_HOSTS_NET=127.77.8
        # the whole matrix: every step of the example's --apply with both
        # faults (FAULT_ONLY="ID:FAULT ..." runs those cases only)
        export FAULT_FULL="${FAULT_FULL-1}"
        lane_run faultmatrix bash tests/integration/fault-matrix.sh
    ) &
    # libFuzzer is CPU-bound while the lanes mostly wait on servers: alongside
    [ "${REPLC_SKIP_FUZZ:-0}" = 1 ] || { lane_run fuzz sh tests/fuzz/run.sh & }
    wait
    lane_report "real servers: generated scripts on four PostgreSQL 15 hosts" scripts
    lane_report "real servers: two-way replication on PostgreSQL 17" twoway
    lane_report "real servers: subscriptions to a standby on PostgreSQL 17" standby
    lane_report "real servers: failover of a subscriber to its standby on PostgreSQL 17" failover17
    lane_report "real servers: replc --apply on four PostgreSQL 15 hosts" apply
    lane_report "real servers: failover of a subscriber to its standby on four PostgreSQL 15 hosts" failover
    lane_report "real servers: replc --apply faults" faults
    lane_report "real servers: the enable step on three PostgreSQL 15 hosts" enable
    lane_report "real servers: the seed's cluster on four PostgreSQL 14 hosts, by its scripts" seed14s
    lane_report "real servers: the seed's cluster on four PostgreSQL 14 hosts, by replc --apply" seed14a
    lane_report "real servers: failover of a subscriber to its standby on four PostgreSQL 14 hosts" failover14
    lane_report "real servers: the seed's cluster on four PostgreSQL 16 hosts (standby copied), by its scripts" seed16s
    lane_report "real servers: the seed's cluster on four PostgreSQL 16 hosts (standby copied), by replc --apply" seed16a
    lane_report "real servers: failover of a subscriber to its standby on four PostgreSQL 16 hosts (standby copied)" failover16
    lane_report "real servers: two-way replication on PostgreSQL 16" twoway16
    lane_report "real servers: the seed's cluster on four PostgreSQL 18 hosts (standby copied), by its scripts" seed18s
    lane_report "real servers: the seed's cluster on four PostgreSQL 18 hosts (standby copied), by replc --apply" seed18a
    lane_report "real servers: two-way replication on PostgreSQL 18" twoway18
    lane_report "real servers: changes to a live cluster converge" change
    lane_report "real servers: more changes (column order, options back to defaults, a node added, an address changed)" change2
    lane_report "real servers: subscriptions disabled and enabled again in the file, standbys added and moved (five hosts)" change3
    lane_report "real servers: ownership, drift and --prune on four PostgreSQL 15 hosts" prune
    lane_report "real servers: operator ergonomics (locks, --limit, the question)" ergo
    lane_report "real servers: --apply --trace, the no-op over libpq" trace
    lane_report "real servers: Debian-packaged PostgreSQL 15 hosts (scripts, --apply)" debian
    lane_report "real servers: pg_hba.conf lines that take effect (shadowing, errors, final newline)" hba
    lane_report "real servers: a fault right after each step of --apply, then --apply converges (fault matrix)" faultmatrix
    lane_report "real servers: live data traps (replica identity, filled copy targets, lock waits, a subscription disabled by hand)" traps
    lane_report "real servers: replication_user: peers connect as an unprivileged role" repluser
    lane_report "real servers: a PGDG-laid-out standby host (pgdata and bindir derived)" packaged
    lane_report "real servers: servers run by a systemd unit (a stand-in), restarted through sudo -n" systemd
    lane_report "real servers: a standby's source with a tablespace is refused, the standby untouched" tablespace
    [ "${REPLC_SKIP_FUZZ:-0}" = 1 ] || lane_report "fuzz: libFuzzer, ${FUZZ_SECONDS:-30} s per target" fuzz
    rm -rf "$lanes"
elif [ "${REPLC_SKIP_FUZZ:-0}" != 1 ]; then
    suite "fuzz: libFuzzer, ${FUZZ_SECONDS:-30} s per target" sh tests/fuzz/run.sh
fi
echo
[ -n "$failed" ] && echo "failed:$failed"
finish
