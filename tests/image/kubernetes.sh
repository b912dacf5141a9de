#!/bin/bash
# shellcheck disable=SC2154 # $name, $tag, $tmp, $seccomp and the rest: run.sh's
# The image running the DaemonSet's pod spec, and containers carrying
# Kubernetes names (make imagetest; sourced by run.sh after its own checks,
# with its helpers, $tag, $tmp, $out and the seccomp copy):
#
#  1. packaging/kubernetes/daemonset.yaml's pod template with the ConfigMap
#     of configmap.yaml (tests/image/pod-spec.py): host PID, the
#     capabilities, the read-only root, the limits and every mount of the
#     spec. Only what a node would differ in is changed: the image is the
#     one just built, the metrics port is published on 127.0.0.1, the
#     seccomp profile is run.sh's copy (where the engine's needs it), and a
#     runtime's state directory that this host lacks is left out (a node's
#     runtime would create it empty). It runs under `podman kube play` as a
#     Pod where that honours hostPID; podman 4.3's ignores it (later
#     versions honour it), and there the same spec runs as `podman run`
#     flags, each field of the spec translated;
#  2. containers named the CRI-O/kubelet way (podman run --annotation
#     io.kubernetes.pod.name=...), each running a known workload whose
#     processes exit before the first drain that sees their cgroup, then
#     sleeping, one that lives about 50 ms (podman run --rm, like a Job's),
#     and one without names: the exact counts under their namespace, pod
#     and container on the daemon's /metrics, and no label resolution
#     failure;
#  3. tests/image/exit-records.sh: a shell killed by SIGSEGV in a container
#     named that way: its record on GET /exits and, as the ConfigMap sets
#     records.json_file: "-", on the daemon's stdout (kubectl logs).

echo "---- the DaemonSet's pod spec"
K8S="$ROOT/packaging/kubernetes"
k8s_pod="$name-k8s"
k8s_port=$(free_port)
k8s_seccomp=""
((${#seccomp[@]})) && k8s_seccomp="$tmp/seccomp.json"
host_pidns=$(readlink /proc/self/ns/pid)
k8s_ctr=""
# podman kube play of the template as a Pod, where podman honours hostPID.
made_pod=yes
"$PY" "$HERE/pod-spec.py" pod "$K8S/daemonset.yaml" "$tag" "$k8s_pod" "$k8s_port" "$k8s_seccomp" \
  >"$out/pod.yaml" 2>"$tmp/pod.err" || made_pod=no
sed 's/^/      /' "$tmp/pod.err"
[ "$made_pod" = yes ] || abort "the DaemonSet's pod template as a Pod (pod-spec.py pod)"
pods+=("$k8s_pod")
play=(podman --runtime runc kube play --configmap "$K8S/configmap.yaml")
[ -n "$k8s_seccomp" ] && play+=(--seccomp-profile-root "$tmp")
if "${play[@]}" "$out/pod.yaml" >"$out/kube-play.txt" 2>&1; then
  played=$(podman ps -a --filter "pod=$k8s_pod" --format '{{.Names}}' | grep -v -- '-infra$' | head -n1)
  containers+=("$played")
  if [ "$(pidns_of "$played")" = "$host_pidns" ]; then
    k8s_ctr=$played
    info "podman kube play $out/pod.yaml (with the ConfigMap): $k8s_ctr"
  else
    info "$(podman --version)'s kube play ignores hostPID: the pod's pid namespace is its own;"
    info "the same spec runs as podman run flags instead (pod-spec.py run)"
    podman pod rm -f -t 0 "$k8s_pod" >/dev/null 2>&1 || true
    # Gone with the pod; the cleanup would log it under the name that the
    # podman run below reuses, over that container's log.
    unset 'containers[-1]'
  fi
else
  sed 's/^/      /' "$out/kube-play.txt"
  abort "podman kube play of the DaemonSet's pod spec (log: $out/kube-play.txt)"
fi
if [ -z "$k8s_ctr" ]; then
  k8s_ctr="$k8s_pod-execmond"
  containers+=("$k8s_ctr")
  if ! "$PY" "$HERE/pod-spec.py" run "$K8S/daemonset.yaml" "$K8S/configmap.yaml" "$tag" "$k8s_ctr" \
    "$k8s_port" "$k8s_seccomp" "$tmp/configmap" >"$tmp/run-args.txt" 2>"$tmp/pod.err"; then
    sed 's/^/      /' "$tmp/pod.err"
    abort "the DaemonSet's pod template as podman run flags (pod-spec.py run)"
  fi
  mapfile -t run_args <"$tmp/run-args.txt"
  info "podman --runtime runc run -d ${run_args[*]}" | sed "s|$tmp|TMP|g"
  podman --runtime runc run -d "${run_args[@]}" >/dev/null 2>"$out/$k8s_ctr.run.txt" ||
    { cat "$out/$k8s_ctr.run.txt"; abort "podman run of the DaemonSet's pod spec"; }
fi
if wait_serving "$k8s_ctr"; then
  pass "the DaemonSet's pod spec is serving: $(podman logs "$k8s_ctr" 2>&1 | grep -m1 'tracing execs' | sed 's/.*msg=//')"
else
  podman logs "$k8s_ctr" 2>&1 | tail -n 5 | sed 's/^/      /'
  abort "the DaemonSet's pod spec did not start serving (logs: $out/$k8s_ctr.log)"
fi

# What the spec asked for, as podman set it up.
bnd=$(status_of "$k8s_ctr" CapBnd)
same_pidns=no
[ "$(pidns_of "$k8s_ctr")" = "$host_pidns" ] && same_pidns=yes
ro=$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$k8s_ctr")
ok=no
[ "$bnd" = "$want_bnd" ] && [ "$same_pidns" = yes ] && [ "$ro" = true ] && ok=yes
verdict "the pod's daemon: host pid namespace ($same_pidns), bounding set $bnd, read-only root ($ro)" \
  [ "$ok" = yes ]
mounts=$(podman inspect --format '{{range .Mounts}}{{.Destination}} {{end}}' "$k8s_ctr")
info "mounts: $mounts"
ok=yes
for m in /etc/execmond /sys/kernel/btf /sys/fs/cgroup /var/lib/containers/storage/overlay-containers; do
  [[ " $mounts " == *" $m "* ]] || ok=no
done
verdict "the ConfigMap, BTF, cgroup and Podman's state are mounted" [ "$ok" = yes ]

echo "---- containers with Kubernetes names"
k8s_url="http://127.0.0.1:$k8s_port/metrics"
scrape_k8s() { curl -fsS --max-time 10 "$k8s_url" -o "$tmp/k8s.txt" 2>"$tmp/k8s.err"; }
suffix=$(printf '%04x' $((RANDOM % 65536)))
# name|namespace|pod|container: one workload container each.
workloads=("web|shop|web-$suffix-0|app" "worker|shop|worker-$suffix-7f9c|queue" "db|billing|db-$suffix-0|postgres")
# Every workload container runs TRUES copies of true and THREES shells that
# exit 3 (all of them gone long before the first drain that sees the
# cgroup), then sleeps; its own shell forks once for each.
trues=25 threes=3
workload_ctrs=()
for w in "${workloads[@]}"; do
  IFS='|' read -r short ns pod ctr <<<"$w"
  c="$name-$short"
  workload_ctrs+=("$c")
  containers+=("$c")
  # shellcheck disable=SC2016 # expanded by the container's shell
  podman --runtime runc run -d --name "$c" --network none \
    --annotation "io.kubernetes.pod.namespace=$ns" --annotation "io.kubernetes.pod.name=$pod" \
    --annotation "io.kubernetes.container.name=$ctr" localhost/debian:12 \
    sh -c 'i=0; while [ $i -lt '$trues' ]; do /bin/true; i=$((i + 1)); done
           i=0; while [ $i -lt '$threes' ]; do sh -c "exit 3" || true; i=$((i + 1)); done
           exec sleep 120' >/dev/null 2>"$out/$c.run.txt" ||
    fail "podman run --annotation ... $c: $(head -n1 "$out/$c.run.txt")"
done
# And one outside Kubernetes, sleeping under a name of its own: no names,
# and no failure.
plain_ctr="$name-nok8s"
plain_comm="nok8s-$suffix"
workload_ctrs+=("$plain_ctr")
containers+=("$plain_ctr")
podman --runtime runc run -d --name "$plain_ctr" --network none localhost/debian:12 \
  sh -c "cp /bin/sleep /$plain_comm && exec /$plain_comm 120" >/dev/null 2>&1 ||
  fail "podman run $plain_ctr"

# And one that lives about 50 ms, like a Job's: podman run --rm removes its
# state and its cgroup as it ends, long before the next drain; its processes
# keep their names (read when its cgroup was made).
once_ctr="$name-once" once_ns=jobs once_pod="once-$suffix-x7k2q" once_name=task
podman --runtime runc run --rm --name "$once_ctr" --network none \
  --annotation "io.kubernetes.pod.namespace=$once_ns" --annotation "io.kubernetes.pod.name=$once_pod" \
  --annotation "io.kubernetes.container.name=$once_name" localhost/debian:12 \
  sh -c '/bin/true; /bin/true; /bin/true; /bin/true; /bin/true' >/dev/null 2>"$out/$once_ctr.run.txt" ||
  fail "podman run --rm ... $once_ctr: $(head -n1 "$out/$once_ctr.run.txt")"
gone() { ! podman container exists "$1"; }
verdict "podman run --rm $once_ctr: the container and its state are gone" gone "$once_ctr"

k8s_expectations=()
for w in "${workloads[@]}"; do
  IFS='|' read -r short ns pod ctr <<<"$w"
  at="namespace=$ns pod=$pod container=$ctr"
  k8s_expectations+=(
    "$trues|execmond_process_execs_total $at comm=true"
    "$trues|execmond_process_exits_total $at comm=true reason=exited code=0"
    "$threes|execmond_process_exits_total $at comm=sh reason=exited code=3"
    "$((1 + threes))|execmond_process_execs_total $at comm=sh"
    "$((trues + threes))|execmond_process_forks_total $at comm=sh"
    "1|execmond_processes $at comm=sleep"
  )
done
once_at="namespace=$once_ns pod=$once_pod container=$once_name"
k8s_expectations+=(
  "5|execmond_process_execs_total $once_at comm=true"
  "5|execmond_process_exits_total $once_at comm=true reason=exited code=0"
  "1|execmond_process_execs_total $once_at comm=sh"
  "1|execmond_processes namespace= pod= container= comm=$plain_comm"
  "0|execmond_label_resolution_failures_total label=namespace"
  "0|execmond_label_resolution_failures_total label=pod"
  "0|execmond_label_resolution_failures_total label=container"
  "0|execmond_events_lost_total reason=exec_counts_map_full"
  "0|execmond_events_lost_total reason=procs_map_full"
)
sleep 2 # drain_interval is 1 s
await_counts pod scrape_k8s "$tmp/k8s.txt" "${k8s_expectations[@]}"
for c in "${workload_ctrs[@]}"; do
  podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
done

# shellcheck source=exit-records.sh
. "$HERE/exit-records.sh"

podman stop -t 10 "$k8s_ctr" >/dev/null 2>&1 || true
code=$(podman inspect --format '{{.State.ExitCode}}' "$k8s_ctr" || true)
verdict "podman stop $k8s_ctr: exit status $code" [ "$code" = 0 ]
