#!/bin/sh
# shellcheck disable=SC2317   # lint runs through check
# tests/man.sh REPLC: docs/replc.1 passes mandoc -Tlint and documents every
# option that `replc --help` lists; the bash completion offers each of them.
# Without mandoc the lint is a failure, unless REPLC_MANDOC_OPTIONAL=1
# (make test on a machine where tools/deps.sh has not run).
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
replc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.." || exit 1

# Two of mandoc's messages only say which manuals this machine has installed
# and indexed (dot(1) comes with graphviz): "referenced manual not found" and
# "outdated mandoc.db": left out.
lint() {
    out=$(mandoc -Tlint -W style docs/replc.1 2>&1 | grep -vE 'referenced manual not found|outdated mandoc\.db')
    [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}
if command -v mandoc > /dev/null; then
    check "docs/replc.1: mandoc -Tlint -W style says nothing" lint
elif [ "${REPLC_MANDOC_OPTIONAL:-0}" = 1 ]; then
    note "mandoc is not installed: docs/replc.1 not linted"
else
    not_ok "mandoc is installed (tools/deps.sh test installs it)"
fi

opts=$("$replc" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
[ -n "$opts" ] || not_ok "replc --help lists options"
for o in $opts; do
    check "docs/replc.1 documents $o" grep -qE -- "^\\.(It|Op|Fl).*Fl -${o#--}( |$)" docs/replc.1
    check "the bash completion offers $o" grep -qE -- "(^|[ \"'])$o([ \"'=]|$)" completions/replc.bash
done
finish
