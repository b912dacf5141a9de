// Deliberately tiny maps under a burst: what the kernel side cannot record is
// counted by reason, so counted + lost is exactly what happened.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include <unistd.h>

#include "traced_test.h"

namespace execmond::test {
namespace {

class LossTest : public TracedTest {
 protected:
  struct Burst {
    Exposition metrics;
    std::string child;  // its comm
    double counted = 0, lost = 0, others = 0;
  };

  // 500 children of planned exits (and their parent) into a 16-key counts
  // table, drained once.
  Burst burst_into_tiny_table(std::vector<Resource> resources) {
    Config config = test_config();
    config.max_keys = 16;  // distinct (comm, status, bucket) keys per drain
    config.resources = std::move(resources);
    std::string parent = workload_as("lstp");
    std::string child = workload_as("lstc");
    // Exact-name include rules run in the kernel: other processes on the host
    // (tests running beside this one) never reach the counts table, so every
    // lost exit is one of the burst's.
    config.include.comm = {comm_of(parent), comm_of(child)};
    start_daemon(config);
    Exposition before = scrape();
    const double lost_exits_before =
        before.value("execmond_events_lost_total", {{"reason", "exit_counts_map_full"}});

    Outcomes outcomes = run(parent, {"mix", "500", child, dir_});
    int children = 0;
    for (const auto& [line, n] : outcomes) children += n;
    EXPECT_EQ(children, 500);
    Burst b;
    b.metrics = scrape();  // one drain: all 500 exits went into one 16-key map
    b.child = comm_of(child);
    const Exposition& m = b.metrics;
    b.counted = m.sum("execmond_process_exits_total", {{"comm", b.child}}) +
                m.sum("execmond_process_exits_total", {{"comm", comm_of(parent)}});
    b.lost = m.value("execmond_events_lost_total", {{"reason", "exit_counts_map_full"}}) -
             lost_exits_before;
    b.others = m.sum("execmond_process_exits_total") - b.counted;
    EXPECT_GT(b.lost, 0) << "the burst should overflow a 16-key map";
    EXPECT_LT(b.counted, 501);
    // 500 children and their parent, nothing else (`others` must be 0).
    EXPECT_EQ(b.others, 0);
    EXPECT_EQ(b.counted + b.lost, 501)
        << "counted " << b.counted << ", lost " << b.lost << ", other programs' exits " << b.others;
    return b;
  }
};

TEST_F(LossTest, EveryExitIsCountedOrLostUnderABurstIntoTinyMaps) { burst_into_tiny_table({}); }

// The costs ride on the exit keys: the same burst loses no more, and every
// counted exit carries its cost, once.
TEST_F(LossTest, CostsOfEveryCountedExitAndNoMoreLostWithAllResources) {
  Burst b = burst_into_tiny_table(
      {Resource::Cpu, Resource::Memory, Resource::Io, Resource::Faults, Resource::ContextSwitches});
  // The CPU time comes when each child is freed, an RCU grace period after
  // its reap (bpf/reap_cost.bpf.h); with lazy RCU that is seconds later.
  Exposition m = b.metrics;
  for (int i = 0; i < 1200 && m.sum("execmond_process_cpu_seconds_total", {{"comm", b.child}}) == 0;
       ++i) {
    usleep(50'000);
    m = scrape();
  }
  const double child_exits = b.metrics.sum("execmond_process_exits_total", {{"comm", b.child}});
  EXPECT_EQ(m.value("execmond_process_peak_rss_bytes_count", {{"comm", b.child}}), child_exits);
  EXPECT_EQ(m.value("execmond_process_peak_rss_bytes_bucket", {{"comm", b.child}, {"le", "+Inf"}}),
            child_exits);
  EXPECT_GT(m.sum("execmond_process_cpu_seconds_total", {{"comm", b.child}}), 0);
  // Every child faults in its own pages at least once.
  EXPECT_GE(m.value("execmond_process_page_faults_total", {{"comm", b.child}, {"type", "minor"}}),
            child_exits);
}

// Forks and exits of processes other than `ours` (by comm) in `m`: each one
// moves the table's entry count or the lost counter, so a window with any of
// them cannot be checked exactly.
double others_activity(const Exposition& m, const std::set<std::string>& ours) {
  double n = 0;
  for (const char* name : {"execmond_process_forks_total", "execmond_process_exits_total"}) {
    for (const Sample& s : m.samples(name)) {
      if (!ours.contains(s.labels.at("comm"))) n += s.value;
    }
  }
  return n;
}

TEST_F(LossTest, ProcessesBeyondTheProcsMapAreCountedAsLost) {
  Config config = test_config();
  config.max_processes = 64;  // a table of 128 slots
  start_daemon(config);
  std::string parent = workload_as("fulp");
  std::string child = workload_as("fulc");
  // This process forks the parent: its fork is one of ours.
  std::string self_comm;
  std::ifstream("/proc/self/comm") >> self_comm;
  const std::set<std::string> ours = {comm_of(parent), comm_of(child), self_comm};
  constexpr int kChildren = 200;
  // The host's other processes may start or end meanwhile (a shared machine):
  // a window in which they did is tried again, a quiet one must be exact.
  constexpr int kAttempts = 5;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    Exposition before = scrape();
    const double live_before = before.value("execmond_bpf_map_entries", {{"map", "procs"}});
    const double lost_before =
        before.value("execmond_events_lost_total", {{"reason", "procs_map_full"}});
    const double exits_before =
        before.sum("execmond_process_exits_total", {{"comm", comm_of(child)}});
    ASSERT_LT(live_before, 64);

    auto w = launch(parent, {"hold", child, std::to_string(kChildren)});
    ASSERT_TRUE(w->await_lines("held", kChildren));
    // The parent and its children: each one is either tracked or counted as lost.
    const double started = live_before + kChildren + 1;
    auto accounted = [&](const Exposition& m) {
      return m.value("execmond_bpf_map_entries", {{"map", "procs"}}) +
             m.value("execmond_events_lost_total", {{"reason", "procs_map_full"}}) - lost_before;
    };
    Exposition m = scrape();
    for (int i = 0; i < 500 && accounted(m) < started; ++i) {  // until all have forked
      usleep(10000);
      m = scrape();
    }
    const double tracked = m.value("execmond_bpf_map_entries", {{"map", "procs"}});
    const double noise = others_activity(m, ours) - others_activity(before, ours);
    const bool exact = accounted(m) == started;
    if (exact || noise == 0 || attempt == kAttempts) {
      EXPECT_LE(tracked, 128 + live_before);  // the table, and those seeded at start
      EXPECT_GT(m.value("execmond_events_lost_total", {{"reason", "procs_map_full"}}), lost_before);
      // The gauge is short by exactly what the counter says.
      EXPECT_EQ(accounted(m), started)
          << "tracked " << tracked << "; other processes' forks and exits meanwhile: " << noise
          << " (attempt " << attempt << ")";
    }
    w->close_stdin();
    EXPECT_EQ(w->wait(), (Outcomes{{"exited 0", kChildren}}));
    // Untracked or not, every exit is counted, and the table empties again.
    m = scrape();
    EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", comm_of(child)}}) - exits_before,
              kChildren);
    EXPECT_EQ(m.value("execmond_processes", {{"comm", comm_of(child)}}), 0);
    if (exact || noise == 0 || HasFailure()) break;
  }
}

// Keys that differ with every process (distinct comms here; command lines
// with a counter in them alike) fill the counts table faster than a long
// drain interval empties it: the daemon drains early once it is half full.
TEST_F(LossTest, ATableFillingBetweenDrainsIsDrainedEarlyAndLosesNothing) {
  std::string parent = workload_as("erlp");
  constexpr int kRounds = 10;
  constexpr int kPerRound = 20;
  // Exact include rules run in the kernel: only these processes reach the
  // table, whatever else the host runs meanwhile.
  std::string yaml =
      "tracer:\n  drain_interval: 1h\n  max_keys: 64\nfilters:\n  include:\n    comm: [" +
      comm_of(parent);
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPerRound; ++i)
      yaml += ", er" + std::to_string(round) + "x" + std::to_string(i);
  }
  for (int i = 0; i < 40; ++i) yaml += ", ef" + std::to_string(i);
  launch_daemon(yaml + "]\n");
  for (int round = 0; round < kRounds; ++round) {
    // Twenty distinct exit keys a round, a round every 300 ms: two rounds
    // fill half the table, four would overflow it.
    Outcomes done =
        run(parent, {"comms", std::to_string(kPerRound), "er" + std::to_string(round) + "x"});
    EXPECT_TRUE(done.empty());
    usleep(300'000);
  }
  // Forty more keys: a drain comes during or after them, and it takes the
  // rounds before them whole.
  EXPECT_TRUE(run(parent, {"comms", "40", "ef"}).empty());
  auto rounds_counted = [&](const Exposition& m) {
    double n = 0;
    for (const Sample& s : m.samples("execmond_process_exits_total")) {
      const std::string& comm = s.labels.at("comm");  // a round's: er<round>x<i>
      if (comm.size() > 3 && comm.rfind("er", 0) == 0 && comm[3] == 'x') n += s.value;
    }
    return n;
  };
  Exposition m = scrape();
  for (int i = 0; i < 100 && rounds_counted(m) < kRounds * kPerRound; ++i) {
    usleep(100'000);
    m = scrape();
  }
  // Drained before the hour was up, or none of these would show.
  EXPECT_EQ(rounds_counted(m), kRounds * kPerRound) << daemon_process_->log();
  EXPECT_EQ(m.sum("execmond_events_lost_total"), 0);
}

}  // namespace
}  // namespace execmond::test
