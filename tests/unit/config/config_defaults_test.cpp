// The configuration's defaults: every field compared by operator==, the
// defaults as describe() lists them, and the shipped config/execmond.yaml
// equal to them.
#include "config/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "config/enum_names.h"
#include "config_test_support.h"
#include "label_fixtures.h"

namespace execmond::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Changes one field each: operator== must see every one of them, so none can
// be left out of the comparison.
std::vector<void (*)(Config&)> every_field_changed() {
  return {
      [](Config& c) { c.listen_address = ":1"; },
      [](Config& c) { c.telemetry_path = "/m"; },
      [](Config& c) { c.web_config_file = "/etc/web.yml"; },
      [](Config& c) { c.max_requests = 1; },
      [](Config& c) { c.drain_interval = milliseconds(20); },
      [](Config& c) { c.max_processes = 64; },
      [](Config& c) { c.max_keys = 16; },
      [](Config& c) { c.attach_mode = AttachMode::Tracepoint; },
      [](Config& c) { c.bpf_stats = true; },
      [](Config& c) { c.lifetime_buckets = {1}; },
      [](Config& c) { c.resources = {}; },
      [](Config& c) { c.peak_rss_buckets = {4096}; },
      [](Config& c) { c.log_level = "debug"; },
      [](Config& c) { c.log_target = LogTarget::Journal; },
      [](Config& c) { c.labels.per_family[0] = {LabelSource::Unit}; },
      [](Config& c) { c.include.comm = {"a"}; },
      [](Config& c) { c.exclude.uid = {0}; },
      [](Config& c) { c.exclude_self = true; },
      [](Config& c) { c.max_series_per_family = 1; },
      [](Config& c) { c.drop_stale_after = seconds(60); },
      [](Config& c) { c.runtime_state.containerd = ""; },
      [](Config& c) { c.runtime_state.crio = ""; },
      [](Config& c) { c.runtime_state.docker = ""; },
      [](Config& c) { c.runtime_state.podman = ""; },
      [](Config& c) { c.records.enabled = false; },
      [](Config& c) { c.records.signals = {}; },
      [](Config& c) { c.records.failures_of.comm = {"a"}; },
      [](Config& c) { c.records.failures_of.program = {"a"}; },
      [](Config& c) { c.records.failures_of.unit = {"a.service"}; },
      [](Config& c) { c.records.exits_of.comm = {"a"}; },
      [](Config& c) { c.records.cmdline = false; },
      [](Config& c) { c.records.redact = {"a"}; },
      [](Config& c) { c.records.keep = 1; },
      [](Config& c) { c.records.rate_per_second = 0; },
      [](Config& c) { c.records.burst = 1; },
      [](Config& c) { c.records.program_rate_per_second = 0; },
      [](Config& c) { c.records.program_burst = 1; },
      [](Config& c) { c.records.journal = false; },
      [](Config& c) { c.records.json_file = "-"; },
      [](Config& c) { c.records.kernel_buffer_bytes = 4096; },
  };
}

TEST(ConfigEquality, EveryFieldIsCompared) {
  EXPECT_TRUE(Config() == Config());
  for (auto change : every_field_changed()) {
    Config changed;
    change(changed);
    EXPECT_FALSE(changed == Config()) << describe(changed);
  }
}

// ---- Defaults ---------------------------------------------------------------

TEST(ConfigDefaults, StructDefaults) {
  Config config;
  EXPECT_EQ(config.listen_address, ":9765");
  EXPECT_EQ(config.telemetry_path, "/metrics");
  EXPECT_EQ(config.drain_interval, milliseconds(1000));
  EXPECT_EQ(config.max_processes, 32768u);
  EXPECT_EQ(config.max_keys, 8192u);
  EXPECT_EQ(config.attach_mode, AttachMode::Auto);
  EXPECT_FALSE(config.bpf_stats);
  EXPECT_EQ(config.lifetime_buckets, default_lifetime_buckets());
  EXPECT_EQ(config.log_level, "info");
  EXPECT_EQ(config.log_target, LogTarget::Stderr);
  for (Family family : kFamilies) EXPECT_EQ(config.labels.of(family), Labels{LabelSource::Comm});
  EXPECT_TRUE(config.include.empty());
  EXPECT_TRUE(config.exclude.empty());
  EXPECT_FALSE(config.exclude_self);
  EXPECT_EQ(config.max_series_per_family, 10000u);
  EXPECT_EQ(config.drop_stale_after, seconds(0));
}

TEST(ConfigDefaults, LifetimeBucketsFrom1msTo1DayOnA2Point5Scale) {
  std::vector<double> buckets = default_lifetime_buckets();
  ASSERT_GE(buckets.size(), 20u);
  ASSERT_LE(buckets.size(), 32u);
  EXPECT_EQ(buckets[0], 0.001);
  EXPECT_EQ(buckets[1], 0.0025);
  EXPECT_EQ(buckets[2], 0.00625);
  EXPECT_EQ(buckets[3], 0.0156);  // 0.015625 rounded to 3 significant digits
  EXPECT_EQ(buckets.back(), 86400.0);
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    EXPECT_GT(buckets[i], buckets[i - 1]);
    if (i + 1 < buckets.size()) {  // the last bound is the day, not a ×2.5 step
      EXPECT_NEAR(buckets[i] / buckets[i - 1], 2.5, 0.02) << i;
    }
  }
}

TEST(ConfigDefaults, DescribeListsEveryKey) {
  std::string text = describe(Config());
  EXPECT_EQ(text.substr(0, text.find("metrics.")),
            "web.listen_address: :9765\n"
            "web.telemetry_path: /metrics\n"
            "web.config_file: \"\"\n"
            "web.max_requests: 40\n"
            "tracer.drain_interval: 1s\n"
            "tracer.max_processes: 32768\n"
            "tracer.max_keys: 8192\n"
            "tracer.attach_mode: auto\n"
            "tracer.bpf_stats: false\n");
  EXPECT_NE(text.find("\nmetrics.lifetime_buckets: [0.001, 0.0025, 0.00625, 0.0156, "),
            std::string::npos)
      << text;
  EXPECT_EQ(text.substr(text.find(", 36400, 86400]\n")),
            ", 36400, 86400]\n"
            "metrics.resources: [cpu, memory]\n"
            "metrics.peak_rss_buckets: [1048576, 4194304, 16777216, 67108864, 268435456, "
            "1073741824, 4294967296, 17179869184, 68719476736]\n"
            "log.level: info\n"
            "log.target: stderr\n"
            "labels.execs: comm\n"
            "labels.forks: comm\n"
            "labels.exits: comm\n"
            "labels.lifetime: comm\n"
            "labels.processes: comm\n"
            "labels.cpu: comm\n"
            "labels.peak_rss: comm\n"
            "labels.io: comm\n"
            "labels.page_faults: comm\n"
            "labels.context_switches: comm\n"
            "labels.oom_kills: comm\n"
            "filters.exclude_self: false\n"
            "cardinality.max_series_per_family: 10000\n"
            "cardinality.drop_stale_after: 0s\n"
            "identity.runtime_state.containerd: /run/containerd/io.containerd.runtime.v2.task\n"
            "identity.runtime_state.crio: /run/containers/storage/overlay-containers\n"
            "identity.runtime_state.docker: /var/lib/docker/containers\n"
            "identity.runtime_state.podman: /var/lib/containers/storage/overlay-containers\n"
            "naming.process_exporter_config: \"\"\n"
            "naming.rules: 0\n"
            "naming.unmatched: comm\n"
            "naming.cmdline_max_bytes: 4096\n"
            "records.enabled: true\n"
            "records.signals: [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS]\n"
            "records.cmdline: true\n"
            "records.keep: 1000\n"
            "records.rate_per_second: 20\n"
            "records.burst: 200\n"
            "records.program_rate_per_second: 1\n"
            "records.program_burst: 20\n"
            "records.journal: true\n"
            "records.json_file: \"\"\n"
            "records.kernel_buffer_bytes: 262144\n"
            "command lines: read for exit records only, up to 4096 bytes\n"
            "parent comm: not recorded\n");
}

TEST(ConfigDefaults, EnumNames) {
  EXPECT_EQ(to_string(AttachMode::Auto), "auto");
  EXPECT_EQ(to_string(AttachMode::TpBtf), "tp_btf");
  EXPECT_EQ(to_string(AttachMode::Tracepoint), "tracepoint");
  EXPECT_EQ(to_string(LogTarget::Stderr), "stderr");
  EXPECT_EQ(to_string(LogTarget::Journal), "journal");
  static_assert(std::size(kDocumentedLabelNames) == std::size(kLabelSourceNames));
  for (const auto& [source, name] : kDocumentedLabelNames) {
    EXPECT_EQ(to_string(source), name);
    EXPECT_EQ(label_name(source), name);
  }
  EXPECT_EQ(to_string(Family::Execs), "execs");
  EXPECT_EQ(to_string(Family::Forks), "forks");
  EXPECT_EQ(to_string(Family::Exits), "exits");
  EXPECT_EQ(to_string(Family::Lifetime), "lifetime");
  EXPECT_EQ(to_string(Family::Processes), "processes");
}

// The shipped, commented config documents the defaults: it must parse to them.
TEST(ConfigDefaults, ShippedConfigFileEqualsDefaults) {
  Result<Config> result =
      load_config_file(std::string(EXECMOND_SOURCE_DIR) + "/config/execmond.yaml");
  ASSERT_TRUE(result) << result.error().message;
  expect_same(*result, Config());
}

}  // namespace
}  // namespace execmond::test
