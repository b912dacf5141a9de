// The execmond binary's command line as an operator meets it: exit codes and
// what it prints for --version, --help and --config.check. No privileges.
#include <gtest/gtest.h>

#include <string>

#include "shell.h"
#include "temp_file.h"

namespace execmond {
namespace {

struct Result {
  int exit_code;
  std::string output;  // stdout and stderr
};

Result run_execmond(const std::string& args) {
  auto [status, output] = test::run_shell(std::string(EXECMOND_DAEMON) + " " + args);
  return {status, output};
}

TEST(MainTest, VersionAndHelp) {
  Result version = run_execmond("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output, std::string("execmond version ") + EXECMOND_VERSION + "\n");
  Result help = run_execmond("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.output.rfind("usage: execmond [doctor] [<flags>]", 0), 0U) << help.output;
  EXPECT_NE(help.output.find("--web.listen-address"), std::string::npos);
}

TEST(MainTest, ConfigCheckOfTheShippedConfigPrintsASummary) {
  Result r = run_execmond(std::string("--config.check --config.file=") + EXECMOND_SOURCE_DIR +
                          "/config/execmond.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("config OK"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("tracer.drain_interval: 1s"), std::string::npos) << r.output;
  // The kernel memory the tables will take on this host (13 MiB with 2 CPUs).
  EXPECT_NE(r.output.find("kernel tables: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" possible CPUs\n"), std::string::npos) << r.output;
}

TEST(MainTest, ConfigCheckAppliesFlags) {
  Result r = run_execmond("--config.check --config.file=/nonexistent/default.yaml");
  EXPECT_EQ(r.exit_code, 1);  // named explicitly, so it must exist
  test::TempFile file("web:\n  listen_address: \":9100\"\n");
  r = run_execmond("--config.check --config.file=" + file.path() +
                   " --web.listen-address=127.0.0.1:9200");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("web.listen_address: 127.0.0.1:9200"), std::string::npos) << r.output;
}

TEST(MainTest, BadConfigIsOneLineNamingFileLineAndKey) {
  test::TempFile file("tracer:\n  drain_interval: 5x\n");
  Result r = run_execmond("--config.check --config.file=" + file.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "execmond: " + file.path() +
                          ":2: tracer.drain_interval: \"5x\" is not a duration; use a number "
                          "with a unit: ms, s, m or h (e.g. 500ms, 1s)\n");
  // Without --config.check the daemon refuses to start on it, the same way.
  Result start = run_execmond("--config.file=" + file.path());
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_EQ(start.output, r.output);
}

TEST(MainTest, ConfigCheckLoadsTheWebConfigToo) {
  test::TempFile good(
      "basic_auth_users:\n  alice: "
      "$2y$10$C6UzMDM.H6dfI/f/IKcEeO7wSvvn6Dk6ENyQ9s8QxpBXnbUjmJZOe\n");
  Result r = run_execmond("--config.check --config.file=" + std::string(EXECMOND_SOURCE_DIR) +
                          "/config/execmond.yaml --web.config.file=" + good.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("web config OK: " + good.path() + " (plain HTTP; basic auth for 1 user)"),
            std::string::npos)
      << r.output;
  test::TempFile bad("tls_server_config:\n  cert_file: /dev/zero\n  key_file: /dev/zero\n");
  r = run_execmond("--config.check --config.file=" + std::string(EXECMOND_SOURCE_DIR) +
                   "/config/execmond.yaml --web.config.file=" + bad.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("execmond: " + bad.path() +
                          ":2: tls_server_config.cert_file: /dev/zero is not a regular file; "
                          "name a PEM file\n"),
            std::string::npos)
      << r.output;
}

// The naming rules, by file, and what the kernel will read; a missing
// process-exporter file stops the check with one line.
TEST(MainTest, ConfigCheckSaysWhatTheNamingRulesNeed) {
  test::TempFile rules("process_names:\n  - exe: [java]\n");
  test::TempFile config("labels: {execs: [program, parent]}\nnaming:\n  process_exporter_config: " +
                        rules.path() + "\n  rules: [{comm: [bash]}]\n");
  Result r = run_execmond("--config.check --config.file=" + config.path());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("\nnaming.rules: 2 (1 in " + config.path() + ", 1 in " + rules.path() + ")\n"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("\ncommand lines: captured, up to 4096 bytes\nparent comm: recorded\n"),
            std::string::npos)
      << r.output;
  test::TempFile missing("naming:\n  process_exporter_config: /nonexistent/config.yml\n");
  r = run_execmond("--config.check --config.file=" + missing.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output,
            "execmond: " + missing.path() +
                ":2: naming.process_exporter_config: cannot open /nonexistent/config.yml: "
                "No such file or directory; name process-exporter's config file, whose "
                "process_names holds the rules (a relative path is relative to this "
                "file's directory)\n");
}

TEST(MainTest, UnknownFlagIsAnError) {
  Result r = run_execmond("--web.listen-adress=:1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "execmond: unknown flag --web.listen-adress; see --help\n");
}

}  // namespace
}  // namespace execmond
