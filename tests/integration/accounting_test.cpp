// Exact accounting with the real tracer: every number asserted here is what
// the kernel and waitpid() say happened, for both program sets.
#include <gtest/gtest.h>

#include "traced_test.h"

namespace execmond::test {
namespace {

class AccountingTest : public ProgramSetTest {
 protected:
  void expect_no_loss(const Exposition& m) {
    EXPECT_EQ(m.sum("execmond_events_lost_total"), 0) << "events were lost";
  }
};

TEST_P(AccountingTest, AttachesTheRequestedProgramSet) {
  start_daemon();
  EXPECT_EQ(daemon_->attach_kind(), GetParam() == AttachMode::TpBtf ? "tp_btf" : "tracepoint");
}

TEST_P(AccountingTest, FiveHundredChildrenMatchWaitpidExactly) {
  start_daemon();
  std::string parent = workload_as("mixp");
  std::string child = workload_as("mixc");
  Outcomes outcomes = run(parent, {"mix", "500", child, dir_});
  Exposition m = scrape();

  const std::string c = comm_of(child);
  EXPECT_EQ(m.value("execmond_process_execs_total", {{"comm", c}}), 500);
  EXPECT_EQ(m.value("execmond_process_forks_total", {{"comm", comm_of(parent)}}), 500);
  EXPECT_EQ(m.value("execmond_process_execs_total", {{"comm", comm_of(parent)}}), 1);
  int planned_signals = 0;
  for (const auto& [rc, n] : by_reason_code(outcomes)) {
    EXPECT_EQ(m.value("execmond_process_exits_total",
                      {{"comm", c}, {"reason", rc.first}, {"code", rc.second}}),
              n)
        << rc.first << " " << rc.second;
    if (rc.first != "exited") planned_signals += n;
  }
  EXPECT_EQ(planned_signals, 184);  // of the 244 children past code 255, 6 in every 8 die by signal
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", c}}), 500);
  for (int code = 1; code < 256; ++code) {
    EXPECT_EQ(m.value("execmond_process_exits_total",
                      {{"comm", c}, {"reason", "exited"}, {"code", std::to_string(code)}}),
              1);
  }
  EXPECT_EQ(m.value("execmond_process_lifetime_seconds_count", {{"comm", c}}), 500);
  EXPECT_EQ(m.value("execmond_process_lifetime_seconds_bucket", {{"comm", c}, {"le", "+Inf"}}),
            500);
  EXPECT_EQ(m.value("execmond_processes", {{"comm", c}}), 0);
  expect_no_loss(m);
}

TEST_P(AccountingTest, SleepersLandInTheirLifetimeBucket) {
  Config config = test_config();
  config.lifetime_buckets = {0.1, 0.2, 1.6, 3.2};  // wide: a loaded CI host is slow
  start_daemon(config);
  std::string parent = workload_as("slpp");
  std::string child = workload_as("slpc");
  Outcomes outcomes = run(parent, {"sleepers", "10", "250", child});
  ASSERT_EQ(outcomes["exited 0"], 10);
  Exposition m = scrape();

  const std::string c = comm_of(child);
  auto bucket = [&](const char* le) {
    return m.value("execmond_process_lifetime_seconds_bucket", {{"comm", c}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.2"), 0);  // none ended before its 250 ms sleep
  EXPECT_EQ(bucket("1.6"), 10);
  EXPECT_EQ(bucket("+Inf"), 10);
  double sum = m.value("execmond_process_lifetime_seconds_sum", {{"comm", c}});
  EXPECT_GE(sum, 2.5);
  EXPECT_LE(sum, 16.0);  // consistent with the 1.6 s bucket above
}

TEST_P(AccountingTest, LeaderExitingFirstIsOneExitWithTheLastThreadsStatus) {
  start_daemon();
  std::string parent = workload_as("ldrp");
  std::string child = workload_as("ldrc");
  Outcomes outcomes = run(parent, {"leader-exits-first", child});
  ASSERT_EQ(outcomes, (Outcomes{{"exited 7", 1}}));
  Exposition m = scrape();
  const std::string c = comm_of(child);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", c}}), 1);
  EXPECT_EQ(
      m.value("execmond_process_exits_total", {{"comm", c}, {"reason", "exited"}, {"code", "7"}}),
      1);
  EXPECT_EQ(m.sum("execmond_process_forks_total", {{"comm", c}}), 0);  // threads are not forks
}

TEST_P(AccountingTest, ManyThreadsExitingAtOnceAreOneExit) {
  start_daemon();
  std::string parent = workload_as("thrp");
  std::string child = workload_as("thrc");
  for (int round = 0; round < 5; ++round) {
    ASSERT_EQ(run(parent, {"many-threads", "64", child}), (Outcomes{{"exited 5", 1}}));
  }
  Exposition m = scrape();
  const std::string c = comm_of(child);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", c}}), 5);
  EXPECT_EQ(
      m.value("execmond_process_exits_total", {{"comm", c}, {"reason", "exited"}, {"code", "5"}}),
      5);
  EXPECT_EQ(m.value("execmond_process_lifetime_seconds_count", {{"comm", c}}), 5);
  EXPECT_EQ(m.sum("execmond_process_forks_total", {{"comm", c}}), 0);
  EXPECT_EQ(m.value("execmond_process_forks_total", {{"comm", comm_of(parent)}}), 5);
}

TEST_P(AccountingTest, NonLeaderThreadExecIsOneExecAndOneExit) {
  start_daemon();
  std::string parent = workload_as("txep");
  std::string child = workload_as("txec");
  ASSERT_EQ(run(parent, {"thread-exec", child}), (Outcomes{{"exited 9", 1}}));
  Exposition m = scrape();
  const std::string c = comm_of(child);
  // The first exec starts the child; the thread's execve is the second.
  EXPECT_EQ(m.value("execmond_process_execs_total", {{"comm", c}}), 2);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", c}}), 1);
  EXPECT_EQ(
      m.value("execmond_process_exits_total", {{"comm", c}, {"reason", "exited"}, {"code", "9"}}),
      1);
  EXPECT_EQ(m.value("execmond_process_forks_total", {{"comm", comm_of(parent)}}), 1);
}

TEST_P(AccountingTest, ForkWithoutExec) {
  start_daemon();
  std::string parent = workload_as("fonp");
  Outcomes outcomes = run(parent, {"fork-only", "20"});
  ASSERT_EQ(outcomes.size(), 20U);
  Exposition m = scrape();
  const std::string p = comm_of(parent);
  EXPECT_EQ(m.value("execmond_process_forks_total", {{"comm", p}}), 20);
  EXPECT_EQ(m.value("execmond_process_execs_total", {{"comm", p}}), 1);  // the parent's own
  // Children keep the parent's comm; code 0 also counts the parent's own exit.
  EXPECT_EQ(
      m.value("execmond_process_exits_total", {{"comm", p}, {"reason", "exited"}, {"code", "0"}}),
      2);
  for (int code = 1; code < 20; ++code) {
    EXPECT_EQ(m.value("execmond_process_exits_total",
                      {{"comm", p}, {"reason", "exited"}, {"code", std::to_string(code)}}),
              1);
  }
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", p}}), 21);
}

TEST_P(AccountingTest, LiveGaugeGoesUpAndBackToZero) {
  start_daemon();
  std::string parent = workload_as("livp");
  std::string child = workload_as("livc");
  const std::string c = comm_of(child);
  auto w = launch(parent, {"hold", child, "5"});
  // Each child says "held" once its exec is done; scrape() drains first.
  ASSERT_TRUE(w->await_lines("held", 5));
  EXPECT_EQ(scrape().sum("execmond_processes", {{"comm", c}}), 5);
  EXPECT_EQ(scrape().value("execmond_processes", {{"comm", comm_of(parent)}}), 1);
  w->close_stdin();
  EXPECT_EQ(w->wait(), (Outcomes{{"exited 0", 5}}));
  Exposition m = scrape();
  EXPECT_EQ(m.value("execmond_processes", {{"comm", c}}), 0);
  EXPECT_EQ(m.value("execmond_processes", {{"comm", comm_of(parent)}}), 0);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", c}}), 5);
}

TEST_P(AccountingTest, ProcessesRunningBeforeStartAreSeeded) {
  std::string parent = workload_as("prep");
  std::string child = workload_as("prec");
  const std::string c = comm_of(child);
  auto w = launch(parent, {"hold", child, "3"});
  // Seeding must find them exec'd: each says "held" once it runs as `child`.
  ASSERT_TRUE(w->await_lines("held", 3));
  const auto forked_by = std::chrono::steady_clock::now();
  start_daemon();
  Exposition before = scrape();
  EXPECT_EQ(before.value("execmond_processes", {{"comm", c}}), 3);
  EXPECT_EQ(before.value("execmond_processes", {{"comm", comm_of(parent)}}), 1);
  EXPECT_FALSE(before.find("execmond_process_execs_total", {{"comm", c}}));  // before our time
  const auto released = std::chrono::steady_clock::now();
  w->close_stdin();
  EXPECT_EQ(w->wait(), (Outcomes{{"exited 0", 3}}));
  Exposition m = scrape();
  EXPECT_EQ(m.value("execmond_processes", {{"comm", c}}), 0);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", c}}), 3);
  EXPECT_EQ(m.value("execmond_process_lifetime_seconds_count", {{"comm", c}}), 3);
  // Lifetimes run from the fork, before the daemon started: each child lived
  // at least from forked_by to its release. Counted from seeding, they would
  // miss the daemon's start-up, far longer than a released child takes to exit.
  EXPECT_GT(m.value("execmond_process_lifetime_seconds_sum", {{"comm", c}}),
            3 * std::chrono::duration<double>(released - forked_by).count());
}

INSTANTIATE_TEST_SUITE_P(ProgramSets, AccountingTest,
                         ::testing::Values(AttachMode::TpBtf, AttachMode::Tracepoint),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace execmond::test
