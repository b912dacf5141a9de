// Config parsing: valid files, every kind of invalid value with its exact
// one-line message, and the shipped config/execmond.yaml equal to defaults.
#include "config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "temp_file.h"

namespace execmond {
namespace {

using std::chrono::milliseconds;

using test::TempFile;

// Parses text that must be valid.
Config parse_ok(const std::string& text) {
  ConfigResult result = parse_config(text, "test.yaml");
  EXPECT_TRUE(result) << result.error;
  return result ? *result.config : Config();
}

// Parses text that must be invalid and returns the message.
std::string parse_error(const std::string& text) {
  ConfigResult result = parse_config(text, "test.yaml");
  EXPECT_FALSE(result) << "accepted:\n" << text;
  EXPECT_EQ(result.error.find('\n'), std::string::npos) << result.error;
  return result.error;
}

void expect_same(const Config& a, const Config& b) {
  EXPECT_EQ(a.listen_address, b.listen_address);
  EXPECT_EQ(a.telemetry_path, b.telemetry_path);
  EXPECT_EQ(a.drain_interval, b.drain_interval);
  EXPECT_EQ(a.max_processes, b.max_processes);
  EXPECT_EQ(a.max_keys, b.max_keys);
  EXPECT_EQ(a.attach_mode, b.attach_mode);
  EXPECT_EQ(a.bpf_stats, b.bpf_stats);
  EXPECT_EQ(a.lifetime_buckets, b.lifetime_buckets);
  EXPECT_EQ(a.log_level, b.log_level);
  EXPECT_EQ(a.log_target, b.log_target);
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
            "tracer.drain_interval: 1s\n"
            "tracer.max_processes: 32768\n"
            "tracer.max_keys: 8192\n"
            "tracer.attach_mode: auto\n"
            "tracer.bpf_stats: false\n");
  EXPECT_NE(text.find("\nmetrics.lifetime_buckets: [0.001, 0.0025, 0.00625, 0.0156, "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(", 36400, 86400]\nlog.level: info\nlog.target: stderr\n"), std::string::npos)
      << text;
}

TEST(ConfigDefaults, EnumNames) {
  EXPECT_EQ(to_string(AttachMode::Auto), "auto");
  EXPECT_EQ(to_string(AttachMode::TpBtf), "tp_btf");
  EXPECT_EQ(to_string(AttachMode::Tracepoint), "tracepoint");
  EXPECT_EQ(to_string(LogTarget::Stderr), "stderr");
  EXPECT_EQ(to_string(LogTarget::Journal), "journal");
}

// The shipped, commented config documents the defaults: it must parse to them.
TEST(ConfigDefaults, ShippedConfigFileEqualsDefaults) {
  ConfigResult result =
      load_config_file(std::string(EXECMOND_SOURCE_DIR) + "/config/execmond.yaml");
  ASSERT_TRUE(result) << result.error;
  expect_same(*result.config, Config());
}

// ---- Valid files ------------------------------------------------------------

TEST(ConfigParse, EmptyAndCommentOnlyFilesMeanDefaults) {
  expect_same(parse_ok(""), Config());
  expect_same(parse_ok("# nothing here\n   \n# at all\n"), Config());
  expect_same(parse_ok("---\n"), Config());
  expect_same(parse_ok("web:\ntracer:\nmetrics:\nlog:\n"), Config());
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
    EXPECT_EQ(set_setting(config, "tracer.drain_interval", text), "") << text;
    EXPECT_EQ(config.drain_interval, milliseconds(ms)) << text;
  }
}

TEST(ConfigDuration, NotADuration) {
  for (const char* text : {"5x", "1", "1.5s", "s", "-1s", "1s1m", "1m1m", "", "1 s", "1S", "1sms",
                           "1000000000000000mx"}) {
    Config config;
    EXPECT_EQ(set_setting(config, "tracer.drain_interval", text),
              "\"" + std::string(text) +
                  "\" is not a duration; use a number with a unit: ms, s, m or h (e.g. 500ms, 1s)")
        << text;
    EXPECT_EQ(config.drain_interval, milliseconds(1000));
  }
}

TEST(ConfigDuration, OutOfRange) {
  for (const char* text : {"0", "9ms", "1h1ms", "2h", "1000000000000000ms"}) {
    Config config;
    EXPECT_EQ(set_setting(config, "tracer.drain_interval", text),
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
       "top level: web, tracer, metrics, log"},
      {"just text\n",
       "test.yaml:1: top level: expected a map of sections, found a single value \"just "
       "text\"; allowed keys at the top level: web, tracer, metrics, log"},
      {"web: 9765\n",
       "test.yaml:1: web: expected a map, found a single value \"9765\"; allowed keys under "
       "web: listen_address, telemetry_path"},
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
       "telemetry_path"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

// ---- Unknown and repeated keys ----------------------------------------------

TEST(ConfigErrors, UnknownKeysAtEveryLevel) {
  const BadValue cases[] = {
      {"webb:\n  listen_address: :1\n",
       "test.yaml:1: webb: unknown key; allowed keys at the top level: web, tracer, metrics, "
       "log"},
      {"web:\n  telemetry_path: /m\n  listen_adress: :1\n",
       "test.yaml:3: web.listen_adress: unknown key; allowed keys under web: listen_address, "
       "telemetry_path"},
      {"tracer:\n  max_procs: 100\n",
       "test.yaml:2: tracer.max_procs: unknown key; allowed keys under tracer: drain_interval, "
       "max_processes, max_keys, attach_mode, bpf_stats"},
      {"metrics:\n  buckets: [1]\n",
       "test.yaml:2: metrics.buckets: unknown key; allowed keys under metrics: "
       "lifetime_buckets"},
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
  ConfigResult result = load_config_file(file.path());
  ASSERT_TRUE(result) << result.error;
  EXPECT_EQ(result.config->max_keys, 100u);
}

TEST(ConfigFile, ErrorsNameTheFile) {
  TempFile file("# execmond\n\nlog:\n  level: loud\n");
  ConfigResult result = load_config_file(file.path());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error, file.path() +
                              ":4: log.level: \"loud\" is not a log level; use trace, debug, "
                              "info, warn, error or off");
}

TEST(ConfigFile, EmptyFileMeansDefaults) {
  TempFile file("");
  ConfigResult result = load_config_file(file.path());
  ASSERT_TRUE(result) << result.error;
  expect_same(*result.config, Config());
}

TEST(ConfigFile, MissingFile) {
  ConfigResult result = load_config_file("/nonexistent/execmond.yaml");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error,
            "/nonexistent/execmond.yaml: cannot read config file: No such file or directory");
}

TEST(ConfigFile, DirectoryIsNotAFile) {
  ConfigResult result = load_config_file("/tmp");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error, "/tmp: cannot read config file: Is a directory");
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

// ---- set_setting ------------------------------------------------------------

TEST(ConfigSetSetting, SetsAndRejects) {
  Config config;
  EXPECT_EQ(set_setting(config, "web.listen_address", "[::1]:9100"), "");
  EXPECT_EQ(config.listen_address, "[::1]:9100");
  EXPECT_EQ(set_setting(config, "log.target", "journal"), "");
  EXPECT_EQ(config.log_target, LogTarget::Journal);
  EXPECT_NE(set_setting(config, "web.nope", "x"), "");
  EXPECT_NE(set_setting(config, "metrics.lifetime_buckets", "[1]"), "");
  EXPECT_NE(set_setting(config, "web", "x"), "");
  // A rejected value leaves the setting as it was.
  EXPECT_NE(set_setting(config, "tracer.max_keys", "1"), "");
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

}  // namespace
}  // namespace execmond
