#!/bin/bash
# tests/integration/trace.sh: replc --apply --trace FILE on four real hosts
# (tests/hosts/hosts.sh), the example's cluster (lib.sh example_topology):
#
#   (a) --apply --trace on the fresh cluster: exit 0; the file is valid JSON
#       (python3 -m json.tool); every step of the plan (--plan --format json)
#       has exactly one span, on the row named after its node; each step's
#       span starts after the spans of the steps it depends on end; every wait
#       span lies inside its step's span, on the same row; the preflight has
#       a span; no password in the file; the printed critical path names
#       steps of the plan, each starting after the one before it ends, and
#       ends with the step that finished last; vm1's and vm2's server logs
#       (log_connections) show at most 7 libpq sessions of replc to their
#       database repl each (one per step and wait that talks to it, the
#       way replc used to connect, made 10: its sessions are reused);
#   (b) a second --apply --trace on the converged cluster: "nothing to do",
#       every step's span says ok, and no ssh ran (no ssh span in the
#       trace: the no-op is recognised over libpq alone);
#   (c) vm2's ~/.pgpass removed and one of vm1's pg_hba.conf lines removed
#       by hand: --apply is no longer a no-op, puts both back (pgpass.sh and
#       hba.sh changed), and the next --apply is a no-op again.
#
# Usage (root):  tests/integration/trace.sh
# Env: REPLC, ITEST_KEEP=1, ITEST_RUN_TIMEOUT (s, default 120),
#      REPLC_HOSTS_PREFIX / REPLC_HOSTS_NET (the test bed).
# Output: "ok - ..." / "not ok - ..." per check, then "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HOSTS=$ROOT/tests/hosts/hosts.sh
REPLC=${REPLC:-$ROOT/replc}
RUN_TIMEOUT=${ITEST_RUN_TIMEOUT:-120}
# shellcheck disable=SC2034 # read by lib.sh
POLL_TIMEOUT=${ITEST_POLL_TIMEOUT:-30}   # lib.sh poll
# shellcheck disable=SC2034 # read by lib.sh
DB=repl   # lib.sh example_topology

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { not_ok "runs as root (namespaces)"; finish; }
if [ -n "$(ip netns list 2>/dev/null | grep -E "^${REPLC_HOSTS_PREFIX:-replc}-h[0-9]+" || true)" ]; then
    not_ok "no other test bed is up (ip netns list shows ${REPLC_HOSTS_PREFIX:-replc}-h*)"
    finish
fi

WORK=$(mktemp -d /tmp/replc-trace.XXXXXX)
chmod 755 "$WORK"
STATE=$WORK/hosts
export REPLC_HOSTS_STATE=$STATE
cleanup() {
    if [ "${ITEST_KEEP:-}" = 1 ]; then
        note "ITEST_KEEP=1: hosts left up (state $STATE), work dir $WORK"
        return
    fi
    "$HOSTS" down >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_replc
hosts_up
TOPO=$WORK/itest.rc
example_topology "$TOPO" "replc --apply --trace test"
"$REPLC" "$TOPO" --plan --format json >"$WORK/plan.json" 2>/dev/null ||
    { not_ok "replc --plan --format json"; finish; }

run() {   # run NAME ARGS...: replc TOPO ARGS; NAME.out (stdout and stderr); RC, MS
    local name=$1 t
    shift
    t=$(now_ms)
    REPLC_SSH="ssh $HOSTS_SSH_OPTS" REPLC_TEST_PASSWORD=$PW \
        timeout "$RUN_TIMEOUT" "$REPLC" "$TOPO" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
    RC=$?
    MS=$(( $(now_ms) - t ))
}

# The checks on a trace: python3 (standard library), one mode per call;
# prints what is wrong and exits 1, or exits 0.
cat >"$WORK/check.py" <<'EOF'
import json, re, sys
mode, trace_path, plan_path, out_path = sys.argv[1:5]
trace = json.load(open(trace_path))
plan = json.load(open(plan_path))
ev = trace["traceEvents"]
rows = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
steps = {}
for e in ev:
    if e["ph"] == "X" and e.get("cat") == "step":
        steps.setdefault(e["name"], []).append(e)
bad = []
if mode == "spans":
    for s in plan["steps"]:
        got = steps.get(s["id"], [])
        if len(got) != 1:
            bad.append("%s: %d span(s)" % (s["id"], len(got)))
            continue
        row = rows.get(got[0]["tid"], "")
        if not row.startswith(s["node"] + " ("):
            bad.append("%s: on row %r, not %s's" % (s["id"], row, s["node"]))
    extra = set(steps) - {s["id"] for s in plan["steps"]}
    if extra:
        bad.append("spans of no step of the plan: %s" % sorted(extra))
elif mode == "order":
    for s in plan["steps"]:
        if s["id"] not in steps:
            continue
        me = steps[s["id"]][0]
        for d in s["after"]:
            if d in steps:
                dep = steps[d][0]
                if me["ts"] < dep["ts"] + dep["dur"]:
                    bad.append("%s starts at %d, before %s ends at %d" % (s["id"], me["ts"], d, dep["ts"] + dep["dur"]))
elif mode == "waits":
    waits = [e for e in ev if e["ph"] == "X" and e.get("cat") == "wait"]
    for w in waits:
        st = steps.get(w["args"]["step"], [None])[0]
        if st is None or st["tid"] != w["tid"] or w["ts"] < st["ts"] or w["ts"] + w["dur"] > st["ts"] + st["dur"]:
            bad.append("wait %r is not inside its step %s" % (w["name"], w["args"]["step"]))
    if not waits:
        bad.append("no wait span at all")
    if not any(e["ph"] == "X" and e.get("cat") == "preflight" and e["name"] == "preflight" and e["tid"] == 0 for e in ev):
        bad.append("no preflight span on row 0")
elif mode == "critical":
    by_file = {(s["node"], s["file"]): s["id"] for s in plan["steps"]}
    lines = open(out_path).read().split("\n")
    try:
        at = next(i for i, l in enumerate(lines) if l.startswith("critical path: "))
    except StopIteration:
        bad.append("no 'critical path:' line")
        at = len(lines)
    chain = []
    for l in lines[at + 1:]:
        if re.match(r"^ +[0-9.]+s +[0-9.]+s  \(preflight\)$", l):
            continue
        m = re.match(r"^ +[0-9.]+s +[0-9.]+s  (\S+)  (\S+)$", l)
        if not m:
            break
        if (m.group(1), m.group(2)) not in by_file:
            bad.append("critical path names %s %s, no step of the plan" % m.groups())
        else:
            chain.append(by_file[(m.group(1), m.group(2))])
    if not chain:
        bad.append("the critical path names no step")
    else:
        last = max((e for v in steps.values() for e in v), key=lambda e: e["ts"] + e["dur"])
        if chain[-1] != last["name"]:
            bad.append("the critical path ends with %s, but %s finished last" % (chain[-1], last["name"]))
        for a, b in zip(chain, chain[1:]):
            ea, eb = steps[a][0], steps[b][0]
            if eb["ts"] < ea["ts"] + ea["dur"]:
                bad.append("on the critical path %s starts before %s ends" % (b, a))
elif mode == "noop":
    for name, v in steps.items():
        if v[0]["args"]["result"] != "ok":
            bad.append("%s: %s" % (name, v[0]["args"]["result"]))
    ssh = [e["name"] for e in ev if e["ph"] == "X" and e["name"].startswith("ssh")]
    if ssh:
        bad.append("ssh ran: %s" % ssh)
for b in bad[:20]:
    print(b)
sys.exit(1 if bad else 0)
EOF

trace_check() {   # trace_check DESC MODE TRACE OUT
    local why
    if why=$(python3 "$WORK/check.py" "$2" "$3" "$WORK/plan.json" "$4" 2>&1); then
        ok "$1"
    else
        not_ok "$1"
        echo "$why" | diag
    fi
}

# ------------------------------------------------------------------ (a)

note "(a) --apply --trace on the fresh cluster"
# the servers log every session: (a) counts replc's own ("replc apply")
for i in 1 2; do
    q "$i" "ALTER SYSTEM SET log_connections = on" postgres >/dev/null
    q "$i" "SELECT pg_reload_conf()" postgres >/dev/null
done
sessions() {   # sessions I: replc's libpq sessions to node I's database repl so far
    "$HOSTS" log "$1" 2>/dev/null | grep 'connection authorized: ' | grep 'database=repl ' |
        grep -c 'application_name=replc apply'
}
run a --apply --trace "$WORK/a.json"
if [ "$RC" = 0 ]; then ok "(a) --apply --trace exits 0 ($(secs "$MS") s)"; else
    not_ok "(a) --apply --trace exits 0 (exit $RC)"; diag <"$WORK/a.out"; diag <"$WORK/a.err"; finish; fi
check "(a) the trace is valid JSON (python3 -m json.tool)" python3 -m json.tool "$WORK/a.json"
trace_check "(a) every step of the plan has one span, on its node's row" spans "$WORK/a.json" "$WORK/a.out"
trace_check "(a) every step's span starts after the spans of its dependencies end" order "$WORK/a.json" "$WORK/a.out"
trace_check "(a) wait spans lie inside their step's span; the preflight has a span" waits "$WORK/a.json" "$WORK/a.out"
trace_check "(a) the critical path names steps of the plan, in order, ending with the last to finish" \
    critical "$WORK/a.json" "$WORK/a.out"
check "(a) no password in the trace" not grep -qF -- "$PW" "$WORK/a.json"
S1=$(sessions 1) S2=$(sessions 2)
if [ "$S1" -ge 1 ] && [ "$S1" -le 7 ] && [ "$S2" -ge 1 ] && [ "$S2" -le 7 ]; then
    ok "(a) replc's libpq sessions to database repl are reused: $S1 on vm1, $S2 on vm2 (at most 7 each)"
else
    not_ok "(a) replc's libpq sessions to database repl are reused: $S1 on vm1, $S2 on vm2 (want 1 to 7 each)"
fi

# ------------------------------------------------------------------ (b)

note "(b) a second --apply --trace: a no-op"
run b --apply --trace "$WORK/b.json"
if [ "$RC" = 0 ]; then ok "(b) the second --apply exits 0 ($(secs "$MS") s)"; else
    not_ok "(b) the second --apply exits 0 (exit $RC)"; diag <"$WORK/b.out"; fi
check "(b) it says nothing to do" grep -qx 'nothing to do: the cluster is as described' "$WORK/b.out"
check "(b) the trace is valid JSON" python3 -m json.tool "$WORK/b.json"
trace_check "(b) every step has its span, on its node's row" spans "$WORK/b.json" "$WORK/b.out"
trace_check "(b) every step ok, and no ssh ran" noop "$WORK/b.json" "$WORK/b.out"

# ------------------------------------------------------------------ (c)

note "(c) vm2's ~/.pgpass and one of vm1's pg_hba.conf lines removed by hand"
"$HOSTS" ssh 2 'rm -f ~/.pgpass' >/dev/null 2>&1
"$HOSTS" ssh 1 "sed -i '/$H2_IP/d' $HOSTS_CONFDIR/pg_hba.conf" >/dev/null 2>&1
run c --apply
if [ "$RC" = 0 ]; then ok "(c) --apply exits 0"; else not_ok "(c) --apply exits 0 (exit $RC)"; diag <"$WORK/c.out"; fi
check "(c) it is not a no-op" not grep -q '^nothing to do' "$WORK/c.out"
check "(c) vm2's pgpass.sh changed" grep -qE '^\[[0-9]+/[0-9]+\] vm2 +pgpass\.sh +changed' "$WORK/c.out"
check "(c) vm1's hba.sh changed" grep -qE '^\[[0-9]+/[0-9]+\] vm1 +hba\.sh +changed' "$WORK/c.out"
run d --apply
check "(c) the next --apply is a no-op again" grep -qx 'nothing to do: the cluster is as described' "$WORK/d.out"

# ------------------------------------------------------------------ (d)

note "(d) --promote vm4 --trace while vm3 answers: refused, traced"
run e --promote vm4 --trace "$WORK/e.json"
if [ "$RC" = 1 ]; then ok "(d) --promote vm4 exits 1 while vm3 answers"; else
    not_ok "(d) --promote vm4 exits 1 while vm3 answers (exit $RC)"; diag <"$WORK/e.out"; diag <"$WORK/e.err"; fi
check "(d) the trace is valid JSON" python3 -m json.tool "$WORK/e.json"
check "(d) one span vm4/promote on vm4's row, failed" python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
rows = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
s = [e for e in ev if e["ph"] == "X" and e.get("cat") == "step"]
sys.exit(not (len(s) == 1 and s[0]["name"] == "vm4/promote" and rows.get(s[0]["tid"], "").startswith("vm4 (")
              and s[0]["args"]["result"] == "failed"))' "$WORK/e.json"
check "(d) the critical path names vm4's promote.sh" grep -qE '^ +[0-9.]+s +[0-9.]+s  vm4  promote\.sh$' "$WORK/e.out"

finish
