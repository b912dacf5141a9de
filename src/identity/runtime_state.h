// The Kubernetes names of a container (pod, namespace, container), read from
// the state its runtime keeps on the node: the files the runtime wrote when it
// created the container, found by the container's id, without asking the
// runtime or the API server.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
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

// Where each runtime keeps its containers' state: the configuration's own struct.
using RuntimeStatePaths = RuntimeStateConfig;

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
