// Filters and the cardinality cap with the real tracer.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "execmond.h"

#include "traced_test.h"

namespace execmond::test {
namespace {

constexpr const char* kLoopback = "web: {listen_address: \"127.0.0.1:0\"}\n";

class FilterTest : public TracedTest {
 protected:
  // A daemon that reads its config from a file, so a reload can change it.
  void start_with(const std::string& yaml) { start_daemon_reading(kLoopback + yaml); }
  void reload_with(const std::string& yaml) {
    write_config(kLoopback + yaml);
    ASSERT_TRUE(daemon_->reload());
  }
  double execs(const Exposition& m, const std::string& path) {
    return m.sum("execmond_process_execs_total", {{"comm", comm_of(path)}});
  }
};

// Exact names are dropped in the kernel; regular expressions in the daemon.
TEST_F(FilterTest, ExcludedProgramsProduceNoSeries) {
  std::string kept = workload_as("kept");
  std::string by_name = workload_as("xnam");
  std::string by_regex = workload_as("xrex");
  start_with("filters:\n  exclude:\n    comm: [" + comm_of(by_name) +
             "]\n    comm_regex: [\"xrex.*\"]\n");
  run(kept, {"fork-only", "2"});
  run(by_name, {"fork-only", "2"});
  run(by_regex, {"fork-only", "2"});
  Exposition m = scrape();
  EXPECT_EQ(execs(m, kept), 1);
  for (const std::string& excluded : {by_name, by_regex}) {
    const std::map<std::string, std::string> comm{{"comm", comm_of(excluded)}};
    EXPECT_FALSE(m.find("execmond_process_execs_total", comm)) << excluded;
    EXPECT_FALSE(m.find("execmond_process_forks_total", comm)) << excluded;
    EXPECT_EQ(m.sum("execmond_process_exits_total", comm), 0) << excluded;
    EXPECT_FALSE(m.find("execmond_processes", comm)) << excluded;
  }
}

TEST_F(FilterTest, IncludeOnlyKeepsJustTheNamedPrograms) {
  std::string by_name = workload_as("inam");
  std::string by_regex = workload_as("irex");
  std::string other = workload_as("othr");
  for (const char* yaml : {"filters:\n  include:\n    comm: [%s]\n    comm_regex: [\"irex.*\"]\n",
                           "filters:\n  include:\n    comm: [%s, %s]\n"}) {
    // Once with a regex (daemon-side), once with exact names only (kernel-side).
    std::string config = yaml;
    config.replace(config.find("%s"), 2, comm_of(by_name));
    if (auto at = config.find("%s"); at != std::string::npos) {
      config.replace(at, 2, comm_of(by_regex));
    }
    SCOPED_TRACE(config);
    start_with(config);
    run(by_name, {"fork-only", "1"});
    run(by_regex, {"fork-only", "1"});
    run(other, {"fork-only", "1"});
    Exposition m = scrape();
    EXPECT_EQ(execs(m, by_name), 1);
    EXPECT_EQ(execs(m, by_regex), 1);
    EXPECT_EQ(execs(m, other), 0);
    // Nothing but the included programs, from anywhere on the host.
    for (const Sample& s : m.samples("execmond_process_execs_total")) {
      EXPECT_TRUE(s.labels.at("comm") == comm_of(by_name) ||
                  s.labels.at("comm") == comm_of(by_regex))
          << s.labels.at("comm");
    }
    daemon_.reset();
  }
}

// More include rules than a filter map holds (the config check refuses
// them; a map can refuse a rule for other reasons): the rules that did not go
// in are applied by the daemon, so the kernel must not drop what they keep.
TEST_F(FilterTest, AnIncludeRuleTheKernelRefusedStillKeepsItsProgram) {
  std::string placed = workload_as("plcd");
  std::string refused = workload_as("rfsd");
  std::string other = workload_as("othr");
  Config config = test_config();
  config.include.comm = {comm_of(placed), comm_of(refused)};
  // Upper case sorts first: these and `placed` fill the map; `refused` comes last.
  for (int i = 0; config.include.comm.size() < EXECMOND_FILTER_MAX_RULES + 1; ++i) {
    config.include.comm.push_back("FILL" + std::to_string(i));
  }
  start_daemon(config);
  run(placed, {"fork-only", "1"});
  run(refused, {"fork-only", "2"});
  run(other, {"fork-only", "1"});
  Exposition m = scrape();
  EXPECT_EQ(execs(m, placed), 1);
  EXPECT_EQ(execs(m, refused), 1);
  EXPECT_EQ(m.value("execmond_process_forks_total", {{"comm", comm_of(refused)}}), 2);
  EXPECT_EQ(execs(m, other), 0) << "the daemon still applies the include rules";
}

TEST_F(FilterTest, ReloadChangesFiltersWithoutLosingOtherPrograms) {
  std::string steady = workload_as("stdy");
  std::string toggled = workload_as("togl");
  start_with("");
  run(steady, {"fork-only", "3"});
  run(toggled, {"fork-only", "3"});
  Exposition before = scrape();
  EXPECT_EQ(execs(before, toggled), 1);
  EXPECT_EQ(before.value("execmond_process_forks_total", {{"comm", comm_of(steady)}}), 3);

  reload_with("filters:\n  exclude:\n    comm: [" + comm_of(toggled) + "]\n");
  run(steady, {"fork-only", "3"});
  run(toggled, {"fork-only", "3"});
  Exposition after = scrape();
  EXPECT_EQ(after.value("execmond_process_forks_total", {{"comm", comm_of(steady)}}), 6);
  EXPECT_EQ(execs(after, steady), 2);
  EXPECT_EQ(execs(after, toggled), 1);  // counted before the reload, nothing since

  reload_with("");
  run(toggled, {"fork-only", "3"});
  EXPECT_EQ(execs(scrape(), toggled), 2);
}

TEST_F(FilterTest, ExcludeSelfLeavesOutTheDaemonsOwnProcess) {
  start_with("filters:\n  exclude_self: true\n");
  // The daemon here is this test process: its forks are its own activity.
  std::string child = workload_as("self");
  run(child, {"fork-only", "1"});
  Exposition m = scrape();
  std::string self_comm;
  std::ifstream("/proc/self/comm") >> self_comm;
  EXPECT_FALSE(m.find("execmond_process_forks_total", {{"comm", self_comm}}));
  EXPECT_EQ(execs(m, child), 1);
}

// Thousands of distinct command names against a cap of 100 series a family.
TEST_F(FilterTest, CardinalityCapFoldsNewSeriesAndConservesTotals) {
  start_with(
      "filters:\n  include:\n    comm_regex: [\"crd.*\"]\n"
      "cardinality:\n  max_series_per_family: 100\n");
  const double rss_before = scrape().value("process_resident_memory_bytes");
  std::string parent = workload_as("crdp");
  constexpr int kChildren = 3000;
  ASSERT_EQ(run(parent, {"comms", std::to_string(kChildren), "crd"}).size(), 0U);
  Exposition m = scrape();

  // Every child and the parent ended: exactly kChildren + 1 exits, cap or no cap.
  EXPECT_EQ(m.sum("execmond_process_exits_total"), kChildren + 1);
  EXPECT_EQ(m.sum("execmond_process_lifetime_seconds_count"), kChildren + 1);
  EXPECT_LE(m.samples("execmond_process_exits_total").size(), 101U);
  EXPECT_LE(m.samples("execmond_process_lifetime_seconds_count").size(), 101U);
  const std::map<std::string, std::string> overflow{
      {"comm", "__overflow__"}, {"reason", "__overflow__"}, {"code", "__overflow__"}};
  const double folded = m.value("execmond_process_exits_total", overflow);
  EXPECT_EQ(m.value("execmond_series_overflow_events_total", {{"family", "exits"}}), folded);
  EXPECT_EQ(folded, kChildren + 1 - (m.sum("execmond_process_exits_total") - folded));
  EXPECT_GE(folded, kChildren + 1 - 100);
  // Bounded memory: the daemon grew by less than 16 MiB for 3000 names.
  EXPECT_LT(m.value("process_resident_memory_bytes") - rss_before, 16.0 * 1024 * 1024);
}

}  // namespace
}  // namespace execmond::test
