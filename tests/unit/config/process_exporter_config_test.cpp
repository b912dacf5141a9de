// naming.process_exporter_config: process-exporter's own file, read
// unchanged (its README's examples included), its rules after the inline ones
// with its own lines; and each way the file can be unusable.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "config_test_support.h"
#include "temp_file.h"

namespace execmond::test {
namespace {

using Strings = std::vector<std::string>;

std::string naming_of(const std::string& path) {
  return "naming:\n  process_exporter_config: " + path + "\n";
}

constexpr const char* kFileAllowed =
    "; name process-exporter's config file, whose process_names holds the rules (a relative path "
    "is relative to this file's directory)";

TEST(ProcessExporterConfig, RulesComeAfterTheInlineOnesWithTheirOwnLines) {
  const TempFile file(
      "# process-exporter\nprocess_names:\n  - name: \"{{.Comm}}\"\n    cmdline:\n    - '.+'\n"
      "  - exe: [postgres]\n");
  // The key stands before the inline rules: the order of the rules does not follow it.
  const Config config = parse_ok(naming_of(file.path()) + "  rules:\n    - comm: [bash]\n");
  EXPECT_EQ(config.naming.process_exporter_config, file.path());
  ASSERT_EQ(config.naming.rules.size(), 3U);
  EXPECT_EQ(config.naming.rules[0], (NamingRule{"{{.ExeBase}}", {"bash"}, {}, {}, "test.yaml", 4}));
  EXPECT_EQ(config.naming.rules[1], (NamingRule{"{{.Comm}}", {}, {}, {".+"}, file.path(), 3}));
  EXPECT_EQ(config.naming.rules[2],
            (NamingRule{"{{.ExeBase}}", {}, {"postgres"}, {}, file.path(), 6}));
}

TEST(ProcessExporterConfig, OtherKeysAreIgnoredAndEmptyListsNameNothing) {
  const TempFile other("some_other_setting: {a: 1}\nprocess_names: []\nmore: [1, 2]\n");
  EXPECT_TRUE(parse_ok(naming_of(other.path())).naming.rules.empty());
  const TempFile null_list("process_names:\n");
  EXPECT_TRUE(parse_ok(naming_of(null_list.path())).naming.rules.empty());
}

// A temporary directory holding a config and, beside it, process-exporter's file.
class ConfigDirectory {
 public:
  ConfigDirectory() {
    char name[] = "/tmp/execmond_test_dir_XXXXXX";
    if (::mkdtemp(name) == nullptr) std::abort();
    path_ = name;
  }
  ~ConfigDirectory() {
    for (const std::string& file : files_) (void)std::remove(file.c_str());
    ::rmdir(path_.c_str());
  }
  ConfigDirectory(const ConfigDirectory&) = delete;
  ConfigDirectory& operator=(const ConfigDirectory&) = delete;
  std::string write(const std::string& name, const std::string& text) {
    files_.push_back(path_ + "/" + name);
    std::ofstream(files_.back()) << text;
    return files_.back();
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

TEST(ProcessExporterConfig, RelativePathIsBesideTheConfigFile) {
  ConfigDirectory dir;
  const std::string rules = dir.write("pe.yml", "process_names:\n  - comm: [nginx]\n");
  const std::string config_file = dir.write("execmond.yaml", naming_of("pe.yml"));
  Result<Config> config = load_config_file(config_file);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->naming.process_exporter_config, rules);
  ASSERT_EQ(config->naming.rules.size(), 1U);
  EXPECT_EQ(config->naming.rules[0].source, rules);
  EXPECT_EQ(config->naming.rules[0].line, 2);
}

TEST(ProcessExporterConfig, UnusableFiles) {
  EXPECT_EQ(parse_error(naming_of("/nonexistent/pe.yml")),
            "test.yaml:2: naming.process_exporter_config: cannot open /nonexistent/pe.yml: No such "
            "file or directory" +
                std::string(kFileAllowed));
  EXPECT_EQ(parse_error("\n" + naming_of("/tmp")),
            "test.yaml:3: naming.process_exporter_config: cannot read /tmp: Is a directory" +
                std::string(kFileAllowed));
  EXPECT_EQ(parse_error(naming_of("/dev/zero")),
            "test.yaml:2: naming.process_exporter_config: cannot read /dev/zero: larger than 1 "
            "MiB" +
                std::string(kFileAllowed));
  for (const char* text : {"", "# nothing\n", "process_name:\n  - comm: [a]\n", "[a, b]\n"}) {
    const TempFile file(text);
    EXPECT_EQ(parse_error(naming_of(file.path())),
              "test.yaml:2: naming.process_exporter_config: " + file.path() +
                  " has no process_names" + kFileAllowed)
        << text;
  }
}

TEST(ProcessExporterConfig, ErrorsInsideNameTheFileAndItsLine) {
  struct Case {
    const char* text;
    const char* message;  // after the file's path
  };
  const Case cases[] = {
      {"process_names:\n  - comm: [a]\n  - comm: [chromium-browser]\n",
       ":3: process_names[1].comm[0]: \"chromium-browser\" is 16 bytes long and can never "
       "match: the kernel keeps the first 15 bytes of a command name, \"chromium-browse\"; use a "
       "list of command names of 1 to 15 bytes, any of which matches (e.g. [bash, nginx])"},
      {"process_names:\n  - name: x\n",
       ":2: process_names[0]: no selector, so it would name every process; give comm, exe or "
       "cmdline (lists of strings), which must all match"},
      {"process_names:\n  - comm: [a]\n    cmd: [b]\n",
       ":3: process_names[0].cmd: unknown key; allowed keys in a rule: name, comm, exe, cmdline"},
      {"process_names: {comm: [a]}\n",
       ":1: process_names: expected a list, found a map; use a list of rules, each a map of name, "
       "comm, exe and cmdline as in process-exporter's process_names"},
      {"process_names: []\nprocess_names: []\n",
       ":2: process_names: duplicate key; give each key once"},
      {"process_names:\n  - comm: [a\n", ":3: YAML syntax error: end of sequence flow not found"},
      {"process_names: []\n---\nprocess_names: [{comm: [a]}]\n",
       ":3: top level: a second YAML document; put process_names in the first"},
  };
  for (const Case& c : cases) {
    const TempFile file(c.text);
    EXPECT_EQ(parse_error(naming_of(file.path())), file.path() + c.message) << c.text;
  }
}

// Inline rules and the file's share one bound; the file's rule is blamed.
TEST(ProcessExporterConfig, LimitsCountBothSources) {
  std::string inline_rules = "  rules:\n";
  for (int i = 0; i < 1000; ++i) inline_rules += "    - comm: [c" + std::to_string(i) + "]\n";
  std::string file_rules = "process_names:\n";
  for (int i = 0; i < 25; ++i) file_rules += "  - comm: [f" + std::to_string(i) + "]\n";
  const TempFile file(file_rules);
  EXPECT_EQ(parse_error(naming_of(file.path()) + inline_rules),
            file.path() +
                ":26: process_names[24]: more than 1024 rules in naming.rules and process_names "
                "together; merge rules, e.g. list several command names under one comm");
}

// ---- process-exporter's README: its example files, unchanged ----------------

TEST(ProcessExporterConfig, ReadmeDefaultConfig) {
  const TempFile file(
      "process_names:\n"
      "  - name: \"{{.Comm}}\"\n"
      "    cmdline:\n"
      "    - '.+'\n");
  const Config config = parse_ok(naming_of(file.path()));
  EXPECT_EQ(config.naming.rules,
            (std::vector<NamingRule>{{"{{.Comm}}", {}, {}, {".+"}, file.path(), 2}}));
}

TEST(ProcessExporterConfig, ReadmeSelectors) {
  const TempFile file(R"(
process_names:
  # comm is the second field of /proc/<pid>/stat minus parens.
  # It is the base executable name, truncated at 15 chars.
  # It cannot be modified by the program, unlike exe.
  - comm:
    - bash

  # exe is argv[0]. If no slashes, only basename of argv[0] need match.
  # If exe contains slashes, argv[0] must match exactly.
  - exe:
    - postgres
    - /usr/local/bin/prometheus

  # cmdline is a list of regexps applied to argv.
  # Each must match, and any captures are added to the .Matches map.
  - name: "{{.ExeFull}}:{{.Matches.Cfgfile}}"
    exe:
    - /usr/local/bin/process-exporter
    cmdline:
    - -config.path\s+(?P<Cfgfile>\S+)

)");
  const Config config = parse_ok(naming_of(file.path()));
  const std::string& f = file.path();
  EXPECT_EQ(config.naming.rules,
            (std::vector<NamingRule>{
                {"{{.ExeBase}}", {"bash"}, {}, {}, f, 6},
                {"{{.ExeBase}}", {}, {"postgres", "/usr/local/bin/prometheus"}, {}, f, 11},
                {"{{.ExeFull}}:{{.Matches.Cfgfile}}",
                 {},
                 {"/usr/local/bin/process-exporter"},
                 {R"(-config.path\s+(?P<Cfgfile>\S+))"},
                 f,
                 17}}));
}

TEST(ProcessExporterConfig, ReadmeHomeMachine) {
  const TempFile file(R"(
process_names:
  - comm:
    - chromium-browse
    - bash
    - prometheus
    - gvim
  - exe:
    - /sbin/upstart
    cmdline:
    - --user
    name: upstart:-user

)");
  const Config config = parse_ok(naming_of(file.path()));
  EXPECT_EQ(config.naming.rules,
            (std::vector<NamingRule>{
                {"{{.ExeBase}}",
                 {"chromium-browse", "bash", "prometheus", "gvim"},
                 {},
                 {},
                 file.path(),
                 3},
                {"upstart:-user", {}, {"/sbin/upstart"}, {"--user"}, file.path(), 8}}));
}

}  // namespace
}  // namespace execmond::test
