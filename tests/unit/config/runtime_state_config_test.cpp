// identity.runtime_state: where the container runtimes keep their state, read
// for the pod, namespace and container labels; and those label names.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "config/config.h"
#include "config_test_support.h"

namespace execmond::test {
namespace {

constexpr const char* kAllowed =
    "; use the absolute path of the runtime's state directory, without spaces, or \"\" to leave "
    "that runtime out";

TEST(ConfigRuntimeState, DefaultsAreTheRuntimesOwnRoots) {
  const RuntimeStateConfig defaults = Config().runtime_state;
  EXPECT_EQ(defaults.containerd, "/run/containerd/io.containerd.runtime.v2.task");
  EXPECT_EQ(defaults.crio, "/run/containers/storage/overlay-containers");
  EXPECT_EQ(defaults.docker, "/var/lib/docker/containers");
  EXPECT_EQ(defaults.podman, "/var/lib/containers/storage/overlay-containers");
  EXPECT_EQ(parse_ok("identity:\n  runtime_state: {}\n").runtime_state, defaults);
}

TEST(ConfigRuntimeState, EachRootIsSetAndEmptyLeavesTheRuntimeOut) {
  const Config config = parse_ok(
      "identity:\n"
      "  runtime_state:\n"
      "    containerd: /var/run/k3s/containerd/io.containerd.runtime.v2.task\n"
      "    crio: \"\"\n"
      "    docker: /srv/docker/containers\n"
      "    podman: \"\"\n");
  EXPECT_EQ(config.runtime_state.containerd,
            "/var/run/k3s/containerd/io.containerd.runtime.v2.task");
  EXPECT_EQ(config.runtime_state.crio, "");
  EXPECT_EQ(config.runtime_state.docker, "/srv/docker/containers");
  EXPECT_EQ(config.runtime_state.podman, "");
  const std::string text = describe(config);
  const std::size_t identity = text.find("identity.");
  EXPECT_EQ(text.substr(identity, text.find("naming.") - identity),
            "identity.runtime_state.containerd: "
            "/var/run/k3s/containerd/io.containerd.runtime.v2.task\n"
            "identity.runtime_state.crio: \"\"\n"
            "identity.runtime_state.docker: /srv/docker/containers\n"
            "identity.runtime_state.podman: \"\"\n");
}

TEST(ConfigRuntimeState, RelativePathIsRefused) {
  EXPECT_EQ(parse_error("identity:\n  runtime_state:\n    docker: var/lib/docker/containers\n"),
            std::string("test.yaml:3: identity.runtime_state.docker: "
                        "\"var/lib/docker/containers\" is not an absolute path") +
                kAllowed);
}

TEST(ConfigRuntimeState, SpacesAreRefused) {
  EXPECT_EQ(parse_error("identity:\n  runtime_state:\n    crio: \"/run/my containers\"\n"),
            std::string("test.yaml:3: identity.runtime_state.crio: \"/run/my containers\" has "
                        "control characters or spaces") +
                kAllowed);
}

TEST(ConfigRuntimeState, UnknownRuntimeListsTheFour) {
  EXPECT_EQ(parse_error("identity:\n  runtime_state:\n    cri-o: /run\n"),
            "test.yaml:3: identity.runtime_state.cri-o: unknown key; allowed keys under "
            "identity.runtime_state: containerd, crio, docker, podman");
}

TEST(ConfigRuntimeState, SetSettingReadsTheSameRule) {
  Config config;
  ASSERT_TRUE(set_setting(config, "identity.runtime_state.podman", "/home/u/.local/share/c"));
  EXPECT_EQ(config.runtime_state.podman, "/home/u/.local/share/c");
  Status bad = set_setting(config, "identity.runtime_state.podman", "relative");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, std::string("\"relative\" is not an absolute path") + kAllowed);
  EXPECT_EQ(config.runtime_state.podman, "/home/u/.local/share/c");  // kept
}

TEST(ConfigRuntimeState, ReloadTakesNewRoots) {
  Config wanted;
  wanted.runtime_state.containerd = "/elsewhere";
  const Config taken = take_reloadable(Config(), wanted);
  EXPECT_EQ(taken.runtime_state.containerd, "/elsewhere");
  EXPECT_TRUE(restart_only_differences(Config(), wanted).empty());
}

TEST(ConfigRuntimeState, KubernetesLabelNames) {
  const Config config = parse_ok("labels:\n  execs: [pod_uid, pod, namespace, container]\n");
  EXPECT_EQ(config.labels.of(Family::Execs),
            (std::vector<LabelSource>{LabelSource::PodUid, LabelSource::Pod, LabelSource::Namespace,
                                      LabelSource::Container}));
  EXPECT_EQ(label_name(LabelSource::Namespace), "namespace");
}

TEST(ConfigRuntimeState, AllElevenLabelsFitOneFamily) {
  const Config config = parse_ok(
      "labels:\n  processes: [comm, exe, unit, cgroup, container_id, uid, user, pod_uid, pod, "
      "namespace, container]\n");
  EXPECT_EQ(config.labels.of(Family::Processes).size(), 11U);
  EXPECT_EQ(config.labels.of(Family::Processes).back(), LabelSource::Container);
}

}  // namespace
}  // namespace execmond::test
