#!/usr/bin/env bash
# The container image, built and run for real (make imagetest):
#
#  1. tests/image/dockerfile-check.sh BUILD_DIR: the static checks;
#  2. the bases the Dockerfile names, debian:12 and debian:12-slim, made
#     once with debootstrap --variant=minbase bookworm (build-base.sh) and
#     podman import, cached in /var/cache/execmond-imagetest keyed by a hash
#     of build-base.sh (no registry is needed);
#  3. podman build --isolation=chroot of the Dockerfile from the repository
#     root; the image's contents: the daemon and its TLS libraries where its
#     RPATH points, every library found, no -dev package or compiler;
#  4. podman run with the privileges docs/observability.md documents (host
#     PID and cgroup namespaces, read-only root, --cap-drop ALL and
#     BPF/PERFMON/DAC_READ_SEARCH, read-only /sys/kernel/btf, tracefs and
#     /sys/fs/cgroup, a published port): execmond doctor, then one daemon on
#     plain HTTP and one with a --web.config.file (TLS) mounted read-only;
#  5. a known workload on the host (copies of true and dash under unique
#     names: 100 runs, 10 that exit 3, 5 killed by SIGKILL, 7 forks) and the
#     exact counts on both containers' /metrics (https with --cacert for the
#     second, which must not answer plain HTTP), no lost events; SIGHUP
#     reloads, SIGTERM stops cleanly;
#  6. tests/image/kubernetes.sh: the DaemonSet's pod spec (podman kube play
#     where it honours hostPID, else the spec's fields as podman run flags),
#     and podman containers carrying Kubernetes names in their annotations:
#     exact counts under namespace, pod and container, a crash's exit record;
#  7. removes its containers, pods and images (not the cached base).
#
# The OCI runtime is runc with a containers.conf that sets no default
# ulimits: crun refuses hosts with cgroup v1 controllers beside cgroup2
# ("cgroups in hybrid mode not supported"), and podman 4.3's default
# RLIMIT_NOFILE of 1048576 cannot be set without CAP_SYS_RESOURCE (neither
# --ulimit host nor an explicit nofile limit leaves the spec without it).
# Where the engine's default seccomp profile allows bpf() and
# perf_event_open() only with CAP_SYS_ADMIN (Debian 12's podman), the
# containers run with a copy of it that allows them, as
# docs/observability.md says to.
#
# Usage: tests/image/run.sh BUILD_DIR   (as root; a few minutes, most of it
# compiling in the image's build stage). Logs in BUILD_DIR/imagetest.
# Environment: EXECMOND_IMAGETEST_CACHE (cache directory),
# EXECMOND_IMAGETEST_MIRROR / _SECURITY_MIRROR (see build-base.sh).
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on a failure.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tests/image"
mkdir -p "$1"
BUILD_DIR=$(cd "$1" && pwd)
out="$BUILD_DIR/imagetest"
cache_root="${EXECMOND_IMAGETEST_CACHE:-/var/cache/execmond-imagetest}"
# Bump to rebuild the cached base for reasons the hash misses.
base_version=1

if [ "$(id -u)" != 0 ]; then
  echo "FAIL  run as root: debootstrap, podman and BPF need it" >&2
  exit 1
fi

# ---- host tools (Debian packages; installed once) ----
need=()
command -v podman >/dev/null || need+=(podman)
command -v runc >/dev/null || need+=(runc)
[ -x /usr/lib/podman/netavark ] || command -v netavark >/dev/null || need+=(netavark)
command -v iptables >/dev/null || need+=(iptables)
command -v debootstrap >/dev/null || need+=(debootstrap)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
command -v readelf >/dev/null || need+=(binutils)
command -v flock >/dev/null || need+=(util-linux)
[ -x /usr/bin/python3 ] || need+=(python3)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
# podman kube play's pod infra container
[ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
if ((${#need[@]})); then
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
PY=/usr/bin/python3
# The classic-tracepoint fallback and the image's tracefs mount need it.
test -e /sys/kernel/tracing/events || mount -t tracefs tracefs /sys/kernel/tracing

run_id="$$-$(date +%s)"
tag="localhost/execmond-imagetest:$run_id"
name="execmond-imagetest-$run_id"
tmp=$(mktemp -d /tmp/execmond-imagetest.XXXXXX)
rm -rf "$out"
mkdir -p "$out"
# Every podman call of this script reads this file only: no default ulimits.
printf '[containers]\ndefault_ulimits = []\n' >"$tmp/containers.conf"
export CONTAINERS_CONF="$tmp/containers.conf"

# shellcheck source=lib.sh
. "$HERE/lib.sh"

containers=()
pods=()
workload_files=()
images_before=""
cleaned=0
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  [ "$cleaned" = 1 ] && return 0
  cleaned=1
  local c i
  for c in "${containers[@]}"; do
    podman logs "$c" >"$out/$c.log" 2>&1 || true
    podman rm -f -t 5 "$c" >/dev/null 2>&1 || true
  done
  for c in "${pods[@]}"; do
    podman pod rm -f -t 5 "$c" >/dev/null 2>&1 || true
  done
  podman image unmount "$tag" >/dev/null 2>&1 || true
  podman rmi -f "$tag" >/dev/null 2>&1 || true
  # Whatever else the build left (the build stage): images that were not there before.
  if [ -n "$images_before" ]; then
    for i in $(podman images -aq --no-trunc | sort -u | comm -13 "$tmp/images-before" -); do
      podman rmi -f "$i" >/dev/null 2>&1 || true
    done
  fi
  rm -f "${workload_files[@]}"
}
finish() {
  cleanup
  rm -rf "$tmp"
  echo "logs: $out"
  echo "$passes passed, $failures failed"
  if ((failures == 0 && passes > 0)); then exit 0; fi
  exit 1
}
abort() { # abort REASON: the remaining checks cannot run, which is a failure
  fail "$1"
  echo "      the remaining checks did not run"
  finish
}
# shellcheck disable=SC2317 # called by the trap
on_exit() {
  local rc=$?
  cleanup
  rm -rf "$tmp"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

echo "---- what the image test runs on"
runtime_version=$(runc --version | head -n1)
info "$(podman --version), OCI runtime $runtime_version, network $(podman info --format '{{.Host.NetworkBackend}}'), cgroup manager $(podman info --format '{{.Host.CgroupManager}}')"
if [ -d /sys/fs/cgroup/unified ]; then
  info "cgroups: hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified): crun refuses them, so runc"
else
  info "cgroups: $(stat -fc %T /sys/fs/cgroup)"
fi
info "containers.conf: default_ulimits = [] (podman's default RLIMIT_NOFILE 1048576 needs CAP_SYS_RESOURCE; hard limit here $(ulimit -Hn))"
info "kernel $(uname -r); image build: podman build --isolation=chroot"

echo "---- static checks"
if "$HERE/dockerfile-check.sh" "$BUILD_DIR" >"$out/dockerfile-check.txt" 2>&1; then
  pass "dockerfile-check.sh $BUILD_DIR: $(tail -n1 "$out/dockerfile-check.txt")"
else
  grep '^FAIL' "$out/dockerfile-check.txt" | sed 's/^/      /' || tail -n 5 "$out/dockerfile-check.txt"
  fail "dockerfile-check.sh $BUILD_DIR: $(tail -n1 "$out/dockerfile-check.txt")"
fi

echo "---- base images"
key="$({
  echo "base_version=$base_version"
  cat "$HERE/build-base.sh" "$ROOT/tests/support/apt-uris.sh"
} | sha256sum | cut -c1-16)"
base_dir="$cache_root/base-$key"
base_tag="localhost/execmond-imagetest-base:$key"
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
note=cached
if [ ! -f "$base_dir/rootfs.tar" ]; then
  t0=$SECONDS
  rm -rf --one-file-system "$base_dir" "$base_dir.tmp"
  if ! "$HERE/build-base.sh" "$base_dir.tmp" 2>&1 | tee "$out/build-base.log" | sed 's/^/      /'; then
    rm -rf --one-file-system "$base_dir.tmp"
    abort "debootstrap of the base image (log: $out/build-base.log)"
  fi
  mv "$base_dir.tmp" "$base_dir"
  note="debootstrapped in $((SECONDS - t0)) s"
  # Bases of other keys are of no further use.
  find "$cache_root" -mindepth 1 -maxdepth 1 -name 'base-*' ! -name "base-$key" -exec rm -rf --one-file-system {} +
fi
if ! podman image exists "$base_tag"; then
  t0=$SECONDS
  podman import --change 'CMD ["bash"]' "$base_dir/rootfs.tar" "$base_tag" >"$out/import.log" 2>&1 ||
    abort "podman import $base_dir/rootfs.tar (log: $out/import.log)"
  note="$note, imported in $((SECONDS - t0)) s"
fi
for old in $(podman images --format '{{.Repository}}:{{.Tag}}' localhost/execmond-imagetest-base); do
  [ "$old" = "$base_tag" ] || podman rmi "$old" >/dev/null 2>&1 || true
done
podman tag "$base_tag" localhost/debian:12 localhost/debian:12-slim
flock -u 9
pass "debian:12 and debian:12-slim are $base_tag, debootstrap --variant=minbase bookworm ($note; $base_dir)"

echo "---- podman build"
podman images -aq --no-trunc | sort -u >"$tmp/images-before"
images_before=yes
t0=$SECONDS
if timeout 1800 podman build --isolation=chroot --pull=never --layers=false -t "$tag" \
  -f "$ROOT/Dockerfile" "$ROOT" >"$out/build.log" 2>&1; then
  pass "podman build --isolation=chroot -t $tag . ($((SECONDS - t0)) s; log: $out/build.log)"
else
  tail -n 30 "$out/build.log" | sed 's/^/      /'
  abort "podman build --isolation=chroot . (log: $out/build.log)"
fi
info "image size $(podman image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1 / 1e6}')"

echo "---- the image's contents"
config=$(podman image inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.ExposedPorts}} {{.Config.User}}' "$tag")
verdict "image config: $config" [ "$config" = '["/usr/sbin/execmond"] ["--config.file=/etc/execmond/execmond.yaml"] {"9765/tcp":{}} 0:0' ]
mnt=$(podman image mount "$tag") || abort "podman image mount $tag"
rpath=$(readelf -d "$mnt/usr/sbin/execmond" | sed -n 's/.*(RPATH).*\[\(.*\)\]/\1/p')
tls_dir="$mnt/usr/sbin/${rpath#\$ORIGIN/}"
# shellcheck disable=SC2016 # $ORIGIN is the dynamic linker's
verdict "/usr/sbin/execmond's DT_RPATH $rpath holds libssl.so and libcrypto.so (/usr/lib/execmond)" \
  test "$rpath" = '$ORIGIN/../lib/execmond' -a -f "$tls_dir/libssl.so" -a -f "$tls_dir/libcrypto.so"
conf_diff=$(diff "$ROOT/config/execmond.yaml" "$mnt/etc/execmond/execmond.yaml" | grep '^[<>]' | paste -sd'|' || true)
verdict "/etc/execmond/execmond.yaml is config/execmond.yaml with records.journal: false, json_file: \"-\"" \
  [ "$conf_diff" = '<   journal: true|>   journal: false|<   json_file: ""|>   json_file: "-"' ]
podman image unmount "$tag" >/dev/null || true
# ldd in the image: the daemon and the libraries civetweb dlopen()s.
podman run --rm --runtime runc --network none --entrypoint /bin/sh "$tag" -c '
  ldd /usr/sbin/execmond /usr/lib/execmond/libssl.so /usr/lib/execmond/libcrypto.so
  echo "dev packages: $(dpkg-query -W -f "\${Package}\n" | grep -E -- "-dev$" | tr "\n" " ")"
  echo "compilers: $(for c in cc gcc g++ clang cmake make; do command -v $c; done | tr "\n" " ")"
  /usr/sbin/execmond --version' >"$out/contents.txt" 2>&1 || true
missing=$(grep -F 'not found' "$out/contents.txt" | paste -sd' ' || true)
ok=no
grep -q 'libssl.so.3 =>' "$out/contents.txt" && [ -z "$missing" ] && ok=yes
verdict "ldd in the image finds every library of execmond, libssl.so and libcrypto.so${missing:+: $missing}" \
  [ "$ok" = yes ]
dev=$(sed -n 's/^dev packages: //p' "$out/contents.txt")
compilers=$(sed -n 's/^compilers: //p' "$out/contents.txt")
ok=no
[ -z "${dev// /}" ] && [ -z "${compilers// /}" ] && ok=yes
verdict "no -dev package and no compiler in the image (${dev:-none}; ${compilers:-none})" [ "$ok" = yes ]
verdict "execmond --version in the image: $(grep -m1 '^execmond version' "$out/contents.txt")" \
  grep -q '^execmond version' "$out/contents.txt"

echo "---- podman run"
# The engine's seccomp profile; a copy that allows bpf() and
# perf_event_open() when it ties them to CAP_SYS_ADMIN.
profile=$(podman info --format '{{.Host.Security.SECCOMPProfilePath}}')
seccomp=()
if [ -f "$profile" ] && "$PY" - "$profile" "$tmp/seccomp.json" <<'PY'; then
import json, sys
profile = json.load(open(sys.argv[1]))
wanted = {"bpf", "perf_event_open"}
changed = False
for rule in profile["syscalls"]:
    if wanted & set(rule["names"]) and (rule.get("includes") or rule.get("excludes")):
        rule["names"] = [n for n in rule["names"] if n not in wanted]
        changed = True
if not changed:
    sys.exit(1)
profile["syscalls"] = [r for r in profile["syscalls"] if r["names"]]
profile["syscalls"].append({"names": sorted(wanted), "action": "SCMP_ACT_ALLOW", "args": [],
                            "comment": "bpf() and perf_event_open() with CAP_BPF and CAP_PERFMON"})
json.dump(profile, open(sys.argv[2], "w"), indent=1)
PY
  seccomp=(--security-opt "seccomp=$tmp/seccomp.json")
  info "seccomp: $profile allows bpf() and perf_event_open() only with CAP_SYS_ADMIN;"
  info "the containers run with a copy that allows them (docs/observability.md, Seccomp)"
else
  info "seccomp: the engine's default profile ($profile)"
fi
# As docs/observability.md runs the image (the port on 127.0.0.1, a free one).
documented=(--pid=host --cgroupns=host --read-only
  --cap-drop ALL --cap-add BPF --cap-add PERFMON --cap-add DAC_READ_SEARCH
  -v /sys/kernel/btf:/sys/kernel/btf:ro -v /sys/kernel/tracing:/sys/kernel/tracing:ro
  -v /sys/fs/cgroup:/sys/fs/cgroup:ro)
privileges=(--runtime runc "${documented[@]}" "${seccomp[@]}")
info "podman run ${privileges[*]} -p 127.0.0.1:PORT:9765"

podman run --rm --name "$name-doctor" "${privileges[@]}" "$tag" doctor >"$out/doctor.txt" 2>&1 || true
verdict "execmond doctor in the container: $(grep -c '^OK' "$out/doctor.txt") OK, $(grep -c '^WARN' "$out/doctor.txt") WARN, $(grep -c '^FAIL' "$out/doctor.txt") FAIL" \
  grep -q '^OK    tp_btf programs' "$out/doctor.txt"
grep -E '^(WARN|FAIL)' "$out/doctor.txt" | sed 's/^/      /' || true
if ((${#seccomp[@]})); then
  podman run --rm --name "$name-doctor" --runtime runc "${documented[@]}" "$tag" doctor \
    >"$out/doctor-default-seccomp.txt" 2>&1 || true
  info "with the engine's default profile instead: $(grep -m1 -E '^(FAIL|OK) +tp_btf' "$out/doctor-default-seccomp.txt" | sed -E 's/ +/ /g; s/(permission denied).*/\1/')"
fi

start() { # start NAME PORT ARGS...: a detached container of the image
  local c="$name-$1" port=$2
  shift 2
  containers+=("$c")
  podman run -d --name "$c" "${privileges[@]}" -p "127.0.0.1:$port:9765" "$@" >/dev/null 2>"$out/$c.run.txt"
}

plain_port=$(free_port)
if start plain "$plain_port" "$tag" && wait_serving "$name-plain"; then
  pass "plain container $name-plain started: $(podman logs "$name-plain" 2>&1 | grep -m1 'tracing execs' | sed 's/.*msg=//')"
else
  cat "$out/$name-plain.run.txt"
  podman logs "$name-plain" 2>&1 | tail -n 5 | sed 's/^/      /'
  abort "plain container did not start"
fi
# The bounding set is what --cap-drop ALL --cap-add ... leaves.
bnd=$(status_of "$name-plain" CapBnd)
eff=$(status_of "$name-plain" CapEff)
want_bnd=$(printf '%016x' $(((1 << 2) | (1 << 38) | (1 << 39))))
verdict "the daemon's bounding set is CAP_DAC_READ_SEARCH, CAP_PERFMON, CAP_BPF ($bnd; effective now $eff)" \
  [ "$bnd" = "$want_bnd" ]

"$ROOT/tests/support/make-test-certs.sh" "$tmp/tls" >/dev/null
cat >"$tmp/tls/web.yml" <<'WEB'
tls_server_config:
  cert_file: /etc/execmond/tls/server.crt
  key_file: /etc/execmond/tls/server.key
WEB
chmod 0755 "$tmp/tls"
chmod 0644 "$tmp/tls/web.yml" "$tmp/tls/server.crt" "$tmp/tls/ca.crt"
tls_port=$(free_port)
if start tls "$tls_port" -v "$tmp/tls:/etc/execmond/tls:ro" "$tag" \
  --config.file=/etc/execmond/execmond.yaml --web.config.file=/etc/execmond/tls/web.yml &&
  wait_serving "$name-tls"; then
  pass "TLS container $name-tls started: $(podman logs "$name-tls" 2>&1 | grep -m1 'serving metrics' | sed 's/.*msg=//')"
else
  cat "$out/$name-tls.run.txt"
  podman logs "$name-tls" 2>&1 | tail -n 5 | sed 's/^/      /'
  abort "TLS container did not start"
fi

plain_url="http://127.0.0.1:$plain_port/metrics"
tls_url="https://127.0.0.1:$tls_port/metrics"
scrape_plain() { curl -fsS --max-time 10 "$plain_url" -o "$tmp/plain.txt" 2>"$tmp/plain.err"; }
# shellcheck disable=SC2317 # called as "scrape_$which"
scrape_tls() { curl -fsS --max-time 10 --cacert "$tmp/tls/ca.crt" "$tls_url" -o "$tmp/tls.txt" 2>"$tmp/tls.err"; }
verdict "$plain_url answers through the published port" scrape_plain
verdict "$tls_url answers (curl --cacert ca.crt)" scrape_tls
# shellcheck disable=SC2317 # called through eval
plain_on_tls() { curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$tls_port/metrics" 2>/dev/null; }
verdict "plain HTTP on the TLS container's port gets no metrics" eval '! plain_on_tls'

echo "---- a known workload on the host"
c=$(printf 'imt%04x' $((RANDOM % 65536))) # unique command names (15 bytes at most)
workload_files=("/tmp/$c-true" "/tmp/$c-exit3" "/tmp/$c-kill" "/tmp/$c-fork")
cp /bin/true "/tmp/$c-true"
cp /bin/dash "/tmp/$c-exit3"
cp /bin/dash "/tmp/$c-kill"
cp /bin/dash "/tmp/$c-fork"
t0=$SECONDS
for _ in $(seq 100); do "/tmp/$c-true"; done
for _ in $(seq 10); do "/tmp/$c-exit3" -c 'exit 3' || true; done
# (braces: bash's own "Killed" notice goes to /dev/null too)
for _ in $(seq 5); do { "/tmp/$c-kill" -c 'kill -KILL $$'; } 2>/dev/null || true; done
# shellcheck disable=SC2016 # expanded by the inner shell
"/tmp/$c-fork" -c 'i=0; while [ $i -lt 7 ]; do /bin/true; i=$((i + 1)); done'
rm -f "${workload_files[@]}"
info "$c-true 100 times, $c-exit3 10 times (exit 3), $c-kill 5 times (SIGKILL), $c-fork forking 7 ($((SECONDS - t0)) s)"

expectations=(
  "100|execmond_process_execs_total comm=$c-true"
  "100|execmond_process_exits_total comm=$c-true reason=exited code=0"
  "100|execmond_process_lifetime_seconds_count comm=$c-true"
  "0|execmond_processes comm=$c-true"
  "10|execmond_process_execs_total comm=$c-exit3"
  "10|execmond_process_exits_total comm=$c-exit3 reason=exited code=3"
  "5|execmond_process_exits_total comm=$c-kill reason=signaled code=SIGKILL"
  "7|execmond_process_forks_total comm=$c-fork"
  "0|execmond_events_lost_total reason=exec_counts_map_full"
  "0|execmond_events_lost_total reason=fork_counts_map_full"
  "0|execmond_events_lost_total reason=exit_counts_map_full"
  "0|execmond_events_lost_total reason=procs_map_full"
)
sleep 2 # drain_interval is 1 s
for which in plain tls; do
  await_counts "$which" "scrape_$which" "$tmp/$which.txt" "${expectations[@]}"
done

echo "---- reload and stop"
podman kill -s HUP "$name-plain" >/dev/null || true
reloaded() { podman logs "$name-plain" 2>&1 | grep -q 'configuration reloaded'; }
for _ in $(seq 50); do reloaded && break; sleep 0.2; done
scrape_plain || true
got=$(metric_value "$tmp/plain.txt" execmond_config_last_reload_successful)
ok=no
reloaded && [ "$got" = 1 ] && ok=yes
verdict "podman kill -s HUP: \"configuration reloaded\" logged, execmond_config_last_reload_successful = $got" \
  [ "$ok" = yes ]
for which in plain tls; do
  podman stop -t 10 "$name-$which" >/dev/null 2>&1 || true
  code=$(podman inspect --format '{{.State.ExitCode}}' "$name-$which" || true)
  verdict "podman stop $name-$which: exit status $code" [ "$code" = 0 ]
done

# shellcheck source=kubernetes.sh
. "$HERE/kubernetes.sh"

echo "---- cleanup"
cleanup
left=$({ podman ps -a --format '{{.Names}}' && podman pod ps --format '{{.Name}}'; } | grep -F "$name" | paste -sd' ' || true)
left+=$(podman images -aq --no-trunc | sort -u | comm -13 "$tmp/images-before" - | paste -sd' ')
podman image exists "$tag" && left+=" $tag"
verdict "no container or image of this run left${left:+: $left} (the base $base_tag stays)" [ -z "$left" ]
finish
