// The pure middle of the pipeline: wait-status decoding and the cumulative,
// labelled totals the aggregator builds from drained records.
#include "aggregator.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace execmond {
namespace {

// Wait statuses as the kernel builds them (kernel/exit.c, wait_task_zombie).
std::uint32_t exited_status(std::uint32_t code) { return (code & 0xff) << 8; }
std::uint32_t signaled_status(int sig) { return static_cast<std::uint32_t>(sig); }
std::uint32_t dumped_status(int sig) { return static_cast<std::uint32_t>(sig) | 0x80; }

// ---------------------------------------------------------------------------
// decode_wait_status / signal_name

TEST(DecodeWaitStatusTest, ExitCodesBecomeExitedWithTheDecimalCode) {
  for (std::uint32_t code : {0U, 1U, 7U, 255U}) {
    SCOPED_TRACE("exit code " + std::to_string(code));
    EXPECT_EQ(decode_wait_status(exited_status(code)),
              (ExitOutcome{"exited", std::to_string(code)}));
  }
}

TEST(DecodeWaitStatusTest, EveryExitCodeRoundTrips) {
  for (std::uint32_t code = 0; code <= 255; ++code) {
    ExitOutcome outcome = decode_wait_status(exited_status(code));
    EXPECT_EQ(outcome.reason, "exited") << code;
    EXPECT_EQ(outcome.code, std::to_string(code)) << code;
  }
}

TEST(DecodeWaitStatusTest, FatalSignalsBecomeSignaledWithTheSignalName) {
  EXPECT_EQ(decode_wait_status(signaled_status(SIGKILL)), (ExitOutcome{"signaled", "SIGKILL"}));
  EXPECT_EQ(decode_wait_status(signaled_status(SIGTERM)), (ExitOutcome{"signaled", "SIGTERM"}));
  EXPECT_EQ(decode_wait_status(signaled_status(SIGHUP)), (ExitOutcome{"signaled", "SIGHUP"}));
  EXPECT_EQ(decode_wait_status(signaled_status(SIGPIPE)), (ExitOutcome{"signaled", "SIGPIPE"}));
  EXPECT_EQ(decode_wait_status(signaled_status(SIGINT)), (ExitOutcome{"signaled", "SIGINT"}));
}

TEST(DecodeWaitStatusTest, CoreDumpBitMakesItDumped) {
  EXPECT_EQ(decode_wait_status(dumped_status(SIGSEGV)), (ExitOutcome{"dumped", "SIGSEGV"}));
  EXPECT_EQ(decode_wait_status(dumped_status(SIGABRT)), (ExitOutcome{"dumped", "SIGABRT"}));
  EXPECT_EQ(decode_wait_status(dumped_status(SIGQUIT)), (ExitOutcome{"dumped", "SIGQUIT"}));
  EXPECT_EQ(decode_wait_status(dumped_status(SIGBUS)), (ExitOutcome{"dumped", "SIGBUS"}));
}

TEST(DecodeWaitStatusTest, CoreSignalWithoutDumpIsSignaled) {
  // RLIMIT_CORE 0: the signal's default action is "core" but nothing was dumped.
  EXPECT_EQ(decode_wait_status(signaled_status(SIGSEGV)), (ExitOutcome{"signaled", "SIGSEGV"}));
  EXPECT_EQ(decode_wait_status(signaled_status(SIGABRT)), (ExitOutcome{"signaled", "SIGABRT"}));
}

TEST(DecodeWaitStatusTest, RealtimeSignalsAreNamedRelativeToSigrtmin) {
  EXPECT_EQ(decode_wait_status(signaled_status(SIGRTMIN)), (ExitOutcome{"signaled", "SIGRTMIN"}));
  EXPECT_EQ(decode_wait_status(signaled_status(SIGRTMIN + 3)),
            (ExitOutcome{"signaled", "SIGRTMIN+3"}));
}

TEST(DecodeWaitStatusTest, AgreesWithLibcMacrosForEveryLowByte) {
  // Every status the kernel can report for a dead process: exit codes and
  // signals 1..127 with and without the core bit; stopped (0x7f) excluded.
  std::vector<std::uint32_t> statuses;
  for (std::uint32_t code = 0; code <= 255; ++code) statuses.push_back(exited_status(code));
  for (int sig = 1; sig < 0x7f; ++sig) {
    statuses.push_back(signaled_status(sig));
    statuses.push_back(dumped_status(sig));
  }
  for (std::uint32_t status : statuses) {
    const int s = static_cast<int>(status);
    ExitOutcome outcome = decode_wait_status(status);
    if (WIFEXITED(s)) {
      EXPECT_EQ(outcome, (ExitOutcome{"exited", std::to_string(WEXITSTATUS(s))})) << status;
    } else {
      ASSERT_TRUE(WIFSIGNALED(s)) << status;
      EXPECT_EQ(outcome.reason, WCOREDUMP(s) ? "dumped" : "signaled") << status;
      EXPECT_EQ(outcome.code, signal_name(WTERMSIG(s))) << status;
    }
  }
}

TEST(SignalNameTest, NamesStandardSignals) {
  EXPECT_EQ(signal_name(SIGHUP), "SIGHUP");
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(signal_name(SIGQUIT), "SIGQUIT");
  EXPECT_EQ(signal_name(SIGILL), "SIGILL");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(SIGBUS), "SIGBUS");
  EXPECT_EQ(signal_name(SIGFPE), "SIGFPE");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGUSR1), "SIGUSR1");
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGUSR2), "SIGUSR2");
  EXPECT_EQ(signal_name(SIGPIPE), "SIGPIPE");
  EXPECT_EQ(signal_name(SIGALRM), "SIGALRM");
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGXCPU), "SIGXCPU");
  EXPECT_EQ(signal_name(SIGSYS), "SIGSYS");
}

TEST(SignalNameTest, NamesRealtimeSignalsAsOffsetsFromSigrtmin) {
  EXPECT_EQ(signal_name(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(signal_name(SIGRTMIN + 1), "SIGRTMIN+1");
  EXPECT_EQ(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
  EXPECT_EQ(signal_name(SIGRTMAX), "SIGRTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN));
}

TEST(SignalNameTest, UnknownNumbersGetTheDocumentedSigNFallback) {
  // Past SIGRTMAX (64 on Linux) the C library has no name: "SIG<n>".
  EXPECT_EQ(signal_name(65), "SIG65");
  EXPECT_EQ(signal_name(127), "SIG127");
}

TEST(SignalNameTest, EveryNumberGivesANonEmptySigName) {
  for (int sig = 1; sig < 128; ++sig) {
    std::string name = signal_name(sig);
    EXPECT_GT(name.size(), 3U) << sig;
    EXPECT_EQ(name.rfind("SIG", 0), 0U) << sig << " -> " << name;
    for (char c : name) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+';
      EXPECT_TRUE(ok) << sig << " -> " << name;
    }
  }
}

TEST(SignalNameTest, DistinctSignalsGetDistinctNames) {
  std::map<std::string, int> seen;
  for (int sig = 1; sig < 128; ++sig) {
    auto [it, inserted] = seen.emplace(signal_name(sig), sig);
    EXPECT_TRUE(inserted) << sig << " and " << it->second << " are both " << it->first;
  }
}

// Real children, reaped with waitpid: the decoding must agree with what libc's
// macros make of the status the kernel really reported.
enum class ChildEnd { kExit3, kRaiseSigterm, kRaiseSigsegvNoCore, kKilledByParent };

int run_child(ChildEnd end) {
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork failed";
    return -1;
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    switch (end) {
      case ChildEnd::kExit3:
        _exit(3);
      case ChildEnd::kRaiseSigterm:
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
        break;
      case ChildEnd::kRaiseSigsegvNoCore: {
        rlimit none{0, 0};
        setrlimit(RLIMIT_CORE, &none);
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
        break;
      }
      case ChildEnd::kKilledByParent:
        for (;;) pause();
    }
    _exit(100);  // the signal did not end the process
  }
  if (end == ChildEnd::kKilledByParent) kill(pid, SIGKILL);
  int status = 0;
  pid_t reaped = -1;
  do {
    reaped = waitpid(pid, &status, 0);
  } while (reaped < 0 && errno == EINTR);
  EXPECT_EQ(reaped, pid);
  return status;
}

void expect_matches_libc(int status) {
  ExitOutcome outcome = decode_wait_status(static_cast<std::uint32_t>(status));
  if (WIFEXITED(status)) {
    EXPECT_EQ(outcome.reason, "exited");
    EXPECT_EQ(outcome.code, std::to_string(WEXITSTATUS(status)));
  } else {
    ASSERT_TRUE(WIFSIGNALED(status)) << status;
    EXPECT_EQ(outcome.reason, WCOREDUMP(status) ? "dumped" : "signaled");
    EXPECT_EQ(outcome.code, signal_name(WTERMSIG(status)));
  }
}

TEST(DecodeWaitStatusTest, RealExitMatchesLibc) {
  int status = run_child(ChildEnd::kExit3);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 3);
  expect_matches_libc(status);
  EXPECT_EQ(decode_wait_status(static_cast<std::uint32_t>(status)), (ExitOutcome{"exited", "3"}));
}

TEST(DecodeWaitStatusTest, RealSigtermMatchesLibc) {
  int status = run_child(ChildEnd::kRaiseSigterm);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGTERM);
  expect_matches_libc(status);
  EXPECT_EQ(decode_wait_status(static_cast<std::uint32_t>(status)),
            (ExitOutcome{"signaled", "SIGTERM"}));
}

TEST(DecodeWaitStatusTest, RealSigkillMatchesLibc) {
  int status = run_child(ChildEnd::kKilledByParent);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  expect_matches_libc(status);
  EXPECT_EQ(decode_wait_status(static_cast<std::uint32_t>(status)),
            (ExitOutcome{"signaled", "SIGKILL"}));
}

TEST(DecodeWaitStatusTest, RealSigsegvWithoutCoreLimitMatchesLibc) {
  int status = run_child(ChildEnd::kRaiseSigsegvNoCore);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(WTERMSIG(status), SIGSEGV);
  // A core_pattern pipe may dump despite RLIMIT_CORE 0; either way the
  // decoding must follow WCOREDUMP.
  expect_matches_libc(status);
  EXPECT_EQ(decode_wait_status(static_cast<std::uint32_t>(status)).code, "SIGSEGV");
}

// ---------------------------------------------------------------------------
// Aggregator

CountRecord exec_record(std::string comm, std::uint64_t count) {
  return {std::move(comm), EXECMOND_KIND_EXEC, 0, 0, count, 0};
}
CountRecord fork_record(std::string comm, std::uint64_t count) {
  return {std::move(comm), EXECMOND_KIND_FORK, 0, 0, count, 0};
}
CountRecord exit_record(std::string comm, std::uint32_t status, std::uint8_t bucket,
                        std::uint64_t count, std::uint64_t lifetime_ns_sum) {
  return {std::move(comm), EXECMOND_KIND_EXIT, status, bucket, count, lifetime_ns_sum};
}

const std::vector<double> kBounds = {0.01, 0.1, 1, 10};  // 4 bounds, 5 slots with +Inf

TEST(AggregatorTest, StartsEmptyAndKeepsItsBounds) {
  Aggregator aggregator(kBounds);
  EXPECT_EQ(aggregator.lifetime_bounds(), kBounds);
  const Totals& t = aggregator.totals();
  EXPECT_TRUE(t.execs.empty());
  EXPECT_TRUE(t.forks.empty());
  EXPECT_TRUE(t.exits.empty());
  EXPECT_TRUE(t.lifetimes.empty());
  EXPECT_TRUE(t.live.empty());
}

TEST(AggregatorTest, ExecsAndForksSumPerCommAcrossDrains) {
  Aggregator aggregator(kBounds);
  aggregator.add({exec_record("bash", 2), exec_record("ls", 1), fork_record("bash", 5)});
  aggregator.add({});
  aggregator.add({exec_record("bash", 3), fork_record("bash", 1), fork_record("make", 7)});
  aggregator.add({exec_record("ls", 10)});

  const Totals& t = aggregator.totals();
  EXPECT_EQ(t.execs, (std::map<std::string, std::uint64_t>{{"bash", 5}, {"ls", 11}}));
  EXPECT_EQ(t.forks, (std::map<std::string, std::uint64_t>{{"bash", 6}, {"make", 7}}));
  EXPECT_TRUE(t.exits.empty());
  EXPECT_TRUE(t.lifetimes.empty()) << "execs and forks carry no lifetime";
}

TEST(AggregatorTest, SameCommRepeatedInOneDrainIsSummed) {
  // Per-CPU summing happens in the drainer, but one drain may still carry
  // several records for a comm (e.g. from both maps after a missed drain).
  Aggregator aggregator(kBounds);
  aggregator.add(
      {exec_record("sh", 1), exec_record("sh", 2), fork_record("sh", 4), fork_record("sh", 8)});
  EXPECT_EQ(aggregator.totals().execs.at("sh"), 3U);
  EXPECT_EQ(aggregator.totals().forks.at("sh"), 12U);
}

TEST(AggregatorTest, ExecsAndForksOfTheSameCommAreKeptApart) {
  Aggregator aggregator(kBounds);
  aggregator.add({exec_record("cron", 4), fork_record("cron", 9)});
  EXPECT_EQ(aggregator.totals().execs.at("cron"), 4U);
  EXPECT_EQ(aggregator.totals().forks.at("cron"), 9U);
}

TEST(AggregatorTest, ExitsAreKeyedByCommReasonAndCode) {
  Aggregator aggregator(kBounds);
  aggregator.add({
      exit_record("bash", exited_status(0), 0, 2, 0),
      exit_record("bash", exited_status(1), 0, 1, 0),
      exit_record("bash", signaled_status(SIGKILL), 0, 3, 0),
      exit_record("sleep", signaled_status(SIGTERM), 0, 1, 0),
      exit_record("crashy", dumped_status(SIGSEGV), 0, 4, 0),
      exit_record("crashy", signaled_status(SIGSEGV), 0, 5, 0),
  });
  aggregator.add({
      exit_record("bash", exited_status(0), 2, 10, 0),  // other bucket, same exit key
      exit_record("sleep", signaled_status(SIGTERM), 1, 1, 0),
      exit_record("rt", signaled_status(SIGRTMIN + 3), 0, 1, 0),
  });

  const std::map<ExitKey, std::uint64_t> expected = {
      {{"bash", "exited", "0"}, 12},         {{"bash", "exited", "1"}, 1},
      {{"bash", "signaled", "SIGKILL"}, 3},  {{"sleep", "signaled", "SIGTERM"}, 2},
      {{"crashy", "dumped", "SIGSEGV"}, 4},  {{"crashy", "signaled", "SIGSEGV"}, 5},
      {{"rt", "signaled", "SIGRTMIN+3"}, 1},
  };
  EXPECT_EQ(aggregator.totals().exits, expected);
  EXPECT_TRUE(aggregator.totals().execs.empty());
  EXPECT_TRUE(aggregator.totals().forks.empty());
}

TEST(AggregatorTest, LifetimeBucketCountsGoToTheirBucketIndex) {
  Aggregator aggregator(kBounds);
  aggregator.add({
      exit_record("a", exited_status(0), 0, 1, 0),
      exit_record("a", exited_status(0), 1, 2, 0),
      exit_record("a", exited_status(1), 1, 3, 0),  // same bucket, other exit key
      exit_record("a", exited_status(0), 3, 4, 0),
  });
  const LifetimeHistogram& h = aggregator.totals().lifetimes.at("a");
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{1, 5, 0, 4, 0}));
  EXPECT_EQ(h.count, 10U);
}

TEST(AggregatorTest, BucketIndexPastTheBoundsGoesToTheInfSlot) {
  Aggregator aggregator(kBounds);
  aggregator.add({
      exit_record("a", exited_status(0), 4, 1, 0),    // == number of bounds: +Inf
      exit_record("a", exited_status(0), 5, 2, 0),    // past it
      exit_record("a", exited_status(0), 32, 4, 0),   // EXECMOND_MAX_BUCKETS
      exit_record("a", exited_status(0), 255, 8, 0),  // anything a u8 can hold
  });
  const LifetimeHistogram& h = aggregator.totals().lifetimes.at("a");
  ASSERT_EQ(h.bucket_counts.size(), kBounds.size() + 1);
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{0, 0, 0, 0, 15}));
  EXPECT_EQ(h.count, 15U);
}

TEST(AggregatorTest, WithNoBoundsEveryExitIsInTheInfSlot) {
  Aggregator aggregator({});
  aggregator.add({exit_record("a", exited_status(0), 0, 2, 3'000'000'000),
                  exit_record("a", exited_status(0), 7, 1, 1'000'000'000)});
  const LifetimeHistogram& h = aggregator.totals().lifetimes.at("a");
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(h.count, 3U);
  EXPECT_DOUBLE_EQ(h.sum_seconds, 4.0);
}

TEST(AggregatorTest, LifetimeCountAndSumAccumulateAcrossDrains) {
  Aggregator aggregator(kBounds);
  aggregator.add({exit_record("a", exited_status(0), 0, 3, 1'500'000'000)});
  aggregator.add({exit_record("a", signaled_status(SIGKILL), 2, 1, 2'500'000'000)});
  aggregator.add({exit_record("a", exited_status(0), 0, 2, 250'000'000)});

  const LifetimeHistogram& h = aggregator.totals().lifetimes.at("a");
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{5, 0, 1, 0, 0}));
  EXPECT_EQ(h.count, 6U);
  EXPECT_DOUBLE_EQ(h.sum_seconds, 4.25);
}

TEST(AggregatorTest, LifetimeSumIsNanosecondsOverOneBillion) {
  Aggregator aggregator(kBounds);
  aggregator.add({exit_record("a", exited_status(0), 0, 1, 1)});
  EXPECT_DOUBLE_EQ(aggregator.totals().lifetimes.at("a").sum_seconds, 1e-9);
  aggregator.add({exit_record("b", exited_status(0), 4, 1, 86'400'000'000'000)});
  EXPECT_DOUBLE_EQ(aggregator.totals().lifetimes.at("b").sum_seconds, 86400.0);
}

TEST(AggregatorTest, LifetimesAreKeptPerComm) {
  Aggregator aggregator(kBounds);
  aggregator.add({exit_record("a", exited_status(0), 0, 1, 1'000'000'000),
                  exit_record("b", exited_status(0), 3, 2, 6'000'000'000)});
  const auto& lifetimes = aggregator.totals().lifetimes;
  ASSERT_EQ(lifetimes.size(), 2U);
  EXPECT_EQ(lifetimes.at("a").bucket_counts, (std::vector<std::uint64_t>{1, 0, 0, 0, 0}));
  EXPECT_EQ(lifetimes.at("a").count, 1U);
  EXPECT_DOUBLE_EQ(lifetimes.at("a").sum_seconds, 1.0);
  EXPECT_EQ(lifetimes.at("b").bucket_counts, (std::vector<std::uint64_t>{0, 0, 0, 2, 0}));
  EXPECT_EQ(lifetimes.at("b").count, 2U);
  EXPECT_DOUBLE_EQ(lifetimes.at("b").sum_seconds, 6.0);
}

TEST(AggregatorTest, HistogramCountEqualsExitTotalPerComm) {
  Aggregator aggregator(kBounds);
  aggregator.add({exit_record("a", exited_status(0), 0, 3, 0),
                  exit_record("a", signaled_status(SIGTERM), 4, 2, 0),
                  exit_record("a", dumped_status(SIGABRT), 9, 1, 0)});
  aggregator.add({exit_record("a", exited_status(2), 1, 4, 0)});
  std::uint64_t exits = 0;
  for (const auto& [key, n] : aggregator.totals().exits) {
    if (key.comm == "a") exits += n;
  }
  const LifetimeHistogram& h = aggregator.totals().lifetimes.at("a");
  std::uint64_t in_buckets = 0;
  for (std::uint64_t n : h.bucket_counts) in_buckets += n;
  EXPECT_EQ(exits, 10U);
  EXPECT_EQ(h.count, exits);
  EXPECT_EQ(in_buckets, exits);
}

TEST(AggregatorTest, UnknownKindsAreIgnored) {
  Aggregator aggregator(kBounds);
  aggregator.add({
      {"zero", 0, 0, 0, 5, 100},
      {"four", 4, exited_status(1), 1, 6, 100},
      {"max", 255, signaled_status(SIGKILL), 2, 7, 100},
  });
  const Totals& t = aggregator.totals();
  EXPECT_TRUE(t.execs.empty());
  EXPECT_TRUE(t.forks.empty());
  EXPECT_TRUE(t.exits.empty());
  EXPECT_TRUE(t.lifetimes.empty());
  EXPECT_TRUE(t.live.empty());
}

TEST(AggregatorTest, UnknownKindsDoNotDisturbKnownOnesInTheSameDrain) {
  Aggregator aggregator(kBounds);
  aggregator.add({exec_record("a", 1),
                  {"a", 9, 0, 0, 100, 0},
                  fork_record("a", 2),
                  exit_record("a", exited_status(0), 0, 3, 0)});
  EXPECT_EQ(aggregator.totals().execs.at("a"), 1U);
  EXPECT_EQ(aggregator.totals().forks.at("a"), 2U);
  EXPECT_EQ((aggregator.totals().exits.at({"a", "exited", "0"})), 3U);
  EXPECT_EQ(aggregator.totals().lifetimes.at("a").count, 3U);
}

TEST(AggregatorTest, SetLiveReplacesThePreviousLiveMap) {
  Aggregator aggregator(kBounds);
  aggregator.set_live({{"bash", 3}, {"sleep", 1}});
  EXPECT_EQ(aggregator.totals().live,
            (std::map<std::string, std::uint64_t>{{"bash", 3}, {"sleep", 1}}));
  aggregator.set_live({{"bash", 1}, {"cron", 2}});
  EXPECT_EQ(aggregator.totals().live,
            (std::map<std::string, std::uint64_t>{{"bash", 1}, {"cron", 2}}))
      << "live is a gauge: replaced, not summed, and gone comms are dropped";
  aggregator.set_live({});
  EXPECT_TRUE(aggregator.totals().live.empty());
}

TEST(AggregatorTest, AddLeavesTheLiveMapAlone) {
  Aggregator aggregator(kBounds);
  aggregator.set_live({{"bash", 3}});
  aggregator.add({exec_record("bash", 1), fork_record("x", 1),
                  exit_record("bash", exited_status(0), 0, 1, 0)});
  EXPECT_EQ(aggregator.totals().live, (std::map<std::string, std::uint64_t>{{"bash", 3}}));
}

TEST(AggregatorTest, SetLiveLeavesCountersAlone) {
  Aggregator aggregator(kBounds);
  aggregator.add(
      {exec_record("a", 1), fork_record("a", 2), exit_record("a", exited_status(0), 0, 3, 0)});
  aggregator.set_live({{"a", 5}});
  aggregator.set_live({});
  EXPECT_EQ(aggregator.totals().execs.at("a"), 1U);
  EXPECT_EQ(aggregator.totals().forks.at("a"), 2U);
  EXPECT_EQ((aggregator.totals().exits.at({"a", "exited", "0"})), 3U);
}

TEST(AggregatorTest, ZeroCountRecordsStillCreateTheirSeries) {
  Aggregator aggregator(kBounds);
  aggregator.add({exec_record("a", 0), exit_record("b", exited_status(0), 0, 0, 0)});
  EXPECT_EQ(aggregator.totals().execs.at("a"), 0U);
  EXPECT_EQ((aggregator.totals().exits.at({"b", "exited", "0"})), 0U);
  EXPECT_EQ(aggregator.totals().lifetimes.at("b").count, 0U);
}

TEST(AggregatorTest, CommsAreTakenByteForByte) {
  // comm is whatever the kernel holds: spaces, quotes, non-ASCII bytes.
  const std::string odd = "a b\"c\\d\xc3\xa9";
  Aggregator aggregator(kBounds);
  aggregator.add({exec_record(odd, 1), exec_record("", 2)});
  EXPECT_EQ(aggregator.totals().execs.at(odd), 1U);
  EXPECT_EQ(aggregator.totals().execs.at(""), 2U);
}

TEST(AggregatorTest, LargeCountsDoNotLosePrecision) {
  Aggregator aggregator(kBounds);
  const std::uint64_t big = (std::uint64_t{1} << 62) + 1;
  aggregator.add({exec_record("a", big)});
  aggregator.add({exec_record("a", big)});
  EXPECT_EQ(aggregator.totals().execs.at("a"), 2 * big);
}

}  // namespace
}  // namespace execmond
