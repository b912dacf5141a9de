// Valid files for web, tracer, metrics and log; durations; lifetime buckets
// with the exact message for each invalid list.
#include "config/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "config_test_support.h"

namespace execmond::test {
namespace {

using std::chrono::milliseconds;

// ---- Valid files ------------------------------------------------------------

TEST(ConfigParse, EmptyAndCommentOnlyFilesMeanDefaults) {
  expect_same(parse_ok(""), Config());
  expect_same(parse_ok("# nothing here\n   \n# at all\n"), Config());
  expect_same(parse_ok("---\n"), Config());
  expect_same(parse_ok("web:\ntracer:\nmetrics:\nlog:\n"), Config());
  expect_same(parse_ok("labels:\nfilters:\n  include:\n  exclude:\ncardinality:\n"), Config());
}

TEST(ConfigParse, FullConfig) {
  Config config = parse_ok(
      "web:\n"
      "  listen_address: \"127.0.0.1:9100\"\n"
      "  telemetry_path: /exec/metrics\n"
      "tracer:\n"
      "  drain_interval: 250ms\n"
      "  max_processes: 64\n"
      "  max_keys: 1048576\n"
      "  attach_mode: tracepoint\n"
      "  bpf_stats: true\n"
      "metrics:\n"
      "  lifetime_buckets: [0.5, 1, 60]\n"
      "log:\n"
      "  level: debug\n"
      "  target: journal\n");
  EXPECT_EQ(config.listen_address, "127.0.0.1:9100");
  EXPECT_EQ(config.telemetry_path, "/exec/metrics");
  EXPECT_EQ(config.drain_interval, milliseconds(250));
  EXPECT_EQ(config.max_processes, 64u);
  EXPECT_EQ(config.max_keys, 1048576u);
  EXPECT_EQ(config.attach_mode, AttachMode::Tracepoint);
  EXPECT_TRUE(config.bpf_stats);
  EXPECT_EQ(config.lifetime_buckets, (std::vector<double>{0.5, 1, 60}));
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.log_target, LogTarget::Journal);
}

TEST(ConfigParse, PartialConfigKeepsOtherDefaults) {
  Config config = parse_ok("tracer:\n  attach_mode: tp_btf\n");
  Config expected;
  expected.attach_mode = AttachMode::TpBtf;
  expect_same(config, expected);
}

TEST(ConfigParse, BlockListOfBuckets) {
  Config config = parse_ok("metrics:\n  lifetime_buckets:\n    - 1e-3\n    - 0.1\n    - 10\n");
  EXPECT_EQ(config.lifetime_buckets, (std::vector<double>{0.001, 0.1, 10}));
}

TEST(ConfigParse, ListenAddressForms) {
  for (const char* address : {":9765", ":0", ":65535", "localhost:80", "0.0.0.0:9765", "[::1]:9765",
                              "[::]:1", "[fe80::1%eth0]:9765"}) {
    Config config = parse_ok(std::string("web:\n  listen_address: \"") + address + "\"\n");
    EXPECT_EQ(config.listen_address, address);
  }
}

TEST(ConfigParse, BooleanSpellings) {
  EXPECT_TRUE(parse_ok("tracer:\n  bpf_stats: True\n").bpf_stats);
  EXPECT_FALSE(parse_ok("tracer:\n  bpf_stats: FALSE\n").bpf_stats);
}

// ---- Durations --------------------------------------------------------------

TEST(ConfigDuration, ValidDurations) {
  const std::pair<const char*, long> cases[] = {
      {"10ms", 10},     {"500ms", 500},    {"1s", 1000},   {"2m", 120000},     {"1h", 3600000},
      {"1m30s", 90000}, {"1s500ms", 1500}, {"90s", 90000}, {"3600s", 3600000}, {"0h0m1s", 1000},
  };
  for (const auto& [text, ms] : cases) {
    Config config;
    EXPECT_TRUE(set_setting(config, "tracer.drain_interval", text).ok()) << text;
    EXPECT_EQ(config.drain_interval, milliseconds(ms)) << text;
  }
}

TEST(ConfigDuration, NotADuration) {
  for (const char* text : {"5x", "1", "1.5s", "s", "-1s", "1s1m", "1m1m", "", "1 s", "1S", "1sms",
                           "1000000000000000mx", "1d"}) {
    Config config;
    EXPECT_EQ(set_setting(config, "tracer.drain_interval", text).error().message,
              "\"" + std::string(text) +
                  "\" is not a duration; use a number with a unit: ms, s, m or h (e.g. 500ms, 1s)")
        << text;
    EXPECT_EQ(config.drain_interval, milliseconds(1000));
  }
}

TEST(ConfigDuration, OutOfRange) {
  for (const char* text : {"0", "9ms", "1h1ms", "2h", "1000000000000000ms"}) {
    Config config;
    EXPECT_EQ(set_setting(config, "tracer.drain_interval", text).error().message,
              "\"" + std::string(text) + "\" is out of range; use a duration from 10ms to 1h");
  }
}

TEST(ConfigDuration, DescribedCompactly) {
  Config config;
  for (const auto& [ms, text] : std::vector<std::pair<long, std::string>>{
           {250, "250ms"}, {1000, "1s"}, {90000, "1m30s"}, {3600000, "1h"}, {1500, "1s500ms"}}) {
    config.drain_interval = milliseconds(ms);
    EXPECT_NE(describe(config).find("tracer.drain_interval: " + text + "\n"), std::string::npos);
  }
}

// ---- Buckets ----------------------------------------------------------------

std::string bucket_error(const std::string& list) {
  return parse_error("metrics:\n  lifetime_buckets: " + list + "\n");
}

constexpr const char* kBucketsAllowed =
    "; use a list of 1 to 32 strictly ascending numbers of seconds, each > 0 and at most 1e9 "
    "(e.g. [0.001, 0.01, 0.1, 1])";

TEST(ConfigBuckets, Valid) {
  EXPECT_EQ(parse_ok("metrics:\n  lifetime_buckets: [42]\n").lifetime_buckets,
            std::vector<double>{42});
  std::string many = "[1";
  for (int i = 2; i <= 32; ++i) many += ", " + std::to_string(i);
  EXPECT_EQ(parse_ok("metrics:\n  lifetime_buckets: " + many + "]\n").lifetime_buckets.size(), 32u);
}

TEST(ConfigBuckets, Invalid) {
  std::string too_many = "[1";
  for (int i = 2; i <= 33; ++i) too_many += ", " + std::to_string(i);
  too_many += "]";
  const std::pair<std::string, std::string> cases[] = {
      {"[]", "metrics.lifetime_buckets: has 0 entries"},
      {too_many, "metrics.lifetime_buckets: has 33 entries"},
      {"[1, 2, 2]", "metrics.lifetime_buckets[2]: 2 is not greater than the bound before it (2)"},
      {"[1, 0.5]", "metrics.lifetime_buckets[1]: 0.5 is not greater than the bound before it (1)"},
      {"[0, 1]", "metrics.lifetime_buckets[0]: 0 is out of range"},
      {"[-1]", "metrics.lifetime_buckets[0]: -1 is out of range"},
      {"[2e9]", "metrics.lifetime_buckets[0]: 2e9 is out of range"},
      {"[1, .inf]", "metrics.lifetime_buckets[1]: \".inf\" is not a number"},
      {"[inf]", "metrics.lifetime_buckets[0]: \"inf\" is not a number"},
      {"[nan]", "metrics.lifetime_buckets[0]: \"nan\" is not a number"},
      {"[1s]", "metrics.lifetime_buckets[0]: \"1s\" is not a number"},
  };
  for (const auto& [list, message] : cases) {
    EXPECT_EQ(bucket_error(list), "test.yaml:2: " + message + kBucketsAllowed) << list;
  }
}

TEST(ConfigBuckets, ErrorPointsAtTheItemLine) {
  EXPECT_EQ(parse_error("metrics:\n  lifetime_buckets:\n    - 1\n    - 3\n    - 2\n"),
            std::string("test.yaml:5: metrics.lifetime_buckets[2]: 2 is not greater than the "
                        "bound before it (3)") +
                kBucketsAllowed);
}

}  // namespace
}  // namespace execmond::test
