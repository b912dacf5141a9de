#!/usr/bin/env bash
# Containers that live about 50 ms under containerd, laid out as its CRI
# plugin lays out a Kubernetes pod's (tests/containerd/run.sh BUILD_DIR, as
# root; about a minute):
#
#  1. Debian's containerd (installed with apt-get when missing), run with a
#     root, state and socket of its own under a scratch directory;
#  2. BUILD_DIR's execmond with namespace, pod and container labels, reading
#     that containerd's state;
#  3. `ctr -n k8s.io run --rm` of five containers, each with the CRI
#     annotations (sandbox name and namespace, container name and type) and
#     a kubepods cgroup path, running five copies of true and gone at once
#     (--rm deletes its state with it), plus one that lives 3 s;
#  4. the exact counts under each container's namespace, pod and container
#     on /metrics, and no label resolution failure.
#
# The rootfs is a directory of dash, true, sleep and the C library (ctr run
# --rootfs): no image, no registry. Prints PASS/FAIL per check and
# "N passed, N failed"; exits 1 on a failure. Logs in BUILD_DIR/containerdtest.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "$1" && pwd)
out="$BUILD_DIR/containerdtest"
export PY=/usr/bin/python3 # lib.sh's free_port
rm -rf "$out"
mkdir -p "$out"
# shellcheck source=../image/lib.sh
. "$ROOT/tests/image/lib.sh"

if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd runc >"$out/apt.log" 2>&1
fi

tmp=$(mktemp -d /tmp/execmond-containerd-XXXXXX)
containerd_pid="" execmond_pid=""
cleanup() {
  [ -n "$execmond_pid" ] && kill "$execmond_pid" 2>/dev/null && wait "$execmond_pid" 2>/dev/null
  [ -n "$containerd_pid" ] && kill "$containerd_pid" 2>/dev/null && wait "$containerd_pid" 2>/dev/null
  rm -rf "$tmp"
  return 0
}
trap cleanup EXIT

# ---- containerd of its own ----
sock="$tmp/containerd.sock"
cat >"$tmp/containerd.toml" <<TOML
version = 2
root = "$tmp/root"
state = "$tmp/state"
[grpc]
  address = "$sock"
TOML
containerd --config "$tmp/containerd.toml" >"$out/containerd.log" 2>&1 &
containerd_pid=$!
for _ in $(seq 100); do
  ctr -a "$sock" version >/dev/null 2>&1 && break
  sleep 0.1
done
verdict "containerd $(containerd --version | awk '{print $3}') answers on its own socket" \
  ctr -a "$sock" version

rootfs="$tmp/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp"
cp /bin/dash "$rootfs/bin/sh"
cp /bin/true "$rootfs/bin/true"
cp /bin/sleep "$rootfs/bin/sleep"
for lib in $(ldd /bin/dash /bin/true /bin/sleep | awk '/=>/ { print $3 } /^\t\// { print $1 }' | sort -u); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

# ---- execmond ----
port=$(free_port)
cat >"$tmp/execmond.yaml" <<YAML
tracer:
  drain_interval: 1s
labels:
  default: [namespace, pod, container, comm]
identity:
  runtime_state:
    containerd: $tmp/state/io.containerd.runtime.v2.task
YAML
"$BUILD_DIR/execmond" --config.file="$tmp/execmond.yaml" --web.listen-address="127.0.0.1:$port" \
  >"$out/execmond.log" 2>&1 &
execmond_pid=$!
for _ in $(seq 100); do
  grep -q 'serving metrics on' "$out/execmond.log" && break
  sleep 0.2
done
verdict "execmond serves on 127.0.0.1:$port" grep -q 'serving metrics on' "$out/execmond.log"

# ---- pods of one container each ----
hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
suffix=$(printf '%04x' $((RANDOM % 65536)))
expectations=()
run_pod() { # run_pod NAME SECONDS: a pod of container NAME living SECONDS (0: none)
  local id uid pod=$1-$suffix-x9k2z
  id=$(hex64)
  uid=$(cat /proc/sys/kernel/random/uuid)
  # shellcheck disable=SC2016 # expanded by the container's shell
  ctr -a "$sock" -n k8s.io run --rm --rootfs \
    --cgroup "/kubepods/besteffort/pod$uid/$id" \
    --annotation io.kubernetes.cri.container-type=container \
    --annotation "io.kubernetes.cri.sandbox-name=$pod" \
    --annotation io.kubernetes.cri.sandbox-namespace=jobs \
    --annotation "io.kubernetes.cri.container-name=$1" \
    "$rootfs" "$id" /bin/sh -c '/bin/true; /bin/true; /bin/true; /bin/true; /bin/true; [ "$0" = 0 ] || sleep "$0"' \
    "$2" >>"$out/ctr.log" 2>&1 || fail "ctr run --rm $1 ($id): $(tail -n1 "$out/ctr.log")"
  expectations+=("5|execmond_process_execs_total namespace=jobs pod=$pod container=$1 comm=true")
}
for i in 0 1 2 3 4; do run_pod "once$i" 0; done
run_pod lived3s 3
gone() { [ -z "$(ctr -a "$sock" -n k8s.io containers list -q)" ]; }
verdict "every container and its state are gone (--rm)" gone

expectations+=(
  "0|execmond_label_resolution_failures_total label=pod"
  "0|execmond_label_resolution_failures_total label=namespace"
  "0|execmond_label_resolution_failures_total label=container"
  "0|execmond_cgroup_changes_lost_total"
)
scrape() { curl -fsS --max-time 10 "http://127.0.0.1:$port/metrics" -o "$tmp/metrics.txt" 2>/dev/null; }
await_counts containerd scrape "$tmp/metrics.txt" "${expectations[@]}"

# shellcheck disable=SC2154 # lib.sh's counts
echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
