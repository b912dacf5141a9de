#!/usr/bin/env bash
# A real Prometheus scraping real execmond daemons (make promtest):
#
#  1. static checks: promtool check rules on packaging/prometheus/execmond.rules.yml,
#     promtool test rules (tests/prometheus/execmond.rules.test.yml: thresholds,
#     `for:` durations, annotations), promtool check config on
#     packaging/prometheus/scrape.yml, the Grafana dashboard's structure, the
#     Kubernetes manifests' YAML and the ConfigMap's configuration
#     (execmond --config.check);
#  2. four daemons on 127.0.0.1: "main" (defaults, BPF statistics on),
#     "tiny" (tiny maps and a cap of 1 series per family, so that it loses
#     events and overflows), "pods" (labelled by namespace, pod and
#     container, read from a containerd state directory the test writes) and
#     "names" (config/examples/process-exporter-migration.yaml: program,
#     script and parent labels by process-exporter's rules), and Debian's
#     prometheus binary scraping them every second, plus the scrape.yml
#     Kubernetes job fed with the DaemonSet's pod metadata, with the real
#     rules (every `for:` set to 0s);
#  3. a workload: every second, 300 children with exit codes 0..255, SIGTERM,
#     SIGKILL and core-dumping SIGSEGV/SIGABRT, and 80 long sleepers; every
#     5 seconds a child OOM-killed in a 32 MiB memory cgroup; every second 20
#     children in the cgroup v2 directory of a pod's container, and a python
#     script that fails (exit 3);
#  4. every PromQL expression of the dashboard (variables substituted: $job,
#     $instance, $namespace, $pod, $comm, $program -> .*, $__rate_interval -> 1m,
#     $__range -> 5m) and of the rules file through /api/v1/query: each must
#     return series, the per-program ones also for the static job, whose
#     series have no namespace or pod label, and the ones grouped by program
#     or parent for "names"; the variables' values, each filtered by the ones
#     before it; the alerts must fire: lost events, series overflow, nearly
#     full map, a crash-looping, a failing and an OOM-killed program, a failed
#     script, exit records held back by the rate limits; then a failed reload of "tiny"
#     (ExecmondConfigReloadFailed) and "tiny" stopped (ExecmondDown).
#
# Usage: tests/prometheus/run.sh BUILD_DIR   (as root; about a minute)
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on a failure.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "$1" && pwd)
HERE="$ROOT/tests/prometheus"
EXECMOND="$BUILD_DIR/execmond"
WORKLOAD="$BUILD_DIR/tests/execmond_workload"
DASHBOARD="$ROOT/packaging/grafana/execmond.json"
RULES="$ROOT/packaging/prometheus/execmond.rules.yml"
SCRAPE="$ROOT/packaging/prometheus/scrape.yml"
K8S="$ROOT/packaging/kubernetes"

for f in "$EXECMOND" "$WORKLOAD"; do
  if [ ! -x "$f" ]; then
    echo "FAIL  $f not built (cmake --build $BUILD_DIR --target execmond execmond_workload)" >&2
    exit 1
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "FAIL  run as root: execmond loads BPF programs" >&2
  exit 1
fi

# Debian's prometheus (prometheus, promtool) and PyYAML for the system python.
need=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
command -v curl >/dev/null || need+=(curl)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need+=(python3 python3-yaml)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
PY=/usr/bin/python3
# check.py imports its neighbours: no __pycache__ in the source tree.
export PYTHONDONTWRITEBYTECODE=1
PROMETHEUS=$(command -v prometheus)

tmp=$(mktemp -d /tmp/execmond-promtest.XXXXXX)
pids=()        # processes to stop
groups=()      # process groups to stop (the workload and its children)
oom_cg=""      # the memory cgroup the OOM-killed child runs in, once made
pod_cg=""      # the cgroup v2 directory of the pod's container, once made
cleanup() {
  local rc=$?
  rm -f "$tmp/run-workload"
  for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}" "${groups[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  for g in "${groups[@]}"; do
    if kill -0 -- "-$g" 2>/dev/null; then kill -KILL -- "-$g" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  if [ -n "$oom_cg" ] && [ -d "$oom_cg" ]; then
    for _ in $(seq 50); do rmdir "$oom_cg" 2>/dev/null && break; sleep 0.1; done
    if [ -d "$oom_cg" ]; then echo "note: could not remove $oom_cg" >&2; fi
  fi
  if [ -n "$pod_cg" ] && [ -d "$pod_cg" ]; then
    for _ in $(seq 50); do rmdir "$pod_cg" 2>/dev/null && break; sleep 0.1; done
    rmdir "$(dirname "$pod_cg")" 2>/dev/null || true
    if [ -d "$pod_cg" ]; then echo "note: could not remove $pod_cg" >&2; fi
  fi
  if [ "$rc" != 0 ] && [ -z "${KEEP_LOGS:-}" ]; then
    for log in "$tmp"/*.log; do
      [ -s "$log" ] || continue
      echo "---- last lines of $(basename "$log")"
      tail -n 15 "$log"
    done
  fi
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passes=0 failures=0
static() {  # static NAME COMMAND...: one PASS/FAIL line, output shown on failure
  if out=$("${@:2}" 2>&1); then
    echo "PASS  $1"
    passes=$((passes + 1))
  else
    echo "FAIL  $1"
    echo "$out" | sed 's/^/      /'
    failures=$((failures + 1))
  fi
}

echo "---- static checks"
static "promtool check rules $(basename "$RULES")" promtool check rules "$RULES"
static "promtool test rules execmond.rules.test.yml" promtool test rules "$HERE/execmond.rules.test.yml"
"$PY" "$HERE/check.py" lint "$DASHBOARD" >"$tmp/lint.out" || true
grep '^FAIL' "$tmp/lint.out" || true
static "dashboard structure: $(tail -n1 "$tmp/lint.out")" grep -q ' 0 failed$' "$tmp/lint.out"
for f in "$K8S"/*.yaml; do
  static "valid YAML: ${f#"$ROOT"/}" "$PY" -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
assert docs, "no document"
for d in docs:
    assert d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name"), d
' "$f"
done
"$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["execmond.yaml"], end="")' \
  "$K8S/configmap.yaml" >"$tmp/configmap-execmond.yaml"
static "ConfigMap's execmond.yaml passes execmond --config.check" \
  "$EXECMOND" --config.check --config.file="$tmp/configmap-execmond.yaml"

echo "---- starting execmond (main, tiny, pods) and prometheus"
mkdir -p "$tmp/cores" "$tmp/data"
# A container of a Kubernetes pod as containerd's CRI plugin leaves it on a
# node: its OCI spec with the pod's names, found by the container id in the
# cgroup path ("cri-containerd-<id>.scope"). The "pods" daemon labels by
# namespace, pod and container, and reads this state instead of the host's.
pod_container_id=$(printf 'execmond-promtest-pod' | sha256sum | cut -c1-64)
mkdir -p "$tmp/containerd/k8s.io/$pod_container_id"
cat >"$tmp/containerd/k8s.io/$pod_container_id/config.json" <<'EOF'
{
  "ociVersion": "1.1.0",
  "annotations": {
    "io.kubernetes.cri.container-name": "worker",
    "io.kubernetes.cri.container-type": "container",
    "io.kubernetes.cri.sandbox-name": "batch-7d4b9c8f6d-x2k9p",
    "io.kubernetes.cri.sandbox-namespace": "promtest"
  }
}
EOF
cat >"$tmp/pods.yaml" <<EOF
web:
  listen_address: "127.0.0.1:0"
tracer:
  drain_interval: 1s
labels:
  default: [namespace, pod, container, comm]
identity:
  runtime_state:
    containerd: $tmp/containerd
    crio: ""
    docker: ""
    podman: ""
EOF
cat >"$tmp/main.yaml" <<'EOF'
web:
  listen_address: "127.0.0.1:0"
tracer:
  drain_interval: 1s
  bpf_stats: true
EOF
cat >"$tmp/tiny.yaml" <<'EOF'
web:
  listen_address: "127.0.0.1:0"
tracer:
  drain_interval: 1s
  max_processes: 64
  max_keys: 16
cardinality:
  max_series_per_family: 1
EOF

start_execmond() {  # start_execmond NAME: sets started_pid and started_addr
  local name=$1 port=""
  "$EXECMOND" --config.file="$tmp/$name.yaml" >"$tmp/execmond-$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 100); do
    port=$(sed -n 's/.*serving metrics on .*(port \([0-9]*\)).*/\1/p' "$tmp/execmond-$name.log" | head -n1)
    [ -n "$port" ] && break
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "FAIL  execmond ($name) did not start"
    exit 1
  fi
  started_addr="127.0.0.1:$port"
  echo "execmond ($name) pid $started_pid on $started_addr"
}
start_execmond main
main_pid=$started_pid main_addr=$started_addr
start_execmond tiny
tiny_pid=$started_pid tiny_addr=$started_addr
start_execmond pods
pods_addr=$started_addr

# "names": the shipped migration example as it is, beside its process-exporter
# rules file, on a port of its own. It needs the naming section; a build that
# refuses it fails the program checks below, after the others have run.
cp "$ROOT/config/examples/process-exporter-migration.yaml" "$tmp/names.yaml"
cp "$ROOT/config/examples/process-exporter.yml" "$tmp/process-exporter.yml"
printf '\nweb:\n  listen_address: "127.0.0.1:0"\n' >>"$tmp/names.yaml"
names_addr=""
if "$EXECMOND" --config.check --config.file="$tmp/names.yaml" >"$tmp/names-check.log" 2>&1; then
  start_execmond names
  names_addr=$started_addr
else
  echo "FAIL  execmond refuses config/examples/process-exporter-migration.yaml: $(tail -n1 "$tmp/names-check.log")"
  failures=$((failures + 1))
fi

"$PY" "$HERE/check.py" configs --scrape "$SCRAPE" --daemonset "$K8S/daemonset.yaml" --rules "$RULES" \
  --main "$main_addr" --tiny "$tiny_addr" --pods "$pods_addr" --names "$names_addr" --outdir "$tmp" |
  tee "$tmp/configs.out"
static "promtool check config scrape.yml (Kubernetes discovery as static targets)" \
  promtool check config "$tmp/scrape-checkable.yml"
static "promtool check config of the test's prometheus.yml" promtool check config "$tmp/prometheus.yml"

prom_port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prom_url="http://127.0.0.1:$prom_port"
"$PROMETHEUS" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pids+=("$!")
prom_pid=$!
for _ in $(seq 150); do
  curl -sf "$prom_url/-/ready" >/dev/null 2>&1 && break
  kill -0 "$prom_pid" 2>/dev/null || break
  sleep 0.2
done
if ! curl -sf "$prom_url/-/ready" >/dev/null 2>&1; then
  echo "FAIL  prometheus did not become ready"
  exit 1
fi
echo "prometheus pid $prom_pid on $prom_url ($("$PROMETHEUS" --version 2>&1 | head -n1))"

# Core dumps land in $tmp/cores (removed after each round) unless the
# kernel sends them elsewhere.
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo core)
case "$pattern" in
  /* | "|"*) echo "note: the workload dumps core about twice a second; kernel.core_pattern is $pattern" ;;
esac

# The workload, each part in its own process group so that cleanup stops
# every child: 80 long sleepers first, so that they take the tiny daemon's
# process map before anything else can, then a mix of outcomes every second.
setsid "$WORKLOAD" sleepers 80 180000 "$WORKLOAD" >/dev/null 2>&1 &
groups+=("$!")
sleep 1
touch "$tmp/run-workload"
setsid bash -c '
  while [ -e "$1/run-workload" ]; do
    "$2" mix 300 "$2" "$1/cores" >/dev/null 2>&1 || true
    rm -f "$1"/cores/core*
    sleep 1
  done' workload-loop "$tmp" "$WORKLOAD" &
groups+=("$!")

# An OOM-killed child every 5 seconds: a memory cgroup limited to 32 MiB
# (no swap), and a child that joins it before it execs the allocator, which
# touches up to 256 MiB. cgroup v1 (memory controller mounted on its own) or
# v2 (the memory controller enabled for the root's children).
if [ -d /sys/fs/cgroup/memory ] && [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
  oom_cg=/sys/fs/cgroup/memory/execmond-promtest-oom
  mkdir -p "$oom_cg"
  echo 32M >"$oom_cg/memory.limit_in_bytes"
  # memsw (memory + swap) may not be below the memory limit: set it after.
  if [ -e "$oom_cg/memory.memsw.limit_in_bytes" ]; then echo 32M >"$oom_cg/memory.memsw.limit_in_bytes"; fi
elif [ -e /sys/fs/cgroup/cgroup.subtree_control ] && grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
  oom_cg=/sys/fs/cgroup/execmond-promtest-oom
  mkdir -p "$oom_cg"
  echo 32M >"$oom_cg/memory.max"
  if [ -e "$oom_cg/memory.swap.max" ]; then echo 0 >"$oom_cg/memory.swap.max"; fi
else
  echo "FAIL  no memory cgroup to OOM-kill a child in (cgroup v1 memory, or v2 with memory in /sys/fs/cgroup/cgroup.subtree_control)" >&2
  exit 1
fi
setsid bash -c '
  while [ -e "$1/run-workload" ]; do
    sh -c '\''echo $$ >"$1/cgroup.procs" && exec "$2" oom-child 256'\'' oom-child "$2" "$3" >/dev/null 2>&1 || true
    sleep 5
  done' oom-loop "$tmp" "$oom_cg" "$WORKLOAD" &
groups+=("$!")

# A python job that fails every second: the "names" daemon gives its exits
# the script label ScriptFailed keys on.
printf 'import sys\nsys.exit(3)\n' >"$tmp/promtest_nightly.py"
setsid bash -c '
  while [ -e "$1/run-workload" ]; do
    python3 "$1/promtest_nightly.py" || true
    sleep 1
  done' job-loop "$tmp" >/dev/null 2>&1 &
groups+=("$!")

# The pod's container: a cgroup v2 directory named as containerd's systemd
# driver names a container's scope, and a workload that runs in it, 20
# children a second.
cgroup2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -z "$cgroup2" ]; then
  echo "FAIL  no cgroup v2 mount (pure or hybrid) to run the pod's container in" >&2
  exit 1
fi
pod_cg="$cgroup2/execmond-promtest-pod/cri-containerd-$pod_container_id.scope"
mkdir -p "$pod_cg"
setsid sh -c '
  echo $$ >"$1/cgroup.procs" && exec bash -c '\''
    while [ -e "$1/run-workload" ]; do
      "$2" mix 20 "$2" "$1/cores" >/dev/null 2>&1 || true
      sleep 1
    done'\'' pod-loop "$2" "$3"' pod-loop "$pod_cg" "$tmp" "$WORKLOAD" &
groups+=("$!")

set +e
"$PY" "$HERE/check.py" scenario --prom "$prom_url" --dashboard "$DASHBOARD" --rules "$RULES" \
  --scrape "$SCRAPE" --main "$main_addr" --tiny "$tiny_addr" --pods "$pods_addr" --names "$names_addr" \
  --tiny-pid "$tiny_pid" \
  --tiny-config "$tmp/tiny.yaml" | tee "$tmp/scenario.out"
scenario_rc=${PIPESTATUS[0]}
set -e

echo "---- TLS and basic auth: a real Prometheus scraping through --web.config.file"
"$ROOT/tests/support/make-test-certs.sh" "$tmp/certs"
password=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(16))')
hash=$("$PY" -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))' "$password")
cat >"$tmp/web.yml" <<WEB
tls_server_config:
  cert_file: certs/server.crt
  key_file: certs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: certs/ca.crt
basic_auth_users:
  prometheus: '$hash'
WEB
cat >"$tmp/secure.yaml" <<SECURE
web:
  listen_address: "127.0.0.1:0"
  config_file: $tmp/web.yml
SECURE
start_execmond secure
secure_addr=$started_addr
printf '%s' "$password" >"$tmp/password"
printf 'wrong' >"$tmp/wrong-password"
secure_job() {  # secure_job NAME PASSWORD_FILE
  cat <<JOB
  - job_name: $1
    scheme: https
    tls_config:
      ca_file: $tmp/certs/ca.crt
      cert_file: $tmp/certs/client.crt
      key_file: $tmp/certs/client.key
    basic_auth:
      username: prometheus
      password_file: $2
    static_configs:
      - targets: ["$secure_addr"]
JOB
}
{
  printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n'
  secure_job secure "$tmp/password"
  secure_job secure-wrong-password "$tmp/wrong-password"
} >"$tmp/prometheus-tls.yml"
static "promtool check config of the TLS scrape" promtool check config "$tmp/prometheus-tls.yml"
tls_port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/data-tls"
"$PROMETHEUS" --config.file="$tmp/prometheus-tls.yml" --storage.tsdb.path="$tmp/data-tls" \
  --web.listen-address="127.0.0.1:$tls_port" --log.level=warn >"$tmp/prometheus-tls.log" 2>&1 &
pids+=("$!")
tls_check() {  # tls_check NAME JOB WANT_UP: waits for up{job=JOB} == WANT_UP
  local got="" q
  q=$("$PY" -c 'import urllib.parse, sys; print(urllib.parse.quote(sys.argv[1]))' "up{job=\"$2\"}")
  for _ in $(seq 60); do
    got=$(curl -s "http://127.0.0.1:$tls_port/api/v1/query?query=$q" |
      "$PY" -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true)
    [ "$got" = "$3" ] && break
    sleep 0.5
  done
  static "$1 (up = ${got:-none}, want $3)" test "$got" = "$3"
}
tls_check "prometheus scrapes over mutual TLS with basic auth" secure 1
tls_check "a wrong password is refused" secure-wrong-password 0
static "the refusal is a 401" sh -c "curl -s http://127.0.0.1:$tls_port/api/v1/targets | grep -q '401 Unauthorized'"
static "execmond series arrive over TLS" sh -c "curl -s 'http://127.0.0.1:$tls_port/api/v1/query?query=execmond_build_info' | grep -q '\"job\":\"secure\"'"
static "the password is not in execmond's log" sh -c "! grep -qF -- '$password' '$tmp/execmond-secure.log'"

echo "---- summary"
passes=$((passes + $(cat "$tmp/configs.out" "$tmp/scenario.out" | grep -c '^PASS ' || true)))
failures=$((failures + $(cat "$tmp/configs.out" "$tmp/scenario.out" | grep -c '^FAIL ' || true)))
if [ "$scenario_rc" != 0 ] && [ "$failures" = 0 ]; then failures=1; fi
grep -h '^FAIL' "$tmp/configs.out" "$tmp/scenario.out" || true
echo "promtest: $passes passed, $failures failed"
[ "$failures" = 0 ]
