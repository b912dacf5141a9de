// What processes cost, against the truth: the parent's wait4() rusage of
// every child, which the workload prints. Children burn planned user and
// system CPU on several threads, touch memory, write, fsync, fault back and
// read a file on this disk.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

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

  // Runs `children` cost children of `threads` threads each and scrapes.
  Truth run_children(int children, int threads, bool leader_first) {
    std::string parent = workload_as("cstp");
    std::string child = workload_as("cstc");
    comm_ = comm_of(child);
    std::vector<std::string> args{"cost",
                                  std::to_string(children),
                                  child,
                                  std::to_string(threads),
                                  std::to_string(kUserMs),
                                  std::to_string(kSystemMs),
                                  std::to_string(kMiB),
                                  std::to_string(kIoKiB),
                                  dir_};
    if (leader_first) args.emplace_back("leader-first");
    Truth truth = parse_truth(run(parent, args));
    EXPECT_EQ(truth.outcomes, (Outcomes{{"exited 0", children}}));
    EXPECT_EQ(truth.children.size(), static_cast<size_t>(children));
    metrics_ = scrape();
    return truth;
  }

  double metric(const std::string& name, const Exposition::LabelMap& extra = {}) const {
    Exposition::LabelMap labels = extra;
    labels["comm"] = comm_;
    return metrics_.value(name, labels);
  }

  // The total within 1 % of wait4's, or one scheduler tick per process:
  // the exiting thread's last slice is not yet in its runtime at the exit
  // tracepoint. User and system each within 1 %, or 10 ms per process: both
  // sides split the runtime in the proportion of the threads' tick samples
  // (cputime_adjust()), and a tick that lands after the tracepoint, on any
  // of a child's threads, moves wait4()'s split but not execmond's.
  void expect_cpu_matches(const Truth& truth) {
    double user = metric("execmond_process_cpu_seconds_total", {{"mode", "user"}});
    double system = metric("execmond_process_cpu_seconds_total", {{"mode", "system"}});
    double true_user = truth.total(&Rusage::user_s);
    double true_system = truth.total(&Rusage::system_s);
    double total = true_user + true_system;
    EXPECT_NEAR(user + system, total,
                std::max(0.01 * total, scheduler_tick_seconds() * truth.count()));
    double split_tolerance = std::max(0.01 * total, 0.010 * truth.count());
    EXPECT_NEAR(user, true_user, split_tolerance);
    EXPECT_NEAR(system, true_system, split_tolerance);
    EXPECT_GT(system, 0);
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
    EXPECT_EQ(metric("execmond_process_io_bytes_total", {{"direction", "read"}}),
              512 * truth.total(&Rusage::inblock));
    EXPECT_EQ(metric("execmond_process_io_bytes_total", {{"direction", "write"}}),
              512 * truth.total(&Rusage::oublock));
    EXPECT_GE(truth.total(&Rusage::inblock), 2.0 * kIoKiB * truth.count());
  }

  void expect_faults_match(const Truth& truth) {
    EXPECT_EQ(metric("execmond_process_page_faults_total", {{"type", "minor"}}),
              truth.total(&Rusage::minflt));
    EXPECT_EQ(metric("execmond_process_page_faults_total", {{"type", "major"}}),
              truth.total(&Rusage::majflt));
    EXPECT_GE(truth.total(&Rusage::minflt), 256.0 * kMiB * truth.count());
  }

  // execmond reads the counters while the last thread is still running:
  // wait4() also sees the switch away from it in do_task_dead() when that
  // thread is the leader (it stays a zombie on the thread list), and any
  // preemption in the rest of do_exit(). The workload reaps a zombie only
  // after it has had 30 ms to make that switch.
  void expect_switches_match(const Truth& truth, double leader_last_switches) {
    EXPECT_EQ(metric("execmond_process_context_switches_total", {{"type", "voluntary"}}),
              truth.total(&Rusage::nvcsw) - leader_last_switches);
    double involuntary =
        metric("execmond_process_context_switches_total", {{"type", "involuntary"}});
    double true_involuntary = truth.total(&Rusage::nivcsw);
    EXPECT_LE(involuntary, true_involuntary);
    EXPECT_GE(involuntary, true_involuntary - truth.count());
  }

  static constexpr int kUserMs = 40;
  static constexpr int kSystemMs = 20;
  static constexpr int kMiB = 3;  // child i touches (i % 4 + 1) × this
  static constexpr int kIoKiB = 512;
  const std::vector<double> rss_bounds_{4 << 20, 6 << 20, 8 << 20, 10 << 20, 12 << 20, 16 << 20};
  std::string comm_;
  Exposition metrics_;
};

TEST_P(ExitCostTest, SingleThreadedChildrenMatchWait4) {
  Truth truth = run_children(8, 1, false);
  expect_cpu_matches(truth);
  expect_peak_rss_matches(truth);
  expect_io_matches(truth);
  expect_faults_match(truth);
  expect_switches_match(truth, 8);
  EXPECT_EQ(metric("execmond_process_exits_total", {{"reason", "exited"}, {"code", "0"}}), 8);
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
  expect_switches_match(truth, 4);
}

TEST_P(ExitCostTest, LeaderExitingFirstIsCountedWhenTheLastThreadEnds) {
  Truth truth = run_children(4, 3, true);
  expect_cpu_matches(truth);
  EXPECT_GE(metric("execmond_process_cpu_seconds_total", {{"mode", "user"}}),
            0.9 * 4 * 3 * kUserMs / 1000.0);
  expect_peak_rss_matches(truth);
  expect_io_matches(truth);
  expect_faults_match(truth);
  // The zombie leader's last switch happened before the last thread's exit.
  expect_switches_match(truth, 0);
  EXPECT_EQ(metric("execmond_process_exits_total", {{"reason", "exited"}, {"code", "0"}}), 4);
}

INSTANTIATE_TEST_SUITE_P(ProgramSets, ExitCostTest,
                         ::testing::Values(AttachMode::TpBtf, AttachMode::Tracepoint),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace execmond::test
