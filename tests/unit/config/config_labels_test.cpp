// labels: the default list, per-family lists, and the exact message for each
// invalid list or key.
#include "config/config.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <utility>

#include "config_test_support.h"

namespace execmond::test {
namespace {

// ---- Labels -----------------------------------------------------------------

constexpr const char* kLabelsAllowed =
    "; use a list of 1 to 14 of comm, exe, unit, cgroup, container_id, uid, user, pod_uid, pod, "
    "namespace, container, program, script and parent, each at most "
    "once (e.g. [comm, unit])";

TEST(ConfigLabels, DefaultAppliesToEveryFamily) {
  Config config = parse_ok("labels:\n  default: [user, comm]\n");
  for (Family family : kFamilies) {
    EXPECT_EQ(config.labels.of(family), (Labels{LabelSource::User, LabelSource::Comm}))
        << to_string(family);
  }
}

TEST(ConfigLabels, FamilyListReplacesDefaultWhereverItStands) {
  for (const char* yaml : {"labels:\n  default: [unit]\n  execs: [comm, exe]\n",
                           "labels:\n  execs: [comm, exe]\n  default: [unit]\n"}) {
    Config config = parse_ok(yaml);
    EXPECT_EQ(config.labels.of(Family::Execs), (Labels{LabelSource::Comm, LabelSource::Exe}));
    for (Family family : {Family::Forks, Family::Exits, Family::Lifetime, Family::Processes}) {
      EXPECT_EQ(config.labels.of(family), Labels{LabelSource::Unit}) << yaml;
    }
  }
}

TEST(ConfigLabels, FamilyListWithoutDefaultKeepsCommElsewhere) {
  Config config = parse_ok("labels:\n  processes: [unit]\n  exits: [cgroup, uid]\n");
  EXPECT_EQ(config.labels.of(Family::Processes), Labels{LabelSource::Unit});
  EXPECT_EQ(config.labels.of(Family::Exits), (Labels{LabelSource::Cgroup, LabelSource::Uid}));
  for (Family family : {Family::Execs, Family::Forks, Family::Lifetime}) {
    EXPECT_EQ(config.labels.of(family), Labels{LabelSource::Comm});
  }
}

TEST(ConfigLabels, AllSevenInTheOrderGiven) {
  Config config = parse_ok(
      "labels:\n  lifetime:\n    - user\n    - uid\n    - container_id\n    - cgroup\n"
      "    - unit\n    - exe\n    - comm\n");
  EXPECT_EQ(config.labels.of(Family::Lifetime),
            (Labels{LabelSource::User, LabelSource::Uid, LabelSource::ContainerId,
                    LabelSource::Cgroup, LabelSource::Unit, LabelSource::Exe, LabelSource::Comm}));
}

TEST(ConfigLabels, Uses) {
  LabelConfig labels;
  EXPECT_TRUE(labels.uses(LabelSource::Comm));
  EXPECT_FALSE(labels.uses(LabelSource::Unit));
  labels.per_family[static_cast<std::size_t>(Family::Forks)] = {LabelSource::Unit};
  EXPECT_TRUE(labels.uses(LabelSource::Unit));
  EXPECT_TRUE(labels.uses(LabelSource::Comm));  // the other families still have it
  EXPECT_FALSE(labels.uses(LabelSource::User));
  for (auto& list : labels.per_family) list = {LabelSource::Exe};
  EXPECT_FALSE(labels.uses(LabelSource::Comm));
}

TEST(ConfigLabels, Invalid) {
  const std::pair<std::string, std::string> cases[] = {
      {"labels:\n  execs: [comm, pid]\n",
       "test.yaml:2: labels.execs[1]: \"pid\" is not a label name"},
      {"labels:\n  default: [Comm]\n",
       "test.yaml:2: labels.default[0]: \"Comm\" is not a label name"},
      {"labels:\n  default: [\"\"]\n", "test.yaml:2: labels.default[0]: \"\" is not a label name"},
      {"labels:\n  forks: [comm, unit, comm]\n",
       "test.yaml:2: labels.forks[2]: \"comm\" is given twice"},
      {"labels:\n  exits: []\n", "test.yaml:2: labels.exits: has 0 entries"},
      {"labels:\n  default: []\n", "test.yaml:2: labels.default: has 0 entries"},
      {"labels:\n  processes: [comm, exe, unit, cgroup, container_id, uid, user, pod_uid, pod, "
       "namespace, container, program, script, parent, comm]\n",
       "test.yaml:2: labels.processes: has 15 entries"},
      {"labels:\n  lifetime: comm\n",
       "test.yaml:2: labels.lifetime: expected a list, found a single value \"comm\""},
      {"labels:\n  lifetime:\n", "test.yaml:2: labels.lifetime: no value"},
      {"labels:\n  execs: {comm: 1}\n", "test.yaml:2: labels.execs: expected a list, found a map"},
      {"labels:\n  execs:\n    - comm\n    - [exe]\n",
       "test.yaml:4: labels.execs[1]: expected a label name, found a list"},
  };
  for (const auto& [yaml, message] : cases) {
    EXPECT_EQ(parse_error(yaml), message + kLabelsAllowed) << yaml;
  }
}

TEST(ConfigLabels, ErrorPointsAtTheItemLine) {
  EXPECT_EQ(parse_error("labels:\n  execs:\n    - comm\n    - exe\n    - comm\n"),
            std::string("test.yaml:5: labels.execs[2]: \"comm\" is given twice") + kLabelsAllowed);
}

TEST(ConfigLabels, UnknownKeysAndShapes) {
  const BadValue cases[] = {
      {"labels:\n  fork: [comm]\n",
       "test.yaml:2: labels.fork: unknown key; allowed keys under labels: default, execs, forks, "
       "exits, lifetime, processes, cpu, peak_rss, io, page_faults, context_switches, oom_kills"},
      {"labels:\n  execs: [comm]\n  execs: [exe]\n",
       "test.yaml:3: labels.execs: duplicate key; give each key once"},
      {"labels: [comm]\n",
       "test.yaml:1: labels: expected a map, found a list; allowed keys under labels: default, "
       "execs, forks, exits, lifetime, processes, cpu, peak_rss, io, page_faults, "
       "context_switches, oom_kills"},
      {"labels: comm\n",
       "test.yaml:1: labels: expected a map, found a single value \"comm\"; allowed keys under "
       "labels: default, execs, forks, exits, lifetime, processes, cpu, peak_rss, io, "
       "page_faults, context_switches, oom_kills"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

}  // namespace
}  // namespace execmond::test
