#!/usr/bin/env python3
"""The DaemonSet's pod template, for podman (tests/image/kubernetes.sh).

  pod-spec.py pod DAEMONSET IMAGE NAME PORT SECCOMP
      A Pod for `podman kube play`: the template as it stands, with the image
      just built, the metrics port published on 127.0.0.1:PORT and, when
      SECCOMP is not "", that profile (podman reads the alpha annotation).
  pod-spec.py run DAEMONSET CONFIGMAP IMAGE NAME PORT SECCOMP CONFIG_DIR
      The same template as `podman run` arguments, one per line, for a podman
      whose kube play ignores hostPID: every field of the spec becomes its
      flag, the ConfigMap's files are written to CONFIG_DIR and mounted.

Both leave out a runtime state volume whose host directory this host lacks
(a node's runtime would create it empty) and say so on stderr. A field of the
spec this script does not know is an error, so that a change to the DaemonSet
cannot pass unseen.
"""
import os
import sys

import yaml

# Fields that only a cluster acts on: scheduling, API access, rollout.
CLUSTER_ONLY = {"tolerations", "nodeSelector", "automountServiceAccountToken",
                "enableServiceLinks", "priorityClassName"}
# Probes are the kubelet's; the image has no HTTP client to run them itself.
CONTAINER_IGNORED = {"livenessProbe", "readinessProbe", "imagePullPolicy", "name"}
# A mount's propagation as podman's -v options.
PROPAGATION = {"None": [], "HostToContainer": ["rslave"], "Bidirectional": ["rshared"]}


def fail(why):
    print(f"pod-spec.py: {why}", file=sys.stderr)
    sys.exit(1)


def template_of(path, port):
    daemonset = yaml.safe_load(open(path))
    template = daemonset["spec"]["template"]
    spec = template["spec"]
    if len(spec["containers"]) != 1:
        fail(f"{path}: expected one container, found {len(spec['containers'])}")
    container = spec["containers"][0]
    container["ports"][0].update(hostPort=int(port), hostIP="127.0.0.1")
    kept, gone = [], set()
    for volume in spec["volumes"]:
        host = volume.get("hostPath", {}).get("path")
        if host and not os.path.exists(host):
            print(f"left out: volume {volume['name']} ({host} is not on this host)", file=sys.stderr)
            gone.add(volume["name"])
        else:
            kept.append(volume)
    spec["volumes"] = kept
    container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] not in gone]
    return template, spec, container


def pod(args):
    daemonset, image, name, port, seccomp = args
    template, spec, container = template_of(daemonset, port)
    container["image"] = image
    container["imagePullPolicy"] = "Never"
    metadata = dict(template["metadata"], name=name)
    if seccomp:
        metadata.setdefault("annotations", {})[
            "seccomp.security.alpha.kubernetes.io/pod"] = "localhost/" + os.path.basename(seccomp)
        spec.pop("securityContext", None)
    yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec},
                   sys.stdout, sort_keys=False)


def quantity(value, units):
    for suffix, factor in units.items():
        if str(value).endswith(suffix):
            return float(str(value)[: -len(suffix)]) * factor
    return float(value)


def run(args):
    daemonset, configmap_path, image, name, port, seccomp, config_dir = args
    _, spec, container = template_of(daemonset, port)
    out = ["--name", name]
    for key, value in spec.items():
        if key in CLUSTER_ONLY or key in ("containers", "volumes"):
            continue
        if key == "hostPID":
            out += ["--pid=host"] if value else []
        elif key == "terminationGracePeriodSeconds":
            out += [f"--stop-timeout={value}"]
        elif key == "securityContext":
            profile = value.get("seccompProfile", {}).get("type")
            if set(value) != {"seccompProfile"} or profile not in ("RuntimeDefault", "Localhost"):
                fail(f"pod securityContext {value} is not known here")
            if seccomp:
                out += ["--security-opt", f"seccomp={seccomp}"]
        else:
            fail(f"pod spec field {key} is not known here")

    for key, value in container.items():
        if key in CONTAINER_IGNORED or key in ("image", "volumeMounts", "args"):
            continue
        if key == "ports":
            for p in value:
                out += ["-p", f"{p['hostIP']}:{p['hostPort']}:{p['containerPort']}/{p.get('protocol', 'TCP').lower()}"]
        elif key == "securityContext":
            user = group = None
            for field, v in value.items():
                if field == "privileged":
                    out += ["--privileged"] if v else []
                elif field == "allowPrivilegeEscalation":
                    out += [] if v else ["--security-opt", "no-new-privileges"]
                elif field == "readOnlyRootFilesystem":
                    out += ["--read-only"] if v else []
                elif field == "runAsUser":
                    user = v
                elif field == "runAsGroup":
                    group = v
                elif field == "runAsNonRoot":
                    pass  # a check the kubelet makes; runAsUser is what runs
                elif field == "capabilities":
                    out += [a for c in v.get("drop", []) for a in ("--cap-drop", c)]
                    out += [a for c in v.get("add", []) for a in ("--cap-add", c)]
                else:
                    fail(f"container securityContext field {field} is not known here")
            if user is not None:
                out += ["--user", f"{user}" + ("" if group is None else f":{group}")]
        elif key == "resources":
            limits = value.get("limits", {})
            if "memory" in limits:
                mem = quantity(limits["memory"], {"Gi": 2**30, "Mi": 2**20, "Ki": 2**10})
                out += [f"--memory={int(mem)}"]
            if "cpu" in limits:
                out += [f"--cpus={quantity(limits['cpu'], {'m': 0.001}):g}"]
        else:
            fail(f"container field {key} is not known here")

    volumes = {v["name"]: v for v in spec["volumes"]}
    configmap = yaml.safe_load(open(configmap_path))
    for mount in container["volumeMounts"]:
        volume = volumes[mount["name"]]
        options = ["ro"] if mount.get("readOnly") else []
        propagation = mount.get("mountPropagation", "None")
        if propagation not in PROPAGATION:
            fail(f"volume mount {mount['name']}: mountPropagation {propagation} is not known here")
        options += PROPAGATION[propagation]
        if "configMap" in volume:
            if volume["configMap"]["name"] != configmap["metadata"]["name"]:
                fail(f"volume {mount['name']} names ConfigMap {volume['configMap']['name']}")
            os.makedirs(config_dir, exist_ok=True)
            for file, text in configmap["data"].items():
                with open(os.path.join(config_dir, file), "w") as f:
                    f.write(text)
            source = config_dir
        elif "hostPath" in volume:
            source = volume["hostPath"]["path"]
        else:
            fail(f"volume {mount['name']} is neither a ConfigMap nor a hostPath")
        out += ["-v", f"{source}:{mount['mountPath']}" + (":" + ",".join(options) if options else "")]

    out += [image] + container.get("args", [])
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "pod":
        pod(sys.argv[2:])
    elif len(sys.argv) == 9 and sys.argv[1] == "run":
        run(sys.argv[2:])
    else:
        fail(__doc__.strip().splitlines()[2])
