// The program, script and parent labels; what they and the naming rules ask
// of the kernel (needs_cmdline, needs_parent); which naming changes a reload
// applies and which wait for a restart; and describe() of the section.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "config/config.h"
#include "config_test_support.h"

namespace execmond::test {
namespace {

using Differences = std::vector<std::string>;

TEST(NamingLabels, EveryFamilyMayCarryThem) {
  for (Family family : kFamilies) {
    const Config config =
        parse_ok("labels:\n  " + to_string(family) + ": [program, script, parent, comm]\n");
    EXPECT_EQ(config.labels.of(family), (Labels{LabelSource::Program, LabelSource::Script,
                                                LabelSource::Parent, LabelSource::Comm}))
        << to_string(family);
  }
  EXPECT_EQ(label_name(LabelSource::Program), "program");
  EXPECT_EQ(label_name(LabelSource::Script), "script");
  EXPECT_EQ(label_name(LabelSource::Parent), "parent");
}

TEST(NamingLabels, AllFourteenFitOneFamily) {
  const Config config = parse_ok(
      "labels:\n  exits: [comm, exe, unit, cgroup, container_id, uid, user, pod_uid, pod, "
      "namespace, container, program, script, parent]\n");
  EXPECT_EQ(config.labels.of(Family::Exits).size(), 14U);
  EXPECT_EQ(config.labels.of(Family::Exits).back(), LabelSource::Parent);
}

// ---- What the kernel reads ---------------------------------------------------

TEST(NamingNeeds, NothingByDefault) {
  EXPECT_FALSE(needs_cmdline(Config()));
  EXPECT_FALSE(needs_parent(Config()));
}

TEST(NamingNeeds, CommandLines) {
  const char* const capturing[] = {
      "labels: {oom_kills: [comm, script]}\n",
      "labels: {execs: [program]}\nnaming: {rules: [{exe: [java]}]}\n",
      "labels: {exits: [program]}\nnaming: {rules: [{comm: [bash], name: x}]}\n",
      "labels: {default: [program]}\nnaming: {unmatched: script}\n",
  };
  for (const char* yaml : capturing) EXPECT_TRUE(needs_cmdline(parse_ok(yaml))) << yaml;
  const char* const not_capturing[] = {
      "labels: {default: [comm, exe, parent]}\n",
      "labels: {execs: [program]}\n",        // no rule: program is the comm
      "naming: {rules: [{exe: [java]}]}\n",  // no label shows what the rules make
      "naming: {unmatched: script}\n",
      "naming: {cmdline_max_bytes: 16384}\n",
  };
  for (const char* yaml : not_capturing) EXPECT_FALSE(needs_cmdline(parse_ok(yaml))) << yaml;
}

TEST(NamingNeeds, ParentOnlyForTheParentLabel) {
  EXPECT_TRUE(needs_parent(parse_ok("labels: {processes: [parent]}\n")));
  EXPECT_TRUE(needs_parent(parse_ok("labels: {default: [comm, parent]}\n")));
  EXPECT_FALSE(needs_parent(parse_ok("labels: {default: [program, script]}\n")));
  EXPECT_FALSE(needs_parent(parse_ok("naming: {rules: [{exe: [a]}], unmatched: script}\n")));
}

// ---- Reloads -----------------------------------------------------------------

TEST(NamingReload, RulesUnmatchedAndInterpretersChangeAtRunTime) {
  const Config running = parse_ok("naming: {rules: [{comm: [a]}]}\n");
  const Config wanted = parse_ok(
      "naming:\n  rules: [{comm: [b], name: x}, {comm: [c]}]\n  unmatched: other\n"
      "  interpreters: [{exe: py, style: python}]\n");
  EXPECT_TRUE(restart_only_differences(running, wanted).empty());
  const Config taken = take_reloadable(running, wanted);
  expect_same(taken, wanted);
}

TEST(NamingReload, CmdlineMaxBytesNeedsARestart) {
  const Config running = parse_ok("naming: {rules: [{exe: [a]}]}\n");
  const Config wanted = parse_ok("naming: {rules: [{exe: [b]}], cmdline_max_bytes: 64}\n");
  EXPECT_EQ(restart_only_differences(running, wanted), Differences{"naming.cmdline_max_bytes"});
  const Config taken = take_reloadable(running, wanted);
  EXPECT_EQ(taken.naming.cmdline_max_bytes, 4096U);
  EXPECT_EQ(taken.naming.rules, wanted.naming.rules);
}

// Rules take effect at once, but the kernel starts or stops reading command
// lines only when the tracer loads again: the reload says so.
TEST(NamingReload, TurningCaptureOnOrOffNeedsARestart) {
  const Config off = parse_ok("labels: {execs: [program]}\n");
  const Config on = parse_ok("labels: {execs: [program]}\nnaming: {rules: [{cmdline: [x]}]}\n");
  EXPECT_EQ(restart_only_differences(off, on),
            Differences{"command-line capture (was off, now on)"});
  EXPECT_EQ(restart_only_differences(on, off),
            Differences{"command-line capture (was on, now off)"});
  EXPECT_EQ(take_reloadable(off, on).naming.rules, on.naming.rules);
  // Another rule that keeps capture on is no restart.
  EXPECT_TRUE(restart_only_differences(
                  on, parse_ok("labels: {execs: [program]}\nnaming: {unmatched: script}\n"))
                  .empty());
  // With a label that captures anyway, rules may come and go.
  const Config labelled = parse_ok("labels: {execs: [script]}\n");
  const Config labelled_rules =
      parse_ok("labels: {execs: [script]}\nnaming: {rules: [{exe: [a]}]}\n");
  EXPECT_TRUE(restart_only_differences(labelled, labelled_rules).empty());
}

TEST(NamingReload, TheLabelsSayWhatTheKernelMustReadToo) {
  const Config wanted = parse_ok("labels: {forks: [comm, parent, script]}\n");
  EXPECT_EQ(restart_only_differences(Config(), wanted),
            (Differences{"labels", "command-line capture (was off, now on)",
                         "parent comm recording (was off, now on)"}));
}

// ---- describe() --------------------------------------------------------------

std::string naming_lines(const Config& config) {
  const std::string text = without_section(describe(config), "records");
  return text.substr(text.find("naming."));
}

TEST(NamingDescribe, RulesByFileAndWhatIsCaptured) {
  Config config = parse_ok(
      "labels: {execs: [program, parent]}\n"
      "naming:\n  rules: [{comm: [a]}, {exe: [b]}]\n  unmatched: other processes\n"
      "  interpreters: [{exe: python3.13, style: python}, {exe: node18, style: node}]\n"
      "  cmdline_max_bytes: 2048\n");
  // As process-exporter's file would add them.
  config.naming.process_exporter_config = "/etc/process exporter/config.yml";
  config.naming.rules.push_back({"x", {"c"}, {}, {}, "/etc/process exporter/config.yml", 3});
  EXPECT_EQ(naming_lines(config),
            "naming.process_exporter_config: \"/etc/process exporter/config.yml\"\n"
            "naming.rules: 3 (2 in test.yaml, 1 in \"/etc/process exporter/config.yml\")\n"
            "naming.unmatched: \"other processes\"\n"
            "naming.interpreters: python3.13: python, node18: node\n"
            "naming.cmdline_max_bytes: 2048\n"
            "command lines: captured, up to 2048 bytes\n"
            "parent comm: recorded\n");
  EXPECT_EQ(
      naming_lines(parse_ok("labels: {default: [comm, program]}\nnaming: {unmatched: script}\n")),
      "naming.process_exporter_config: \"\"\n"
      "naming.rules: 0\n"
      "naming.unmatched: script\n"
      "naming.cmdline_max_bytes: 4096\n"
      "command lines: captured, up to 4096 bytes\n"
      "parent comm: not recorded\n");
}

// Flags set single values; the rules and the file are read from the config file only.
TEST(NamingDescribe, SetSettingTakesScalarsOnly) {
  Config config;
  EXPECT_TRUE(set_setting(config, "naming.cmdline_max_bytes", "1024").ok());
  EXPECT_EQ(config.naming.cmdline_max_bytes, 1024U);
  EXPECT_EQ(set_setting(config, "naming.cmdline_max_bytes", "1").error().message,
            "\"1\" is out of range; use an integer from 64 to 16384: the bytes of each command "
            "line read at exec");
  for (const char* key :
       {"naming.rules", "naming.interpreters", "naming.process_exporter_config"}) {
    EXPECT_FALSE(set_setting(config, key, "/etc/x.yml").ok()) << key;
  }
  EXPECT_EQ(config.naming.process_exporter_config, "");
}

}  // namespace
}  // namespace execmond::test
