// Config parsing: valid files, every kind of invalid value with its exact
// one-line message, the shipped config/execmond.yaml equal to defaults, and
// the example files in config/examples/ valid.
#include "config/config.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/regex.h"
#include "temp_file.h"

namespace execmond {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using test::TempFile;

// Parses text that must be valid.
Config parse_ok(const std::string& text) {
  Result<Config> result = parse_config(text, "test.yaml");
  EXPECT_TRUE(result) << result.error().message;
  return result ? *result : Config();
}

// Parses text that must be invalid and returns the message.
std::string parse_error(const std::string& text) {
  Result<Config> result = parse_config(text, "test.yaml");
  EXPECT_FALSE(result) << "accepted:\n" << text;
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << result.error().message;
  return result.error().message;
}

// Config's operator== compares every field; describe() shows where two differ.
void expect_same(const Config& a, const Config& b) {
  EXPECT_TRUE(a == b) << describe(a) << "--- differs from ---\n" << describe(b);
}

using Labels = std::vector<LabelSource>;
constexpr Family kFamilies[] = {Family::Execs,           Family::Forks,     Family::Exits,
                                Family::Lifetime,        Family::Processes, Family::Cpu,
                                Family::PeakRss,         Family::Io,        Family::PageFaults,
                                Family::ContextSwitches, Family::OomKills};
static_assert(std::size(kFamilies) == kFamilyCount);

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
            "identity.runtime_state.podman: /var/lib/containers/storage/overlay-containers\n");
}

TEST(ConfigDefaults, EnumNames) {
  EXPECT_EQ(to_string(AttachMode::Auto), "auto");
  EXPECT_EQ(to_string(AttachMode::TpBtf), "tp_btf");
  EXPECT_EQ(to_string(AttachMode::Tracepoint), "tracepoint");
  EXPECT_EQ(to_string(LogTarget::Stderr), "stderr");
  EXPECT_EQ(to_string(LogTarget::Journal), "journal");
  const std::pair<LabelSource, const char*> sources[] = {{LabelSource::Comm, "comm"},
                                                         {LabelSource::Exe, "exe"},
                                                         {LabelSource::Unit, "unit"},
                                                         {LabelSource::Cgroup, "cgroup"},
                                                         {LabelSource::ContainerId, "container_id"},
                                                         {LabelSource::Uid, "uid"},
                                                         {LabelSource::User, "user"},
                                                         {LabelSource::PodUid, "pod_uid"},
                                                         {LabelSource::Pod, "pod"},
                                                         {LabelSource::Namespace, "namespace"},
                                                         {LabelSource::Container, "container"}};
  for (const auto& [source, name] : sources) {
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

// ---- Invalid values: exact messages -----------------------------------------

struct BadValue {
  const char* yaml;
  const char* message;
};

TEST(ConfigErrors, InvalidValues) {
  const BadValue cases[] = {
      {"web:\n  listen_address: \":abc\"\n",
       "test.yaml:2: web.listen_address: \":abc\" is not host:port; use host:port, [ipv6]:port "
       "or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \"9765\"\n",
       "test.yaml:2: web.listen_address: \"9765\" is not host:port; use host:port, [ipv6]:port "
       "or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \"::1:80\"\n",
       "test.yaml:2: web.listen_address: \"::1:80\" is not host:port; use host:port, "
       "[ipv6]:port or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \"host:\"\n",
       "test.yaml:2: web.listen_address: \"host:\" is not host:port; use host:port, [ipv6]:port "
       "or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \":65536\"\n",
       "test.yaml:2: web.listen_address: \":65536\" has port 65536, out of range; use "
       "host:port, [ipv6]:port or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  telemetry_path: metrics\n",
       "test.yaml:2: web.telemetry_path: \"metrics\" does not start with \"/\"; use a path that "
       "starts with \"/\", is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {"web:\n  telemetry_path: /\n",
       "test.yaml:2: web.telemetry_path: \"/\" alone is not allowed; use a path that starts "
       "with \"/\", is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {"web:\n  telemetry_path: /my metrics\n",
       "test.yaml:2: web.telemetry_path: \"/my metrics\" has spaces; use a path that starts "
       "with \"/\", is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {"\n\ntracer:\n  max_processes: 10\n",
       "test.yaml:4: tracer.max_processes: \"10\" is out of range; use an integer from 64 to "
       "4194304"},
      {"tracer:\n  max_processes: 4194305\n",
       "test.yaml:2: tracer.max_processes: \"4194305\" is out of range; use an integer from 64 "
       "to 4194304"},
      {"tracer:\n  max_processes: 99999999999999999999999\n",
       "test.yaml:2: tracer.max_processes: \"99999999999999999999999\" is out of range; use an "
       "integer from 64 to 4194304"},
      {"tracer:\n  max_processes: 1e6\n",
       "test.yaml:2: tracer.max_processes: \"1e6\" is not an integer; use an integer from 64 to "
       "4194304"},
      {"tracer:\n  max_keys: -20\n",
       "test.yaml:2: tracer.max_keys: \"-20\" is not an integer; use an integer from 16 to "
       "1048576"},
      {"tracer:\n  max_keys: 15\n",
       "test.yaml:2: tracer.max_keys: \"15\" is out of range; use an integer from 16 to 1048576"},
      {"tracer:\n  attach_mode: kprobe\n",
       "test.yaml:2: tracer.attach_mode: \"kprobe\" is not an attach mode; use auto, tp_btf or "
       "tracepoint"},
      {"tracer:\n  bpf_stats: yes\n",
       "test.yaml:2: tracer.bpf_stats: \"yes\" is not a boolean; use true or false"},
      {"tracer:\n  drain_interval: 5x\n",
       "test.yaml:2: tracer.drain_interval: \"5x\" is not a duration; use a number with a unit: "
       "ms, s, m or h (e.g. 500ms, 1s)"},
      {"log:\n  level: verbose\n",
       "test.yaml:2: log.level: \"verbose\" is not a log level; use trace, debug, info, warn, "
       "error or off"},
      {"log:\n  target: syslog\n",
       "test.yaml:2: log.target: \"syslog\" is not a log target; use stderr or journal"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

TEST(ConfigErrors, ValueIsEscapedToStayOnOneLine) {
  EXPECT_EQ(parse_error("log:\n  level: |\n    two\n    lines\n"),
            "test.yaml:2: log.level: \"two\\x0alines\\x0a\" is not a log level; use trace, debug, "
            "info, warn, error or off");
}

TEST(ConfigErrors, MissingValues) {
  EXPECT_EQ(parse_error("web:\n  listen_address:\n"),
            "test.yaml:2: web.listen_address: no value; use host:port, [ipv6]:port or :port with "
            "a port from 0 to 65535 (e.g. :9765)");
  EXPECT_EQ(parse_error("log:\n  level: ~\n"),
            "test.yaml:2: log.level: no value; use trace, debug, info, warn, error or off");
  EXPECT_EQ(parse_error("web:\n  listen_address: \"\"\n"),
            "test.yaml:2: web.listen_address: \"\" is not host:port; use host:port, [ipv6]:port "
            "or :port with a port from 0 to 65535 (e.g. :9765)");
}

TEST(ConfigErrors, WrongNodeTypes) {
  const BadValue cases[] = {
      {"- web\n",
       "test.yaml:1: top level: expected a map of sections, found a list; allowed keys at the "
       "top level: web, tracer, metrics, log, labels, filters, cardinality, identity"},
      {"just text\n",
       "test.yaml:1: top level: expected a map of sections, found a single value \"just "
       "text\"; allowed keys at the top level: web, tracer, metrics, log, labels, filters, "
       "cardinality, identity"},
      {"web: 9765\n",
       "test.yaml:1: web: expected a map, found a single value \"9765\"; allowed keys under "
       "web: listen_address, telemetry_path, config_file, max_requests"},
      {"tracer:\n  - max_keys\n",
       "test.yaml:2: tracer: expected a map, found a list; allowed keys under tracer: "
       "drain_interval, max_processes, max_keys, attach_mode, bpf_stats"},
      {"tracer:\n  max_keys:\n    value: 100\n",
       "test.yaml:3: tracer.max_keys: expected a single value, found a map; use an integer "
       "from 16 to 1048576"},
      {"log:\n  level: [info]\n",
       "test.yaml:2: log.level: expected a single value, found a list; use trace, debug, info, "
       "warn, error or off"},
      {"metrics:\n  lifetime_buckets: 1\n",
       "test.yaml:2: metrics.lifetime_buckets: expected a list, found a single value \"1\"; use "
       "a list of 1 to 32 strictly ascending numbers of seconds, each > 0 and at most 1e9 "
       "(e.g. [0.001, 0.01, 0.1, 1])"},
      {"metrics:\n  lifetime_buckets:\n",
       "test.yaml:2: metrics.lifetime_buckets: no value; use a list of 1 to 32 strictly "
       "ascending numbers of seconds, each > 0 and at most 1e9 (e.g. [0.001, 0.01, 0.1, 1])"},
      {"metrics:\n  lifetime_buckets:\n    - 1\n    - [2]\n",
       "test.yaml:4: metrics.lifetime_buckets[1]: expected a number, found a list; use a list "
       "of 1 to 32 strictly ascending numbers of seconds, each > 0 and at most 1e9 (e.g. "
       "[0.001, 0.01, 0.1, 1])"},
      {"web:\n  [a]: 1\n",
       "test.yaml:2: web: a key is a list, not a name; allowed keys under web: listen_address, "
       "telemetry_path, config_file, max_requests"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

// ---- Unknown and repeated keys ----------------------------------------------

TEST(ConfigErrors, UnknownKeysAtEveryLevel) {
  const BadValue cases[] = {
      {"webb:\n  listen_address: :1\n",
       "test.yaml:1: webb: unknown key; allowed keys at the top level: web, tracer, metrics, "
       "log, labels, filters, cardinality, identity"},
      {"web:\n  telemetry_path: /m\n  listen_adress: :1\n",
       "test.yaml:3: web.listen_adress: unknown key; allowed keys under web: listen_address, "
       "telemetry_path, config_file, max_requests"},
      {"tracer:\n  max_procs: 100\n",
       "test.yaml:2: tracer.max_procs: unknown key; allowed keys under tracer: drain_interval, "
       "max_processes, max_keys, attach_mode, bpf_stats"},
      {"metrics:\n  buckets: [1]\n",
       "test.yaml:2: metrics.buckets: unknown key; allowed keys under metrics: "
       "lifetime_buckets, resources, peak_rss_buckets"},
      {"log:\n  lvl: info\n",
       "test.yaml:2: log.lvl: unknown key; allowed keys under log: level, target"},
      {"log:\n  \"a b\": 1\n",
       "test.yaml:2: \"log.a b\": unknown key; allowed keys under log: level, target"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

TEST(ConfigErrors, RepeatedKeys) {
  EXPECT_EQ(parse_error("log:\n  level: info\n  level: debug\n"),
            "test.yaml:3: log.level: duplicate key; give each key once");
  EXPECT_EQ(parse_error("log:\n  level: info\nlog:\n  target: stderr\n"),
            "test.yaml:3: log: duplicate key; give each key once");
}

TEST(ConfigErrors, SecondDocument) {
  EXPECT_EQ(parse_error("log:\n  level: info\n---\nlog:\n  level: debug\n"),
            "test.yaml:4: top level: a second YAML document; put all settings in one document");
}

// ---- YAML syntax and files --------------------------------------------------

TEST(ConfigErrors, SyntaxError) {
  EXPECT_EQ(parse_error("web:\n  listen_address: [1, 2\nlog:\n"),
            "test.yaml:3: YAML syntax error: end of sequence flow not found");
  std::string error = parse_error("log:\n  level: info\n target: stderr\n");
  EXPECT_EQ(error.rfind("test.yaml:3: YAML syntax error: ", 0), 0u) << error;
}

TEST(ConfigFile, LoadsAFile) {
  TempFile file("tracer:\n  max_keys: 100\n");
  Result<Config> result = load_config_file(file.path());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->max_keys, 100u);
}

TEST(ConfigFile, ErrorsNameTheFile) {
  TempFile file("# execmond\n\nlog:\n  level: loud\n");
  Result<Config> result = load_config_file(file.path());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            file.path() +
                ":4: log.level: \"loud\" is not a log level; use trace, debug, "
                "info, warn, error or off");
}

TEST(ConfigFile, EmptyFileMeansDefaults) {
  TempFile file("");
  Result<Config> result = load_config_file(file.path());
  ASSERT_TRUE(result) << result.error().message;
  expect_same(*result, Config());
}

TEST(ConfigFile, MissingFile) {
  Result<Config> result = load_config_file("/nonexistent/execmond.yaml");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "cannot open /nonexistent/execmond.yaml: No such file or directory; name a readable "
            "config file with --config.file");
}

TEST(ConfigFile, ADeviceStopsAtTheSizeCap) {
  Result<Config> result = load_config_file("/dev/zero");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "cannot read /dev/zero: larger than 1 MiB; name a readable config file with "
            "--config.file");
}

TEST(ConfigFile, DirectoryIsNotAFile) {
  Result<Config> result = load_config_file("/tmp");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "cannot read /tmp: Is a directory; name a readable config file with --config.file");
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

// ---- Labels -----------------------------------------------------------------

constexpr const char* kLabelsAllowed =
    "; use a list of 1 to 11 of comm, exe, unit, cgroup, container_id, uid, user, pod_uid, pod, "
    "namespace and container, each at most "
    "once (e.g. [comm, unit])";

TEST(ConfigLabels, DefaultAppliesToEveryFamily) {
  Config config = parse_ok("labels:\n  default: [user, comm]\n");
  for (Family family : kFamilies) {
    EXPECT_EQ(config.labels.of(family), (Labels{LabelSource::User, LabelSource::Comm}))
        << to_string(family);
  }
}

TEST(ConfigLabels, FamilyListReplacesDefaultWhereverItStands) {
  for (const char* yaml : {"labels:\n  default: [unit]\n  execs: [comm, exe]\n",
                           "labels:\n  execs: [comm, exe]\n  default: [unit]\n"}) {
    Config config = parse_ok(yaml);
    EXPECT_EQ(config.labels.of(Family::Execs), (Labels{LabelSource::Comm, LabelSource::Exe}));
    for (Family family : {Family::Forks, Family::Exits, Family::Lifetime, Family::Processes}) {
      EXPECT_EQ(config.labels.of(family), Labels{LabelSource::Unit}) << yaml;
    }
  }
}

TEST(ConfigLabels, FamilyListWithoutDefaultKeepsCommElsewhere) {
  Config config = parse_ok("labels:\n  processes: [unit]\n  exits: [cgroup, uid]\n");
  EXPECT_EQ(config.labels.of(Family::Processes), Labels{LabelSource::Unit});
  EXPECT_EQ(config.labels.of(Family::Exits), (Labels{LabelSource::Cgroup, LabelSource::Uid}));
  for (Family family : {Family::Execs, Family::Forks, Family::Lifetime}) {
    EXPECT_EQ(config.labels.of(family), Labels{LabelSource::Comm});
  }
}

TEST(ConfigLabels, AllSevenInTheOrderGiven) {
  Config config = parse_ok(
      "labels:\n  lifetime:\n    - user\n    - uid\n    - container_id\n    - cgroup\n"
      "    - unit\n    - exe\n    - comm\n");
  EXPECT_EQ(config.labels.of(Family::Lifetime),
            (Labels{LabelSource::User, LabelSource::Uid, LabelSource::ContainerId,
                    LabelSource::Cgroup, LabelSource::Unit, LabelSource::Exe, LabelSource::Comm}));
}

TEST(ConfigLabels, Uses) {
  LabelConfig labels;
  EXPECT_TRUE(labels.uses(LabelSource::Comm));
  EXPECT_FALSE(labels.uses(LabelSource::Unit));
  labels.per_family[static_cast<std::size_t>(Family::Forks)] = {LabelSource::Unit};
  EXPECT_TRUE(labels.uses(LabelSource::Unit));
  EXPECT_TRUE(labels.uses(LabelSource::Comm));  // the other families still have it
  EXPECT_FALSE(labels.uses(LabelSource::User));
  for (auto& list : labels.per_family) list = {LabelSource::Exe};
  EXPECT_FALSE(labels.uses(LabelSource::Comm));
}

TEST(ConfigLabels, Invalid) {
  const std::pair<std::string, std::string> cases[] = {
      {"labels:\n  execs: [comm, pid]\n",
       "test.yaml:2: labels.execs[1]: \"pid\" is not a label name"},
      {"labels:\n  default: [Comm]\n",
       "test.yaml:2: labels.default[0]: \"Comm\" is not a label name"},
      {"labels:\n  default: [\"\"]\n", "test.yaml:2: labels.default[0]: \"\" is not a label name"},
      {"labels:\n  forks: [comm, unit, comm]\n",
       "test.yaml:2: labels.forks[2]: \"comm\" is given twice"},
      {"labels:\n  exits: []\n", "test.yaml:2: labels.exits: has 0 entries"},
      {"labels:\n  default: []\n", "test.yaml:2: labels.default: has 0 entries"},
      {"labels:\n  processes: [comm, exe, unit, cgroup, container_id, uid, user, pod_uid, pod, "
       "namespace, container, comm]\n",
       "test.yaml:2: labels.processes: has 12 entries"},
      {"labels:\n  lifetime: comm\n",
       "test.yaml:2: labels.lifetime: expected a list, found a single value \"comm\""},
      {"labels:\n  lifetime:\n", "test.yaml:2: labels.lifetime: no value"},
      {"labels:\n  execs: {comm: 1}\n", "test.yaml:2: labels.execs: expected a list, found a map"},
      {"labels:\n  execs:\n    - comm\n    - [exe]\n",
       "test.yaml:4: labels.execs[1]: expected a label name, found a list"},
  };
  for (const auto& [yaml, message] : cases) {
    EXPECT_EQ(parse_error(yaml), message + kLabelsAllowed) << yaml;
  }
}

TEST(ConfigLabels, ErrorPointsAtTheItemLine) {
  EXPECT_EQ(parse_error("labels:\n  execs:\n    - comm\n    - exe\n    - comm\n"),
            std::string("test.yaml:5: labels.execs[2]: \"comm\" is given twice") + kLabelsAllowed);
}

TEST(ConfigLabels, UnknownKeysAndShapes) {
  const BadValue cases[] = {
      {"labels:\n  fork: [comm]\n",
       "test.yaml:2: labels.fork: unknown key; allowed keys under labels: default, execs, forks, "
       "exits, lifetime, processes, cpu, peak_rss, io, page_faults, context_switches, oom_kills"},
      {"labels:\n  execs: [comm]\n  execs: [exe]\n",
       "test.yaml:3: labels.execs: duplicate key; give each key once"},
      {"labels: [comm]\n",
       "test.yaml:1: labels: expected a map, found a list; allowed keys under labels: default, "
       "execs, forks, exits, lifetime, processes, cpu, peak_rss, io, page_faults, "
       "context_switches, oom_kills"},
      {"labels: comm\n",
       "test.yaml:1: labels: expected a map, found a single value \"comm\"; allowed keys under "
       "labels: default, execs, forks, exits, lifetime, processes, cpu, peak_rss, io, "
       "page_faults, context_switches, oom_kills"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

// ---- Filters ----------------------------------------------------------------

TEST(ConfigFilters, EveryKeyOnBothSides) {
  Config config = parse_ok(
      "filters:\n"
      "  exclude_self: true\n"
      "  include:\n"
      "    comm: [nginx, php-fpm, 123456789012345]\n"
      "    comm_regex: [\"^python[0-9.]*$\"]\n"
      "    exe: [/usr/bin/python3.11]\n"
      "    exe_regex: [\"^/usr/lib/.*\"]\n"
      "    unit: [cron.service, \"user@1000.service\"]\n"
      "    cgroup_prefix: [/system.slice/, /]\n"
      "    uid: [0, 1000, 4294967294]\n"
      "  exclude:\n"
      "    comm: [sshd]\n"
      "    comm_regex: [\"kworker/.*\"]\n"
      "    exe: [/usr/sbin/cron]\n"
      "    exe_regex: [\".*/bash\"]\n"
      "    unit: [session-1.scope]\n"
      "    cgroup_prefix: [/user.slice/user-0.slice]\n"
      "    uid: [65534]\n");
  EXPECT_TRUE(config.exclude_self);
  FilterRules include;
  include.comm = {"nginx", "php-fpm", "123456789012345"};
  include.comm_regex = {"^python[0-9.]*$"};
  include.exe = {"/usr/bin/python3.11"};
  include.exe_regex = {"^/usr/lib/.*"};
  include.unit = {"cron.service", "user@1000.service"};
  include.cgroup_prefix = {"/system.slice/", "/"};
  include.uid = {0, 1000, 4294967294u};
  EXPECT_EQ(config.include, include);
  FilterRules exclude;
  exclude.comm = {"sshd"};
  exclude.comm_regex = {"kworker/.*"};
  exclude.exe = {"/usr/sbin/cron"};
  exclude.exe_regex = {".*/bash"};
  exclude.unit = {"session-1.scope"};
  exclude.cgroup_prefix = {"/user.slice/user-0.slice"};
  exclude.uid = {65534};
  EXPECT_EQ(config.exclude, exclude);
  // Labels and cardinality are untouched.
  expect_same(config, [&] {
    Config expected;
    expected.exclude_self = true;
    expected.include = include;
    expected.exclude = exclude;
    return expected;
  }());
}

TEST(ConfigFilters, EmptyListsAndMapsMatchNothing) {
  Config config = parse_ok(
      "filters:\n  include:\n    comm: []\n    uid: []\n  exclude: {}\n  exclude_self: false\n");
  EXPECT_TRUE(config.include.empty());
  EXPECT_TRUE(config.exclude.empty());
  EXPECT_FALSE(config.exclude_self);
}

TEST(ConfigFilters, Empty) {
  FilterRules rules;
  EXPECT_TRUE(rules.empty());
  using Fill = void (*)(FilterRules&);
  for (Fill fill :
       {+[](FilterRules& r) { r.comm = {"a"}; }, +[](FilterRules& r) { r.comm_regex = {"a"}; },
        +[](FilterRules& r) { r.exe = {"/a"}; }, +[](FilterRules& r) { r.exe_regex = {"a"}; },
        +[](FilterRules& r) { r.unit = {"a.service"}; },
        +[](FilterRules& r) { r.cgroup_prefix = {"/"}; }, +[](FilterRules& r) { r.uid = {0}; }}) {
    FilterRules filled;
    fill(filled);
    EXPECT_FALSE(filled.empty());
  }
}

// What RE2 says about a pattern it refuses; the message quotes it, and its
// wording is RE2's, not ours.
std::string regex_what(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMem);
  RE2 compiled(pattern, options);
  EXPECT_FALSE(compiled.ok()) << pattern << " compiles";
  return compiled.error();
}

std::string filter_error(const std::string& side, const std::string& key, const std::string& list) {
  return parse_error("filters:\n  " + side + ":\n    " + key + ": " + list + "\n");
}

TEST(ConfigFilters, InvalidItems) {
  constexpr const char* kComm =
      "; use command names of 1 to 15 bytes, as the kernel keeps them (e.g. [nginx, sshd])";
  constexpr const char* kCommRegex = "; use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$";
  constexpr const char* kExe =
      "; use absolute paths without empty, \".\" or \"..\" parts, as the kernel reports them "
      "(e.g. [/usr/bin/python3.11])";
  constexpr const char* kExeRegex =
      "; use up to 64 patterns in RE2 syntax that match the whole path, e.g. ^/usr/lib/.*$";
  constexpr const char* kUnit =
      "; use systemd unit names without \"/\" (e.g. [cron.service, session-1.scope])";
  constexpr const char* kCgroup =
      "; use cgroup path prefixes that start with \"/\" (e.g. [/system.slice/])";
  constexpr const char* kUid = "; use integers from 0 to 4294967294 (e.g. [0, 1000])";
  struct Case {
    const char* key;
    std::string list;
    std::string message;
    const char* allowed;
  };
  const Case cases[] = {
      {"comm", "[nginx, 1234567890123456]", "comm[1]: \"1234567890123456\" is 16 bytes long",
       kComm},
      {"comm", "[\"\"]", "comm[0]: \"\" is empty", kComm},
      {"comm", "[\"a\\0b\"]", "comm[0]: \"a\\x00b\" has a NUL byte", kComm},
      {"comm_regex", "[\"(\"]",
       "comm_regex[0]: \"(\" is not a valid regular expression (" + regex_what("(") + ")",
       kCommRegex},
      {"comm_regex", "[ok, \"[a-\"]",
       "comm_regex[1]: \"[a-\" is not a valid regular expression (" + regex_what("[a-") + ")",
       kCommRegex},
      {"comm_regex", "[\"\"]", "comm_regex[0]: \"\" is empty", kCommRegex},
      {"comm_regex", "[\"(a)\\\\1\"]",
       "comm_regex[0]: \"(a)\\\\1\" is not a valid regular expression (invalid escape sequence: "
       "\\1: RE2 has no backreferences)",
       kCommRegex},
      {"exe_regex", "[\"/usr/(?!lib)\"]",
       "exe_regex[0]: \"/usr/(?!lib)\" is not a valid regular expression (invalid perl operator: "
       "(?!: RE2 has no lookahead or lookbehind)",
       kExeRegex},
      {"exe_regex", "[\"a{2,1}\"]",
       "exe_regex[0]: \"a{2,1}\" is not a valid regular expression (" + regex_what("a{2,1}") + ")",
       kExeRegex},
      {"exe", "[python3]", "exe[0]: \"python3\" is not an absolute path", kExe},
      {"exe", "[\"\"]", "exe[0]: \"\" is not an absolute path", kExe},
      {"exe", "[/usr/bin/]", "exe[0]: \"/usr/bin/\" has an empty, \".\" or \"..\" part", kExe},
      {"exe", "[/usr//bin/x]", "exe[0]: \"/usr//bin/x\" has an empty, \".\" or \"..\" part", kExe},
      {"exe", "[/usr/bin/../x]", "exe[0]: \"/usr/bin/../x\" has an empty, \".\" or \"..\" part",
       kExe},
      {"exe", "[/./x]", "exe[0]: \"/./x\" has an empty, \".\" or \"..\" part", kExe},
      {"exe", "[/]", "exe[0]: \"/\" has an empty, \".\" or \"..\" part", kExe},
      {"unit", "[system.slice/cron.service]", "unit[0]: \"system.slice/cron.service\" has a \"/\"",
       kUnit},
      {"unit", "[\"\"]", "unit[0]: \"\" is empty", kUnit},
      {"cgroup_prefix", "[system.slice]",
       "cgroup_prefix[0]: \"system.slice\" does not start "
       "with \"/\"",
       kCgroup},
      {"cgroup_prefix", "[\"\"]", "cgroup_prefix[0]: \"\" does not start with \"/\"", kCgroup},
      {"uid", "[4294967295]", "uid[0]: \"4294967295\" is out of range", kUid},
      {"uid", "[0, 99999999999999999999999]", "uid[1]: \"99999999999999999999999\" is out of range",
       kUid},
      {"uid", "[-1]", "uid[0]: \"-1\" is not an integer", kUid},
      {"uid", "[root]", "uid[0]: \"root\" is not an integer", kUid},
      {"uid", "[1e3]", "uid[0]: \"1e3\" is not an integer", kUid},
  };
  for (const Case& c : cases) {
    for (std::string side : {"include", "exclude"}) {
      EXPECT_EQ(filter_error(side, c.key, c.list),
                "test.yaml:3: filters." + side + "." + c.message + c.allowed)
          << side << "." << c.key << ": " << c.list;
    }
  }
}

TEST(ConfigFilters, ErrorPointsAtTheItemLine) {
  EXPECT_EQ(
      parse_error("filters:\n  exclude:\n    comm_regex:\n      - ok\n      - \"(\"\n"),
      "test.yaml:5: filters.exclude.comm_regex[1]: \"(\" is not a valid regular expression (" +
          regex_what("(") + "); use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$");
}

TEST(ConfigFilters, WrongShapesAndKeys) {
  const BadValue cases[] = {
      {"filters:\n  exclude_self: yes\n",
       "test.yaml:2: filters.exclude_self: \"yes\" is not a boolean; use true or false"},
      {"filters:\n  exclude_self: [true]\n",
       "test.yaml:2: filters.exclude_self: expected a single value, found a list; use true or "
       "false"},
      {"filters: [comm]\n",
       "test.yaml:1: filters: expected a map, found a list; allowed keys under filters: "
       "exclude_self, include, exclude"},
      {"filters:\n  include: [nginx]\n",
       "test.yaml:2: filters.include: expected a map, found a list; allowed keys under "
       "filters.include: comm, comm_regex, exe, exe_regex, unit, cgroup_prefix, uid"},
      {"filters:\n  exclude:\n    comm: sshd\n",
       "test.yaml:3: filters.exclude.comm: expected a list, found a single value \"sshd\"; use "
       "command names of 1 to 15 bytes, as the kernel keeps them (e.g. [nginx, sshd])"},
      {"filters:\n  exclude:\n    uid:\n",
       "test.yaml:3: filters.exclude.uid: no value; use integers from 0 to 4294967294 (e.g. [0, "
       "1000])"},
      {"filters:\n  include:\n    uid: [[1]]\n",
       "test.yaml:3: filters.include.uid[0]: expected a uid, found a list; use integers from 0 "
       "to 4294967294 (e.g. [0, 1000])"},
      {"filters:\n  include:\n    unit: [{a: b}]\n",
       "test.yaml:3: filters.include.unit[0]: expected a unit name, found a map; use systemd "
       "unit names without \"/\" (e.g. [cron.service, session-1.scope])"},
      {"filters:\n  include:\n    user: [root]\n",
       "test.yaml:3: filters.include.user: unknown key; allowed keys under filters.include: "
       "comm, comm_regex, exe, exe_regex, unit, cgroup_prefix, uid"},
      {"filters:\n  includes:\n    comm: [a]\n",
       "test.yaml:2: filters.includes: unknown key; allowed keys under filters: exclude_self, "
       "include, exclude"},
      {"filters:\n  exclude:\n    comm: [a]\n    comm: [b]\n",
       "test.yaml:4: filters.exclude.comm: duplicate key; give each key once"},
      {"filters:\n  include:\n    [a]: 1\n",
       "test.yaml:3: filters.include: a key is a list, not a name; allowed keys under "
       "filters.include: comm, comm_regex, exe, exe_regex, unit, cgroup_prefix, uid"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

// ---- Cardinality ------------------------------------------------------------

constexpr const char* kSeriesAllowed = "; use an integer from 1 to 1000000";
constexpr const char* kStaleAllowed =
    "; use 0s (never) or a duration from 1m to 30d, in units of d, h, m and s (e.g. 1h, 7d)";

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
  std::string text = describe(config);
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
            "identity.runtime_state.podman: /var/lib/containers/storage/overlay-containers\n");
}

// ---- Example files ----------------------------------------------------------

Config load_example(const std::string& name) {
  Result<Config> result =
      load_config_file(std::string(EXECMOND_SOURCE_DIR) + "/config/examples/" + name);
  EXPECT_TRUE(result) << result.error().message;
  return result ? *result : Config();
}

TEST(ConfigExamples, PerSystemdUnit) {
  Config config = load_example("per-systemd-unit.yaml");
  const Labels comm_unit = {LabelSource::Comm, LabelSource::Unit};
  EXPECT_EQ(config.labels.of(Family::Execs), comm_unit);
  EXPECT_EQ(config.labels.of(Family::Exits), comm_unit);
  EXPECT_EQ(config.labels.of(Family::Lifetime), comm_unit);
  EXPECT_EQ(config.labels.of(Family::Processes), Labels{LabelSource::Unit});
  EXPECT_EQ(config.labels.of(Family::Forks), Labels{LabelSource::Comm});
  EXPECT_TRUE(config.exclude_self);
}

TEST(ConfigExamples, KubernetesNode) {
  Config config = load_example("kubernetes-node.yaml");
  EXPECT_EQ(config.labels.of(Family::Execs), (Labels{LabelSource::Namespace, LabelSource::Pod,
                                                     LabelSource::Container, LabelSource::Comm}));
  EXPECT_EQ(config.labels.of(Family::Lifetime), Labels{LabelSource::Comm});
  EXPECT_EQ(config.runtime_state, RuntimeStateConfig());
  EXPECT_NE(std::find(config.exclude.cgroup_prefix.begin(), config.exclude.cgroup_prefix.end(),
                      "/system.slice/"),
            config.exclude.cgroup_prefix.end());
  EXPECT_TRUE(config.include.empty());
  EXPECT_EQ(config.max_series_per_family, 20000u);
  EXPECT_EQ(config.drop_stale_after, std::chrono::hours(1));
}

TEST(ConfigExamples, SharedLoginHost) {
  Config config = load_example("shared-login-host.yaml");
  EXPECT_EQ(config.labels.of(Family::Execs), (Labels{LabelSource::User, LabelSource::Comm}));
  EXPECT_TRUE(config.labels.uses(LabelSource::User));
  EXPECT_EQ(config.exclude.uid, std::vector<std::uint32_t>{0});
  EXPECT_EQ(config.drop_stale_after, std::chrono::hours(24));
}

// The examples are documentation: each opens with a few lines saying what it is for.
TEST(ConfigExamples, EachStartsWithAComment) {
  for (const char* name :
       {"per-systemd-unit.yaml", "kubernetes-node.yaml", "shared-login-host.yaml"}) {
    std::FILE* file =
        std::fopen((std::string(EXECMOND_SOURCE_DIR) + "/config/examples/" + name).c_str(), "r");
    ASSERT_NE(file, nullptr) << name;
    int comment_lines = 0;
    char line[512];
    while (std::fgets(line, sizeof line, file) != nullptr && line[0] == '#') ++comment_lines;
    std::fclose(file);
    EXPECT_GE(comment_lines, 3) << name;
    EXPECT_LE(comment_lines, 6) << name;
  }
}

// ---- set_setting ------------------------------------------------------------

TEST(ConfigSetSetting, SetsAndRejects) {
  Config config;
  EXPECT_TRUE(set_setting(config, "web.listen_address", "[::1]:9100").ok());
  EXPECT_EQ(config.listen_address, "[::1]:9100");
  EXPECT_TRUE(set_setting(config, "log.target", "journal").ok());
  EXPECT_EQ(config.log_target, LogTarget::Journal);
  EXPECT_FALSE(set_setting(config, "web.nope", "x").ok());
  EXPECT_FALSE(set_setting(config, "metrics.lifetime_buckets", "[1]").ok());
  EXPECT_FALSE(set_setting(config, "web", "x").ok());
  // Single values in the new sections, with the file's rules.
  EXPECT_TRUE(set_setting(config, "filters.exclude_self", "true").ok());
  EXPECT_TRUE(config.exclude_self);
  EXPECT_TRUE(set_setting(config, "cardinality.max_series_per_family", "5").ok());
  EXPECT_EQ(config.max_series_per_family, 5u);
  EXPECT_TRUE(set_setting(config, "cardinality.drop_stale_after", "2d").ok());
  EXPECT_EQ(config.drop_stale_after, std::chrono::hours(48));
  EXPECT_EQ(set_setting(config, "cardinality.drop_stale_after", "30s").error().message,
            std::string("\"30s\" is out of range") + kStaleAllowed);
  // Lists are only set in the file.
  for (const char* list : {"labels.execs", "labels.default", "filters.include.comm",
                           "filters.exclude.uid", "filters.include", "labels"}) {
    EXPECT_EQ(set_setting(config, list, "comm").error().message,
              "\"" + std::string(list) +
                  "\" is not a setting that takes a single value; use a key that describe() "
                  "lists with a single value, e.g. log.level; lists are set in the config file");
  }
  EXPECT_EQ(config.labels, LabelConfig());
  EXPECT_TRUE(config.include.empty());
  // A rejected value leaves the setting as it was.
  EXPECT_FALSE(set_setting(config, "tracer.max_keys", "1").ok());
  EXPECT_EQ(config.max_keys, 8192u);
}

// ---- Restart-only differences -----------------------------------------------

TEST(ConfigRestart, NoDifferences) {
  EXPECT_TRUE(restart_only_differences(Config(), Config()).empty());
}

TEST(ConfigRestart, RunTimeSettingsDoNotNeedARestart) {
  Config wanted;
  wanted.drain_interval = milliseconds(200);
  wanted.log_level = "debug";
  EXPECT_TRUE(restart_only_differences(Config(), wanted).empty());
}

// Filters and stale-series dropping change at run time: a reload applies them.
TEST(ConfigRestart, FiltersAndStaleDroppingDoNotNeedARestart) {
  Config wanted;
  wanted.include.comm = {"nginx"};
  wanted.include.uid = {1000};
  wanted.exclude.cgroup_prefix = {"/system.slice/"};
  wanted.exclude.exe_regex = {".*"};
  wanted.exclude_self = true;
  wanted.drop_stale_after = seconds(3600);
  EXPECT_TRUE(restart_only_differences(Config(), wanted).empty());
}

TEST(ConfigRestart, LabelsAreReportedOnce) {
  Config wanted;
  wanted.labels.per_family[static_cast<std::size_t>(Family::Execs)] = {LabelSource::Exe};
  EXPECT_EQ(restart_only_differences(Config(), wanted), std::vector<std::string>{"labels"});
  for (auto& labels : wanted.labels.per_family) labels = {LabelSource::Comm, LabelSource::Unit};
  wanted.max_series_per_family = 1;
  EXPECT_EQ(restart_only_differences(Config(), wanted),
            (std::vector<std::string>{"labels", "cardinality.max_series_per_family"}));
  // The same labels reached through default or per-family lists are no change.
  Config running = parse_ok("labels:\n  default: [comm, unit]\n");
  Config same = parse_ok(
      "labels:\n  execs: [comm, unit]\n  forks: [comm, unit]\n  exits: [comm, unit]\n"
      "  lifetime: [comm, unit]\n  processes: [comm, unit]\n  cpu: [comm, unit]\n"
      "  peak_rss: [comm, unit]\n  io: [comm, unit]\n  page_faults: [comm, unit]\n"
      "  context_switches: [comm, unit]\n  oom_kills: [comm, unit]\n");
  EXPECT_TRUE(restart_only_differences(running, same).empty());
  // Order matters: it is the order of the labels on every series.
  Config swapped = parse_ok("labels:\n  default: [unit, comm]\n");
  EXPECT_EQ(restart_only_differences(running, swapped), std::vector<std::string>{"labels"});
}

TEST(ConfigRestart, EachRestartSettingIsReported) {
  using Change = void (*)(Config&);
  const std::pair<const char*, Change> cases[] = {
      {"web.listen_address", [](Config& c) { c.listen_address = ":1"; }},
      {"web.telemetry_path", [](Config& c) { c.telemetry_path = "/m"; }},
      {"tracer.max_processes", [](Config& c) { c.max_processes = 64; }},
      {"tracer.max_keys", [](Config& c) { c.max_keys = 16; }},
      {"tracer.attach_mode", [](Config& c) { c.attach_mode = AttachMode::TpBtf; }},
      {"tracer.bpf_stats", [](Config& c) { c.bpf_stats = true; }},
      {"metrics.lifetime_buckets", [](Config& c) { c.lifetime_buckets.back() += 1e-9; }},
      {"log.target", [](Config& c) { c.log_target = LogTarget::Journal; }},
      {"labels", [](Config& c) { c.labels.per_family[4].push_back(LabelSource::User); }},
      {"cardinality.max_series_per_family", [](Config& c) { c.max_series_per_family = 1; }},
  };
  for (const auto& [key, change] : cases) {
    Config wanted;
    change(wanted);
    EXPECT_EQ(restart_only_differences(Config(), wanted), std::vector<std::string>{key});
  }
}

TEST(ConfigRestart, SeveralInTableOrder) {
  Config wanted;
  wanted.log_target = LogTarget::Journal;
  wanted.listen_address = ":1";
  wanted.log_level = "warn";
  EXPECT_EQ(restart_only_differences(Config(), wanted),
            (std::vector<std::string>{"web.listen_address", "log.target"}));
}

// Found by the fuzzer: yaml-cpp names the offending character in its
// message, a newline included; the error must still be one line.
TEST(ConfigErrors, SyntaxErrorsWithControlCharactersStayOnOneLine) {
  std::ifstream in(std::string(EXECMOND_SOURCE_DIR) +
                   "/tests/fuzz/corpus/config/yaml-error-with-newline");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  Result<Config> r = parse_config(text.str(), "fuzz.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "fuzz.yaml:3: YAML syntax error: unknown escape character: \\x0a");
}

// Found by the fuzzer: yaml-cpp 0.7's LoadAll loops for ever, allocating, on
// a ',' outside a flow collection; a reload of such a file hung the daemon.
TEST(ConfigErrors, AStrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_EQ(parse_error(","), "test.yaml:1: YAML syntax error: unexpected ',' outside [ ] or { }");
  EXPECT_EQ(parse_error("labels:\n  default: [comm],\n"),
            "test.yaml:2: YAML syntax error: end of map not found");
  EXPECT_EQ(parse_error("- comm\n,\n"),
            "test.yaml:2: YAML syntax error: unexpected ',' outside [ ] or { }");
  EXPECT_EQ(parse_error("[comm],"),
            "test.yaml:1: YAML syntax error: unexpected ',' outside [ ] or { }");
  std::ifstream in(std::string(EXECMOND_SOURCE_DIR) + "/tests/fuzz/corpus/config/stray-comma");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  EXPECT_EQ(parse_config(text.str(), "fuzz.yaml").error().message,
            "fuzz.yaml:1: YAML syntax error: unexpected ',' outside [ ] or { }");
  // Documents after the first are still looked at, and empty ones allowed.
  EXPECT_TRUE(parse_config("log:\n  level: info\n---\n---\n", "test.yaml"));
}

// Found by the fuzzer, when std::regex compiled a{n} into n copies and kept
// every state: large or nested counts, or many patterns, took gigabytes. RE2
// refuses counts above 1000 and programs above kRegexMaxMem, and a list holds
// at most kMaxRegexesPerList patterns.
TEST(ConfigErrors, RegularExpressionsThatCompileTooLargeAreRefused) {
  constexpr const char* kAllowed = "; use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$";
  std::string program_too_large;  // 25,000 instructions, each count within RE2's 1000
  for (int i = 0; i < 25; ++i) program_too_large += "[a-z]{1000}";
  EXPECT_EQ(regex_what(program_too_large), "pattern too large - compile failed");
  for (const std::string& big :
       {std::string("a{10000}"), std::string("[a-z]{400}{99}"), std::string("(c{40}){300}"),
        std::string("(ab){10}{10}"), program_too_large}) {
    const std::string yaml = "filters:\n  include:\n    comm_regex: [\"" + big + "\"]\n";
    EXPECT_EQ(parse_config(yaml, "test.yaml").error().message,
              "test.yaml:3: filters.include.comm_regex[0]: " +
                  (big.size() > 64 ? "\"" + big.substr(0, 64) + "...\"" : "\"" + big + "\"") +
                  " is not a valid regular expression (" + regex_what(big) + ")" + kAllowed);
  }
  for (const char* fine : {"x{1000}", "c{2,999}", "d\\\\{99999}", "((ab){10}){10}"}) {
    const std::string yaml =
        std::string("filters:\n  include:\n    exe_regex: [\"") + fine + "\"]\n";
    EXPECT_TRUE(parse_config(yaml, "test.yaml"))
        << fine << ": " << parse_config(yaml, "t").error().message;
  }
  // Numbers too long for a count are not counts in RE2: literal text, no overflow.
  for (const char* literal :
       {"x{99999999999999999999}", "y{1,66666666666666666666}", "z{6666666666"}) {
    const std::string yaml =
        std::string("filters:\n  include:\n    comm_regex: [\"") + literal + "\"]\n";
    EXPECT_TRUE(parse_config(yaml, "test.yaml")) << literal;
  }
  // Found by the fuzzer: libstdc++ overflowed a long reading this file's
  // backreference; RE2 reads it as an octal escape and digits.
  std::ifstream in(std::string(EXECMOND_SOURCE_DIR) +
                   "/tests/fuzz/corpus/config/regex-count-overflow");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  const std::string error = parse_config(text.str(), "fuzz.yaml").error().message;
  EXPECT_NE(error.find("\" is not a valid regular expression (unexpected ): ^\\x01"),
            std::string::npos)
      << error;
  EXPECT_LT(error.size(), 400U) << "RE2's reason is cut like the value";
  // Many small patterns: the list is bounded by its length.
  std::string list = "filters:\n  exclude:\n    exe_regex:\n";
  for (int i = 0; i < 65; ++i) list += "      - \"^/opt/[a-z]{500}$\"\n";
  EXPECT_EQ(parse_error(list),
            "test.yaml:4: filters.exclude.exe_regex: has 65 entries; use up to 64 patterns in RE2 "
            "syntax that match the whole path, e.g. ^/usr/lib/.*$");
}

// ---- take_reloadable --------------------------------------------------------

// Every setting changed from its default, lists included.
Config everything_changed() {
  return parse_ok(
      "web: {listen_address: \":1\", telemetry_path: /m, config_file: /etc/web.yml, "
      "max_requests: 1}\n"
      "tracer: {drain_interval: 20ms, max_processes: 64, max_keys: 16, attach_mode: tracepoint, "
      "bpf_stats: true}\n"
      "metrics: {lifetime_buckets: [1], resources: [io], peak_rss_buckets: [4096]}\n"
      "log: {level: debug, target: journal}\n"
      "labels: {default: [unit]}\n"
      "filters:\n"
      "  exclude_self: true\n"
      "  include: {comm: [a], comm_regex: [b], exe: [/c], exe_regex: [d], unit: [e.service], "
      "cgroup_prefix: [/f], uid: [1]}\n"
      "  exclude: {comm: [g], comm_regex: [h], exe: [/i], exe_regex: [j], unit: [k.service], "
      "cgroup_prefix: [/l], uid: [2]}\n"
      "cardinality: {max_series_per_family: 1, drop_stale_after: 1h}\n"
      "identity:\n"
      "  runtime_state: {containerd: /k/containerd, crio: /k/crio, docker: \"\", podman: "
      "/k/podman}\n");
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(ConfigReload, TakesEveryReloadableSettingAndNoOther) {
  const std::vector<std::string> reloadable = {"web.config_file",
                                               "tracer.drain_interval",
                                               "log.level",
                                               "filters.exclude_self",
                                               "filters.include.",
                                               "filters.exclude.",
                                               "cardinality.drop_stale_after",
                                               "identity.runtime_state."};
  const Config running;
  const Config wanted = everything_changed();
  const Config taken = take_reloadable(running, wanted);
  EXPECT_TRUE(restart_only_differences(running, taken).empty()) << describe(taken);
  const std::vector<std::string> before = lines(describe(running));
  const std::vector<std::string> want = lines(describe(wanted));
  const std::vector<std::string> got = lines(describe(taken));
  ASSERT_EQ(want.size(), got.size()) << describe(taken);
  std::size_t taken_count = 0;
  for (const std::string& line : want) {
    const std::string key = line.substr(0, line.find(':'));
    const bool is_reloadable =
        std::any_of(reloadable.begin(), reloadable.end(),
                    [&](const std::string& k) { return key.starts_with(k); });
    const bool in_taken = std::find(got.begin(), got.end(), line) != got.end();
    const bool in_running = std::find(before.begin(), before.end(), line) != before.end();
    EXPECT_FALSE(in_running) << key << " is unchanged in the test's wanted config";
    EXPECT_EQ(in_taken, is_reloadable) << key;
    taken_count += in_taken ? 1 : 0;
  }
  EXPECT_EQ(taken_count, 23U);  // 5 scalars, 7 filter lists on each side, 4 runtime roots
  // Nothing but the table's reloadable fields moves: restart-only ones stay.
  Config expected = wanted;
  expected.listen_address = running.listen_address;
  expected.telemetry_path = running.telemetry_path;
  expected.max_requests = running.max_requests;
  expected.max_processes = running.max_processes;
  expected.max_keys = running.max_keys;
  expected.attach_mode = running.attach_mode;
  expected.bpf_stats = running.bpf_stats;
  expected.lifetime_buckets = running.lifetime_buckets;
  expected.resources = running.resources;
  expected.peak_rss_buckets = running.peak_rss_buckets;
  expected.log_target = running.log_target;
  expected.labels = running.labels;
  expected.max_series_per_family = running.max_series_per_family;
  expect_same(taken, expected);
  expect_same(take_reloadable(wanted, wanted), wanted);
}

}  // namespace
}  // namespace execmond
