#!/bin/sh
# shellcheck disable=SC2016 # sh -c scripts expand their own $1
# tests/scripts-ux.sh REPLC: what the generated scripts tell an operator,
# without a server: run.sh prints one line per step (changed or ok) and no
# result-protocol line; a wait in lib.sh says what it waits for together
# with the last error of its check, while waiting and at the timeout.
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$replc" examples/topology.rc -o "$tmp/out" 2>/dev/null || { not_ok "compile the example"; finish; }
dir=$tmp/out/otus11-1
# stubs in place of every step: a .sh step says something and changes; the
# stub psql answers a .sql step as a step with nothing to do would
# the steps: every .sh and .sql but lib.sh, run.sh and promote.sh (no file names assumed)
steps() { find "$dir" -maxdepth 1 \( -name '*.sh' -o -name '*.sql' \) ! -name lib.sh ! -name run.sh ! -name promote.sh | sort; }
for f in $(steps | grep '\.sh$'); do
    printf '#!/bin/sh\necho "replc: otus11-1: did %s"\necho "replc-result: changed"\n' "$(basename "$f")" > "$f"
done
# the stub psql, not the server's; and a server manager that needs no server
# (run.sh checks it before the first step; 'auto' would find this machine's),
# over a data directory of no Debian cluster (whose programs would come first)
sed -e "s|^bindir=.*|bindir=''|" -e "s|^service=.*|service='true restart'|" \
    -e "s|^pgdata=.*|pgdata='$tmp/data'|" "$dir/run.sh" > "$tmp/run.sh" &&
    mv "$tmp/run.sh" "$dir/run.sh"
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "replc-result: ok"\n' > "$tmp/bin/psql"
# run.sh wants a pg_ctl (lib.sh tells a running server by pg_ctl status)
printf '#!/bin/sh\nexit 3\n' > "$tmp/bin/pg_ctl"
chmod +x "$tmp/bin/psql" "$tmp/bin/pg_ctl"
PATH=$tmp/bin:$PATH sh "$dir/run.sh" > "$tmp/run.out" 2>&1
check "run.sh exits 0 when every step does" test $? = 0
check "run.sh prints no result-protocol line" not grep -q 'replc-result' "$tmp/run.out"
nsteps=$(steps | wc -l)
check "run.sh prints one line per step ending in changed or ok ($nsteps steps)" \
    test "$(grep -cE '^replc: otus11-1: [^ ]+\.(sh|sql): .*: (changed|ok)$' "$tmp/run.out")" = "$nsteps"
check "a shell step's line says changed" grep -qE '^replc: otus11-1: [^ ]*hba[^ ]*\.sh: .*: changed$' "$tmp/run.out"
check "a SQL step's line says ok" grep -qE '^replc: otus11-1: [^ ]*database[^ ]*\.sql: .*: ok$' "$tmp/run.out"
check "a step's own lines are shown, indented" grep -q '^    replc: otus11-1: did ' "$tmp/run.out"
first=$(steps | grep '\.sh$' | head -1)
printf '#!/bin/sh\necho "replc: otus11-1: cannot go on" >&2\nexit 3\n' > "$first"
PATH=$tmp/bin:$PATH sh "$dir/run.sh" > "$tmp/fail.out" 2>&1
check "run.sh exits 1 when a step fails" test $? = 1
check "run.sh says which step failed, with its status" grep -q "step $(basename "$first") failed (exit 3)" "$tmp/fail.out"
check "the failing step's message is shown" grep -q 'cannot go on' "$tmp/fail.out"
check "run.sh stops at the failure" not grep -q 'all steps done' "$tmp/fail.out"

# lib.sh's wait_for over a check that fails with psql's kind of message
cat > "$tmp/wait.sh" <<'SH'
set -eu
node=n1
REPLC_TIMEOUT=2
. "$1"
fake_psql() { echo 'psql: error: connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory' >&2; return 2; }
up() { try fake_psql; }
wait_for 'the server to accept connections' up
SH
sh "$tmp/wait.sh" src/sh/lib.sh > "$tmp/wait.out" 2>&1
check "a wait that never succeeds exits 1" test $? = 1
check "the waiting line says what for, once (no doubled words), and the last error" \
    grep -q "^replc: n1: waiting for the server to accept connections (last error: psql: error: connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or directory)$" "$tmp/wait.out"
check "the timeout says the last error" \
    grep -q '^replc: n1: timed out after 2s waiting for the server to accept connections (last error: psql: error: connection to server on socket .* No such file or directory)$' "$tmp/wait.out"
finish
