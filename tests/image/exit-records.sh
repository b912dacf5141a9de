#!/bin/bash
# shellcheck disable=SC2154 # $name, $tmp, $out, $PY, $k8s_ctr, $k8s_port: run.sh's and kubernetes.sh's
# Exit records from the DaemonSet's pod (make imagetest; sourced by
# kubernetes.sh while the pod's daemon runs, with run.sh's helpers):
#
# a shell in a container named the CRI-O way (podman run --annotation
# io.kubernetes.pod.namespace=records-ns, pod crash-pod, container crasher)
# kills itself with SIGSEGV. The container's first shell is its pid 1 (which
# a signal from inside its own pid namespace cannot kill): it runs a second
# one, which waits on a FIFO until the test has found its host pid, then
# kills itself. Then
#  - GET /exits?kind=crashed from the host holds exactly one record of that
#    host pid (the daemon runs with hostPID), of comm sh, signal SIGSEGV,
#    with the container's namespace, pod and container names, its id as
#    podman gives it, and its command line;
#  - the daemon's stdout (the ConfigMap's records.json_file: "-", what
#    kubectl logs shows) holds the same record as one JSON line;
#  - no record was dropped (by a rate limit: unless other processes of the
#    host crashed meanwhile) and the JSON output wrote without a failure.

echo "---- exit records"
crash_ctr="$name-crash"
crash_ns=records-ns crash_pod=crash-pod crash_name=crasher
crash_dir="$tmp/crash"
mkdir -p "$crash_dir"
mkfifo "$crash_dir/go"
# shellcheck disable=SC2016 # expanded by the container's shells
crash_script='ulimit -c 0; read go </crash/go; kill -SEGV $$'
containers+=("$crash_ctr")
# "; exit $?" keeps the first shell from exec()ing the second in its place.
podman --runtime runc run -d --name "$crash_ctr" --network none -v "$crash_dir:/crash" \
  --annotation "io.kubernetes.pod.namespace=$crash_ns" --annotation "io.kubernetes.pod.name=$crash_pod" \
  --annotation "io.kubernetes.container.name=$crash_name" localhost/debian:12 \
  sh -c "sh -c '$crash_script'; exit \$?" >/dev/null 2>"$out/$crash_ctr.run.txt" ||
  fail "podman run --annotation ... $crash_ctr: $(head -n1 "$out/$crash_ctr.run.txt")"

# children_of PID: the host pids of its children.
children_of() {
  "$PY" - "$1" <<'PY'
import os, sys
for d in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{d}/stat").read()
    except OSError:
        continue
    if stat[stat.rindex(")") + 2:].split()[1] == sys.argv[1]:
        print(d)
PY
}
crash_main=$(podman inspect --format '{{.State.Pid}}' "$crash_ctr" 2>/dev/null || echo 0)
crash_pid=""
for _ in $(seq 100); do
  [ "$crash_main" -gt 0 ] || break
  crash_pid=$(children_of "$crash_main")
  [ -n "$crash_pid" ] && break
  sleep 0.1
done
nspid=$(awk '$1 == "NSpid:" { $1 = ""; print substr($0, 2) }' "/proc/$crash_pid/status" 2>/dev/null || true)
crash_id=$(podman inspect --format '{{.Id}}' "$crash_ctr" 2>/dev/null || true)
info "$crash_ctr ($crash_ns/$crash_pod/$crash_name, id ${crash_id:0:12}): its second shell is host pid ${crash_pid:-none} (NSpid $nspid)"
[[ "$crash_pid" =~ ^[0-9]+$ ]] || abort "the host pid of the crashing shell in $crash_ctr (children of $crash_main: none)"
# shellcheck disable=SC2016 # the inner shell's $1
timeout 10 sh -c 'echo go >"$1"' sh "$crash_dir/go" || fail "the crashing shell did not read its FIFO"
crash_code=$(timeout 20 podman wait "$crash_ctr" 2>/dev/null || echo none)
verdict "$crash_ctr: the shell killed itself with SIGSEGV (the container's exit status $crash_code, want 139)" \
  [ "$crash_code" = 139 ]

exits_url="http://127.0.0.1:$k8s_port/exits?kind=crashed"
# exits_check: the checks of the record of $crash_pid in /exits and in the
# daemon's stdout (saved in $out), one line each: "ok WHAT" or "bad WHAT".
exits_check() {
  podman logs "$k8s_ctr" >"$out/records-stdout.txt" 2>/dev/null || true
  "$PY" - "$out/exits.json" "$out/records-stdout.txt" "$crash_pid" "$crash_ns" "$crash_pod" \
    "$crash_name" "$crash_id" "$crash_script" <<'PY'
import json, sys
exits, stdout, pid, ns, pod, name, cid, script = sys.argv[1:]
pid = int(pid)
def say(ok, what):
    print(("ok " if ok else "bad ") + what)
try:
    body = json.load(open(exits))
except (OSError, ValueError) as e:
    say(False, f"GET /exits?kind=crashed answers JSON ({e})")
    sys.exit()
mine = [r for r in body.get("records", []) if r.get("pid") == pid]
say(body.get("schema") == 1 and len(mine) == 1,
    f"GET /exits?kind=crashed: schema {body.get('schema')}, {len(body.get('records', []))} records, "
    f"{len(mine)} of pid {pid} (want 1)")
if len(mine) != 1:
    sys.exit()
r = mine[0]
want = {"kind": "crashed", "comm": "sh", "signal": "SIGSEGV", "reason": "signaled", "code": 11, "namespace": ns, "pod": pod, "container": name, "container_id": cid,
        "cmdline": ["sh", "-c", script]}
got = {k: r.get(k) for k in want}
say(got == want and cid != "", "its record: " + json.dumps(got))
lines, torn = [], 0
for line in open(stdout, errors="replace"):
    if not line.startswith("{"):
        continue
    try:
        lines.append(json.loads(line))
    except ValueError:
        torn += 1
same = [x for x in lines if x.get("pid") == pid and x.get("kind") == "crashed"]
say(len(same) == 1 and same[0] == r and torn == 0,
    f"the daemon's stdout: {len(lines)} JSON lines, {len(same)} of pid {pid} (want 1, the same record), "
    f"{torn} not JSON")
PY
}
for _ in $(seq 30); do
  curl -fsS --max-time 10 "$exits_url" -o "$out/exits.json" 2>"$tmp/exits.err" || true
  exits_check >"$tmp/exits-check.txt"
  grep -q '^bad' "$tmp/exits-check.txt" || break
  sleep 0.5
done
while read -r ok what; do
  verdict "$what" [ "$ok" = ok ]
done <"$tmp/exits-check.txt"
[ -s "$tmp/exits.err" ] && info "curl: $(head -n1 "$tmp/exits.err")"

await_counts records scrape_k8s "$tmp/k8s.txt" \
  "0|execmond_exit_records_dropped_total reason=kernel_buffer_full" \
  "0|execmond_exit_record_write_failures_total output=json" \
  "0|execmond_exit_records_unwritten_total output=json" \
  "0|execmond_exit_record_writes_total output=journal"
# The rate limits' drops are the whole host's. Where other processes crashed
# too (another test suite's crash storm), theirs may be among them: the count
# is only shown. With this test's record the only one since the daemon
# started (read after the scrape above: a program's drops follow its
# records), none may have been dropped.
curl -fsS --max-time 10 "http://127.0.0.1:$k8s_port/exits" -o "$out/exits-all.json" 2>/dev/null || true
others=$("$PY" - "$out/exits-all.json" "$crash_pid" <<'PY'
import collections, json, sys
try:
    records = json.load(open(sys.argv[1]))["records"]
except (OSError, ValueError, KeyError):
    records = [None]
n = collections.Counter(r.get("program") if r else "(no /exits)" for r in records
                        if not r or r.get("pid") != int(sys.argv[2]))
print(", ".join(f"{p} {c}" for p, c in n.most_common()))
PY
)
rate_drops=$(metric_value "$tmp/k8s.txt" execmond_exit_records_dropped_total reason=rate_limit)
if [ -z "$others" ]; then
  verdict "records: execmond_exit_records_dropped_total reason=rate_limit = $rate_drops (want 0)" \
    [ "$rate_drops" = 0 ]
else
  info "not checked: execmond_exit_records_dropped_total reason=rate_limit = $rate_drops;"
  info "other programs' records on this host meanwhile: $others"
fi
podman rm -f -t 0 "$crash_ctr" >/dev/null 2>&1 || true
