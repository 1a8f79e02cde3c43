#!/bin/sh
# pgpass.sh: template of the step that writes this host's ~/.pgpass lines for
# its peers. The generated step assigns node, port, bindir, passfile, and sets
# "$@" to pairs: a line's HOST:PORT:DB:USER key (quoted for ~/.pgpass), and
# the environment variable that holds that peer's password.
# shellcheck disable=SC2154 # the generated step assigns the values above
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# --- step body ---
setup
# The password never appears in this file: it is read from the environment.
file=$HOME/.pgpass
umask 077
# put HOST:PORT:DB:USER VAR: one line for that peer, password from $VAR
# shellcheck disable=SC2088 # '~/.pgpass' in a message, not a path
put() {
    eval "pw=\${$2-}"
    if [ -z "$pw" ]; then
        say "environment variable $2 is not set; it holds the password for $1"
        exit 1
    fi
    esc=$(printf '%s' "$pw" | sed -e 's/\\/\\\\/g' -e 's/:/\\:/g')
    if [ -f "$file" ] && grep -qxF -- "$1:$esc" "$file"; then return; fi
    change "write the ~/.pgpass line for $1"
    [ -f "$file" ] || : > "$file"
    chmod 600 "$file"
    tmp="$file.replc.$$"
    P="$1:" awk 'index($0, ENVIRON["P"]) != 1' "$file" > "$tmp"
    printf '%s:%s\n' "$1" "$esc" >> "$tmp"
    mv "$tmp" "$file"
    say "~/.pgpass: line for $1"
}
while [ $# -gt 0 ]; do
    put "$1" "$2"
    shift 2
done
finish
