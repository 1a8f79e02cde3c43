# shellcheck shell=sh
# tests/lib/tap.sh: the pass/fail helper of every shell test suite. Sourced
# by sh or bash; POSIX only. One line per test, TAP style, and a last line
# "N passed, M failed" that tests/run.sh adds up.
#
#   ok DESC                 a test passed
#   not_ok DESC             a test failed
#   result DESC STATUS      ok when STATUS is 0, else not ok
#   check DESC CMD...       run CMD (output kept); ok when it exits 0, else
#                           not ok followed by the first lines of its output
#   note TEXT               a comment line (# TEXT)
#   diag                    standard input, indented as comments (diag <FILE)
#   tap_add PASSED FAILED   add another suite's counts to ours
#   summary                 print "N passed, M failed"; status 0 when none failed
#   finish                  summary, then exit with its status
#
# `not` is there for checks that want a command to fail: check D not grep ...
TAP_PASS=0
TAP_FAIL=0

ok() {
    TAP_PASS=$((TAP_PASS + 1))
    printf 'ok - %s\n' "$*"
}

not_ok() {
    TAP_FAIL=$((TAP_FAIL + 1))
    printf 'not ok - %s\n' "$*"
}

result() {
    if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1"; fi
}

check() {
    tap_desc=$1
    shift
    if tap_out=$("$@" 2>&1); then
        ok "$tap_desc"
    else
        not_ok "$tap_desc"
        [ -z "$tap_out" ] || printf '%s\n' "$tap_out" | head -20 | diag
    fi
}

not() { ! "$@"; }

note() { printf '# %s\n' "$*"; }

diag() { sed 's/^/#   /'; }

tap_add() {
    TAP_PASS=$((TAP_PASS + ${1:-0}))
    TAP_FAIL=$((TAP_FAIL + ${2:-0}))
}

summary() {
    printf '%d passed, %d failed\n' "$TAP_PASS" "$TAP_FAIL"
    [ "$TAP_FAIL" = 0 ]
}

finish() {
    summary
    exit $?
}
