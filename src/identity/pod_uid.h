// The Kubernetes pod a cgroup belongs to, read from the cgroup path's text as
// the kubelet lays it out: no file system access.
#pragma once

#include <string>
#include <string_view>

namespace execmond {

// The UID of the pod whose cgroup holds `cgroup_path`, in its canonical form
// ("0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"); "" when no component is a pod's.
// Both kubelet cgroup drivers, in cgroup v1 and v2 views and under any prefix
// (kind, k3s, a node inside a container):
//   systemd:  .../kubepods.slice/kubepods-burstable.slice/
//             kubepods-burstable-pod0f1e2d3c_4b5a_..._0c1d2e3f4a5b.slice/...
//             (also kubepods-pod<uid>.slice for guaranteed pods, besteffort,
//             and kubelet-kubepods-... when the kubelet's root is kubelet.slice)
//   cgroupfs: .../kubepods/burstable/pod0f1e2d3c-4b5a-...-0c1d2e3f4a5b/...
//             (also .../kubepods/pod<uid>/... for guaranteed pods, besteffort)
// The systemd driver writes the UID's dashes as underscores ('-' separates a
// slice's ancestors); they come back as dashes. A UID is 36 characters, lowercase
// hex in 8-4-4-4-12 groups, or, for a static pod, the 32 lowercase hex digits of
// the hash the kubelet makes of its manifest (the UID the node's runtime labels
// its containers with; the API server's mirror pod has a UID of its own). Anything
// else is not one.
// When pods nest (a kind node in a pod), the innermost pod is the one reported.
std::string pod_uid_of(std::string_view cgroup_path);

}  // namespace execmond
