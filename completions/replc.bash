# bash completion for replc (installed as share/bash-completion/completions/replc)
_replc() {
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
    -o|--output)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return ;;
    --format)
        mapfile -t COMPREPLY < <(compgen -W 'text json' -- "$cur")
        return ;;
    --color)
        mapfile -t COMPREPLY < <(compgen -W 'auto always never' -- "$cur")
        return ;;
    -j|--jobs|--timeout|--explain|--promote)
        return ;;   # a number, a diagnostic code or a node name: nothing to offer
    --limit)
        return ;;   # node names of the topology: not known here
    --trace)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W '-o --output --check --plan --format --graph
            --explain --werror --color --apply --dry-run -j --jobs --timeout --status
            --promote --force --prune
            --limit --trace -y --yes -q --quiet
            -h --help -V --version' -- "$cur")
        return
    fi
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -X '!*.rc' -- "$cur"; compgen -d -- "$cur")
}
complete -F _replc replc
