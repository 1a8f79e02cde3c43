#!/bin/sh
# shellcheck disable=SC2016,SC2317   # sh -c scripts expand their own $1; helpers run through check
# tests/cli.sh REPLC: the command line as CLI.md describes it: --help and
# --version, usage errors (exit 2, usage on standard error), and what the
# output options print.
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# status WANT CMD...: CMD exits WANT; its stdout in $tmp/out, stderr in $tmp/err
status() {
    want=$1; shift
    "$@" > "$tmp/out" 2> "$tmp/err"
    st=$?
    [ "$st" = "$want" ] || { echo "exit $st, want $want"; cat "$tmp/err"; return 1; }
}
empty() { [ ! -s "$1" ] || { echo "$1 is not empty:"; head -5 "$1"; return 1; }; }
usage_on() { grep -q '^usage: replc \[OPTIONS\] FILE.rc$' "$1" || { echo "no usage line in $1:"; head -5 "$1"; return 1; }; }

version=$(sed -n 's/^#define REPLC_VERSION "\(.*\)"$/\1/p' src/version.h)
for opt in --version -V; do
    check "$opt exits 0" status 0 "$replc" "$opt"
    check "$opt prints 'replc $version' (src/version.h) on stdout" test "$(cat "$tmp/out")" = "replc $version"
    check "$opt prints nothing on stderr" empty "$tmp/err"
done
for opt in --help -h; do
    check "$opt exits 0" status 0 "$replc" "$opt"
    check "$opt prints the usage on stdout" usage_on "$tmp/out"
    check "$opt prints nothing on stderr" empty "$tmp/err"
done
check "--help lists every option it parses" sh -c '
    for o in --output --check --plan --format --graph --explain --werror --color --apply --dry-run \
             --jobs --timeout --status --promote --force --prune --limit --trace --yes --quiet --version --help; do
        grep -q -- "$o" "$1" || { echo "missing $o"; exit 1; }
    done' sh "$tmp/out"
check "--prune without --apply or -o exits 2" status 2 "$replc" --prune examples/topology.rc
check "--apply --format json without --dry-run exits 2" status 2 "$replc" --apply --format json examples/topology.rc
check "--trace without --apply or --promote exits 2" status 2 "$replc" --trace /dev/null examples/topology.rc

check "no argument at all exits 2" status 2 "$replc"
check "no argument: the usage on stderr" usage_on "$tmp/err"
check "no argument: nothing on stdout" empty "$tmp/out"
check "options but no file exit 2" status 2 "$replc" --check
check "two files exit 2" status 2 "$replc" examples/topology.rc examples/topology.rc
check "an unknown option exits 2" status 2 "$replc" --bogus examples/topology.rc
check "an unknown option: the usage on stderr" usage_on "$tmp/err"
check "an unknown short option exits 2" status 2 "$replc" -x examples/topology.rc
check "a bad --format exits 2" status 2 "$replc" --format yaml examples/topology.rc
check "a bad --color exits 2" status 2 "$replc" --color sometimes examples/topology.rc
check "-j 0 exits 2" status 2 "$replc" --apply -j 0 examples/topology.rc
check "a bad --timeout exits 2" status 2 "$replc" --apply --timeout x examples/topology.rc
check "--dry-run without --apply exits 2" status 2 "$replc" --dry-run examples/topology.rc
check "--apply with -o exits 2" status 2 "$replc" --apply -o "$tmp/x" examples/topology.rc
check "--apply with --status exits 2" status 2 "$replc" --apply --status examples/topology.rc
check "--force without --promote exits 2" status 2 "$replc" --force examples/topology.rc
check "--promote with --apply exits 2" status 2 "$replc" --promote otus11-4 --apply examples/topology.rc
check "--promote of an unknown node exits 2" status 2 "$replc" --promote nobody examples/topology.rc
check "--promote of a node that is no standby of a subscriber exits 2" status 2 "$replc" --promote otus11-1 examples/topology.rc
check "--promote of a node that is no standby of a subscriber: says so" grep -q "not a standby of a subscriber" "$tmp/err"
check "a usage error writes nothing" test ! -e "$tmp/x"
check "a missing file exits 1" status 1 "$replc" --check "$tmp/nope.rc"

check "--werror turns the example's warning into exit 1" status 1 "$replc" --werror examples/topology.rc --check
check "--explain prints a code's text" sh -c '"$1" --explain replica-identity | grep -q "primary key"' sh "$replc"
check "--explain of an unknown code exits 2" status 2 "$replc" --explain replica-identiy
check "--explain of an unknown code suggests one" grep -q "did you mean 'replica-identity'" "$tmp/err"
check "--plan --format json is valid JSON" sh -c '"$1" --plan --format json examples/topology.rc 2>/dev/null | python3 -m json.tool > /dev/null' sh "$replc"
check "--graph prints a digraph" sh -c '"$1" --graph examples/topology.rc 2>/dev/null | grep -q "^digraph"' sh "$replc"
check "without -o the plan goes to stdout" sh -c '"$1" examples/topology.rc 2>/dev/null | grep -q "^# replc plan"' sh "$replc"
check "--explain alone lists every code, one per line with its title" sh -c '
    "$1" --explain > "$2/list" || exit 1
    for c in syntax replica-identity unknown-setting; do
        grep -q "^$c  *[A-Z]" "$2/list" || { echo "no line for $c"; exit 1; }
    done
    [ "$(wc -l < "$2/list")" -gt 30 ] || { echo "too few lines"; exit 1; }' sh "$replc" "$tmp"
check "--check ends with a summary line on stdout" sh -c '
    out=$("$1" --check examples/topology.rc 2>/dev/null)
    [ "$out" = "examples/topology.rc: 4 nodes (1 standby), 4 subscriptions, 4 warnings" ] || { echo "got: $out"; exit 1; }' sh "$replc"
check "--limit without --apply or --status exits 2" status 2 "$replc" --limit alpha examples/topology.rc
check "--yes without --apply exits 2" status 2 "$replc" --yes --status examples/topology.rc

# --apply where no server answers (port 1 refuses at once) and ssh fails
# (REPLC_SSH=false), the password variable unset: the no-op check cannot
# answer (no ssh user for ~/.pgpass), the preflight says what is wrong
cat > "$tmp/refused.rc" <<'EOF'
cluster c;
defaults { version 15; port 1; database d; user postgres; password env REPLC_CLI_NO_SUCH_PW; }
table t (k int primary key);
node a { host "127.0.0.1"; ssh "127.0.0.1"; publish p (t); }
node b { host "127.0.0.2"; ssh "127.0.0.2"; subscribe s to a (p); }
EOF
check "--apply, no server answering, its password unset: exit 1 in preflight (no crash)" \
    status 1 env -u REPLC_CLI_NO_SUCH_PW REPLC_SSH=false "$replc" --apply "$tmp/refused.rc"
check "... the preflight names the unset variable" grep -q 'REPLC_CLI_NO_SUCH_PW is not set' "$tmp/err"
check "--limit with an unknown node exits 2" status 2 "$replc" --status --limit otus11-9 examples/topology.rc
check "--limit with an unknown node suggests one" grep -q "no node 'otus11-9'; did you mean 'otus11-" "$tmp/err"
finish
