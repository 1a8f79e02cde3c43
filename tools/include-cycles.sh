#!/bin/sh
# tools/include-cycles.sh [DIR]: the module graph of src/ has no circles.
# A module is a file name without .c/.h (emit_plan.c and emit_scripts.c are
# both module 'emit'); A -> B when A.c or A.h includes "B.h" of DIR. Prints
# every cycle found as a path (emit -> stepsql -> emit) and exits 1; exits 0
# when the graph is acyclic.
set -eu
dir=${1:-$(dirname "$0")/../src}
for f in "$dir"/*.c "$dir"/*.h; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' "$f" |
        while read -r inc; do
            if [ -f "$dir/$inc.h" ]; then printf '%s %s\n' "$(basename "$f")" "$inc"; fi
        done
done | awk '
function module(name) {
    sub(/\.[ch]$/, "", name)
    if (name ~ /^emit_/) return "emit"
    return name
}
{
    a = module($1); b = module($2)
    nodes[a] = 1; nodes[b] = 1
    if (a != b && !((a, b) in edge)) {
        edge[a, b] = 1
        out[a] = out[a] " " b
    }
}
# depth first; meeting a module still on the path closes a cycle
function dfs(v,    n, i, k, w, p, ws) {
    state[v] = 1
    path[++depth] = v
    n = split(out[v], ws, " ")
    for (i = 1; i <= n; i++) {
        w = ws[i]
        if (state[w] == 1) {
            for (k = 1; path[k] != w; k++) ;
            p = ""
            for (; k <= depth; k++) p = p path[k] " -> "
            print p w
            found = 1
        } else if (!state[w])
            dfs(w)
    }
    depth--
    state[v] = 2
}
END {
    cnt = 0
    for (v in nodes) order[++cnt] = v
    for (i = 2; i <= cnt; i++) {   # sorted, for a stable report
        x = order[i]
        for (j = i - 1; j >= 1 && order[j] > x; j--) order[j + 1] = order[j]
        order[j + 1] = x
    }
    for (i = 1; i <= cnt; i++)
        if (!state[order[i]]) dfs(order[i])
    exit found ? 1 : 0
}'
