// The IdentityResolver's Kubernetes labels: pod_uid from the cgroup path, and
// pod, namespace and container from the runtimes' state (the fixture trees of
// runtime_state_test), read once per container id, with failures counted once.
#include "identity/identity_resolver.h"

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "runtime_state_fixtures.h"

namespace execmond::test {
namespace {

const std::string kPodUid = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const std::string kPodSlice =
    "/kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice";

ProcessIds in_cgroup(std::uint64_t id) {
  ProcessIds ids;
  ids.comm = "x";
  ids.cgroup_id = id;
  return ids;
}

SourcesNeeded all_kubernetes_labels() {
  return {.cgroup = true, .pod_uid = true, .pod = true, .pod_namespace = true, .container = true};
}

// A resolver whose cgroup ids are the keys of `paths`.
class IdentityResolverTest : public ::testing::Test {
 protected:
  // The resolver lives as long as the test.
  IdentityResolver& make(SourcesNeeded needed = all_kubernetes_labels()) {
    resolver_ = std::make_unique<IdentityResolver>(-1, [this](std::uint64_t id) {
      auto it = paths_.find(id);
      return it == paths_.end() ? std::string() : it->second;
    });
    resolver_->set_needed(needed);
    resolver_->set_runtime_state(below(kNode));
    return *resolver_;
  }

  // "namespace/pod/container" for the process in cgroup `id`.
  static std::string names(IdentityResolver& resolver, std::uint64_t id) {
    const Identity who = resolver.resolve(in_cgroup(id));
    return who.pod_namespace + "/" + who.pod + "/" + who.container;
  }

  std::unique_ptr<IdentityResolver> resolver_;
  std::map<std::uint64_t, std::string> paths_ = {
      {1, kPodSlice + "/cri-containerd-" + kContainerdApp + ".scope"},
      {2, kPodSlice + "/crio-" + kCrioApp + ".scope"},
      {3, "/kubepods/burstable/pod" + kPodUid + "/" + kDockerKube},
      {4, "/machine.slice/libpod-" + kPodmanAnnotated + ".scope"},
      {5, "/system.slice/docker-" + kDockerPlain + ".scope"},
      {6, "/machine.slice/libpod-" + kPodmanPlain + ".scope/container"},
      {7, kPodSlice + "/cri-containerd-" + kNowhere + ".scope"},
      {8, kPodSlice + "/cri-containerd-" + kNowhere + ".scope/init"},
      {9, "/system.slice/cron.service"},
  };
};

TEST_F(IdentityResolverTest, NamesFromEachRuntime) {
  IdentityResolver& resolver = make();
  EXPECT_EQ(names(resolver, 1), "shop/web-7d4b9c8f6d-x2k9p/nginx");
  EXPECT_EQ(names(resolver, 2), "kube-system/coredns-5d78c9869d-8hx7q/coredns");
  EXPECT_EQ(names(resolver, 3), "data/cache-0/redis");
  EXPECT_EQ(names(resolver, 4), "staging/frontend/httpd");
  for (LabelSource source : {LabelSource::Pod, LabelSource::Namespace, LabelSource::Container}) {
    EXPECT_EQ(resolver.failures(source), 0U) << label_name(source);
  }
}

TEST_F(IdentityResolverTest, PodUidFromTheCgroupPath) {
  IdentityResolver& resolver = make();
  EXPECT_EQ(resolver.resolve(in_cgroup(1)).pod_uid, kPodUid);
  EXPECT_EQ(resolver.resolve(in_cgroup(3)).pod_uid, kPodUid);  // cgroupfs driver
  EXPECT_EQ(resolver.resolve(in_cgroup(4)).pod_uid, "");
  EXPECT_EQ(resolver.resolve(in_cgroup(9)).pod_uid, "");
}

TEST_F(IdentityResolverTest, ContainersOutsideKubernetesAreNoFailure) {
  IdentityResolver& resolver = make();
  EXPECT_EQ(names(resolver, 5), "//grafana");  // Docker keeps the container's name
  EXPECT_EQ(names(resolver, 6), "//");         // Podman keeps none
  EXPECT_EQ(names(resolver, 9), "//");         // not a container at all
  for (LabelSource source : {LabelSource::Pod, LabelSource::Namespace, LabelSource::Container}) {
    EXPECT_EQ(resolver.failures(source), 0U) << label_name(source);
  }
}

TEST_F(IdentityResolverTest, NotFoundIsEmptyAndCountsOncePerContainer) {
  IdentityResolver& resolver = make();
  EXPECT_EQ(names(resolver, 7), "//");
  EXPECT_EQ(names(resolver, 7), "//");
  EXPECT_EQ(names(resolver, 8), "//");  // another cgroup of the same container
  EXPECT_EQ(resolver.failures(LabelSource::Pod), 1U);
  EXPECT_EQ(resolver.failures(LabelSource::Namespace), 1U);
  EXPECT_EQ(resolver.failures(LabelSource::Container), 1U);
  EXPECT_EQ(resolver.failures(LabelSource::Comm), 0U);
}

TEST_F(IdentityResolverTest, OnlyTheLabelsAskedForCountFailures) {
  IdentityResolver& resolver = make({.cgroup = true, .pod = true});
  EXPECT_EQ(names(resolver, 7), "//");
  EXPECT_EQ(resolver.failures(LabelSource::Pod), 1U);
  EXPECT_EQ(resolver.failures(LabelSource::Namespace), 0U);
  EXPECT_EQ(resolver.failures(LabelSource::Container), 0U);
}

TEST_F(IdentityResolverTest, NoKubernetesLabelsReadNoState) {
  IdentityResolver& resolver = make({.cgroup = true});
  const Identity who = resolver.resolve(in_cgroup(7));
  EXPECT_EQ(who.container_id, kNowhere);
  EXPECT_EQ(who.pod_uid, "");
  EXPECT_EQ(who.pod, "");
  EXPECT_EQ(resolver.failures(LabelSource::Pod), 0U);
}

class IdentityResolverCopyTest : public IdentityResolverTest {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/execmond-identity-resolver-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    node_ = dir;
    std::filesystem::copy(kNode, node_, std::filesystem::copy_options::recursive);
  }
  void TearDown() override { std::filesystem::remove_all(node_); }

  std::string node_;
};

TEST_F(IdentityResolverCopyTest, StateIsReadOncePerContainer) {
  IdentityResolver& resolver = make();
  resolver.set_runtime_state(below(node_));
  paths_[10] = paths_[1] + "/init";  // a second cgroup of the containerd container
  EXPECT_EQ(names(resolver, 1), "shop/web-7d4b9c8f6d-x2k9p/nginx");
  std::filesystem::remove_all(node_);
  EXPECT_EQ(names(resolver, 1), "shop/web-7d4b9c8f6d-x2k9p/nginx");
  EXPECT_EQ(names(resolver, 10), "shop/web-7d4b9c8f6d-x2k9p/nginx");
  EXPECT_EQ(resolver.failures(LabelSource::Pod), 0U);
}

TEST_F(IdentityResolverCopyTest, NewRootsForgetTheNamesRead) {
  IdentityResolver& resolver = make();
  resolver.set_runtime_state(below(node_));
  EXPECT_EQ(names(resolver, 2), "kube-system/coredns-5d78c9869d-8hx7q/coredns");
  resolver.set_runtime_state(below(node_));  // the same roots keep them
  std::filesystem::remove_all(node_);
  EXPECT_EQ(names(resolver, 2), "kube-system/coredns-5d78c9869d-8hx7q/coredns");
  resolver.set_runtime_state(below(node_ + "/elsewhere"));
  EXPECT_EQ(names(resolver, 2), "//");
  EXPECT_EQ(resolver.failures(LabelSource::Namespace), 1U);
}

Config without_records() {
  Config config;
  config.records.enabled = false;
  return config;
}

TEST(SourcesNeededTest, KubernetesLabelsNeedTheCgroupPath) {
  Config config = without_records();
  config.labels.per_family[static_cast<std::size_t>(Family::Execs)] = {LabelSource::Namespace};
  SourcesNeeded needed = SourcesNeeded::of(config);
  EXPECT_TRUE(needed.cgroup);
  EXPECT_TRUE(needed.pod_namespace);
  EXPECT_FALSE(needed.pod);
  EXPECT_FALSE(needed.container);
  EXPECT_FALSE(needed.pod_uid);
  config.labels.per_family[static_cast<std::size_t>(Family::Forks)] = {LabelSource::PodUid};
  needed = SourcesNeeded::of(config);
  EXPECT_TRUE(needed.pod_uid);
  EXPECT_FALSE(SourcesNeeded::of(without_records()).cgroup);
}

TEST(SourcesNeededTest, RecordsNeedWhatNeedsNoRuntimeState) {
  const SourcesNeeded needed = SourcesNeeded::of(Config());
  EXPECT_TRUE(needed.exe && needed.cgroup && needed.cgroup_label && needed.unit &&
              needed.container_id && needed.user && needed.pod_uid);
  // The runtime's names come with the labels that keep its state readable.
  EXPECT_FALSE(needed.runtime_names());
}

}  // namespace
}  // namespace execmond::test
