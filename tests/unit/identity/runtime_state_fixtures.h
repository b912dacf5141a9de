// The fixture trees of tests/unit/identity/fixtures/runtime_state: nodes laid
// out as each container runtime lays out its state, and the container ids in
// them. Shared by the runtime state reader's tests and the resolver's.
#pragma once

#include <string>

#include "identity/runtime_state.h"

namespace execmond::test {

inline const std::string kFixtures =
    std::string(EXECMOND_SOURCE_DIR) + "/tests/unit/identity/fixtures/runtime_state";

// The fixture ids: sha256 of what each container is, so each is 64 hex and none repeats.
inline const std::string kContainerdApp =
    "71c206f4b1ff6f81c8a8ec2c517dc9a23052ae34725e0c35c49a1b1f559a56d4";
inline const std::string kContainerdSandbox =
    "85b013213e803c7bc39ff8937f98c8b3b8ba3ee2cf22b5c7f08dfa7dd07f0fc4";
inline const std::string kCrioApp =
    "610713dca419d7deb83a1246d0c1ee0ac2e23b81cbb29bba37147e88e1848cda";
inline const std::string kCrioPause =
    "61f18e8a1d0b627c2c875851c047c9191526c4d89a8b2dd646be63334764bd19";
inline const std::string kDockerKube =
    "89016fc1ebe735d5d6bfa8fa9b5c0431890483da9035da7f4031b4fd87aff831";
inline const std::string kDockerPause =
    "3339d866f07499df70777776acd387849921eafd8f1ee3b878fda1b1e2016b7c";
inline const std::string kDockerPlain =
    "4fd88b678ecadb93030bb98dfb4733c038f1fa2022c789c9a0f2bcf070a0e0d7";
inline const std::string kPodmanAnnotated =
    "1dc847136fbd63e6d92adf947404b3248309ef12b97a39f11f512c7e1376688c";
inline const std::string kPodmanPlain =
    "49011eeee23487a913c91f774e5b3337556a6c9c16ee76e53106529a98cd45c3";
// A pod of each remaining QoS class and kubelet cgroup driver, one runtime each
// (the ones above are burstable pods: containerd and CRI-O with the systemd
// driver, Docker with cgroupfs).
inline const std::string kContainerdGuaranteedCgroupfs =
    "e455700ed1a8d9b2fe647ee977e218d4fcd484e6c3c183dd7d0b19a68f604fde";
inline const std::string kContainerdBestEffortSystemd =
    "9333d9dd3c29c8528e20b502aabe155b051d7f94148481d0361f38d9fa68860b";
inline const std::string kCrioBestEffortCgroupfs =
    "eed344743663274a670862da81fd26e6d47f0f19502500d09a274cc2e4db8d61";
inline const std::string kDockerGuaranteedSystemd =
    "1c0ed04ce1ad2c5ea7cd987c13499a92fb19c0d6ba513c8f761f16b8a92b3c7b";
inline const std::string kInTwoRoots =
    "6f595eba3f46ceaa9fd0b0a93cb363cad6c66fedd2699850115c8d85d9e5b852";
inline const std::string kBadJson =
    "f7e5487eda1342f35e65bef5cf188f3ad71ea589073ecc38b44876ee27f76bd3";
inline const std::string kBadArray =
    "5261e30577a194a04876a537f9c3d5f3e012ebea4870fb47b7405d7c6fba2de0";
inline const std::string kBadAnnotations =
    "ff9574402ab922903634dcfa29c6c1a7a46a1e783dba6e19937dd0b8f1ee7f5c";
inline const std::string kBadNameType =
    "8fc3770c284db2ea41b8f3ab628db89394340b167c192cf2b37a284430e4679a";
inline const std::string kDockerNoConfig =
    "2653e4ba5e3a8ae2736a0e813731a6a7f698e92a64a353dcff8e870f8319cf3c";
inline const std::string kNowhere =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// The default roots, below `node` instead of "/".
inline RuntimeStatePaths below(const std::string& node) {
  const RuntimeStatePaths defaults;
  return {.containerd = node + defaults.containerd,
          .crio = node + defaults.crio,
          .docker = node + defaults.docker,
          .podman = node + defaults.podman};
}

// The node with a container of each runtime.
inline const std::string kNode = kFixtures + "/node";

}  // namespace execmond::test
