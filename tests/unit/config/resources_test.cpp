// metrics.resources and metrics.peak_rss_buckets: what the exit handler
// accounts, validated like every key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config_test_support.h"

namespace execmond::test {
namespace {

TEST(ResourcesConfig, DefaultsAreCpuAndMemoryWithRssBucketsOf1MiBTo64GiB) {
  Config config;
  EXPECT_EQ(config.resources, (std::vector<Resource>{Resource::Cpu, Resource::Memory}));
  std::vector<double> expected;
  for (double b = 1 << 20; b <= 68719476736.0; b *= 4) expected.push_back(b);
  EXPECT_EQ(config.peak_rss_buckets, expected);
  EXPECT_EQ(config.peak_rss_buckets.size(), 9U);
  EXPECT_EQ(config.peak_rss_buckets.back(), 68719476736.0);
}

TEST(ResourcesConfig, EveryResourceByName) {
  Config config = parse_ok("metrics:\n  resources: [context_switches, faults, io, memory, cpu]\n");
  EXPECT_EQ(config.resources,
            (std::vector<Resource>{Resource::ContextSwitches, Resource::Faults, Resource::Io,
                                   Resource::Memory, Resource::Cpu}));
}

TEST(ResourcesConfig, AnEmptyListAccountsNothing) {
  EXPECT_TRUE(parse_ok("metrics:\n  resources: []\n").resources.empty());
}

TEST(ResourcesConfig, UnknownAndRepeatedResourcesNameTheLineAndWhatIsAllowed) {
  const std::string allowed =
      "use a list of 0 to 5 of cpu, memory, io, faults and context_switches, each at most once "
      "(e.g. [cpu, memory])";
  EXPECT_EQ(parse_error("metrics:\n  resources: [cpu, disk]\n"),
            "test.yaml:2: metrics.resources[1]: \"disk\" is not a resource; " + allowed);
  EXPECT_EQ(parse_error("metrics:\n  resources:\n    - cpu\n    - cpu\n"),
            "test.yaml:4: metrics.resources[1]: \"cpu\" is given twice; " + allowed);
}

TEST(ResourcesConfig, RssBucketsAreAscendingByteCounts) {
  Config config = parse_ok("metrics:\n  peak_rss_buckets: [4096, 1e6, 1073741824]\n");
  EXPECT_EQ(config.peak_rss_buckets, (std::vector<double>{4096, 1e6, 1073741824}));
  const std::string allowed =
      "use a list of 1 to 15 strictly ascending numbers of bytes, each from 4096 to 1e15 "
      "(e.g. [1048576, 16777216, 268435456])";
  EXPECT_EQ(parse_error("metrics:\n  peak_rss_buckets: [4095]\n"),
            "test.yaml:2: metrics.peak_rss_buckets[0]: 4095 is out of range; " + allowed);
  EXPECT_EQ(parse_error("metrics:\n  peak_rss_buckets: [1e6, 1e6]\n"),
            "test.yaml:2: metrics.peak_rss_buckets[1]: 1e6 is not greater than the bound before "
            "it (1e+06); " +
                allowed);
  EXPECT_NE(parse_error("metrics:\n  peak_rss_buckets: []\n").find(allowed), std::string::npos);
  std::string sixteen = "metrics:\n  peak_rss_buckets: [";
  for (int i = 1; i <= 16; ++i) sixteen += (i > 1 ? ", " : "") + std::to_string(i * 4096);
  EXPECT_NE(parse_error(sixteen + "]\n").find(allowed), std::string::npos);
}

TEST(ResourcesConfig, TheNewFamiliesTakeLabelsLikeTheOthers) {
  Config config = parse_ok(
      "labels:\n  cpu: [comm, unit]\n  peak_rss: [exe]\n  io: [uid]\n  page_faults: [user]\n"
      "  context_switches: [cgroup]\n  oom_kills: [container_id, comm]\n");
  EXPECT_EQ(config.labels.of(Family::Cpu),
            (std::vector<LabelSource>{LabelSource::Comm, LabelSource::Unit}));
  EXPECT_EQ(config.labels.of(Family::PeakRss), std::vector<LabelSource>{LabelSource::Exe});
  EXPECT_EQ(config.labels.of(Family::Io), std::vector<LabelSource>{LabelSource::Uid});
  EXPECT_EQ(config.labels.of(Family::PageFaults), std::vector<LabelSource>{LabelSource::User});
  EXPECT_EQ(config.labels.of(Family::ContextSwitches),
            std::vector<LabelSource>{LabelSource::Cgroup});
  EXPECT_EQ(config.labels.of(Family::OomKills),
            (std::vector<LabelSource>{LabelSource::ContainerId, LabelSource::Comm}));
  EXPECT_EQ(config.labels.of(Family::Execs), std::vector<LabelSource>{LabelSource::Comm});
}

TEST(ResourcesConfig, ChangingResourcesNeedsARestart) {
  Config running;
  Config wanted = parse_ok("metrics:\n  resources: [io]\n  peak_rss_buckets: [1e6]\n");
  std::vector<std::string> differ = restart_only_differences(running, wanted);
  EXPECT_EQ(differ, (std::vector<std::string>{"metrics.resources", "metrics.peak_rss_buckets"}));
  EXPECT_EQ(take_reloadable(running, wanted).resources, running.resources);
}

}  // namespace
}  // namespace execmond::test
