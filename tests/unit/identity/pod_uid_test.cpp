#include "identity/pod_uid.h"

#include <string>

#include <gtest/gtest.h>

namespace execmond {
namespace {

const std::string kUid = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const std::string kUidUnderscored = "0f1e2d3c_4b5a_6978_8a9b_0c1d2e3f4a5b";
const std::string kOtherUid = "9a8b7c6d-5e4f-4321-8fed-cba987654321";
const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(PodUidTest, SystemdDriverBurstable) {
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                       kUidUnderscored + ".slice/cri-containerd-" + kId + ".scope"),
            kUid);
}

TEST(PodUidTest, SystemdDriverBestEffort) {
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                       kUidUnderscored + ".slice/crio-" + kId + ".scope"),
            kUid);
}

TEST(PodUidTest, SystemdDriverGuaranteed) {
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-pod" + kUidUnderscored + ".slice/cri-containerd-" +
                       kId + ".scope"),
            kUid);
}

TEST(PodUidTest, SystemdDriverPodSliceItself) {
  // The pod's own cgroup (where no container is, but its processes may be counted).
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                       kUidUnderscored + ".slice"),
            kUid);
}

TEST(PodUidTest, CgroupfsDriverBurstable) {
  EXPECT_EQ(pod_uid_of("/kubepods/burstable/pod" + kUid + "/" + kId), kUid);
}

TEST(PodUidTest, CgroupfsDriverBestEffort) {
  EXPECT_EQ(pod_uid_of("/kubepods/besteffort/pod" + kUid + "/" + kId), kUid);
}

TEST(PodUidTest, CgroupfsDriverGuaranteed) {
  EXPECT_EQ(pod_uid_of("/kubepods/pod" + kUid + "/" + kId), kUid);
  EXPECT_EQ(pod_uid_of("/kubepods/pod" + kUid), kUid);
}

TEST(PodUidTest, KubeletSliceOfKindAndK3s) {
  EXPECT_EQ(pod_uid_of("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/"
                       "kubelet-kubepods-burstable-pod" +
                       kUidUnderscored + ".slice/cri-containerd-" + kId + ".scope"),
            kUid);
  EXPECT_EQ(pod_uid_of("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" +
                       kUidUnderscored + ".slice/cri-containerd-" + kId + ".scope"),
            kUid);
}

TEST(PodUidTest, KubepodsBelowAContainer) {
  // A kind node is a Docker container; its kubelet's tree sits below the node's cgroup.
  EXPECT_EQ(pod_uid_of("/docker/" + kId + "/kubepods/burstable/pod" + kUid + "/" + kId), kUid);
  EXPECT_EQ(
      pod_uid_of("/system.slice/docker-" + kId +
                 ".scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
                 "kubelet-kubepods-besteffort-pod" +
                 kUidUnderscored + ".slice/cri-containerd-" + kId + ".scope"),
      kUid);
}

TEST(PodUidTest, NestedPodsGiveTheInnermost) {
  EXPECT_EQ(pod_uid_of("/kubepods/pod" + kOtherUid + "/" + kId + "/kubepods/burstable/pod" + kUid +
                       "/" + kId),
            kUid);
}

TEST(PodUidTest, CgroupV1ControllerViewIsTheSameText) {
  // A v1 hierarchy's path (the third field of "4:memory:/kubepods/...") reads like v2's.
  EXPECT_EQ(pod_uid_of("/kubepods/burstable/pod" + kUid + "/" + kId + "/"), kUid);
  EXPECT_EQ(pod_uid_of("//kubepods.slice//kubepods-pod" + kUidUnderscored + ".slice/"), kUid);
}

TEST(PodUidTest, NoPod) {
  EXPECT_EQ(pod_uid_of(""), "");
  EXPECT_EQ(pod_uid_of("/"), "");
  EXPECT_EQ(pod_uid_of("/kubepods"), "");
  EXPECT_EQ(pod_uid_of("/kubepods/burstable"), "");
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-burstable.slice"), "");
  EXPECT_EQ(pod_uid_of("/system.slice/docker-" + kId + ".scope"), "");
  EXPECT_EQ(pod_uid_of("/user.slice/user-1000.slice/session-4.scope"), "");
}

TEST(PodUidTest, PodDirectoriesOutsideKubepodsAreNotPods) {
  EXPECT_EQ(pod_uid_of("/pod" + kUid + "/" + kId), "");
  EXPECT_EQ(pod_uid_of("/mygroup/pod" + kUid), "");
  EXPECT_EQ(pod_uid_of("/mygroup/burstable/pod" + kUid), "");
  EXPECT_EQ(pod_uid_of("/kubepods/guaranteed/pod" + kUid), "");
  EXPECT_EQ(pod_uid_of("/system.slice/myapp-pod" + kUidUnderscored + ".slice"), "");
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-other-pod" + kUidUnderscored + ".slice"), "");
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepodsx-pod" + kUidUnderscored + ".slice"), "");
}

TEST(PodUidTest, EachDriverHasItsOwnSeparator) {
  EXPECT_EQ(pod_uid_of("/kubepods/burstable/pod" + kUidUnderscored), "");
  // Dashes in a slice name would be ancestors, so the systemd driver never writes them.
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-pod" + kUid + ".slice"), "");
  EXPECT_EQ(pod_uid_of("/kubepods/pod0f1e2d3c-4b5a_6978-8a9b-0c1d2e3f4a5b"), "");
}

// A static pod's UID is the hash of its manifest, written without separators.
TEST(PodUidTest, StaticPodsHashIsTheirUid) {
  const std::string hash = "3f5c1d2e4b6a79880f1e2d3c4b5a6978";
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + hash +
                       ".slice/cri-containerd-" + kId + ".scope"),
            hash);
  EXPECT_EQ(pod_uid_of("/kubepods/burstable/pod" + hash + "/" + kId), hash);
  EXPECT_EQ(pod_uid_of("/kubepods/pod" + hash), hash);
  EXPECT_EQ(pod_uid_of("/kubepods/pod3F5C1D2E4B6A79880F1E2D3C4B5A6978"), "");  // uppercase
  EXPECT_EQ(pod_uid_of("/kubepods/pod" + hash.substr(1)), "");                 // 31
  EXPECT_EQ(pod_uid_of("/kubepods/pod" + hash + "0"), "");                     // 33
  EXPECT_EQ(pod_uid_of("/kubepods/pod3f5c1d2e4b6a79880f1e2d3c4b5a697g"), "");  // not hex
}

TEST(PodUidTest, MalformedUidsAreRejected) {
  EXPECT_EQ(pod_uid_of("/kubepods/pod0F1E2D3C-4B5A-6978-8A9B-0C1D2E3F4A5B"), "");   // uppercase
  EXPECT_EQ(pod_uid_of("/kubepods/pod0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5"), "");    // 35
  EXPECT_EQ(pod_uid_of("/kubepods/pod0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b0"), "");  // 37
  EXPECT_EQ(pod_uid_of("/kubepods/pod0f1e2d3c4-b5a-6978-8a9b-0c1d2e3f4a5b"), "");   // 9-3-...
  EXPECT_EQ(pod_uid_of("/kubepods/pod0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5g"), "");   // not hex
  EXPECT_EQ(pod_uid_of("/kubepods/pod0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a-b"), "");   // extra dash
  EXPECT_EQ(pod_uid_of("/kubepods/pod"), "");
  EXPECT_EQ(pod_uid_of("/kubepods/Pod" + kUid), "");
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-pod.slice"), "");
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-pod" + kUidUnderscored + ".scope"), "");
  EXPECT_EQ(pod_uid_of("/kubepods.slice/kubepods-pod" + kUidUnderscored + "x.slice"), "");
}

}  // namespace
}  // namespace execmond
