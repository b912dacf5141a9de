// naming: the inline rules with their lines, unmatched, interpreters,
// cmdline_max_bytes, the exact message of each invalid value, and the
// program, script and parent labels.
#include "config/naming_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config_test_support.h"

namespace execmond::test {
namespace {

using Strings = std::vector<std::string>;

// The example of the shipped config's naming section, without the file.
constexpr const char* kExample = R"(naming:
  rules:
    - name: "{{.Matches.script}}"
      comm: [python3]
      cmdline: ['^\S+\s+(?:-\S+\s+)*(?P<script>[^/\s]+)\.py']
    - name: "java:{{.Matches.main}}"
      exe: [java]
      cmdline: ['-Dapp\.name=(?P<main>\S+)']
  unmatched: comm
  interpreters:
    - {exe: python3.13, style: python}
  cmdline_max_bytes: 4096
)";

TEST(NamingConfig, DefaultsNameNothing) {
  const NamingConfig naming = Config().naming;
  EXPECT_EQ(naming.process_exporter_config, "");
  EXPECT_TRUE(naming.rules.empty());
  EXPECT_EQ(naming.unmatched, Unmatched::Comm);
  EXPECT_TRUE(naming.interpreters.empty());
  EXPECT_EQ(naming.cmdline_max_bytes, 4096U);
  expect_same(parse_ok("naming:\n"), Config());
}

TEST(NamingConfig, ReadsTheExample) {
  const Config config = parse_ok(kExample);
  ASSERT_EQ(config.naming.rules.size(), 2U);
  const NamingRule& python = config.naming.rules[0];
  EXPECT_EQ(python.name, "{{.Matches.script}}");
  EXPECT_EQ(python.comm, Strings{"python3"});
  EXPECT_TRUE(python.exe.empty());
  EXPECT_EQ(python.cmdline, Strings{R"(^\S+\s+(?:-\S+\s+)*(?P<script>[^/\s]+)\.py)"});
  EXPECT_EQ(python.source, "test.yaml");
  EXPECT_EQ(python.line, 3);
  const NamingRule& java = config.naming.rules[1];
  EXPECT_EQ(java.name, "java:{{.Matches.main}}");
  EXPECT_TRUE(java.comm.empty());
  EXPECT_EQ(java.exe, Strings{"java"});
  EXPECT_EQ(java.cmdline, Strings{R"(-Dapp\.name=(?P<main>\S+))"});
  EXPECT_EQ(java.line, 6);
  EXPECT_EQ(config.naming.unmatched, Unmatched::Comm);
  EXPECT_EQ(config.naming.interpreters,
            (std::vector<Interpreter>{{"python3.13", InterpreterStyle::Python}}));
  EXPECT_EQ(config.naming.cmdline_max_bytes, 4096U);
}

// process-exporter names a rule without a template by its executable.
TEST(NamingConfig, ARuleWithoutANameGetsExeBase) {
  const Config config = parse_ok(
      "naming:\n  rules:\n    - comm: [bash]\n    - name: \"\"\n"
      "      exe: [postgres, /usr/local/bin/prometheus]\n");
  ASSERT_EQ(config.naming.rules.size(), 2U);
  EXPECT_EQ(config.naming.rules[0].name, "{{.ExeBase}}");
  EXPECT_EQ(config.naming.rules[1].name, "{{.ExeBase}}");
  EXPECT_EQ(config.naming.rules[1].exe, (Strings{"postgres", "/usr/local/bin/prometheus"}));
  EXPECT_EQ(config.naming.rules[1].line, 4);
}

TEST(NamingConfig, FifteenByteCommAndEveryStyle) {
  const Config config = parse_ok(
      "naming:\n  rules: [{comm: [chromium-browse], cmdline: ['']}]\n  interpreters:\n"
      "    - {exe: py, style: python}\n    - {exe: jv, style: java}\n"
      "    - {exe: nd, style: node}\n    - {exe: sh, style: shell}\n"
      "    - {exe: pl, style: perl}\n    - {exe: rb, style: ruby}\n"
      "    - {exe: ph, style: php}\n    - {exe: R, style: rscript}\n");
  EXPECT_EQ(config.naming.rules[0].comm, Strings{"chromium-browse"});
  EXPECT_EQ(config.naming.rules[0].cmdline, Strings{""});  // matches every command line
  const InterpreterStyle styles[] = {InterpreterStyle::Python, InterpreterStyle::Java,
                                     InterpreterStyle::Node,   InterpreterStyle::Shell,
                                     InterpreterStyle::Perl,   InterpreterStyle::Ruby,
                                     InterpreterStyle::Php,    InterpreterStyle::Rscript};
  ASSERT_EQ(config.naming.interpreters.size(), std::size(styles));
  for (std::size_t i = 0; i < std::size(styles); ++i) {
    EXPECT_EQ(config.naming.interpreters[i].style, styles[i]) << i;
  }
}

TEST(NamingConfig, Unmatched) {
  EXPECT_EQ(parse_ok("naming: {unmatched: comm}\n").naming.unmatched, Unmatched::Comm);
  EXPECT_EQ(parse_ok("naming: {unmatched: script}\n").naming.unmatched, Unmatched::Script);
  const Config fixed = parse_ok("naming: {unmatched: other processes}\n");
  EXPECT_EQ(fixed.naming.unmatched, Unmatched::Fixed);
  EXPECT_EQ(fixed.naming.unmatched_name, "other processes");
  // Names are exact: "Comm" is a fixed name, not comm.
  EXPECT_EQ(parse_ok("naming: {unmatched: Comm}\n").naming.unmatched, Unmatched::Fixed);
  Config config;
  EXPECT_TRUE(set_setting(config, "naming.unmatched", "script").ok());
  EXPECT_EQ(config.naming.unmatched, Unmatched::Script);
  EXPECT_EQ(config.naming.unmatched_name, "");
}

TEST(NamingConfig, CmdlineMaxBytesRange) {
  EXPECT_EQ(parse_ok("naming: {cmdline_max_bytes: 64}\n").naming.cmdline_max_bytes, 64U);
  EXPECT_EQ(parse_ok("naming: {cmdline_max_bytes: 16384}\n").naming.cmdline_max_bytes,
            kMaxCmdlineBytes);
}

TEST(NamingConfig, InvalidScalars) {
  const std::string bytes =
      "; use an integer from 64 to 16384: the bytes of each command line "
      "read at exec";
  const std::string unmatched =
      "; use comm, script, or any other text as a fixed name (e.g. other)";
  const std::string path =
      "; use the path of process-exporter's config file, absolute or "
      "relative to this file's directory, or \"\" for none";
  const std::pair<std::string, std::string> cases[] = {
      {"naming:\n  cmdline_max_bytes: 63\n",
       "test.yaml:2: naming.cmdline_max_bytes: \"63\" is out of range" + bytes},
      {"naming:\n  cmdline_max_bytes: 16385\n",
       "test.yaml:2: naming.cmdline_max_bytes: \"16385\" is out of range" + bytes},
      {"naming:\n  cmdline_max_bytes: 4k\n",
       "test.yaml:2: naming.cmdline_max_bytes: \"4k\" is not an integer" + bytes},
      {"naming:\n  cmdline_max_bytes: [1]\n",
       "test.yaml:2: naming.cmdline_max_bytes: expected a single value, found a list" + bytes},
      {"naming:\n  unmatched: \"\"\n", "test.yaml:2: naming.unmatched: \"\" is empty" + unmatched},
      {"naming:\n  unmatched: \"a\\tb\"\n",
       R"(test.yaml:2: naming.unmatched: "a\x09b" has control characters)" + unmatched},
      {"naming:\n  unmatched:\n", "test.yaml:2: naming.unmatched: no value" + unmatched},
      {"naming:\n  process_exporter_config: [a]\n",
       "test.yaml:2: naming.process_exporter_config: expected a single value, found a list" + path},
      {"naming:\n  process_exporter_config: \"a\\nb\"\n",
       R"(test.yaml:2: naming.process_exporter_config: "a\x0ab" has control characters)" + path},
      {"naming:\n  unmatched: comm\n  unmatched: script\n",
       "test.yaml:3: naming.unmatched: duplicate key; give each key once"},
      {"naming:\n  rule: []\n",
       "test.yaml:2: naming.rule: unknown key; allowed keys under naming: process_exporter_config, "
       "rules, unmatched, interpreters, cmdline_max_bytes"},
      {"naming: [rules]\n",
       "test.yaml:1: naming: expected a map, found a list; allowed keys under naming: "
       "process_exporter_config, rules, unmatched, interpreters, cmdline_max_bytes"},
  };
  for (const auto& [yaml, message] : cases) EXPECT_EQ(parse_error(yaml), message) << yaml;
}

TEST(NamingConfig, InvalidRules) {
  const std::string rules =
      "; use a list of rules, each a map of name, comm, exe and cmdline as "
      "in process-exporter's process_names";
  const std::string keys = "; allowed keys in a rule: name, comm, exe, cmdline";
  const std::string comm =
      "; use a list of command names of 1 to 15 bytes, any of which matches "
      "(e.g. [bash, nginx])";
  const std::string exe =
      "; use a list of argv[0] base names, or paths argv[0] must equal, any "
      "of which matches (e.g. [postgres, /usr/local/bin/prometheus])";
  const std::string cmdline =
      "; use a list of RE2 patterns, each of which must match the "
      "arguments joined by spaces (e.g. ['-jar\\s+(?P<jar>\\S+)'])";
  const std::string name =
      R"(; use a template, e.g. "{{.Comm}}"; a rule without one is named "{{.ExeBase}}")";
  const std::pair<std::string, std::string> cases[] = {
      {"naming:\n  rules: {comm: [a]}\n",
       "test.yaml:2: naming.rules: expected a list, found a map" + rules},
      {"naming:\n  rules:\n", "test.yaml:2: naming.rules: no value" + rules},
      {"naming:\n  rules: [bash]\n",
       "test.yaml:2: naming.rules[0]: expected a map, found a single value \"bash\"" + rules},
      {"naming:\n  rules:\n    - comm: [a]\n    - commm: [b]\n",
       "test.yaml:4: naming.rules[1].commm: unknown key" + keys},
      {"naming:\n  rules:\n    - comm: [a]\n      labels: {x: y}\n",
       "test.yaml:4: naming.rules[0].labels: unknown key" + keys},
      {"naming:\n  rules:\n    - {[a]: b}\n",
       "test.yaml:3: naming.rules[0]: a key is a list, not a name" + keys},
      {"naming:\n  rules:\n    - comm: [a]\n      comm: [b]\n",
       "test.yaml:4: naming.rules[0].comm: duplicate key; give each key once"},
      {"naming:\n  rules:\n    - name: x\n",
       "test.yaml:3: naming.rules[0]: no selector, so it would name every process; give comm, "
       "exe or cmdline (lists of strings), which must all match"},
      {"naming:\n  rules:\n    - {}\n",
       "test.yaml:3: naming.rules[0]: no selector, so it would name every process; give comm, "
       "exe or cmdline (lists of strings), which must all match"},
      {"naming:\n  rules:\n    - comm: []\n",
       "test.yaml:3: naming.rules[0].comm: an empty list, which matches nothing" + comm},
      {"naming:\n  rules:\n    - exe: []\n",
       "test.yaml:3: naming.rules[0].exe: an empty list, which matches nothing" + exe},
      {"naming:\n  rules:\n    - cmdline: []\n",
       "test.yaml:3: naming.rules[0].cmdline: an empty list, which matches nothing" + cmdline},
      {"naming:\n  rules:\n    - comm: bash\n",
       "test.yaml:3: naming.rules[0].comm: expected a list of strings, found a single value "
       "\"bash\"" +
           comm},
      {"naming:\n  rules:\n    - exe: {a: b}\n",
       "test.yaml:3: naming.rules[0].exe: expected a list of strings, found a map" + exe},
      {"naming:\n  rules:\n    - cmdline:\n",
       "test.yaml:3: naming.rules[0].cmdline: no value" + cmdline},
      {"naming:\n  rules:\n    - comm:\n        - a\n        - [b]\n",
       "test.yaml:5: naming.rules[0].comm[1]: expected a string, found a list" + comm},
      {"naming:\n  rules:\n    - comm: [\"\"]\n",
       "test.yaml:3: naming.rules[0].comm[0]: \"\" is empty" + comm},
      {"naming:\n  rules:\n    - exe: [\"\"]\n",
       "test.yaml:3: naming.rules[0].exe[0]: \"\" is empty" + exe},
      {"naming:\n  rules:\n    - comm: [bash, chromium-browser]\n",
       "test.yaml:3: naming.rules[0].comm[1]: \"chromium-browser\" is 16 bytes long and can "
       "never match: the kernel keeps the first 15 bytes of a command name, \"chromium-browse\"" +
           comm},
      {"naming:\n  rules:\n    - comm: [a]\n      name: [x]\n",
       "test.yaml:4: naming.rules[0].name: expected a template, found a list" + name},
      {"naming:\n  rules:\n    - comm: [a]\n      name:\n",
       "test.yaml:4: naming.rules[0].name: no value" + name},
  };
  for (const auto& [yaml, message] : cases) EXPECT_EQ(parse_error(yaml), message) << yaml;
}

TEST(NamingConfig, InvalidInterpreters) {
  const std::string list =
      "; use a list of maps of exe and style (e.g. [{exe: python3.13, style: python}])";
  const std::string exe = "; use the executable's base name, without \"/\" (e.g. python3.13)";
  const std::string style = "; use python, java, node, shell, perl, ruby, php or rscript";
  const std::pair<std::string, std::string> cases[] = {
      {"naming:\n  interpreters: python3\n",
       "test.yaml:2: naming.interpreters: expected a list, found a single value \"python3\"" +
           list},
      {"naming:\n  interpreters: [python3]\n",
       "test.yaml:2: naming.interpreters[0]: expected a map, found a single value \"python3\"" +
           list},
      {"naming:\n  interpreters:\n    - {exe: a, style: python, args: 1}\n",
       "test.yaml:3: naming.interpreters[0].args: unknown key; allowed keys in an interpreter: "
       "exe, style"},
      {"naming:\n  interpreters:\n    - {style: python}\n",
       "test.yaml:3: naming.interpreters[0]: no exe" + exe},
      {"naming:\n  interpreters:\n    - {exe: a}\n",
       "test.yaml:3: naming.interpreters[0]: no style" + style},
      {"naming:\n  interpreters:\n    - {exe: /usr/bin/python3, style: python}\n",
       R"(test.yaml:3: naming.interpreters[0].exe: "/usr/bin/python3" has a "/")" + exe},
      {"naming:\n  interpreters:\n    - {exe: \"\", style: python}\n",
       "test.yaml:3: naming.interpreters[0].exe: \"\" is empty" + exe},
      {"naming:\n  interpreters:\n    - {exe: [a], style: python}\n",
       "test.yaml:3: naming.interpreters[0].exe: expected a name, found a list" + exe},
      {"naming:\n  interpreters:\n    - {exe: a, style: py}\n",
       "test.yaml:3: naming.interpreters[0].style: \"py\" is not an interpreter style" + style},
      {"naming:\n  interpreters:\n    - {exe: a, style: [python]}\n",
       "test.yaml:3: naming.interpreters[0].style: expected a style, found a list" + style},
      {"naming:\n  interpreters:\n    - {exe: a, style: python}\n    - {exe: a, style: java}\n",
       "test.yaml:4: naming.interpreters[1].exe: \"a\" is given twice; give each executable once"},
  };
  for (const auto& [yaml, message] : cases) EXPECT_EQ(parse_error(yaml), message) << yaml;
}

// The bounds on work per exec and on memory, with the item that passes them.
TEST(NamingConfig, RuleAndPatternLimits) {
  std::string rules = "naming:\n  rules:\n";
  for (int i = 0; i < 1024; ++i) rules += "    - comm: [c" + std::to_string(i) + "]\n";
  EXPECT_EQ(parse_ok(rules).naming.rules.size(), 1024U);
  EXPECT_EQ(parse_error(rules + "    - comm: [last]\n"),
            "test.yaml:1027: naming.rules[1024]: more than 1024 rules in naming.rules and "
            "process_names together; merge rules, e.g. list several command names under one comm");
  std::string patterns = "naming:\n  rules:\n";
  for (int i = 0; i < 128; ++i) patterns += "    - cmdline: [a, b]\n";
  EXPECT_EQ(parse_ok(patterns).naming.rules.size(), 128U);
  EXPECT_EQ(parse_error(patterns + "    - {comm: [x], cmdline: [c]}\n"),
            "test.yaml:131: naming.rules[128].cmdline[0]: more than 256 cmdline patterns in all "
            "rules together, each compiled within its own memory budget; merge patterns, or "
            "select by comm or exe");
}

}  // namespace
}  // namespace execmond::test
