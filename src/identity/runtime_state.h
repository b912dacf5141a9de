// The Kubernetes names of a container (pod, namespace, container), read from
// the state its runtime keeps on the node: the files the runtime wrote when it
// created the container, found by the container's id, without asking the
// runtime or the API server.
#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace execmond {

enum class ContainerRuntime { Containerd, CriO, Docker, Podman };

// "containerd", "cri-o", "docker", "podman".
std::string_view to_string(ContainerRuntime runtime);

struct KubernetesNames {
  std::string pod;            // "" for a container outside Kubernetes
  std::string pod_namespace;  // "" for a container outside Kubernetes
  // "" for a pod's sandbox (pause) container, and for a plain container whose
  // runtime keeps no name in its state (containerd without CRI, Podman).
  std::string container;
  ContainerRuntime runtime = ContainerRuntime::Containerd;  // whose state gave the names

  bool operator==(const KubernetesNames&) const = default;
};

// Where each runtime keeps its containers' state; the defaults are the
// runtimes' own. An empty root leaves that runtime out.
struct RuntimeStatePaths {
  // <root>/<containerd namespace, "k8s.io" for the CRI>/<id>/config.json: the OCI spec.
  std::string containerd = "/run/containerd/io.containerd.runtime.v2.task";
  // <root>/<id>/userdata/config.json: the OCI spec (CRI-O's run root).
  std::string crio = "/run/containers/storage/overlay-containers";
  // <root>/<id>/config.v2.json: Docker's container record.
  std::string docker = "/var/lib/docker/containers";
  // <root>/<id>/userdata/config.json: the OCI spec, which libpod writes to the
  // container's static dir, `--annotation`s included (seen with Debian 12's
  // podman 4.3). Rootful Podman's; a rootless user's containers are under
  // ~/.local/share/containers/storage/overlay-containers instead.
  std::string podman = "/var/lib/containers/storage/overlay-containers";

  bool operator==(const RuntimeStatePaths&) const = default;
};

// The names of container `id` (64 lowercase hex characters, as container_id_of
// gives it). The runtimes are tried in the order of RuntimeStatePaths' members;
// the first whose root holds a state file for `id` answers, even when another
// root holds one too. Docker's own containerd namespace ("moby") is passed
// over: Docker keeps its containers' names in its own record, not there.
// Errors: an id that is not 64 hex; no runtime has the id (the error lists the
// roots looked under); a state file that cannot be read, exceeds 4 MiB, is not
// JSON or lacks the object the runtime writes (the error names the file).
// Never throws.
Result<KubernetesNames> names_of_container(const RuntimeStatePaths& paths, std::string_view id);

}  // namespace execmond
