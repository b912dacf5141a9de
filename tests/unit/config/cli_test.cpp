// Command line: both flag forms, errors naming the flag, usage text, and
// resolve_config() combining the config file with validated flag overrides.
#include "config/cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "temp_file.h"

namespace execmond {
namespace {

using test::TempFile;

CliOptions parse_ok(const std::vector<std::string>& args) {
  Result<CliOptions> result = parse_cli(args);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? *result : CliOptions();
}

std::string parse_error(const std::vector<std::string>& args) {
  Result<CliOptions> result = parse_cli(args);
  EXPECT_FALSE(result.ok());
  return result.error().message;
}

// A path in a fresh directory that certainly does not exist.
std::string absent_path() {
  char dir[] = "/tmp/execmond_cli_test_dir_XXXXXX";
  if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
  ::rmdir(dir);
  return std::string(dir) + "/execmond.yaml";
}

// ---- parse_cli --------------------------------------------------------------

TEST(CliParse, NoArgumentsMeansDefaults) {
  CliOptions options = parse_ok({});
  EXPECT_EQ(options.config_file, kDefaultConfigFile);
  EXPECT_FALSE(options.config_file_given);
  EXPECT_FALSE(options.check_config);
  EXPECT_FALSE(options.show_version);
  EXPECT_FALSE(options.show_help);
  EXPECT_FALSE(options.listen_address);
  EXPECT_FALSE(options.telemetry_path);
  EXPECT_FALSE(options.log_level);
  EXPECT_FALSE(options.log_target);
}

TEST(CliParse, EqualsForm) {
  CliOptions options =
      parse_ok({"--config.file=/tmp/x.yaml", "--web.listen-address=:9100",
                "--web.telemetry-path=/m", "--log.level=debug", "--log.target=journal"});
  EXPECT_EQ(options.config_file, "/tmp/x.yaml");
  EXPECT_TRUE(options.config_file_given);
  EXPECT_EQ(options.listen_address, ":9100");
  EXPECT_EQ(options.telemetry_path, "/m");
  EXPECT_EQ(options.log_level, "debug");
  EXPECT_EQ(options.log_target, "journal");
}

TEST(CliParse, SeparateValueForm) {
  CliOptions options =
      parse_ok({"--config.file", "/tmp/x.yaml", "--web.listen-address", ":9100",
                "--web.telemetry-path", "/m", "--log.level", "debug", "--log.target", "journal"});
  EXPECT_EQ(options.config_file, "/tmp/x.yaml");
  EXPECT_TRUE(options.config_file_given);
  EXPECT_EQ(options.listen_address, ":9100");
  EXPECT_EQ(options.telemetry_path, "/m");
  EXPECT_EQ(options.log_level, "debug");
  EXPECT_EQ(options.log_target, "journal");
}

TEST(CliParse, ValuesMayHoldEqualsAndBeEmpty) {
  CliOptions options = parse_ok({"--config.file=/tmp/a=b.yaml", "--web.telemetry-path="});
  EXPECT_EQ(options.config_file, "/tmp/a=b.yaml");
  EXPECT_EQ(options.telemetry_path, "");
  // "-" alone is a value (a path), not a flag.
  EXPECT_EQ(parse_ok({"--config.file", "-"}).config_file, "-");
}

TEST(CliParse, Switches) {
  CliOptions options = parse_ok({"--config.check", "--version", "--help"});
  EXPECT_TRUE(options.check_config);
  EXPECT_TRUE(options.show_version);
  EXPECT_TRUE(options.show_help);
  EXPECT_TRUE(parse_ok({"-h"}).show_help);
  EXPECT_TRUE(parse_ok({"--config.check=true"}).check_config);
  EXPECT_FALSE(parse_ok({"--config.check=false"}).check_config);
  // A switch never takes the next argument as its value.
  EXPECT_EQ(parse_error({"--config.check", "true"}),
            "unexpected argument \"true\"; execmond takes flags after an optional doctor, see "
            "--help");
}

TEST(CliParse, BadSwitchValue) {
  EXPECT_EQ(parse_error({"--config.check=yes"}),
            "--config.check: \"yes\" is not a boolean; use --config.check alone, or =true or "
            "=false");
}

TEST(CliParse, UnknownFlag) {
  EXPECT_EQ(parse_error({"--foo"}), "unknown flag --foo; see --help");
  EXPECT_EQ(parse_error({"--foo=bar"}), "unknown flag --foo; see --help");
  EXPECT_EQ(parse_error({"--log.level=info", "-x"}), "unknown flag -x; see --help");
  EXPECT_EQ(parse_error({"--web.listen_address=:1"}),
            "unknown flag --web.listen_address; see --help");
}

TEST(CliParse, MissingValue) {
  EXPECT_EQ(parse_error({"--config.file"}),
            "flag --config.file needs a value; use --config.file=<value> or --config.file "
            "<value>");
  EXPECT_EQ(parse_error({"--web.listen-address", "--log.level=info"}),
            "flag --web.listen-address needs a value; use --web.listen-address=<value> or "
            "--web.listen-address <value>");
}

TEST(CliParse, DoctorSubcommandTakesTheUsualFlags) {
  CliOptions options = parse_ok({"doctor", "--btf.path=/tmp/vmlinux", "--config.file", "x.yaml"});
  EXPECT_TRUE(options.doctor);
  EXPECT_EQ(options.btf_path, "/tmp/vmlinux");
  EXPECT_EQ(options.config_file, "x.yaml");
  EXPECT_FALSE(parse_ok({}).doctor);
  EXPECT_EQ(parse_ok({}).btf_path, "/sys/kernel/btf/vmlinux");
  // Only as the first argument.
  EXPECT_EQ(parse_error({"--log.level=info", "doctor"}),
            "unexpected argument \"doctor\"; execmond takes flags after an optional doctor, see "
            "--help");
}

TEST(CliParse, PositionalArgument) {
  EXPECT_EQ(parse_error({"serve"}),
            "unexpected argument \"serve\"; execmond takes flags after an optional doctor, see "
            "--help");
}

TEST(CliParse, RepeatedFlag) {
  EXPECT_EQ(parse_error({"--log.level=info", "--log.level", "debug"}),
            "flag --log.level given twice; give each flag once");
  EXPECT_EQ(parse_error({"-h", "--help"}), "flag --help given twice; give each flag once");
}

// ---- usage ------------------------------------------------------------------

TEST(CliUsage, ListsEveryFlagWithDefaults) {
  std::string text = usage();
  EXPECT_EQ(text.rfind("usage: execmond [doctor] [<flags>]\n", 0), 0u) << text;
  EXPECT_NE(text.find("\n  doctor "), std::string::npos) << text;
  EXPECT_NE(text.find("\nExports process lifecycle metrics (execs, forks, exits, lifetimes) "
                      "traced with eBPF to Prometheus.\n"),
            std::string::npos);
  for (const char* expected :
       {"-h, --help", "--config.file=\"/etc/execmond/execmond.yaml\"", "--config.check",
        "--web.listen-address=\":9765\"", "--web.telemetry-path=\"/metrics\"", "--log.level=info",
        "--log.target=stderr", "--btf.path=\"/sys/kernel/btf/vmlinux\"", "--version"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    EXPECT_LE(end - start, 100u) << text.substr(start, end - start);
    start = end + 1;
  }
}

// ---- resolve_config / apply_overrides ---------------------------------------

TEST(CliResolve, AbsentDefaultPathMeansDefaults) {
  CliOptions options;
  options.config_file = absent_path();  // as if it were the default path
  Result<Config> result = resolve_config(options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(describe(*result), describe(Config()));
}

TEST(CliResolve, AbsentExplicitPathIsAnError) {
  std::string path = absent_path();
  CliOptions options = parse_ok({"--config.file=" + path});
  Result<Config> result = resolve_config(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "cannot open " + path +
                                        ": No such file or directory; name a readable config "
                                        "file with --config.file");
}

TEST(CliResolve, PresentDefaultPathIsLoaded) {
  TempFile file("log:\n  level: warn\n");
  CliOptions options;
  options.config_file = file.path();
  Result<Config> result = resolve_config(options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->log_level, "warn");
}

TEST(CliResolve, InvalidFileIsAnError) {
  TempFile file("log:\n  level: loud\n");
  CliOptions options = parse_ok({"--config.file", file.path(), "--log.level=debug"});
  Result<Config> result = resolve_config(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.rfind(file.path() + ":2: log.level: ", 0), 0u)
      << result.error().message;
}

TEST(CliResolve, FlagsOverrideTheFile) {
  TempFile file(
      "web:\n  listen_address: \":1000\"\n  telemetry_path: /file\n"
      "tracer:\n  max_keys: 100\n"
      "log:\n  level: warn\n  target: journal\n");
  CliOptions options = parse_ok({"--config.file=" + file.path(), "--web.listen-address",
                                 "[::1]:2000", "--log.level=error", "--log.target=stderr"});
  Result<Config> result = resolve_config(options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->listen_address, "[::1]:2000");
  EXPECT_EQ(result->telemetry_path, "/file");  // not overridden
  EXPECT_EQ(result->max_keys, 100u);
  EXPECT_EQ(result->log_level, "error");
  EXPECT_EQ(result->log_target, LogTarget::Stderr);
}

TEST(CliResolve, OverridesAreValidatedLikeFileKeys) {
  TempFile file("");
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--web.listen-address=:abc"},
       "--web.listen-address: \":abc\" is not host:port; use host:port, [ipv6]:port or :port "
       "with a port from 0 to 65535 (e.g. :9765)"},
      {{"--web.listen-address", ":99999"},
       "--web.listen-address: \":99999\" has port 99999, out of range; use host:port, "
       "[ipv6]:port or :port with a port from 0 to 65535 (e.g. :9765)"},
      {{"--web.telemetry-path=/"},
       "--web.telemetry-path: \"/\" alone is not allowed; use a path that starts with \"/\", "
       "is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {{"--web.telemetry-path="},
       "--web.telemetry-path: \"\" does not start with \"/\"; use a path that starts with "
       "\"/\", is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {{"--log.level=verbose"},
       "--log.level: \"verbose\" is not a log level; use trace, debug, info, warn, error or "
       "off"},
      {{"--log.target", "syslog"},
       "--log.target: \"syslog\" is not a log target; use stderr or journal"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args = flags;
    args.push_back("--config.file=" + file.path());
    Result<Config> result = resolve_config(parse_ok(args));
    EXPECT_FALSE(result);
    EXPECT_EQ(result.error().message, message);
  }
}

TEST(CliResolve, OverridesApplyWithoutAnyFile) {
  CliOptions options = parse_ok({"--web.telemetry-path=/x"});
  options.config_file = absent_path();
  Result<Config> result = resolve_config(options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->telemetry_path, "/x");
}

// A reload re-reads the file, then the flags win again.
TEST(CliResolve, ApplyOverridesOnAReloadedConfig) {
  Config reloaded;
  reloaded.log_level = "trace";
  reloaded.listen_address = ":5";
  CliOptions options = parse_ok({"--log.level=warn"});
  Result<Config> result = apply_overrides(reloaded, options);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->log_level, "warn");
  EXPECT_EQ(result->listen_address, ":5");
  EXPECT_TRUE(apply_overrides(reloaded, CliOptions()));
}

}  // namespace
}  // namespace execmond
