#include "identity/cgroup_path.h"

#include <string>

#include <gtest/gtest.h>

namespace execmond {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kOther = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const std::string kPodSystemd = "kubepods-burstable-pod6b1d1f6a_8d6e_4c44_9c2b_4c1c2c3d4e5f.slice";
const std::string kPodCgroupfs = "pod6b1d1f6a-8d6e-4c44-9c2b-4c1c2c3d4e5f";

// ------------------------------------------------------------------ systemd_unit_of

TEST(SystemdUnitTest, SystemService) {
  EXPECT_EQ(systemd_unit_of("/system.slice/cron.service"), "cron.service");
}

TEST(SystemdUnitTest, TemplatedAndEscapedNamesComeBackAsWritten) {
  EXPECT_EQ(systemd_unit_of("/system.slice/system-getty.slice/getty@tty1.service"),
            "getty@tty1.service");
  EXPECT_EQ(systemd_unit_of("/system.slice/system-systemd\\x2dfsck.slice/"
                            "systemd-fsck@dev-disk-by\\x2duuid-1234.service"),
            "systemd-fsck@dev-disk-by\\x2duuid-1234.service");
}

TEST(SystemdUnitTest, SessionScope) {
  EXPECT_EQ(systemd_unit_of("/user.slice/user-1000.slice/session-4.scope"), "session-4.scope");
}

TEST(SystemdUnitTest, UserManagerOwnsItsWholeSubtree) {
  EXPECT_EQ(systemd_unit_of("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"),
            "user@1000.service");
  EXPECT_EQ(systemd_unit_of("/user.slice/user-1000.slice/user@1000.service/init.scope"),
            "user@1000.service");
}

TEST(SystemdUnitTest, InitScope) { EXPECT_EQ(systemd_unit_of("/init.scope"), "init.scope"); }

TEST(SystemdUnitTest, OtherProcessUnitTypes) {
  EXPECT_EQ(systemd_unit_of("/system.slice/sshd.socket"), "sshd.socket");
  EXPECT_EQ(systemd_unit_of("/system.slice/home.mount"), "home.mount");
  EXPECT_EQ(systemd_unit_of("/system.slice/dev-sda2.swap"), "dev-sda2.swap");
}

TEST(SystemdUnitTest, ContainerScopesAreUnits) {
  EXPECT_EQ(systemd_unit_of("/system.slice/docker-" + kId + ".scope"), "docker-" + kId + ".scope");
  EXPECT_EQ(systemd_unit_of("/machine.slice/libpod-" + kId + ".scope/container"),
            "libpod-" + kId + ".scope");
  EXPECT_EQ(systemd_unit_of("/kubepods.slice/kubepods-burstable.slice/" + kPodSystemd +
                            "/cri-containerd-" + kId + ".scope"),
            "cri-containerd-" + kId + ".scope");
}

TEST(SystemdUnitTest, ServiceWithChildCgroups) {
  EXPECT_EQ(systemd_unit_of("/system.slice/containerd.service/default/" + kId),
            "containerd.service");
}

TEST(SystemdUnitTest, NoUnit) {
  EXPECT_EQ(systemd_unit_of(""), "");
  EXPECT_EQ(systemd_unit_of("/"), "");
  EXPECT_EQ(systemd_unit_of("/system.slice"), "");
  EXPECT_EQ(systemd_unit_of("/user.slice/user-1000.slice"), "");
  EXPECT_EQ(systemd_unit_of("/mygroup"), "");
  EXPECT_EQ(systemd_unit_of("/docker/" + kId), "");
  EXPECT_EQ(systemd_unit_of("/kubepods/burstable/" + kPodCgroupfs + "/" + kId), "");
}

TEST(SystemdUnitTest, UnitsOutsideSlicesAreNotSystemds) {
  // Only slices hold units: below a foreign cgroup is some other manager's tree.
  EXPECT_EQ(systemd_unit_of("/mygroup/foo.service"), "");
  EXPECT_EQ(systemd_unit_of("/lxc.payload.c1/system.slice/cron.service"), "");
}

TEST(SystemdUnitTest, NonProcessSuffixesAndBareSuffixesAreNotUnits) {
  EXPECT_EQ(systemd_unit_of("/multi-user.target"), "");
  EXPECT_EQ(systemd_unit_of("/system.slice/.service"), "");
  EXPECT_EQ(systemd_unit_of("/.slice/cron.service"), "");
  EXPECT_EQ(systemd_unit_of("/system.slice/cron.services"), "");
}

TEST(SystemdUnitTest, ToleratesMissingLeadingAndExtraSlashes) {
  EXPECT_EQ(systemd_unit_of("system.slice/cron.service"), "cron.service");
  EXPECT_EQ(systemd_unit_of("//system.slice//cron.service/"), "cron.service");
}

// ------------------------------------------------------------------ container_id_of

TEST(ContainerIdTest, DockerCgroupfs) { EXPECT_EQ(container_id_of("/docker/" + kId), kId); }

TEST(ContainerIdTest, DockerSystemd) {
  EXPECT_EQ(container_id_of("/system.slice/docker-" + kId + ".scope"), kId);
}

TEST(ContainerIdTest, DockerRootless) {
  EXPECT_EQ(container_id_of("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" +
                            kId + ".scope"),
            kId);
}

TEST(ContainerIdTest, KubernetesCgroupfsAllQosClasses) {
  EXPECT_EQ(container_id_of("/kubepods/burstable/" + kPodCgroupfs + "/" + kId), kId);
  EXPECT_EQ(container_id_of("/kubepods/besteffort/" + kPodCgroupfs + "/" + kId), kId);
  EXPECT_EQ(container_id_of("/kubepods/" + kPodCgroupfs + "/" + kId), kId);  // guaranteed
}

TEST(ContainerIdTest, CriContainerdSystemd) {
  EXPECT_EQ(container_id_of("/kubepods.slice/kubepods-burstable.slice/" + kPodSystemd +
                            "/cri-containerd-" + kId + ".scope"),
            kId);
  EXPECT_EQ(
      container_id_of("/kubepods.slice/kubepods-pod6b1d1f6a_8d6e_4c44_9c2b_4c1c2c3d4e5f.slice/"
                      "cri-containerd-" +
                      kId + ".scope"),
      kId);
}

TEST(ContainerIdTest, CriO) {
  EXPECT_EQ(container_id_of("/kubepods.slice/kubepods-besteffort.slice/" + kPodSystemd + "/crio-" +
                            kId + ".scope"),
            kId);
  EXPECT_EQ(container_id_of("/kubepods/besteffort/" + kPodCgroupfs + "/crio-" + kId), kId);
}

TEST(ContainerIdTest, CriOMonitorIsNotTheContainer) {
  EXPECT_EQ(container_id_of("/kubepods.slice/kubepods-besteffort.slice/" + kPodSystemd +
                            "/crio-conmon-" + kId + ".scope"),
            "");
}

TEST(ContainerIdTest, PodmanRootful) {
  EXPECT_EQ(container_id_of("/machine.slice/libpod-" + kId + ".scope"), kId);
}

TEST(ContainerIdTest, PodmanWithSystemdInside) {
  EXPECT_EQ(container_id_of("/machine.slice/libpod-" + kId + ".scope/container"), kId);
  EXPECT_EQ(container_id_of("/machine.slice/libpod-" + kId +
                            ".scope/container/system.slice/cron.service"),
            kId);
}

TEST(ContainerIdTest, PodmanRootless) {
  EXPECT_EQ(container_id_of("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" +
                            kId + ".scope"),
            kId);
}

TEST(ContainerIdTest, PodmanCgroupfs) {
  EXPECT_EQ(container_id_of("/libpod_parent/libpod-" + kId), kId);
}

TEST(ContainerIdTest, PodmanMonitorIsNotTheContainer) {
  EXPECT_EQ(container_id_of("/machine.slice/libpod-conmon-" + kId + ".scope"), "");
  EXPECT_EQ(container_id_of("/user.slice/user-1000.slice/user@1000.service/user.slice/"
                            "libpod-conmon-" +
                            kId + ".scope"),
            "");
}

// With the cgroupfs driver conmon sits in "conmon" below the container's parent;
// for a pod's container that is the pod's cgroup, which is named by the pod's id.
TEST(ContainerIdTest, PodmanCgroupfsMonitorIsNotTheContainer) {
  EXPECT_EQ(container_id_of("/libpod_parent/conmon"), "");
  EXPECT_EQ(container_id_of("/libpod_parent/" + kOther + "/conmon"), "");
  EXPECT_EQ(container_id_of("/libpod_parent/" + kOther + "/libpod-" + kId), kId);
}

TEST(ContainerIdTest, ContainerdPrefix) {
  EXPECT_EQ(container_id_of("/system.slice/containerd-" + kId + ".scope"), kId);
}

TEST(ContainerIdTest, NestedContainersGiveTheInnermost) {
  EXPECT_EQ(container_id_of("/docker/" + kOther + "/docker/" + kId), kId);
  EXPECT_EQ(container_id_of("/system.slice/docker-" + kOther + ".scope/docker/" + kId), kId);
}

TEST(ContainerIdTest, NoContainer) {
  EXPECT_EQ(container_id_of(""), "");
  EXPECT_EQ(container_id_of("/"), "");
  EXPECT_EQ(container_id_of("/system.slice/cron.service"), "");
  EXPECT_EQ(container_id_of("/system.slice/docker.service"), "");
  EXPECT_EQ(container_id_of("/user.slice/user-1000.slice/session-4.scope"), "");
  EXPECT_EQ(container_id_of("/mygroup"), "");
}

TEST(ContainerIdTest, PodWithoutContainerIsNotAContainer) {
  EXPECT_EQ(container_id_of("/kubepods/burstable/" + kPodCgroupfs), "");
  EXPECT_EQ(container_id_of("/kubepods.slice/kubepods-burstable.slice/" + kPodSystemd), "");
}

TEST(ContainerIdTest, RejectsWrongLength) {
  const std::string short_id = kId.substr(1);  // 63
  EXPECT_EQ(container_id_of("/docker/" + short_id), "");
  EXPECT_EQ(container_id_of("/system.slice/docker-" + short_id + ".scope"), "");
  EXPECT_EQ(container_id_of("/docker/" + kId + "0"), "");                      // 65
  EXPECT_EQ(container_id_of("/docker/f880a934c04013f664e9eeb3b11dfb2b"), "");  // 32
}

TEST(ContainerIdTest, RejectsUppercaseAndNonHex) {
  std::string upper = kId;
  upper[10] = 'A';
  EXPECT_EQ(container_id_of("/docker/" + upper), "");
  std::string non_hex = kId;
  non_hex[63] = 'g';
  EXPECT_EQ(container_id_of("/docker/" + non_hex), "");
  EXPECT_EQ(container_id_of("/system.slice/docker-" + non_hex + ".scope"), "");
}

TEST(ContainerIdTest, RejectsUnknownPrefixesAndSuffixes) {
  EXPECT_EQ(container_id_of("/system.slice/rkt-" + kId + ".scope"), "");
  EXPECT_EQ(container_id_of("/system.slice/docker-" + kId + ".service"), "");
  EXPECT_EQ(container_id_of("/system.slice/docker-docker-" + kId + ".scope"), "");
}

TEST(ContainerIdTest, ToleratesTrailingSlash) {
  EXPECT_EQ(container_id_of("/docker/" + kId + "/"), kId);
}

}  // namespace
}  // namespace execmond
