#!/bin/sh
# shellcheck disable=SC2016   # the sh -c scripts expand their own $1, $2
# tests/install.sh: `make install DESTDIR=... PREFIX=/usr` puts the binary,
# the man page and the bash completion where they belong, the installed
# binary runs, and `make uninstall` removes them again.
set -u
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/root

check "make install DESTDIR=\$tmp PREFIX=/usr exits 0" make -s install DESTDIR="$d" PREFIX=/usr
check "bin/replc is installed, executable" test -x "$d/usr/bin/replc"
check "share/man/man1/replc.1 is installed" test -f "$d/usr/share/man/man1/replc.1"
check "share/bash-completion/completions/replc is installed" test -f "$d/usr/share/bash-completion/completions/replc"
version=$(sed -n 's/^#define REPLC_VERSION "\(.*\)"$/\1/p' src/version.h)
check "the installed replc --version prints 'replc $version'" \
    sh -c 'test "$("$1" --version)" = "replc $2"' sh "$d/usr/bin/replc" "$version"
check "the installed completion loads in bash and completes --format" bash -c '
    . "$1"; COMP_WORDS=(replc --format ""); COMP_CWORD=2; _replc; test "${COMPREPLY[*]}" = "text json"' \
    bash "$d/usr/share/bash-completion/completions/replc"
check "nothing is installed outside PREFIX" sh -c 'test "$(ls "$1")" = usr' sh "$d"
check "make uninstall DESTDIR=\$tmp PREFIX=/usr exits 0" make -s uninstall DESTDIR="$d" PREFIX=/usr
check "make uninstall leaves no file behind" sh -c 'test -z "$(find "$1" -type f)"' sh "$d"
finish
