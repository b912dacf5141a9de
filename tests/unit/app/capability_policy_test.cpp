// Which capabilities the daemon keeps, as a pure function; and dropping them
// for real, in a forked child so this process keeps what it holds.
#include "app/capability_policy.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bpf_required.h"
#include "identity/identity_resolver.h"
#include "util/capabilities.h"

namespace execmond {
namespace {

constexpr unsigned long long kBindService = 1ULL << CAP_NET_BIND_SERVICE;

std::vector<int> numbers(const std::vector<KeptCapability>& kept) {
  std::vector<int> out;
  for (const KeptCapability& cap : kept) out.push_back(cap.number);
  return out;
}

Config naming_cgroups() {
  Config config;
  config.include.unit = {"cron.service"};
  return config;
}

TEST(CapabilityPolicyTest, KeepsNothingWithoutCgroupNamesOnAnUnprivilegedPort) {
  Config config;
  config.records.enabled = false;
  ASSERT_FALSE(SourcesNeeded::of(config).cgroup);
  EXPECT_TRUE(capabilities_to_keep(config, 9765, 1024, ~0ULL).empty());
  EXPECT_EQ(but_kept({}), "");
}

TEST(CapabilityPolicyTest, KeepsDacReadSearchWhenCgroupIdsAreNamed) {
  EXPECT_EQ(numbers(capabilities_to_keep(naming_cgroups(), 9765, 1024, 0)),
            std::vector<int>{CAP_DAC_READ_SEARCH});
  Config labelled;
  labelled.labels.per_family[0].push_back(LabelSource::Unit);
  EXPECT_EQ(numbers(capabilities_to_keep(labelled, 9765, 1024, 0)),
            std::vector<int>{CAP_DAC_READ_SEARCH});
}

TEST(CapabilityPolicyTest, RecordsAloneKeepNothing) {
  Config config;
  ASSERT_TRUE(config.records.enabled);
  ASSERT_TRUE(SourcesNeeded::of(config).cgroup);  // they name the unit, by the tree walk
  EXPECT_TRUE(capabilities_to_keep(config, 9765, 1024, ~0ULL).empty());
}

TEST(CapabilityPolicyTest, KeepsBindServiceBelowTheUnprivilegedStartWhenHeld) {
  Config config;
  EXPECT_EQ(numbers(capabilities_to_keep(config, 443, 1024, kBindService)),
            std::vector<int>{CAP_NET_BIND_SERVICE});
  // Not held: nothing to keep, the rebind would fail either way.
  EXPECT_TRUE(capabilities_to_keep(config, 443, 1024, ~kBindService).empty());
  // At or above the start anyone may bind.
  EXPECT_TRUE(capabilities_to_keep(config, 1024, 1024, kBindService).empty());
  EXPECT_TRUE(capabilities_to_keep(config, 443, 0, kBindService).empty());
}

TEST(CapabilityPolicyTest, NamesWhatItKeepsForTheLog) {
  const std::vector<KeptCapability> kept =
      capabilities_to_keep(naming_cgroups(), 80, 1024, kBindService);
  EXPECT_EQ(numbers(kept), (std::vector<int>{CAP_DAC_READ_SEARCH, CAP_NET_BIND_SERVICE}));
  EXPECT_EQ(but_kept(kept), " but CAP_DAC_READ_SEARCH and CAP_NET_BIND_SERVICE");
}

// Drops all but `keep` in a child; returns the child's CapEff afterwards,
// or fails the test with the child's reason.
unsigned long long effective_after_dropping(const std::vector<int>& keep) {
  int out[2];
  if (pipe(out) != 0) {
    ADD_FAILURE() << "pipe";
    return ~0ULL;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(out[0]);
    Status dropped = drop_capabilities_except(keep);
    std::string reply =
        dropped ? std::to_string(effective_capabilities()) : "error: " + dropped.error().message;
    _exit(write(out[1], reply.data(), reply.size()) == static_cast<ssize_t>(reply.size()) ? 0 : 1);
  }
  close(out[1]);
  std::string reply;
  char buf[256];
  ssize_t n = 0;
  while ((n = read(out[0], buf, sizeof buf)) > 0) reply.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  if (reply.rfind("error: ", 0) == 0 || reply.empty()) {
    ADD_FAILURE() << "drop_capabilities_except: " << reply;
    return ~0ULL;
  }
  return std::stoull(reply);
}

TEST(DropCapabilitiesTest, DroppingEverythingLeavesAnEmptyEffectiveSet) {
  EXPECT_EQ(effective_after_dropping({}), 0ULL);
}

TEST(DropCapabilitiesTest, KeepsExactlyWhatItIsTold) {
  if ((effective_capabilities() & kBindService) == 0) {
    if (test::bpf_required()) {
      FAIL() << "EXECMOND_REQUIRE_BPF=1 (CI, as root) but this process holds no "
                "CAP_NET_BIND_SERVICE";
    }
    GTEST_SKIP() << "this process holds no CAP_NET_BIND_SERVICE to keep";
  }
  EXPECT_EQ(effective_after_dropping({CAP_NET_BIND_SERVICE}), kBindService);
  EXPECT_NE(effective_capabilities() & kBindService, 0ULL) << "the test process keeps its own";
}

TEST(DropCapabilitiesTest, CannotKeepWhatItDoesNotHold) {
  pid_t pid = fork();
  if (pid == 0) {
    if (!drop_capabilities_except({})) _exit(2);
    // Nothing is held now: asking to keep CAP_NET_BIND_SERVICE is refused.
    Status again = drop_capabilities_except({CAP_NET_BIND_SERVICE});
    _exit(!again && again.error().message.rfind("capset: ", 0) == 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace execmond
