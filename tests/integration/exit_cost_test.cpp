// What processes cost, against the truth: the parent's wait4() rusage of
// every child, which the workload prints. Children burn planned user and
// system CPU on several threads, touch memory, write, fsync, fault back and
// read a file on this disk.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>
#include <utility>

#include <sys/wait.h>
#include <unistd.h>

#include "shell.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

// One child's rusage as the workload's parent saw it (see workload_cost.c).
struct Rusage {
  double user_s = 0, system_s = 0;
  double maxrss_bytes = 0;
  double minflt = 0, majflt = 0, nvcsw = 0, nivcsw = 0;
  double inblock = 0, oublock = 0;
};

struct Truth {
  std::vector<Rusage> children;
  Outcomes outcomes;  // the other lines
  double count() const { return static_cast<double>(children.size()); }
  double total(double Rusage::*field) const {
    double sum = 0;
    for (const Rusage& r : children) sum += r.*field;
    return sum;
  }
};

Truth parse_truth(const Outcomes& lines) {
  Truth truth;
  for (const auto& [line, count] : lines) {
    if (line.rfind("rusage ", 0) != 0) {
      truth.outcomes[line] = count;
      continue;
    }
    std::istringstream in(line.substr(7));
    double utime_us = 0, stime_us = 0, maxrss_kib = 0;
    Rusage r;
    in >> utime_us >> stime_us >> maxrss_kib >> r.minflt >> r.majflt >> r.nvcsw >> r.nivcsw >>
        r.inblock >> r.oublock;
    EXPECT_FALSE(in.fail()) << line;
    r.user_s = utime_us / 1e6;
    r.system_s = stime_us / 1e6;
    r.maxrss_bytes = maxrss_kib * 1024;
    for (int i = 0; i < count; ++i) truth.children.push_back(r);
  }
  return truth;
}

class ExitCostTest : public ProgramSetTest {
 protected:
  void SetUp() override {
    ProgramSetTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Config c = test_config();
    c.resources = {Resource::Cpu, Resource::Memory, Resource::Io, Resource::Faults,
                   Resource::ContextSwitches};
    c.peak_rss_buckets = rss_bounds_;
    start_daemon(c);
  }

  // What each cost child does (workload_cost.c); `how` as the workload spells it.
  struct Plan {
    int threads = 1;
    int user_ms = kUserMs, system_ms = kSystemMs;
    int mib = kMiB, io_kib = kIoKiB;
    std::string how;  // "", "leader-first", "busy-exit", "same-memory"
  };

  // Runs `children` cost children of `threads` threads each and scrapes.
  Truth run_children(int children, int threads, bool leader_first) {
    return run_children(children,
                        Plan{.threads = threads, .how = leader_first ? "leader-first" : ""});
  }

  Truth run_children(int children, const Plan& plan) {
    std::string parent = workload_as("cstp");
    std::string child = workload_as("cstc");
    comm_ = comm_of(child);
    std::vector<std::string> args{"cost",
                                  std::to_string(children),
                                  child,
                                  std::to_string(plan.threads),
                                  std::to_string(plan.user_ms),
                                  std::to_string(plan.system_ms),
                                  std::to_string(plan.mib),
                                  std::to_string(plan.io_kib),
                                  dir_};
    if (!plan.how.empty()) args.push_back(plan.how);
    Truth truth = parse_truth(run(parent, args));
    EXPECT_EQ(truth.outcomes, (Outcomes{{"exited 0", children}}));
    EXPECT_EQ(truth.children.size(), static_cast<size_t>(children));
    scrape_until_reaped(truth);
    return truth;
  }

  // A child's cost is complete once its task_struct is freed, an RCU grace
  // period after wait4() reaped it (bpf/reap_cost.bpf.h): drains until the
  // CPU time is wait4()'s. Milliseconds as a rule; but the RCU callbacks run
  // in softirq context, and on a host loaded ten times over its CPUs they
  // were seen to come more than 10 s late, and lazy RCU (enable_rcu_lazy)
  // holds them up to 10 s on an idle CPU. Under such load a free was also
  // seen never to reach the tracer: after a minute the daemon takes that
  // exit with the CPU time read at the exit and counts it as lost
  // (reap_not_seen); the checks then allow those children's late share.
  void scrape_until_reaped(const Truth& truth) {
    const double total = truth.total(&Rusage::user_s) + truth.total(&Rusage::system_s);
    for (int i = 0; i < 1800; ++i) {
      metrics_ = scrape();
      if (std::abs(cpu_seconds() - total) <= cpu_tolerance(truth)) return;
      not_seen_ = metrics_.value("execmond_events_lost_total", {{"reason", "reap_not_seen"}});
      if (not_seen_ > 0) {
        std::cerr << "the free of " << not_seen_
                  << " exits was never seen: checked within their late share\n";
        return;
      }
      usleep(50'000);
    }
    // Which of the ways a reap cost can go missing it was: counted as lost,
    // or never added (no sched_process_free for the process came).
    ADD_FAILURE() << "after 90 s the CPU time is " << cpu_seconds() << " s, wait4() said " << total
                  << " s: a reap cost is missing or wrong; lost reap_costs_map_full "
                  << metrics_.value("execmond_events_lost_total",
                                    {{"reason", "reap_costs_map_full"}})
                  << ", reap_cost_counts_map_full "
                  << metrics_.value("execmond_events_lost_total",
                                    {{"reason", "reap_cost_counts_map_full"}})
                  << "; exits counted "
                  << metric("execmond_process_exits_total", {{"reason", "exited"}, {"code", "0"}})
                  << "; program runs missed " << metrics_.sum("execmond_bpf_program_misses_total")
                  << "; exits still waiting for their reap "
                  << metrics_.value("execmond_bpf_map_entries", {{"map", "reap_costs"}});
  }

  double cpu_seconds() const {
    return metric("execmond_process_cpu_seconds_total", {{"mode", "user"}}) +
           metric("execmond_process_cpu_seconds_total", {{"mode", "system"}});
  }

  // wait4() reports user and system time in whole microseconds, each
  // rounded down; execmond splits the runtime with a 20-bit fraction
  // (bpf/cputime.h), within two millionths.
  static double cpu_tolerance(const Truth& truth) {
    const double total = truth.total(&Rusage::user_s) + truth.total(&Rusage::system_s);
    return 2e-6 * truth.count() + 2e-6 * total;
  }

  double metric(const std::string& name, const Exposition::LabelMap& extra = {}) const {
    Exposition::LabelMap labels = extra;
    labels["comm"] = comm_;
    return metrics_.value(name, labels);
  }

  // What wait4() reported, to the microsecond: the whole exit and the
  // address space's teardown included, with any number of threads, and
  // split into user and system as wait4() split it (once, at the reap).
  void expect_cpu_matches(const Truth& truth, bool expect_system = true) {
    double user = metric("execmond_process_cpu_seconds_total", {{"mode", "user"}});
    double system = metric("execmond_process_cpu_seconds_total", {{"mode", "system"}});
    double true_user = truth.total(&Rusage::user_s);
    double true_system = truth.total(&Rusage::system_s);
    if (not_seen_ > 0) {
      // The CPU time read at those exits is there; what came after is not.
      expect_short_by_at_most(user + system, true_user + true_system,
                              late_share(truth, &Rusage::user_s) +
                                  late_share(truth, &Rusage::system_s) + cpu_tolerance(truth));
      return;
    }
    EXPECT_NEAR(user + system, true_user + true_system, cpu_tolerance(truth));
    EXPECT_NEAR(user, true_user, cpu_tolerance(truth));
    EXPECT_NEAR(system, true_system, cpu_tolerance(truth));
    if (expect_system) {
      EXPECT_GT(system, 0);
    }
  }

  // Every child in the bucket of its ru_maxrss; the sum is the sum of them.
  void expect_peak_rss_matches(const Truth& truth) {
    size_t buckets = 0;
    for (const Sample& s : metrics_.samples("execmond_process_peak_rss_bytes_bucket")) {
      if (s.labels.at("comm") != comm_) continue;
      double bound = std::stod(s.labels.at("le"));  // "+Inf" too
      double expected = static_cast<double>(
          std::count_if(truth.children.begin(), truth.children.end(),
                        [&](const Rusage& r) { return r.maxrss_bytes <= bound; }));
      EXPECT_EQ(s.value, expected) << "le=" << s.labels.at("le");
      ++buckets;
    }
    EXPECT_EQ(buckets, rss_bounds_.size() + 1);
    EXPECT_EQ(metric("execmond_process_peak_rss_bytes_count"), truth.count());
    EXPECT_EQ(metric("execmond_process_peak_rss_bytes_sum"), truth.total(&Rusage::maxrss_bytes));
  }

  // ru_inblock and ru_oublock are task I/O accounting's bytes in 512-byte blocks.
  void expect_io_matches(const Truth& truth) {
    for (auto [direction, field] :
         {std::pair{"read", &Rusage::inblock}, std::pair{"write", &Rusage::oublock}}) {
      const double bytes = metric("execmond_process_io_bytes_total", {{"direction", direction}});
      if (not_seen_ > 0) {
        expect_short_by_at_most(bytes, 512 * truth.total(field), 512 * late_share(truth, field));
      } else {
        EXPECT_EQ(bytes, 512 * truth.total(field)) << direction;
      }
    }
    EXPECT_GE(truth.total(&Rusage::inblock), 2.0 * kIoKiB * truth.count());
  }

  void expect_faults_match(const Truth& truth, int least_mib = kMiB) {
    for (auto [type, field] :
         {std::pair{"minor", &Rusage::minflt}, std::pair{"major", &Rusage::majflt}}) {
      const double faults = metric("execmond_process_page_faults_total", {{"type", type}});
      if (not_seen_ > 0) {
        expect_short_by_at_most(faults, truth.total(field), late_share(truth, field));
      } else {
        EXPECT_EQ(faults, truth.total(field)) << type;
      }
    }
    EXPECT_GE(truth.total(&Rusage::minflt), 256.0 * least_mib * truth.count());
  }

  // Exact: the final switch off the CPU in do_task_dead(), after the exit
  // tracepoint, is added at the reap. The workload reaps a zombie only after
  // it has had 30 ms to make that switch, so that wait4() sees it too.
  void expect_switches_match(const Truth& truth) {
    if (not_seen_ > 0) {
      for (auto [type, field] :
           {std::pair{"voluntary", &Rusage::nvcsw}, std::pair{"involuntary", &Rusage::nivcsw}}) {
        expect_short_by_at_most(metric("execmond_process_context_switches_total", {{"type", type}}),
                                truth.total(field), late_share(truth, field));
      }
      return;
    }
    EXPECT_EQ(metric("execmond_process_context_switches_total", {{"type", "voluntary"}}),
              truth.total(&Rusage::nvcsw));
    EXPECT_EQ(metric("execmond_process_context_switches_total", {{"type", "involuntary"}}),
              truth.total(&Rusage::nivcsw));
  }

  // At most the whole of the largest children, one per exit whose free was never seen.
  double late_share(const Truth& truth, double Rusage::*field) const {
    double most = 0;
    for (const Rusage& r : truth.children) most = std::max(most, r.*field);
    return not_seen_ * most;
  }

  static void expect_short_by_at_most(double actual, double truth, double slack) {
    EXPECT_LE(actual, truth + 1e-6);
    EXPECT_GE(actual, truth - slack);
  }

  static constexpr int kUserMs = 40;
  static constexpr int kSystemMs = 20;
  static constexpr int kMiB = 3;  // child i touches (i % 4 + 1) × this
  static constexpr int kIoKiB = 512;
  const std::vector<double> rss_bounds_{4 << 20, 6 << 20, 8 << 20, 10 << 20, 12 << 20, 16 << 20};
  std::string comm_;
  Exposition metrics_;
  double not_seen_ = 0;  // exits the daemon took because their free was never seen
};

TEST_P(ExitCostTest, SingleThreadedChildrenMatchWait4) {
  Truth truth = run_children(8, 1, false);
  expect_cpu_matches(truth);
  expect_peak_rss_matches(truth);
  expect_io_matches(truth);
  expect_faults_match(truth);
  expect_switches_match(truth);
  EXPECT_EQ(metric("execmond_process_exits_total", {{"reason", "exited"}, {"code", "0"}}), 8);
}

// A zombie's exit waits in reap_costs until its parent reaps it; the gauge
// shows it (other processes of the host may wait there too, hence >=).
TEST_P(ExitCostTest, AZombieWaitsForItsReapInTheReapCostsGauge) {
  EXPECT_EQ(scrape().value("execmond_bpf_map_capacity", {{"map", "reap_costs"}}),
            test_config().max_processes);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  siginfo_t info{};
  // Exited, and left a zombie: WNOWAIT does not reap it.
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
  EXPECT_GE(scrape().value("execmond_bpf_map_entries", {{"map", "reap_costs"}}), 1);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
}

TEST_P(ExitCostTest, EveryThreadsCpuIsCounted) {
  Truth truth = run_children(4, 4, false);
  expect_cpu_matches(truth);
  // Four threads each burned the planned CPU.
  EXPECT_GE(metric("execmond_process_cpu_seconds_total", {{"mode", "user"}}),
            0.9 * 4 * 4 * kUserMs / 1000.0);
  expect_peak_rss_matches(truth);
  expect_io_matches(truth);
  expect_faults_match(truth);
  expect_switches_match(truth);
}

TEST_P(ExitCostTest, LeaderExitingFirstIsCountedWhenTheLastThreadEnds) {
  Truth truth = run_children(4, 3, true);
  expect_cpu_matches(truth);
  EXPECT_GE(metric("execmond_process_cpu_seconds_total", {{"mode", "user"}}),
            0.9 * 4 * 3 * kUserMs / 1000.0);
  expect_peak_rss_matches(truth);
  expect_io_matches(truth);
  expect_faults_match(truth);
  expect_switches_match(truth);
  EXPECT_EQ(metric("execmond_process_exits_total", {{"reason", "exited"}, {"code", "0"}}), 4);
}

// Since 6.16 the exit tracepoint runs before exit_mm(): the time spent
// unmapping and freeing the memory comes after it, and grows with the
// memory (milliseconds for 64 MiB).
TEST_P(ExitCostTest, TheAddressSpacesTeardownIsCounted) {
  for (int mib : {0, 64, 512}) {
    SCOPED_TRACE(std::to_string(mib) + " MiB");  // each round under a command name of its own
    const int children = mib >= 512 ? 2 : 4;
    Truth truth = run_children(
        children,
        Plan{.user_ms = 50, .system_ms = 0, .mib = mib, .io_kib = 0, .how = "same-memory"});
    expect_cpu_matches(truth, mib > 0);
    expect_faults_match(truth, mib);
    EXPECT_EQ(metric("execmond_process_exits_total", {{"reason", "exited"}, {"code", "0"}}),
              children);
  }
}

// Threads that still run when the process exits are summed at the exit only
// as far as a bound; the rest, and their own exits, when it is reaped.
TEST_P(ExitCostTest, TwoHundredBusyThreadsAreCounted) {
  Truth truth = run_children(
      2,
      Plan{
          .threads = 200, .user_ms = 0, .system_ms = 0, .mib = 0, .io_kib = 0, .how = "busy-exit"});
  expect_cpu_matches(truth, false);
  expect_faults_match(truth, 0);
  expect_switches_match(truth);
  EXPECT_EQ(metric("execmond_process_exits_total", {{"reason", "exited"}, {"code", "0"}}), 2);
}

INSTANTIATE_TEST_SUITE_P(ProgramSets, ExitCostTest,
                         ::testing::Values(AttachMode::TpBtf, AttachMode::Tracepoint),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace execmond::test
