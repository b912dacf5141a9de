// Loading a config file: what a file, a missing file, a device and a directory
// give; and the example files in config/examples/ valid and documented.
#include "config/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "config_test_support.h"
#include "temp_file.h"

namespace execmond::test {
namespace {

// ---- Files ------------------------------------------------------------------

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

// process-exporter's file beside it is found relative to the example, and its
// rules follow the example's own.
TEST(ConfigExamples, MigratingFromProcessExporter) {
  const Config config = load_example("process-exporter-migration.yaml");
  const std::string examples = std::string(EXECMOND_SOURCE_DIR) + "/config/examples/";
  EXPECT_EQ(config.naming.process_exporter_config, examples + "process-exporter.yml");
  ASSERT_EQ(config.naming.rules.size(), 5U);
  EXPECT_EQ(config.naming.rules[0].name, "{{.Matches.script}}");
  EXPECT_EQ(config.naming.rules[0].exe, std::vector<std::string>{"python3"});
  EXPECT_EQ(config.naming.rules[0].source, examples + "process-exporter-migration.yaml");
  EXPECT_EQ(config.naming.rules[1].comm,
            (std::vector<std::string>{"nginx", "postgres", "redis-server"}));
  EXPECT_EQ(config.naming.rules[1].name, "{{.Comm}}");
  EXPECT_EQ(config.naming.rules[2].name, "java:{{.Matches.jar}}");
  EXPECT_EQ(config.naming.rules[2].source, examples + "process-exporter.yml");
  EXPECT_EQ(config.naming.rules[2].line, 11);
  EXPECT_EQ(config.labels.of(Family::Processes), Labels{LabelSource::Program});
  EXPECT_EQ(config.labels.of(Family::Forks), Labels{LabelSource::Comm});
  EXPECT_TRUE(needs_cmdline(config));
  EXPECT_TRUE(needs_parent(config));
}

// The examples are documentation: each opens with a few lines saying what it is for.
TEST(ConfigExamples, EachStartsWithAComment) {
  for (const char* name :
       {"per-systemd-unit.yaml", "kubernetes-node.yaml", "shared-login-host.yaml",
        "process-exporter-migration.yaml", "process-exporter.yml"}) {
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

}  // namespace
}  // namespace execmond::test
