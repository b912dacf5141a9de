// The Kubernetes labels of a process in each layout the kubelet and the
// container runtimes give its cgroup: containerd, CRI-O and Docker (through
// cri-dockerd) under either kubelet cgroup driver and every QoS class, Docker
// and Podman on their own, and the cgroups that belong to a pod but not to one
// of its containers. Each path goes through the IdentityResolver against the
// fixture node's runtime state, on a cgroup v2 host and on a v1 host.
//
// What the resolver is given on each: the kernel names a process's cgroup in the
// unified hierarchy (bpf_get_current_cgroup_id()), and CgroupPathOf gives that
// cgroup's path relative to the cgroup2 mount, which is the "0::" entry of
// /proc/PID/cgroup. On a v2 host it is the only entry. On a v1 host laid out as
// systemd's hybrid mode (cgroup2 at /sys/fs/cgroup/unified beside the controller
// hierarchies), both drivers put the container at the same path in the unified
// hierarchy as in each controller's: systemd creates a unit's cgroup in every
// hierarchy it manages, and runc's cgroupfs driver joins the unified one as well.
// A v1 host without a cgroup2 mount shows no "0::" entry and gets no labels.
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "identity/identity_resolver.h"
#include "runtime_state_fixtures.h"

namespace execmond::test {
namespace {

// The fixture pods' UIDs, as the kubelet writes them into cgroup names.
struct PodUid {
  std::string canonical;
  std::string systemd;  // in a slice name, where '-' would separate the slice's parents
};
PodUid pod_uid(const std::string& canonical) {
  std::string systemd = canonical;
  for (char& c : systemd) c = c == '-' ? '_' : c;
  return {canonical, systemd};
}
const PodUid kBurstable = pod_uid("0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
const PodUid kGuaranteedCgroupfs = pod_uid("3b8e1f0a-9c2d-4e7f-8a6b-5d4c3b2a1f0e");
const PodUid kGuaranteedSystemd = pod_uid("5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b");
const PodUid kBestEffortCgroupfs = pod_uid("9d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d");
const PodUid kBestEffortSystemd = pod_uid("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f");

// The kubelet's pod cgroups. systemd driver: a slice per QoS class (none for
// guaranteed pods), a slice per pod. cgroupfs driver: the same nesting as
// plain directories.
std::string systemd_pod(const std::string& qos, const PodUid& uid) {
  if (qos.empty()) return "/kubepods.slice/kubepods-pod" + uid.systemd + ".slice";
  return "/kubepods.slice/kubepods-" + qos + ".slice/kubepods-" + qos + "-pod" + uid.systemd +
         ".slice";
}
std::string cgroupfs_pod(const std::string& qos, const PodUid& uid) {
  return "/kubepods" + (qos.empty() ? "" : "/" + qos) + "/pod" + uid.canonical;
}

// A Podman pod's id: its cgroup's name, 64 hex like a container's.
const std::string kPodmanPod = "94a1b9dffb88f34d73bb91ba12beb9644f68b29e507683f542e6919982664063";
// A Kubernetes node that is itself a Docker container (kind, minikube's docker driver).
const std::string kNodeContainer =
    "b7e2c4a9d1f3058e6a2c4b8d0f1e3a5c7b9d2e4f6a8c0b1d3e5f7a9c2b4d6e8f";

struct Case {
  const char* name;
  std::string path;  // in the unified hierarchy, relative to the cgroup2 mount
  std::string container_id;
  std::string pod_uid;
  std::string pod_namespace;
  std::string pod;
  std::string container;
  std::uint64_t failures = 0;  // of each of pod, namespace and container
};

// gtest prints this when a case fails.
std::ostream& operator<<(std::ostream& out, const Case& c) {
  return out << c.name << " " << c.path;
}

const std::vector<Case> kCases = {
    // ---- a pod's container, for each runtime and driver
    {"ContainerdSystemdBurstable",
     systemd_pod("burstable", kBurstable) + "/cri-containerd-" + kContainerdApp + ".scope",
     kContainerdApp, kBurstable.canonical, "shop", "web-7d4b9c8f6d-x2k9p", "nginx"},
    {"ContainerdSystemdBestEffort",
     systemd_pod("besteffort", kBestEffortSystemd) + "/cri-containerd-" +
         kContainerdBestEffortSystemd + ".scope",
     kContainerdBestEffortSystemd, kBestEffortSystemd.canonical, "default", "debug-shell", "shell"},
    // containerd and Docker name a cgroupfs container's cgroup by its bare id.
    {"ContainerdCgroupfsGuaranteed",
     cgroupfs_pod("", kGuaranteedCgroupfs) + "/" + kContainerdGuaranteedCgroupfs,
     kContainerdGuaranteedCgroupfs, kGuaranteedCgroupfs.canonical, "ingress-nginx",
     "ingress-nginx-controller-5c9f8d7b6-q8w2z", "controller"},
    {"CrioSystemdBurstable", systemd_pod("burstable", kBurstable) + "/crio-" + kCrioApp + ".scope",
     kCrioApp, kBurstable.canonical, "kube-system", "coredns-5d78c9869d-8hx7q", "coredns"},
    {"CrioCgroupfsBestEffort",
     cgroupfs_pod("besteffort", kBestEffortCgroupfs) + "/crio-" + kCrioBestEffortCgroupfs,
     kCrioBestEffortCgroupfs, kBestEffortCgroupfs.canonical, "batch", "report-28734560-x7k2p",
     "report"},
    {"DockerSystemdGuaranteed",
     systemd_pod("", kGuaranteedSystemd) + "/docker-" + kDockerGuaranteedSystemd + ".scope",
     kDockerGuaranteedSystemd, kGuaranteedSystemd.canonical, "payments", "ledger-0", "postgres"},
    {"DockerCgroupfsBurstable", cgroupfs_pod("burstable", kBurstable) + "/" + kDockerKube,
     kDockerKube, kBurstable.canonical, "data", "cache-0", "redis"},
    // The kubelet's cgroup root in a slice of its own (kind: kubelet.slice).
    {"KubeletSliceRoot",
     "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
     "kubelet-kubepods-besteffort-pod" +
         kBestEffortSystemd.systemd + ".slice/cri-containerd-" + kContainerdBestEffortSystemd +
         ".scope",
     kContainerdBestEffortSystemd, kBestEffortSystemd.canonical, "default", "debug-shell", "shell"},
    // A node inside a Docker container, seen from the host: the innermost container is the pod's.
    {"NodeInADockerContainer",
     "/docker/" + kNodeContainer + cgroupfs_pod("", kGuaranteedCgroupfs) + "/" +
         kContainerdGuaranteedCgroupfs,
     kContainerdGuaranteedCgroupfs, kGuaranteedCgroupfs.canonical, "ingress-nginx",
     "ingress-nginx-controller-5c9f8d7b6-q8w2z", "controller"},
    // A cgroup the container made below its own (systemd inside it).
    {"BelowTheContainersCgroup",
     systemd_pod("burstable", kBurstable) + "/crio-" + kCrioApp +
         ".scope/system.slice/cron.service",
     kCrioApp, kBurstable.canonical, "kube-system", "coredns-5d78c9869d-8hx7q", "coredns"},

    // ---- containers outside Kubernetes: no pod, and nothing missing
    {"DockerSystemdPlain", "/system.slice/docker-" + kDockerPlain + ".scope", kDockerPlain, "", "",
     "", "grafana"},
    {"DockerCgroupfsPlain", "/docker/" + kDockerPlain, kDockerPlain, "", "", "", "grafana"},
    // Podman keeps the names only when given the kubelet's keys as annotations.
    {"PodmanSystemdAnnotated", "/machine.slice/libpod-" + kPodmanAnnotated + ".scope",
     kPodmanAnnotated, "", "staging", "frontend", "httpd"},
    {"PodmanCgroupfs", "/libpod_parent/libpod-" + kPodmanPlain, kPodmanPlain, "", "", "", ""},
    {"PodmanPodSystemd",
     "/machine.slice/machine-libpod_pod_" + kPodmanPod + ".slice/libpod-" + kPodmanPlain + ".scope",
     kPodmanPlain, "", "", "", ""},
    {"PodmanPodCgroupfs", "/libpod_parent/" + kPodmanPod + "/libpod-" + kPodmanPlain, kPodmanPlain,
     "", "", "", ""},

    // ---- a pod's sandbox (pause) container: the pod's names, no container's
    {"ContainerdSandbox",
     systemd_pod("burstable", kBurstable) + "/cri-containerd-" + kContainerdSandbox + ".scope",
     kContainerdSandbox, kBurstable.canonical, "shop", "web-7d4b9c8f6d-x2k9p", ""},
    {"CrioPause", systemd_pod("burstable", kBurstable) + "/crio-" + kCrioPause + ".scope",
     kCrioPause, kBurstable.canonical, "kube-system", "coredns-5d78c9869d-8hx7q", ""},
    {"DockerPause", cgroupfs_pod("burstable", kBurstable) + "/" + kDockerPause, kDockerPause,
     kBurstable.canonical, "data", "cache-0", ""},

    // ---- monitors: conmon watches a CRI-O or Podman container from outside it
    // CRI-O's default conmon_cgroup with the systemd driver.
    {"CrioConmonInSystemSlice", "/system.slice/crio-conmon-" + kCrioApp + ".scope", "", "", "", "",
     ""},
    // conmon_cgroup = "pod": in the pod's cgroup, so the pod is known.
    {"CrioConmonInThePodSystemd",
     systemd_pod("burstable", kBurstable) + "/crio-conmon-" + kCrioApp + ".scope", "",
     kBurstable.canonical, "", "", ""},
    {"CrioConmonInThePodCgroupfs",
     cgroupfs_pod("besteffort", kBestEffortCgroupfs) + "/crio-conmon-" + kCrioBestEffortCgroupfs,
     "", kBestEffortCgroupfs.canonical, "", "", ""},
    {"PodmanConmonSystemd", "/machine.slice/libpod-conmon-" + kPodmanAnnotated + ".scope", "", "",
     "", "", ""},
    // Podman's cgroupfs driver puts conmon in "conmon" below the container's
    // parent, which for a pod's container is the pod's cgroup, named by its id.
    {"PodmanConmonCgroupfs", "/libpod_parent/conmon", "", "", "", "", ""},
    {"PodmanPodConmonCgroupfs", "/libpod_parent/" + kPodmanPod + "/conmon", "", "", "", "", ""},

    // ---- neither a container nor a pod's
    {"PodCgroupSystemd", systemd_pod("burstable", kBurstable), "", kBurstable.canonical, "", "",
     ""},
    {"PodCgroupCgroupfs", cgroupfs_pod("", kGuaranteedCgroupfs), "", kGuaranteedCgroupfs.canonical,
     "", "", ""},
    {"QosCgroup", "/kubepods.slice/kubepods-besteffort.slice", "", "", "", "", ""},
    {"Kubelet", "/system.slice/kubelet.service", "", "", "", "", ""},
    {"ContainerdAndItsShims", "/system.slice/containerd.service", "", "", "", "", ""},

    // ---- a container whose state is gone (removed since): empty, and counted
    {"ContainerWithoutState",
     systemd_pod("burstable", kBurstable) + "/cri-containerd-" + kNowhere + ".scope", kNowhere,
     kBurstable.canonical, "", "", "", 1},
    {"ContainerWithoutStateCgroupfs",
     cgroupfs_pod("besteffort", kBestEffortCgroupfs) + "/" + kNowhere, kNowhere,
     kBestEffortCgroupfs.canonical, "", "", "", 1},
};

enum class Host { CgroupV2, CgroupV1Hybrid, CgroupV1Only };

const char* name_of(Host host) {
  switch (host) {
    case Host::CgroupV2:
      return "V2";
    case Host::CgroupV1Hybrid:
      return "V1Hybrid";
    case Host::CgroupV1Only:
      return "V1Only";
  }
  return "";
}

// What CgroupPathOf gives on `host` for the cgroup id the kernel records of a
// process in `path`: its path in the unified hierarchy, which is the "0::" entry
// of /proc/PID/cgroup. On a v2 host and on a hybrid v1 host that entry reads as
// `path` (the same text as each controller's line there); a v1 host without
// cgroup2 has no such entry.
std::string unified_path(Host host, const std::string& path) {
  return host == Host::CgroupV1Only ? "" : path;
}

class CgroupDriversTest : public ::testing::TestWithParam<std::tuple<Case, Host>> {
 protected:
  const Case& wanted() const { return std::get<0>(GetParam()); }
  Host host() const { return std::get<1>(GetParam()); }

  IdentityResolver& make() {
    const std::string path = unified_path(host(), wanted().path);
    resolver_ = std::make_unique<IdentityResolver>(
        -1, [path](std::uint64_t id) { return id == kCgroupId ? path : std::string(); });
    resolver_->set_needed(
        {.cgroup = true, .pod_uid = true, .pod = true, .pod_namespace = true, .container = true});
    resolver_->set_runtime_state(below(kNode));
    return *resolver_;
  }

  static constexpr std::uint64_t kCgroupId = 4242;
  std::unique_ptr<IdentityResolver> resolver_;
};

TEST_P(CgroupDriversTest, Labels) {
  IdentityResolver& resolver = make();
  ProcessIds ids;
  ids.comm = "x";
  ids.cgroup_id = kCgroupId;
  const Identity who = resolver.resolve(ids);
  // A v1 host without cgroup2 has no path for any process, so no labels
  // either: the id counts once as unresolved for each label drawn from it.
  const bool unknown = host() == Host::CgroupV1Only;
  const Case& c = wanted();
  EXPECT_EQ(who.cgroup, unknown ? "" : c.path);
  EXPECT_EQ(who.container_id, unknown ? "" : c.container_id);
  EXPECT_EQ(who.pod_uid, unknown ? "" : c.pod_uid);
  EXPECT_EQ(who.pod_namespace, unknown ? "" : c.pod_namespace);
  EXPECT_EQ(who.pod, unknown ? "" : c.pod);
  EXPECT_EQ(who.container, unknown ? "" : c.container);
  for (LabelSource source : {LabelSource::Pod, LabelSource::Namespace, LabelSource::Container}) {
    EXPECT_EQ(resolver.failures(source), unknown ? 1 : c.failures) << label_name(source);
  }
  // Asked again, the names come from the cache: no second failure.
  EXPECT_EQ(resolver.resolve(ids).pod, who.pod);
  EXPECT_EQ(resolver.failures(LabelSource::Pod), unknown ? 1 : c.failures);
}

std::string test_name(const ::testing::TestParamInfo<std::tuple<Case, Host>>& param) {
  return std::string(std::get<0>(param.param).name) + "_" + name_of(std::get<1>(param.param));
}

INSTANTIATE_TEST_SUITE_P(EachLayout, CgroupDriversTest,
                         ::testing::Combine(::testing::ValuesIn(kCases),
                                            ::testing::Values(Host::CgroupV2, Host::CgroupV1Hybrid,
                                                              Host::CgroupV1Only)),
                         test_name);

}  // namespace
}  // namespace execmond::test
