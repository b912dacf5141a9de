// The IdentityResolver fed the kernel's cgroup records: a cgroup named after
// it is gone, a container's names read while its state exists, and a cgroup
// id without a path counted once for every label drawn from it.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "identity/identity_resolver.h"
#include "runtime_state_fixtures.h"

namespace execmond::test {
namespace {

constexpr std::uint64_t kPodSliceId = 2;
constexpr std::uint64_t kSystemSliceId = 3;
const std::string kPodSlice =
    "/kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b.slice";

ProcessIds in_cgroup(std::uint64_t id) {
  ProcessIds ids;
  ids.comm = "x";
  ids.cgroup_id = id;
  return ids;
}

SourcesNeeded every_cgroup_label() {
  return {.cgroup = true,
          .cgroup_label = true,
          .unit = true,
          .container_id = true,
          .pod_uid = true,
          .pod = true,
          .pod_namespace = true,
          .container = true};
}

constexpr LabelSource kFromTheCgroup[] = {
    LabelSource::Cgroup, LabelSource::Unit,      LabelSource::ContainerId, LabelSource::PodUid,
    LabelSource::Pod,    LabelSource::Namespace, LabelSource::Container};

// Only the slices exist outside the resolver's records; the runtimes' state
// is a copy of the fixture node the test may delete.
class CgroupChangesIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/execmond-cgroup-changes-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    node_ = dir;
    std::filesystem::copy(kNode, node_, std::filesystem::copy_options::recursive);
  }
  void TearDown() override { std::filesystem::remove_all(node_); }

  IdentityResolver& make(SourcesNeeded needed = every_cgroup_label()) {
    resolver_ = std::make_unique<IdentityResolver>(-1, [](std::uint64_t id) {
      static const std::map<std::uint64_t, std::string> kExisting{
          {1, "/"}, {kPodSliceId, kPodSlice}, {kSystemSliceId, "/system.slice"}};
      const auto it = kExisting.find(id);
      return it == kExisting.end() ? std::string() : it->second;
    });
    resolver_->set_needed(needed);
    resolver_->set_runtime_state(below(node_));
    return *resolver_;
  }

  std::string node_;
  std::unique_ptr<IdentityResolver> resolver_;
};

TEST_F(CgroupChangesIdentityTest, ACgroupMadeAndGoneIsNamedFromItsRecord) {
  IdentityResolver& resolver = make();
  resolver.cgroup_made(40, kSystemSliceId, "xmshort0.service");
  resolver.cgroup_removed(40);
  const Identity who = resolver.resolve(in_cgroup(40));
  EXPECT_EQ(who.cgroup, "/system.slice/xmshort0.service");
  EXPECT_EQ(who.unit, "xmshort0.service");
  for (LabelSource source : kFromTheCgroup) {
    EXPECT_EQ(resolver.failures(source), 0U) << label_name(source);
  }
}

TEST_F(CgroupChangesIdentityTest, ARemovedCgroupIsForgottenTwoDrainsLater) {
  IdentityResolver& resolver = make();
  resolver.cgroup_made(41, kSystemSliceId, "a.service");
  resolver.cgroup_made(42, kSystemSliceId, "b.service");
  resolver.cgroup_removed(41);
  resolver.cgroup_removed(42);
  resolver.drain_finished();
  EXPECT_EQ(resolver.resolve(in_cgroup(41)).unit, "a.service");
  resolver.drain_finished();
  EXPECT_EQ(resolver.resolve(in_cgroup(42)).unit, "");
  EXPECT_EQ(resolver.failures(LabelSource::Unit), 1U);
}

TEST_F(CgroupChangesIdentityTest, ACgroupWithoutAPathCountsOnceForEveryLabelDrawnFromIt) {
  IdentityResolver& resolver = make();
  EXPECT_EQ(resolver.resolve(in_cgroup(50)).cgroup, "");
  EXPECT_EQ(resolver.resolve(in_cgroup(50)).unit, "");  // the same id: counted already
  for (LabelSource source : kFromTheCgroup) {
    EXPECT_EQ(resolver.failures(source), 1U) << label_name(source);
  }
  resolver.resolve(in_cgroup(51));
  EXPECT_EQ(resolver.failures(LabelSource::Cgroup), 2U);
  EXPECT_EQ(resolver.failures(LabelSource::Comm), 0U);
  EXPECT_EQ(resolver.failures(LabelSource::User), 0U);
}

TEST_F(CgroupChangesIdentityTest, OnlyTheLabelsInUseCountACgroupWithoutAPath) {
  IdentityResolver& resolver = make({.cgroup = true, .unit = true});
  resolver.resolve(in_cgroup(50));
  EXPECT_EQ(resolver.failures(LabelSource::Unit), 1U);
  EXPECT_EQ(resolver.failures(LabelSource::Cgroup), 0U);
  EXPECT_EQ(resolver.failures(LabelSource::Pod), 0U);
}

TEST_F(CgroupChangesIdentityTest, AContainersNamesAreReadWhenItsCgroupIsMade) {
  IdentityResolver& resolver = make();
  resolver.cgroup_made(60, kPodSliceId, "cri-containerd-" + kContainerdApp + ".scope");
  std::filesystem::remove_all(node_);  // ctr run --rm: the state goes with the container
  resolver.cgroup_removed(60);
  const Identity who = resolver.resolve(in_cgroup(60));
  EXPECT_EQ(who.container_id, kContainerdApp);
  EXPECT_EQ(who.pod_namespace + "/" + who.pod + "/" + who.container,
            "shop/web-7d4b9c8f6d-x2k9p/nginx");
  EXPECT_EQ(resolver.failures(LabelSource::Pod), 0U);
}

TEST_F(CgroupChangesIdentityTest, StateNotYetWrittenAtMkdirIsReadAtTheDrain) {
  IdentityResolver& resolver = make();
  const std::string later = node_ + ".later";
  std::filesystem::rename(node_, later);
  resolver.cgroup_made(61, kPodSliceId, "cri-containerd-" + kContainerdApp + ".scope");
  std::filesystem::rename(later, node_);
  const Identity who = resolver.resolve(in_cgroup(61));
  EXPECT_EQ(who.pod, "web-7d4b9c8f6d-x2k9p");
  EXPECT_EQ(resolver.failures(LabelSource::Pod), 0U);
}

}  // namespace
}  // namespace execmond::test
