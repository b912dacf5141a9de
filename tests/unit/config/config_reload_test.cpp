// Changing a running configuration: set_setting, the settings that need a
// restart, and take_reloadable taking every other one.
#include "config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config_test_support.h"
#include "temp_file.h"

namespace execmond::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

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

// ---- take_reloadable --------------------------------------------------------

// Every setting changed from its default, lists included; `rules_file` is a
// process-exporter file. Its rules select by comm alone, so that only the
// labels, which wait for a restart, turn command-line capture on.
Config everything_changed(const std::string& rules_file) {
  return parse_ok(
      "web: {listen_address: \":1\", telemetry_path: /m, config_file: /etc/web.yml, "
      "max_requests: 1}\n"
      "tracer: {drain_interval: 20ms, max_processes: 64, max_keys: 16, attach_mode: tracepoint, "
      "bpf_stats: true}\n"
      "metrics: {lifetime_buckets: [1], resources: [io], peak_rss_buckets: [4096]}\n"
      "log: {level: debug, target: journal}\n"
      "labels: {default: [unit, program, parent]}\n"
      "filters:\n"
      "  exclude_self: true\n"
      "  include: {comm: [a], comm_regex: [b], exe: [/c], exe_regex: [d], unit: [e.service], "
      "cgroup_prefix: [/f], uid: [1]}\n"
      "  exclude: {comm: [g], comm_regex: [h], exe: [/i], exe_regex: [j], unit: [k.service], "
      "cgroup_prefix: [/l], uid: [2]}\n"
      "cardinality: {max_series_per_family: 1, drop_stale_after: 1h}\n"
      "identity:\n"
      "  runtime_state: {containerd: /k/containerd, crio: /k/crio, docker: \"\", podman: "
      "/k/podman}\n"
      "naming:\n"
      "  process_exporter_config: " +
      rules_file +
      "\n"
      "  rules: [{comm: [bash]}]\n"
      "  unmatched: other\n"
      "  interpreters: [{exe: python3.13, style: python}]\n"
      "  cmdline_max_bytes: 128\n"
      "records:\n"
      "  enabled: false\n"
      "  signals: [abrt]\n"
      "  failures_of: {comm: [m], program: [n], unit: [o.service]}\n"
      "  exits_of: {comm: [p], program: [q], unit: [r.scope]}\n"
      "  cmdline: false\n"
      "  redact: [s]\n"
      "  keep: 1\n"
      "  rate_per_second: 2\n"
      "  burst: 3\n"
      "  program_rate_per_second: 4\n"
      "  program_burst: 5\n"
      "  journal: false\n"
      "  json_file: /t.json\n"
      "  kernel_buffer_bytes: 4096\n");
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
                                               "identity.runtime_state.",
                                               "naming.process_exporter_config",
                                               "naming.rules",
                                               "naming.unmatched",
                                               "naming.interpreters",
                                               "records.signals",
                                               "records.failures_of.",
                                               "records.exits_of.",
                                               "records.redact",
                                               "records.keep",
                                               "records.rate_per_second",
                                               "records.burst",
                                               "records.program_rate_per_second",
                                               "records.program_burst",
                                               "records.journal",
                                               "records.json_file"};
  const TempFile rules_file("process_names:\n  - comm: [nginx]\n");
  const Config running;
  const Config wanted = everything_changed(rules_file.path());
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
  // 5 scalars, 7 filter lists on each side, 4 runtime roots, 4 naming keys, 3 record
  // selector lists on each side, 2 other records lists and 7 records scalars
  EXPECT_EQ(taken_count, 42U);
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
  expected.naming.cmdline_max_bytes = running.naming.cmdline_max_bytes;
  expected.records.enabled = running.records.enabled;
  expected.records.cmdline = running.records.cmdline;
  expected.records.kernel_buffer_bytes = running.records.kernel_buffer_bytes;
  expect_same(taken, expected);
  expect_same(take_reloadable(wanted, wanted), wanted);
}

}  // namespace
}  // namespace execmond::test
