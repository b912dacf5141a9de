// Reading a container's Kubernetes names from the runtimes' state, against
// fixture trees laid out as each runtime lays out its own: "node" a host with
// all four runtimes, "broken" state files that are not what a runtime writes.
#include "identity/runtime_state.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "runtime_state_fixtures.h"

namespace execmond::test {
namespace {

const std::string kBroken = kFixtures + "/broken";

// "namespace/pod/container (runtime)", or the error.
std::string names(const RuntimeStatePaths& paths, const std::string& id) {
  const auto found = names_of_container(paths, id);
  if (!found) return "error: " + found.error().message;
  return found->pod_namespace + "/" + found->pod + "/" + found->container + " (" +
         std::string(to_string(found->runtime)) + ")";
}

std::string error_of(const RuntimeStatePaths& paths, const std::string& id) {
  const auto found = names_of_container(paths, id);
  EXPECT_FALSE(found) << id;
  return found ? "" : found.error().message;
}

TEST(RuntimeStateTest, DefaultsAreTheRuntimesOwnRoots) {
  const RuntimeStatePaths defaults;
  EXPECT_EQ(defaults.containerd, "/run/containerd/io.containerd.runtime.v2.task");
  EXPECT_EQ(defaults.crio, "/run/containers/storage/overlay-containers");
  EXPECT_EQ(defaults.docker, "/var/lib/docker/containers");
  EXPECT_EQ(defaults.podman, "/var/lib/containers/storage/overlay-containers");
}

TEST(RuntimeStateTest, ContainerdCriContainer) {
  EXPECT_EQ(names(below(kNode), kContainerdApp), "shop/web-7d4b9c8f6d-x2k9p/nginx (containerd)");
}

TEST(RuntimeStateTest, ContainerdSandboxHasNoContainerName) {
  EXPECT_EQ(names(below(kNode), kContainerdSandbox), "shop/web-7d4b9c8f6d-x2k9p/ (containerd)");
}

TEST(RuntimeStateTest, CrioContainer) {
  EXPECT_EQ(names(below(kNode), kCrioApp), "kube-system/coredns-5d78c9869d-8hx7q/coredns (cri-o)");
}

TEST(RuntimeStateTest, CrioPauseContainerIsReportedWithoutItsPodName) {
  EXPECT_EQ(names(below(kNode), kCrioPause), "kube-system/coredns-5d78c9869d-8hx7q/ (cri-o)");
}

TEST(RuntimeStateTest, DockerWithCriDockerd) {
  EXPECT_EQ(names(below(kNode), kDockerKube), "data/cache-0/redis (docker)");
  EXPECT_EQ(names(below(kNode), kDockerPause), "data/cache-0/ (docker)");
}

TEST(RuntimeStateTest, PlainDockerContainerIsItsName) {
  // Also in containerd's "moby" namespace, as Docker's containerd keeps it: passed over.
  ASSERT_TRUE(std::filesystem::exists(kNode +
                                      "/run/containerd/io.containerd.runtime.v2.task/moby/" +
                                      kDockerPlain + "/config.json"));
  EXPECT_EQ(names(below(kNode), kDockerPlain), "//grafana (docker)");
}

TEST(RuntimeStateTest, PodmanWithKubernetesAnnotations) {
  EXPECT_EQ(names(below(kNode), kPodmanAnnotated), "staging/frontend/httpd (podman)");
}

TEST(RuntimeStateTest, PlainPodmanContainerHasNoNames) {
  EXPECT_EQ(names(below(kNode), kPodmanPlain), "// (podman)");
}

TEST(RuntimeStateTest, FirstRootInTheStructsOrderWins) {
  // The same id in containerd's root and in CRI-O's: containerd comes first.
  EXPECT_EQ(names(below(kNode), kInTwoRoots), "containerd-ns/tie-pod/from-containerd (containerd)");
  RuntimeStatePaths without_containerd = below(kNode);
  without_containerd.containerd.clear();
  EXPECT_EQ(names(without_containerd, kInTwoRoots), "crio-ns/tie-pod/from-crio (cri-o)");
}

TEST(RuntimeStateTest, EachRuntimeReadsOnlyItsOwnRoot) {
  RuntimeStatePaths only_podman;
  only_podman.containerd.clear();
  only_podman.crio.clear();
  only_podman.docker.clear();
  only_podman.podman = below(kNode).podman;
  EXPECT_EQ(names(only_podman, kPodmanAnnotated), "staging/frontend/httpd (podman)");
  EXPECT_EQ(error_of(only_podman, kCrioApp), "container 610713dca419: no state under " +
                                                 only_podman.podman +
                                                 " (set identity.runtime_state paths)");
}

TEST(RuntimeStateTest, NotFoundListsEveryRootLookedUnder) {
  EXPECT_EQ(
      error_of(below(kNode), kNowhere),
      "container 0123456789ab: no state under " + kNode +
          "/run/containerd/io.containerd.runtime.v2.task, " + kNode +
          "/run/containers/storage/overlay-containers, " + kNode + "/var/lib/docker/containers, " +
          kNode +
          "/var/lib/containers/storage/overlay-containers (set identity.runtime_state paths)");
}

TEST(RuntimeStateTest, NotFoundOnAHostWithoutAnyRuntime) {
  const std::string empty = kFixtures + "/no-such-node";
  EXPECT_EQ(
      error_of(below(empty), kNowhere),
      "container 0123456789ab: no state under " + empty +
          "/run/containerd/io.containerd.runtime.v2.task, " + empty +
          "/run/containers/storage/overlay-containers, " + empty + "/var/lib/docker/containers, " +
          empty +
          "/var/lib/containers/storage/overlay-containers (set identity.runtime_state paths)");
}

TEST(RuntimeStateTest, NoRootsAtAll) {
  EXPECT_EQ(error_of(RuntimeStatePaths{"", "", "", ""}, kNowhere),
            "container 0123456789ab: no runtime state to look in, every root is empty (set "
            "identity.runtime_state paths)");
}

TEST(RuntimeStateTest, IdsThatAreNotContainerIdsAreRefused) {
  EXPECT_EQ(error_of(below(kNode), ""),
            "\"\" is not a container id, which is 64 lowercase hex characters");
  EXPECT_EQ(error_of(below(kNode), "../../../../etc"),
            "\"../../../../etc\" is not a container id, which is 64 lowercase hex "
            "characters");
  EXPECT_EQ(error_of(below(kNode), kContainerdApp.substr(0, 63)),
            "\"" + kContainerdApp.substr(0, 63) +
                "\" is not a container id, which is 64 lowercase hex characters");
  std::string upper = kContainerdApp;
  upper[0] = 'F';
  EXPECT_FALSE(names_of_container(below(kNode), upper));
}

TEST(RuntimeStateTest, NotJsonNamesTheFile) {
  const std::string file = below(kBroken).crio + "/" + kBadJson + "/userdata/config.json";
  EXPECT_EQ(
      error_of(below(kBroken), kBadJson),
      file +
          ": not JSON: parse error at line 2, column 1: syntax error while parsing object key "
          "- unexpected end of input; expected string literal");
}

TEST(RuntimeStateTest, NotAnObjectNamesTheFile) {
  const std::string file = below(kBroken).containerd + "/k8s.io/" + kBadArray + "/config.json";
  EXPECT_EQ(error_of(below(kBroken), kBadArray), file + ": holds a JSON array, not an object");
}

TEST(RuntimeStateTest, AnnotationsThatAreNotAnObject) {
  const std::string file = below(kBroken).podman + "/" + kBadAnnotations + "/userdata/config.json";
  EXPECT_EQ(error_of(below(kBroken), kBadAnnotations),
            file + ": annotations is a string, not an object");
}

TEST(RuntimeStateTest, NameThatIsNotAString) {
  const std::string file = below(kBroken).crio + "/" + kBadNameType + "/userdata/config.json";
  EXPECT_EQ(error_of(below(kBroken), kBadNameType),
            file + ": annotations \"io.kubernetes.pod.name\" is a number, not a string");
}

TEST(RuntimeStateTest, DockerRecordWithoutConfig) {
  const std::string file = below(kBroken).docker + "/" + kDockerNoConfig + "/config.v2.json";
  EXPECT_EQ(error_of(below(kBroken), kDockerNoConfig),
            file + ": lacks the object Config; not a Docker container record (config.v2.json)");
}

class RuntimeStateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/execmond-runtime-state-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    node_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(node_); }

  // Writes `text` as CRI-O's state file for kNowhere and returns its path.
  std::string write_crio_state(const std::string& text) {
    const std::string dir = below(node_).crio + "/" + kNowhere + "/userdata";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/config.json") << text;
    return dir + "/config.json";
  }

  std::string node_;
};

TEST_F(RuntimeStateFileTest, StateFilesOverFourMebibytesAreRefused) {
  const std::string annotations = R"({"annotations": {"io.kubernetes.pod.name": "big", "pad": ")";
  const std::size_t four_mib = std::size_t{4} << 20;
  const std::string at_cap =
      annotations + std::string(four_mib - annotations.size() - 3, 'x') + "\"}}";
  ASSERT_EQ(at_cap.size(), four_mib);
  write_crio_state(at_cap);
  EXPECT_EQ(names(below(node_), kNowhere), "/big/ (cri-o)");
  const std::string path = write_crio_state(at_cap + "\n");
  EXPECT_EQ(error_of(below(node_), kNowhere), "cannot read " + path + ": larger than 4 MiB");
}

TEST_F(RuntimeStateFileTest, AStateDirectoryInPlaceOfTheFile) {
  const std::string path = below(node_).crio + "/" + kNowhere + "/userdata/config.json";
  std::filesystem::create_directories(path);
  EXPECT_EQ(error_of(below(node_), kNowhere), "cannot read " + path + ": Is a directory");
}

TEST_F(RuntimeStateFileTest, MissingAnnotationsAreNoNames) {
  // The OCI spec makes annotations optional; a spec without them is a container without names.
  write_crio_state(
      R"({"ociVersion": "1.1.0", "process": {"args": ["/app"]}, "root": {"path": "rootfs"}})");
  EXPECT_EQ(names(below(node_), kNowhere), "// (cri-o)");
}

TEST_F(RuntimeStateFileTest, EmptyFileIsNotJson) {
  const std::string path = write_crio_state("");
  EXPECT_EQ(error_of(below(node_), kNowhere),
            path +
                ": not JSON: parse error at line 1, column 1: syntax error while parsing value - "
                "unexpected end of input; expected '[', '{', or a literal");
}

}  // namespace
}  // namespace execmond::test
