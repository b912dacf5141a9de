// What ran, with the real tracer and real interpreters: every run of a
// script counted exactly under its `program`, `script` and `parent`, an exec
// renaming a wrapper, and hostile names kept valid on /metrics.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "traced_test.h"

namespace execmond::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLoopback = "web: {listen_address: \"127.0.0.1:0\"}\n";

class NamingTest : public ProgramSetTest {
 protected:
  void SetUp() override {
    ProgramSetTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Names unique to this test (the host runs other scripts), short enough
    // for a comm: a script run through its shebang is its own comm.
    tag_ = "n" + std::to_string(getpid() % 100000);
    parent_ = workload_as("nmpa");
  }

  // Writes an executable file `name` in the test's directory; returns its path.
  std::string script(const std::string& name, const std::string& text) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    chmod(path.c_str(), 0755);
    return path;
  }

  Config naming_config() const {
    Config c = test_config();
    for (auto& family : c.labels.per_family) {
      family = {LabelSource::Comm, LabelSource::Program, LabelSource::Script, LabelSource::Parent};
    }
    NamingRule perl_jobs;
    perl_jobs.name = "job:{{.Matches.job}}";
    perl_jobs.comm = {"perl"};
    perl_jobs.cmdline = {R"((?P<job>[^/\s]+)\.pl)"};
    perl_jobs.source = "test.yaml";
    perl_jobs.line = 1;
    c.naming.rules = {perl_jobs};
    c.naming.unmatched = Unmatched::Script;
    return c;
  }

  // `n` runs of `argv`, one after the other, by this test's parent.
  Outcomes repeat(int n, const std::vector<std::string>& argv) {
    std::vector<std::string> args{"repeat", std::to_string(n)};
    args.insert(args.end(), argv.begin(), argv.end());
    return run(parent_, args);
  }

  // The sum of `name` over series started by this test's parent with these labels.
  double ours(const Exposition& m, const std::string& name, Exposition::LabelMap labels) const {
    labels["parent"] = comm_of(parent_);
    return m.sum(name, labels);
  }

  std::string tag_;
  std::string parent_;
};

TEST_P(NamingTest, EachRunIsCountedUnderItsScriptProgramAndParent) {
  start_daemon(naming_config());
  const std::string a = script(tag_ + "a.py", "import sys\nsys.exit(0)\n");
  const std::string b = script(tag_ + "b.py", "import sys\nsys.exit(4)\n");
  const std::string c = script(tag_ + "c.py", "#!/usr/bin/python3\nimport sys\nsys.exit(0)\n");
  const std::string d = script(tag_ + "d.sh", "exit 0\n");
  const std::string e = script(tag_ + "e.pl", "exit 0;\n");
  const std::string w = script(tag_ + "w.sh", "#!/bin/sh\nexec /usr/bin/perl " + e + "\n");

  EXPECT_EQ(repeat(3, {"/usr/bin/python3", a}), (Outcomes{{"exited 0", 3}}));
  EXPECT_EQ(repeat(2, {"/usr/bin/python3", "-u", "-X", "dev", b}), (Outcomes{{"exited 4", 2}}));
  EXPECT_EQ(repeat(2, {c}), (Outcomes{{"exited 0", 2}}));
  EXPECT_EQ(repeat(2, {"/usr/bin/python3", "-m", "json.tool", "/dev/null"}),
            (Outcomes{{"exited 1", 2}}));
  EXPECT_EQ(repeat(2, {"/bin/bash", d}), (Outcomes{{"exited 0", 2}}));
  EXPECT_EQ(repeat(3, {"/bin/sh", "-c", "exit 3"}), (Outcomes{{"exited 3", 3}}));
  EXPECT_EQ(repeat(2, {"/usr/bin/perl", e}), (Outcomes{{"exited 0", 2}}));
  EXPECT_EQ(repeat(2, {w}), (Outcomes{{"exited 0", 2}}));

  const Exposition m = scrape();
  const std::string execs = "execmond_process_execs_total";
  const std::string exits = "execmond_process_exits_total";
  // Each script by its base name, however it was started.
  EXPECT_EQ(ours(m, execs, {{"script", tag_ + "a.py"}, {"program", tag_ + "a.py"}}), 3);
  EXPECT_EQ(ours(m, exits, {{"script", tag_ + "b.py"}, {"code", "4"}}), 2);
  EXPECT_EQ(ours(m, execs, {{"script", tag_ + "c.py"}, {"comm", tag_ + "c.py"}}), 2)
      << "through its shebang, as python3 c.py";
  EXPECT_EQ(ours(m, exits, {{"script", "json.tool"}, {"code", "1"}}), 2);
  EXPECT_EQ(ours(m, execs, {{"script", tag_ + "d.sh"}, {"comm", "bash"}}), 2);
  // sh -c runs no script: the program falls back to the comm, the status is its own.
  EXPECT_EQ(ours(m, exits, {{"script", ""}, {"program", "sh"}, {"code", "3"}}), 3);
  // The rule names perl's jobs; the wrapper's exec renames it from that exec on.
  EXPECT_EQ(ours(m, execs, {{"script", tag_ + "e.pl"}, {"program", "job:" + tag_ + "e"}}), 4);
  EXPECT_EQ(ours(m, exits, {{"script", tag_ + "e.pl"}, {"program", "job:" + tag_ + "e"}}), 4);
  EXPECT_EQ(ours(m, execs, {{"script", tag_ + "w.sh"}}), 2);
  EXPECT_EQ(ours(m, exits, {{"script", tag_ + "w.sh"}}), 0) << "it ended as perl";
  // Everything above, and nothing else, was started by the parent.
  EXPECT_EQ(ours(m, execs, {}), 3 + 2 + 2 + 2 + 2 + 3 + 2 + 2 * 2);
  EXPECT_EQ(ours(m, exits, {}), 3 + 2 + 2 + 2 + 2 + 3 + 2 + 2);
  EXPECT_EQ(m.sum("execmond_process_forks_total", {{"comm", comm_of(parent_)}}),
            3 + 2 + 2 + 2 + 2 + 3 + 2 + 2);
}

// The other interpreters Debian has: one run each, by script.
TEST_P(NamingTest, NodeRubyPhpAndJavaScriptsAreNamed) {
  start_daemon(naming_config());
  struct Case {
    std::vector<std::string> argv;
    std::string script;
  };
  const std::vector<Case> cases{
      {{"/usr/bin/node", script(tag_ + "f.js", "process.exit(0)\n")}, tag_ + "f.js"},
      {{"/usr/bin/ruby", script(tag_ + "g.rb", "exit 0\n")}, tag_ + "g.rb"},
      {{"/usr/bin/php", script(tag_ + "h.php", "<?php exit(0);\n")}, tag_ + "h.php"},
      {{"/usr/bin/java", "-Xmx64m", "-Dk=v",
        script(
            "N" + tag_ + ".java",
            "class N" + tag_ + " { public static void main(String[] a) { System.exit(0); } }\n")},
       "N" + tag_ + ".java"},
  };
  for (const Case& c : cases) {
    ASSERT_TRUE(fs::exists(c.argv[0])) << c.argv[0] << " is a test dependency (make test-deps)";
    EXPECT_EQ(repeat(1, c.argv), (Outcomes{{"exited 0", 1}})) << c.argv[1];
  }
  const Exposition m = scrape();
  for (const Case& c : cases) {
    EXPECT_EQ(
        ours(m, "execmond_process_exits_total", {{"script", c.script}, {"program", c.script}}), 1)
        << c.argv[0];
  }
}

// Script names are file names: any bytes but '/' and NUL. On /metrics they
// are escaped and valid UTF-8, and the exposition still parses.
TEST_P(NamingTest, HostileScriptNamesStayValidLabelValues) {
  start_daemon(naming_config());
  const std::string name = tag_ + "q\"\\\n\xff<b>.pl";
  const std::string path = script(name, "exit 0;\n");
  EXPECT_EQ(repeat(2, {"/usr/bin/perl", path}), (Outcomes{{"exited 0", 2}}));
  const Exposition m = scrape();  // parses the text: a bad escape or byte fails here
  EXPECT_EQ(
      ours(m, "execmond_process_exits_total", {{"script", tag_ + "q\"\\\n\xef\xbf\xbd<b>.pl"}}), 2);
}

// A command line past naming.cmdline_max_bytes is cut after its last whole
// argument and counted; the process is still counted, named by what was kept.
TEST_P(NamingTest, ALongCommandLineIsCutCountedAndStillNamed) {
  Config c = naming_config();
  c.naming.cmdline_max_bytes = 64;
  start_daemon(c);
  const double truncated_before = scrape().value("execmond_cmdline_truncated_total");
  const std::string e = script(tag_ + "e.pl", "exit 0;\n");
  std::vector<std::string> argv{"/usr/bin/perl", e};
  for (int i = 0; i < 100; ++i) argv.push_back("argument-" + std::to_string(i));
  EXPECT_EQ(repeat(2, argv), (Outcomes{{"exited 0", 2}}));
  const Exposition m = scrape();
  EXPECT_EQ(ours(m, "execmond_process_exits_total", {{"script", tag_ + "e.pl"}}), 2);
  // Other programs on the host may be cut too: at least ours (one command line, one record).
  EXPECT_GE(m.value("execmond_cmdline_truncated_total") - truncated_before, 1);
  EXPECT_TRUE(m.has_family("execmond_cmdline_read_failures_total"));
  EXPECT_TRUE(m.has_family("execmond_cmdline_records_lost_total"));
}

// With the default configuration nothing reads command lines, and the
// families that would say what reading them ran into are absent.
TEST_P(NamingTest, WithoutNamingNoCommandLineIsRead) {
  start_daemon(test_config());
  const Exposition m = scrape();
  EXPECT_TRUE(m.has_family("execmond_process_execs_total"));
  EXPECT_FALSE(m.has_family("execmond_cmdline_truncated_total"));
  EXPECT_FALSE(m.has_family("execmond_cmdline_records_lost_total"));
}

// New rules on SIGHUP name what runs from then on; a rule that does not
// compile is refused and the running rules go on naming.
TEST_P(NamingTest, AReloadRenamesAndABadRuleKeepsTheRunningRules) {
  const std::string attach = "tracer: {attach_mode: " + to_string(GetParam()) + "}\n";
  auto config = [&](const std::string& name, const std::string& pattern) {
    return std::string(kLoopback) + attach + "labels: {default: [comm, program, parent]}\n" +
           "naming:\n  rules:\n    - name: \"" + name + "\"\n      comm: [perl]\n" +
           "      cmdline: ['" + pattern + "']\n";
  };
  start_daemon_reading(config("first", tag_));
  const std::string e = script(tag_ + "e.pl", "exit 0;\n");
  EXPECT_EQ(repeat(2, {"/usr/bin/perl", e}), (Outcomes{{"exited 0", 2}}));
  EXPECT_EQ(ours(scrape(), "execmond_process_exits_total", {{"program", "first"}}), 2);

  write_config(config("second", tag_));
  ASSERT_TRUE(daemon_->reload());
  EXPECT_EQ(repeat(3, {"/usr/bin/perl", e}), (Outcomes{{"exited 0", 3}}));
  Exposition m = scrape();
  EXPECT_EQ(ours(m, "execmond_process_exits_total", {{"program", "first"}}), 2);
  EXPECT_EQ(ours(m, "execmond_process_exits_total", {{"program", "second"}}), 3);

  write_config(config("third", tag_ + "(unclosed"));
  Status refused = daemon_->reload();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find(config_file()), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(repeat(1, {"/usr/bin/perl", e}), (Outcomes{{"exited 0", 1}}));
  m = scrape();
  EXPECT_EQ(ours(m, "execmond_process_exits_total", {{"program", "second"}}), 4);
  EXPECT_EQ(ours(m, "execmond_process_exits_total", {{"program", "third"}}), 0);
}

INSTANTIATE_TEST_SUITE_P(ProgramSets, NamingTest,
                         ::testing::Values(AttachMode::TpBtf, AttachMode::Tracepoint),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace execmond::test
