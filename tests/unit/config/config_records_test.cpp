// records: every key, the exact message for each invalid value, what a
// reload takes and what waits for a restart.
#include "config/records_config.h"

#include <gtest/gtest.h>

#include <re2/re2.h>

#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/regex.h"
#include "config_test_support.h"
#include "identity/cgroup_path.h"

namespace execmond::test {
namespace {

// The records lines of describe(), in table order.
std::string records_lines(const Config& config) {
  std::string lines;
  const std::string text = describe(config);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at) + 1;
    if (text.compare(at, 8, "records.") == 0) lines += text.substr(at, end - at);
    at = end;
  }
  return lines;
}

// ---- Defaults and every key -------------------------------------------------

TEST(ConfigRecords, Defaults) {
  const RecordsConfig records = Config().records;
  EXPECT_TRUE(records.enabled);
  EXPECT_EQ(records.signals, (std::vector<int>{SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS}));
  EXPECT_TRUE(records.failures_of.empty());
  EXPECT_TRUE(records.exits_of.empty());
  EXPECT_TRUE(records.cmdline);
  EXPECT_TRUE(records.redact.empty());
  EXPECT_EQ(records.keep, 1000U);
  EXPECT_EQ(records.rate_per_second, 20);
  EXPECT_EQ(records.burst, 200U);
  EXPECT_EQ(records.program_rate_per_second, 1);
  EXPECT_EQ(records.program_burst, 20U);
  EXPECT_TRUE(records.journal);
  EXPECT_EQ(records.json_file, "");
  EXPECT_EQ(records.kernel_buffer_bytes, 262144U);
  // An empty section, or none, is the defaults.
  expect_same(parse_ok("records:\n"), Config());
  expect_same(parse_ok("records: {}\n"), Config());
}

constexpr const char* kEveryKey =
    "records:\n"
    "  enabled: false\n"
    "  signals: [SIGSEGV, abrt, Bus, SIGRTMIN+1, 9]\n"
    "  failures_of:\n"
    "    comm: [backup, 123456789012345]\n"
    "    program: [\"java:billing\", nightly report]\n"
    "    unit: [backup.service, session-1.scope]\n"
    "  exits_of:\n"
    "    comm: [certbot]\n"
    "    program: [deploy]\n"
    "    unit: [docker.socket, home.mount, swapfile.swap]\n"
    "  cmdline: false\n"
    "  redact: [\"(?i)password=\\\\S+\", \"--token [^ ]+\"]\n"
    "  keep: 1000000\n"
    "  rate_per_second: 0.5\n"
    "  burst: 1\n"
    "  program_rate_per_second: 0\n"
    "  program_burst: 1000000\n"
    "  journal: false\n"
    "  json_file: /var/log/execmond/exits.json\n"
    "  kernel_buffer_bytes: 1073741824\n";

TEST(ConfigRecords, EveryKey) {
  const Config config = parse_ok(kEveryKey);
  RecordsConfig expected;
  expected.enabled = false;
  expected.signals = {SIGSEGV, SIGABRT, SIGBUS, 35, SIGKILL};
  expected.failures_of = {{"backup", "123456789012345"},
                          {"java:billing", "nightly report"},
                          {"backup.service", "session-1.scope"}};
  expected.exits_of = {{"certbot"}, {"deploy"}, {"docker.socket", "home.mount", "swapfile.swap"}};
  expected.cmdline = false;
  expected.redact = {"(?i)password=\\S+", "--token [^ ]+"};
  expected.keep = 1000000;
  expected.rate_per_second = 0.5;
  expected.burst = 1;
  expected.program_rate_per_second = 0;
  expected.program_burst = 1000000;
  expected.journal = false;
  expected.json_file = "/var/log/execmond/exits.json";
  expected.kernel_buffer_bytes = 1U << 30;
  EXPECT_EQ(config.records, expected);
  // Nothing outside the section moves.
  Config only_records;
  only_records.records = expected;
  expect_same(config, only_records);
  EXPECT_EQ(records_lines(config),
            "records.enabled: false\n"
            "records.signals: [SIGSEGV, SIGABRT, SIGBUS, SIGRTMIN+1, SIGKILL]\n"
            "records.failures_of.comm: backup, 123456789012345\n"
            "records.failures_of.program: java:billing, \"nightly report\"\n"
            "records.failures_of.unit: backup.service, session-1.scope\n"
            "records.exits_of.comm: certbot\n"
            "records.exits_of.program: deploy\n"
            "records.exits_of.unit: docker.socket, home.mount, swapfile.swap\n"
            "records.cmdline: false\n"
            "records.redact: (?i)password=\\S+, \"--token [^ ]+\"\n"
            "records.keep: 1000000\n"
            "records.rate_per_second: 0.5\n"
            "records.burst: 1\n"
            "records.program_rate_per_second: 0\n"
            "records.program_burst: 1000000\n"
            "records.journal: false\n"
            "records.json_file: /var/log/execmond/exits.json\n"
            "records.kernel_buffer_bytes: 1073741824\n");
}

TEST(ConfigRecords, NoSignalsAndOtherOutputs) {
  const Config config = parse_ok("records:\n  signals: []\n  json_file: \"-\"\n");
  EXPECT_TRUE(config.records.signals.empty());
  EXPECT_EQ(config.records.json_file, "-");
  EXPECT_NE(records_lines(config).find("records.signals: []\n"), std::string::npos);
  EXPECT_NE(records_lines(config).find("records.json_file: -\n"), std::string::npos);
  EXPECT_EQ(parse_ok("records: {json_file: \"/var/log/exec mon/x.json\"}\n").records.json_file,
            "/var/log/exec mon/x.json");
}

// ---- Units ------------------------------------------------------------------

// The suffixes records accept are the units identity finds processes in.
TEST(ConfigRecordsUnits, AcceptedUnitsAreOnesProcessesRunIn) {
  for (const char* unit :
       {"cron.service", "session-1.scope", "docker.socket", "home.mount", "dev-sda2.swap"}) {
    EXPECT_EQ(systemd_unit_of(std::string("/system.slice/") + unit), unit);
    parse_ok(std::string("records:\n  exits_of: {unit: [") + unit + "]}\n");
  }
  for (const char* unit : {"backup.timer", "multi-user.target", "system.slice"}) {
    EXPECT_EQ(systemd_unit_of(std::string("/system.slice/") + unit + "/x"), "");
    EXPECT_FALSE(parse_config(std::string("records:\n  exits_of: {unit: [") + unit + "]}\n", "t"));
  }
}

// ---- Invalid values: exact messages -----------------------------------------

// RE2's own words for a pattern it refuses, which the message quotes.
std::string regex_what(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMem);
  const RE2 compiled(pattern, options);
  EXPECT_FALSE(compiled.ok()) << pattern << " compiles";
  return compiled.error();
}

constexpr const char* kSignals =
    "; use a list of signal names as kill -l gives them, with or without SIG, or numbers from 1 "
    "to 64, each signal at most once (e.g. [SIGSEGV, abrt, 7])";
constexpr const char* kComm =
    "; use command names of 1 to 15 bytes, as the kernel keeps them (e.g. [nginx, sshd])";
constexpr const char* kProgram =
    "; use program names as naming: gives them, without control characters (e.g. [nginx, "
    "backup.sh])";
constexpr const char* kUnit =
    "; use systemd unit names that processes run in, ending in .service, .scope, .socket, .mount "
    "or .swap (e.g. [cron.service, session-1.scope])";
constexpr const char* kRedact =
    "; use up to 64 patterns in RE2 syntax; each match in a command-line argument becomes *** "
    "(e.g. [\"(?i)password=\\S+\"])";
constexpr const char* kKeep =
    "; use an integer from 1 to 1000000: the most recent records GET /exits returns";
constexpr const char* kRate =
    "; use a number of records per second from 0 (no limit) to 1000000 (e.g. 20, 0.5)";
constexpr const char* kBurst =
    "; use an integer from 1 to 1000000: the records let through at once before the rate applies";
constexpr const char* kJsonFile =
    "; use \"\" for none, \"-\" for standard output, or an absolute path without control "
    "characters";
constexpr const char* kBuffer =
    "; use a power of two from 4096 to 1073741824 (1 GiB): the bytes of the kernel's buffer for "
    "records";
constexpr const char* kBool = "; use true or false";

TEST(ConfigRecordsErrors, InvalidValues) {
  struct Case {
    std::string body;  // under records:, from line 2
    std::string message;
  };
  const Case cases[] = {
      {"enabled: yes", "records.enabled: \"yes\" is not a boolean" + std::string(kBool)},
      {"cmdline: 1", "records.cmdline: \"1\" is not a boolean" + std::string(kBool)},
      {"journal: on", "records.journal: \"on\" is not a boolean" + std::string(kBool)},
      {"signals: [SIGSEGV, SIGFOO]",
       "records.signals[1]: \"SIGFOO\" is not a signal" + std::string(kSignals)},
      {"signals: [0]", "records.signals[0]: \"0\" is out of range" + std::string(kSignals)},
      {"signals: [65]", "records.signals[0]: \"65\" is out of range" + std::string(kSignals)},
      {"signals: [-6]", "records.signals[0]: \"-6\" is not a signal" + std::string(kSignals)},
      {"signals: [\"\"]", "records.signals[0]: \"\" is not a signal" + std::string(kSignals)},
      {"signals: [SIGSEGV, SIGSEGV]",
       "records.signals[1]: \"SIGSEGV\" is given twice" + std::string(kSignals)},
      {"signals: [segv, abrt, 11]",
       "records.signals[2]: \"11\" is SIGSEGV, given twice" + std::string(kSignals)},
      {"signals: [SIGABRT, SigAbrt]",
       "records.signals[1]: \"SigAbrt\" is SIGABRT, given twice" + std::string(kSignals)},
      {"signals: [[segv]]",
       "records.signals[0]: expected a signal, found a list" + std::string(kSignals)},
      {"signals: segv",
       "records.signals: expected a list, found a single value \"segv\"" + std::string(kSignals)},
      {"failures_of: {comm: [1234567890123456]}",
       "records.failures_of.comm[0]: \"1234567890123456\" is 16 bytes long" + std::string(kComm)},
      {"exits_of: {comm: [\"\"]}", "records.exits_of.comm[0]: \"\" is empty" + std::string(kComm)},
      {"failures_of: {program: [\"\"]}",
       "records.failures_of.program[0]: \"\" is empty" + std::string(kProgram)},
      {"exits_of: {program: [ok, \"a\\tb\"]}",
       "records.exits_of.program[1]: \"a\\x09b\" has control characters" + std::string(kProgram)},
      {"failures_of: {unit: [backup.timer]}",
       "records.failures_of.unit[0]: \"backup.timer\" is not a unit processes run in" +
           std::string(kUnit)},
      {"exits_of: {unit: [cron]}",
       "records.exits_of.unit[0]: \"cron\" is not a unit processes run in" + std::string(kUnit)},
      {"exits_of: {unit: [.service]}",
       "records.exits_of.unit[0]: \".service\" is not a unit processes run in" +
           std::string(kUnit)},
      {"exits_of: {unit: [system.slice/cron.service]}",
       "records.exits_of.unit[0]: \"system.slice/cron.service\" has a \"/\"" + std::string(kUnit)},
      {"exits_of: {unit: [\"\"]}", "records.exits_of.unit[0]: \"\" is empty" + std::string(kUnit)},
      {"failures_of: {user: [root]}",
       "records.failures_of.user: unknown key; allowed keys under records.failures_of: comm, "
       "program, unit"},
      {"redact: [ok, \"(\"]", "records.redact[1]: \"(\" is not a valid regular expression (" +
                                  regex_what("(") + ")" + std::string(kRedact)},
      {"redact: [\"(a)\\\\1\"]",
       "records.redact[0]: \"(a)\\\\1\" is not a valid regular expression (invalid escape "
       "sequence: \\1: RE2 has no backreferences)" +
           std::string(kRedact)},
      {"redact: [\"\"]", "records.redact[0]: \"\" is empty" + std::string(kRedact)},
      {"keep: 0", "records.keep: \"0\" is out of range" + std::string(kKeep)},
      {"keep: 1000001", "records.keep: \"1000001\" is out of range" + std::string(kKeep)},
      {"keep: many", "records.keep: \"many\" is not an integer" + std::string(kKeep)},
      {"rate_per_second: -1",
       "records.rate_per_second: \"-1\" is out of range" + std::string(kRate)},
      {"rate_per_second: 1000001",
       "records.rate_per_second: \"1000001\" is out of range" + std::string(kRate)},
      {"rate_per_second: fast",
       "records.rate_per_second: \"fast\" is not a number" + std::string(kRate)},
      {"program_rate_per_second: .inf",
       "records.program_rate_per_second: \".inf\" is not a number" + std::string(kRate)},
      {"program_rate_per_second: nan",
       "records.program_rate_per_second: \"nan\" is not a number" + std::string(kRate)},
      {"burst: 0", "records.burst: \"0\" is out of range" + std::string(kBurst)},
      {"program_burst: 1.5",
       "records.program_burst: \"1.5\" is not an integer" + std::string(kBurst)},
      {"program_burst: 1000001",
       "records.program_burst: \"1000001\" is out of range" + std::string(kBurst)},
      {"json_file: exits.json",
       "records.json_file: \"exits.json\" is not an absolute path" + std::string(kJsonFile)},
      {"json_file: \"/var/log/a\\nb\"",
       "records.json_file: \"/var/log/a\\x0ab\" has control characters" + std::string(kJsonFile)},
      {"kernel_buffer_bytes: 5000",
       "records.kernel_buffer_bytes: \"5000\" is not a power of two" + std::string(kBuffer)},
      {"kernel_buffer_bytes: 2048",
       "records.kernel_buffer_bytes: \"2048\" is out of range" + std::string(kBuffer)},
      {"kernel_buffer_bytes: 2147483648",
       "records.kernel_buffer_bytes: \"2147483648\" is out of range" + std::string(kBuffer)},
      {"kernel_buffer_bytes: 256k",
       "records.kernel_buffer_bytes: \"256k\" is not an integer" + std::string(kBuffer)},
      {"enable: true",
       "records.enable: unknown key; allowed keys under records: enabled, signals, failures_of, "
       "exits_of, cmdline, redact, keep, rate_per_second, burst, program_rate_per_second, "
       "program_burst, journal, json_file, kernel_buffer_bytes"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_error("records:\n  " + c.body + "\n"), "test.yaml:2: " + c.message) << c.body;
  }
}

TEST(ConfigRecordsErrors, ErrorPointsAtTheItemLine) {
  EXPECT_EQ(parse_error("records:\n  signals:\n    - segv\n    - sigfoo\n"),
            "test.yaml:4: records.signals[1]: \"sigfoo\" is not a signal" + std::string(kSignals));
  EXPECT_EQ(parse_error("records:\n  exits_of:\n    unit:\n      - a.service\n      - b.timer\n"),
            "test.yaml:5: records.exits_of.unit[1]: \"b.timer\" is not a unit processes run in" +
                std::string(kUnit));
}

TEST(ConfigRecordsErrors, AtMost64Patterns) {
  std::string patterns;
  for (int i = 0; i < 65; ++i)
    patterns += (i == 0 ? "" : ", ") + std::string("p") + std::to_string(i);
  EXPECT_EQ(parse_error("records:\n  redact: [" + patterns + "]\n"),
            "test.yaml:2: records.redact: has 65 entries" + std::string(kRedact));
}

// ---- Flags, reloads and restarts ----------------------------------------------

TEST(ConfigRecordsSetSetting, ScalarsAsInTheFile) {
  Config config;
  const std::pair<const char*, const char*> values[] = {
      {"records.enabled", "false"},   {"records.cmdline", "false"},
      {"records.keep", "50"},         {"records.rate_per_second", "2.5"},
      {"records.burst", "5"},         {"records.program_rate_per_second", "0"},
      {"records.program_burst", "3"}, {"records.journal", "false"},
      {"records.json_file", "-"},     {"records.kernel_buffer_bytes", "4096"},
  };
  for (const auto& [key, text] : values) EXPECT_TRUE(set_setting(config, key, text).ok()) << key;
  RecordsConfig expected;
  expected.enabled = false;
  expected.cmdline = false;
  expected.keep = 50;
  expected.rate_per_second = 2.5;
  expected.burst = 5;
  expected.program_rate_per_second = 0;
  expected.program_burst = 3;
  expected.journal = false;
  expected.json_file = "-";
  expected.kernel_buffer_bytes = 4096;
  EXPECT_EQ(config.records, expected);
  // The same rules as the file; a refused value leaves the setting as it was.
  EXPECT_EQ(set_setting(config, "records.kernel_buffer_bytes", "12288").error().message,
            std::string("\"12288\" is not a power of two") + kBuffer);
  EXPECT_EQ(config.records.kernel_buffer_bytes, 4096U);
  for (const char* list : {"records.signals", "records.redact", "records.failures_of.comm",
                           "records.exits_of.unit", "records.failures_of"}) {
    EXPECT_FALSE(set_setting(config, list, "segv").ok()) << list;
  }
}

TEST(ConfigRecordsReload, RestartOnlyTheKernelSide) {
  using Change = void (*)(Config&);
  const std::pair<const char*, Change> restart[] = {
      {"records.enabled", [](Config& c) { c.records.enabled = false; }},
      {"records.cmdline", [](Config& c) { c.records.cmdline = false; }},
      {"records.kernel_buffer_bytes", [](Config& c) { c.records.kernel_buffer_bytes = 4096; }},
  };
  for (const auto& [key, change] : restart) {
    Config wanted;
    change(wanted);
    EXPECT_EQ(restart_only_differences(Config(), wanted), std::vector<std::string>{key});
    // A reload leaves it as it runs.
    expect_same(take_reloadable(Config(), wanted), Config());
  }
}

TEST(ConfigRecordsReload, TakesEveryOtherKey) {
  const Config wanted = parse_ok(kEveryKey);
  const Config taken = take_reloadable(Config(), wanted);
  EXPECT_EQ(restart_only_differences(Config(), wanted),
            (std::vector<std::string>{"records.enabled", "records.cmdline",
                                      "records.kernel_buffer_bytes"}));
  EXPECT_TRUE(restart_only_differences(Config(), taken).empty()) << describe(taken);
  RecordsConfig expected = wanted.records;
  expected.enabled = true;
  expected.cmdline = true;
  expected.kernel_buffer_bytes = RecordsConfig().kernel_buffer_bytes;
  EXPECT_EQ(taken.records, expected);
}

}  // namespace
}  // namespace execmond::test
