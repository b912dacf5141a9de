// cardinality: the series cap and stale-series dropping; and describe() of
// labels, filters and cardinality together.
#include "config/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "config_test_support.h"

namespace execmond::test {
namespace {

using std::chrono::seconds;

// ---- Cardinality ------------------------------------------------------------

constexpr const char* kSeriesAllowed = "; use an integer from 1 to 1000000";

TEST(ConfigCardinality, Valid) {
  Config config = parse_ok("cardinality:\n  max_series_per_family: 1\n  drop_stale_after: 1h\n");
  EXPECT_EQ(config.max_series_per_family, 1u);
  EXPECT_EQ(config.drop_stale_after, seconds(3600));
  EXPECT_EQ(parse_ok("cardinality:\n  max_series_per_family: 1000000\n").max_series_per_family,
            1000000u);
  const std::pair<const char*, long> stale[] = {{"0", 0},
                                                {"0s", 0},
                                                {"0d0h", 0},
                                                {"1m", 60},
                                                {"60s", 60},
                                                {"90m", 5400},
                                                {"1d12h", 129600},
                                                {"7d", 604800},
                                                {"30d", 2592000},
                                                {"720h", 2592000},
                                                {"29d23h59m60s", 2592000}};
  for (const auto& [text, secs] : stale) {
    Config c = parse_ok(std::string("cardinality:\n  drop_stale_after: ") + text + "\n");
    EXPECT_EQ(c.drop_stale_after, seconds(secs)) << text;
  }
}

TEST(ConfigCardinality, Invalid) {
  const std::pair<std::string, std::string> cases[] = {
      {"max_series_per_family: 0", "\"0\" is out of range" + std::string(kSeriesAllowed)},
      {"max_series_per_family: 1000001",
       "\"1000001\" is out of range" + std::string(kSeriesAllowed)},
      {"max_series_per_family: 10k", "\"10k\" is not an integer" + std::string(kSeriesAllowed)},
      {"max_series_per_family: [1]",
       "expected a single value, found a list" + std::string(kSeriesAllowed)},
      {"drop_stale_after: 59s", "\"59s\" is out of range" + std::string(kStaleAllowed)},
      {"drop_stale_after: 30d1s", "\"30d1s\" is out of range" + std::string(kStaleAllowed)},
      {"drop_stale_after: 721h", "\"721h\" is out of range" + std::string(kStaleAllowed)},
      {"drop_stale_after: 99999999999999999999d",
       "\"99999999999999999999d\" is out of range" + std::string(kStaleAllowed)},
      {"drop_stale_after: 1w", "\"1w\" is not a duration" + std::string(kStaleAllowed)},
      {"drop_stale_after: 90000ms", "\"90000ms\" is not a duration" + std::string(kStaleAllowed)},
      {"drop_stale_after: 1h1d", "\"1h1d\" is not a duration" + std::string(kStaleAllowed)},
      {"drop_stale_after: 1", "\"1\" is not a duration" + std::string(kStaleAllowed)},
      {"drop_stale_after: never", "\"never\" is not a duration" + std::string(kStaleAllowed)},
      {"drop_stale_after:", "no value" + std::string(kStaleAllowed)},
  };
  for (const auto& [line, message] : cases) {
    std::string key = line.substr(0, line.find(':'));
    EXPECT_EQ(parse_error("cardinality:\n  " + line + "\n"),
              "test.yaml:2: cardinality." + key + ": " + message)
        << line;
  }
  EXPECT_EQ(parse_error("cardinality:\n  max_series: 1\n"),
            "test.yaml:2: cardinality.max_series: unknown key; allowed keys under cardinality: "
            "max_series_per_family, drop_stale_after");
}

TEST(ConfigCardinality, DescribedWithDays) {
  Config config;
  for (const auto& [secs, text] : std::vector<std::pair<long, std::string>>{{0, "0s"},
                                                                            {60, "1m"},
                                                                            {3600, "1h"},
                                                                            {86400, "1d"},
                                                                            {129600, "1d12h"},
                                                                            {2592000, "30d"},
                                                                            {90061, "1d1h1m1s"}}) {
    config.drop_stale_after = seconds(secs);
    EXPECT_NE(describe(config).find("\ncardinality.drop_stale_after: " + text + "\n"),
              std::string::npos)
        << text;
  }
}

// ---- describe() of labels and filters ---------------------------------------

TEST(ConfigDescribe, LabelsFiltersAndCardinality) {
  Config config = parse_ok(
      "labels:\n"
      "  default: [unit]\n"
      "  execs: [comm, exe]\n"
      "filters:\n"
      "  exclude_self: true\n"
      "  include:\n"
      "    uid: [0, 1000]\n"
      "    comm_regex: [\"^python[0-9.]*$\", \"a{1,2}\", \"x y\"]\n"
      "  exclude:\n"
      "    comm: [sshd, cron]\n"
      "cardinality:\n"
      "  max_series_per_family: 20000\n"
      "  drop_stale_after: 720h\n");
  std::string text = without_section(describe(config), "records");
  EXPECT_EQ(text.substr(text.find("labels.")),
            "labels.execs: comm, exe\n"
            "labels.forks: unit\n"
            "labels.exits: unit\n"
            "labels.lifetime: unit\n"
            "labels.processes: unit\n"
            "labels.cpu: unit\n"
            "labels.peak_rss: unit\n"
            "labels.io: unit\n"
            "labels.page_faults: unit\n"
            "labels.context_switches: unit\n"
            "labels.oom_kills: unit\n"
            "filters.exclude_self: true\n"
            "filters.include.comm_regex: ^python[0-9.]*$, \"a{1,2}\", \"x y\"\n"
            "filters.include.uid: 0, 1000\n"
            "filters.exclude.comm: sshd, cron\n"
            "cardinality.max_series_per_family: 20000\n"
            "cardinality.drop_stale_after: 30d\n"
            "identity.runtime_state.containerd: /run/containerd/io.containerd.runtime.v2.task\n"
            "identity.runtime_state.crio: /run/containers/storage/overlay-containers\n"
            "identity.runtime_state.docker: /var/lib/docker/containers\n"
            "identity.runtime_state.podman: /var/lib/containers/storage/overlay-containers\n"
            "naming.process_exporter_config: \"\"\n"
            "naming.rules: 0\n"
            "naming.unmatched: comm\n"
            "naming.cmdline_max_bytes: 4096\n"
            "command lines: read for exit records only, up to 4096 bytes\n"
            "parent comm: not recorded\n");
}

}  // namespace
}  // namespace execmond::test
