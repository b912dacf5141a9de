// The pure middle of the pipeline: wait-status decoding and the cumulative,
// labelled totals the aggregator builds from drained records.
#include "metrics/aggregator.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "execmond.h"
#include "identity/identity.h"
#include "metrics/filter.h"

#include "label_fixtures.h"

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

constexpr std::uint32_t kNoCap = 10000;
const std::vector<double> kBounds = {0.01, 0.1, 1, 10};  // 4 bounds, 5 slots with +Inf
const LabelValues kOverflow1 = {kOverflowValue};
const LabelValues kOverflowExit = {kOverflowValue, kOverflowValue, kOverflowValue};

Identity named(std::string comm) {
  Identity who;
  who.comm = std::move(comm);
  return who;
}

Record exec_record(Identity who, std::uint64_t count) {
  return {EXECMOND_KIND_EXEC, std::move(who), 0, 0, count, 0};
}
Record exec_record(std::string comm, std::uint64_t count) {
  return exec_record(named(std::move(comm)), count);
}
Record fork_record(Identity who, std::uint64_t count) {
  return {EXECMOND_KIND_FORK, std::move(who), 0, 0, count, 0};
}
Record fork_record(std::string comm, std::uint64_t count) {
  return fork_record(named(std::move(comm)), count);
}
Record exit_record(Identity who, std::uint32_t status, std::uint8_t bucket, std::uint64_t count,
                   std::uint64_t lifetime_ns_sum) {
  return {EXECMOND_KIND_EXIT, std::move(who), status, bucket, count, lifetime_ns_sum};
}
Record exit_record(std::string comm, std::uint32_t status, std::uint8_t bucket, std::uint64_t count,
                   std::uint64_t lifetime_ns_sum) {
  return exit_record(named(std::move(comm)), status, bucket, count, lifetime_ns_sum);
}
LiveEntry live_entry(std::string comm, std::uint64_t count) {
  return {named(std::move(comm)), count};
}

AggregatorOptions options(std::vector<double> bounds = kBounds, std::uint32_t max_series = kNoCap,
                          LabelConfig labels = {}) {
  return {std::move(labels), std::move(bounds), max_series};
}
// Default labels (comm everywhere), kBounds, no practical cap.
Aggregator comm_aggregator(std::vector<double> bounds = kBounds) {
  return Aggregator(options(std::move(bounds)));
}
Aggregator capped_aggregator(std::uint32_t max_series, LabelConfig labels = {}) {
  return Aggregator(options(kBounds, max_series, std::move(labels)));
}

// A counter family as plain values by label values.
std::map<LabelValues, std::uint64_t> values(const SeriesMap<std::uint64_t>& family) {
  std::map<LabelValues, std::uint64_t> out;
  for (const auto& [key, s] : family.series) out.emplace(key, s.value);
  return out;
}
std::set<LabelValues> keys(const auto& family) {
  std::set<LabelValues> out;
  for (const auto& [key, s] : family.series) out.insert(key);
  return out;
}
std::uint64_t value(const SeriesMap<std::uint64_t>& family, const LabelValues& key) {
  return family.series.at(key).value;
}
const HistogramTotal& histogram(const Totals& t, const LabelValues& key) {
  return t.lifetimes.series.at(key).value;
}
// What a family's series add up to: with the cap, still every event added.
std::uint64_t family_total(const SeriesMap<std::uint64_t>& family) {
  std::uint64_t sum = 0;
  for (const auto& [key, s] : family.series) sum += s.value;
  return sum;
}
std::uint64_t lifetime_total(const Totals& t) {
  std::uint64_t sum = 0;
  for (const auto& [key, s] : t.lifetimes.series) sum += s.value.count;
  return sum;
}

TEST(AggregatorTest, StartsEmptyAndKeepsItsOptions) {
  LabelConfig labels;
  labels.per_family[static_cast<std::size_t>(Family::Execs)] = {LabelSource::Exe};
  Aggregator aggregator(options(kBounds, 7, labels));
  EXPECT_EQ(aggregator.options().lifetime_bounds, kBounds);
  EXPECT_EQ(aggregator.options().max_series, 7U);
  EXPECT_EQ(aggregator.options().labels, labels);
  const Totals& t = aggregator.totals();
  EXPECT_TRUE(t.execs.series.empty());
  EXPECT_TRUE(t.forks.series.empty());
  EXPECT_TRUE(t.exits.series.empty());
  EXPECT_TRUE(t.lifetimes.series.empty());
  EXPECT_TRUE(t.live.series.empty());
  EXPECT_EQ(t.execs.overflow_events + t.forks.overflow_events + t.exits.overflow_events +
                t.lifetimes.overflow_events + t.live.overflow_events,
            0U);
}

TEST(AggregatorTest, DefaultOptionsLabelByCommWithTheDocumentedCap) {
  AggregatorOptions defaults;
  EXPECT_EQ(defaults.max_series, 10000U);
  for (std::size_t f = 0; f < kFamilyCount; ++f) {
    EXPECT_EQ(defaults.labels.per_family[f], (std::vector<LabelSource>{LabelSource::Comm})) << f;
  }
}

TEST(AggregatorTest, ExecsAndForksSumPerCommAcrossDrains) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("bash", 2), exec_record("ls", 1), fork_record("bash", 5)}, 1);
  aggregator.add({}, 2);
  aggregator.add({exec_record("bash", 3), fork_record("bash", 1), fork_record("make", 7)}, 3);
  aggregator.add({exec_record("ls", 10)}, 4);

  const Totals& t = aggregator.totals();
  EXPECT_EQ(values(t.execs), (std::map<LabelValues, std::uint64_t>{{{"bash"}, 5}, {{"ls"}, 11}}));
  EXPECT_EQ(values(t.forks), (std::map<LabelValues, std::uint64_t>{{{"bash"}, 6}, {{"make"}, 7}}));
  EXPECT_TRUE(t.exits.series.empty());
  EXPECT_TRUE(t.lifetimes.series.empty()) << "execs and forks carry no lifetime";
}

TEST(AggregatorTest, SameCommRepeatedInOneDrainIsSummed) {
  // Per-CPU summing happens in the drainer, but one drain may still carry
  // several records for a label set (e.g. ids that resolve to the same names).
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {exec_record("sh", 1), exec_record("sh", 2), fork_record("sh", 4), fork_record("sh", 8)}, 0);
  EXPECT_EQ(value(aggregator.totals().execs, {"sh"}), 3U);
  EXPECT_EQ(value(aggregator.totals().forks, {"sh"}), 12U);
}

TEST(AggregatorTest, ExecsAndForksOfTheSameCommAreKeptApart) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("cron", 4), fork_record("cron", 9)}, 0);
  EXPECT_EQ(value(aggregator.totals().execs, {"cron"}), 4U);
  EXPECT_EQ(value(aggregator.totals().forks, {"cron"}), 9U);
}

TEST(AggregatorTest, ExitsAreKeyedByCommReasonAndCode) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {
          exit_record("bash", exited_status(0), 0, 2, 0),
          exit_record("bash", exited_status(1), 0, 1, 0),
          exit_record("bash", signaled_status(SIGKILL), 0, 3, 0),
          exit_record("sleep", signaled_status(SIGTERM), 0, 1, 0),
          exit_record("crashy", dumped_status(SIGSEGV), 0, 4, 0),
          exit_record("crashy", signaled_status(SIGSEGV), 0, 5, 0),
      },
      1);
  aggregator.add(
      {
          exit_record("bash", exited_status(0), 2, 10, 0),  // other bucket, same exit key
          exit_record("sleep", signaled_status(SIGTERM), 1, 1, 0),
          exit_record("rt", signaled_status(SIGRTMIN + 3), 0, 1, 0),
      },
      2);

  const std::map<LabelValues, std::uint64_t> expected = {
      {{"bash", "exited", "0"}, 12},         {{"bash", "exited", "1"}, 1},
      {{"bash", "signaled", "SIGKILL"}, 3},  {{"sleep", "signaled", "SIGTERM"}, 2},
      {{"crashy", "dumped", "SIGSEGV"}, 4},  {{"crashy", "signaled", "SIGSEGV"}, 5},
      {{"rt", "signaled", "SIGRTMIN+3"}, 1},
  };
  EXPECT_EQ(values(aggregator.totals().exits), expected);
  EXPECT_TRUE(aggregator.totals().execs.series.empty());
  EXPECT_TRUE(aggregator.totals().forks.series.empty());
}

TEST(AggregatorTest, LifetimeBucketCountsGoToTheirBucketIndex) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {
          exit_record("a", exited_status(0), 0, 1, 0),
          exit_record("a", exited_status(0), 1, 2, 0),
          exit_record("a", exited_status(1), 1, 3, 0),  // same bucket, other exit key
          exit_record("a", exited_status(0), 3, 4, 0),
      },
      0);
  const HistogramTotal& h = histogram(aggregator.totals(), {"a"});
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{1, 5, 0, 4, 0}));
  EXPECT_EQ(h.count, 10U);
}

TEST(AggregatorTest, BucketIndexPastTheBoundsGoesToTheInfSlot) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {
          exit_record("a", exited_status(0), 4, 1, 0),    // == number of bounds: +Inf
          exit_record("a", exited_status(0), 5, 2, 0),    // past it
          exit_record("a", exited_status(0), 32, 4, 0),   // EXECMOND_MAX_BUCKETS
          exit_record("a", exited_status(0), 255, 8, 0),  // anything a u8 can hold
      },
      0);
  const HistogramTotal& h = histogram(aggregator.totals(), {"a"});
  ASSERT_EQ(h.bucket_counts.size(), kBounds.size() + 1);
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{0, 0, 0, 0, 15}));
  EXPECT_EQ(h.count, 15U);
}

TEST(AggregatorTest, WithNoBoundsEveryExitIsInTheInfSlot) {
  Aggregator aggregator = comm_aggregator({});
  aggregator.add({exit_record("a", exited_status(0), 0, 2, 3'000'000'000),
                  exit_record("a", exited_status(0), 7, 1, 1'000'000'000)},
                 0);
  const HistogramTotal& h = histogram(aggregator.totals(), {"a"});
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(h.count, 3U);
  EXPECT_DOUBLE_EQ(h.sum, 4.0);
}

TEST(AggregatorTest, LifetimeCountAndSumAccumulateAcrossDrains) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exit_record("a", exited_status(0), 0, 3, 1'500'000'000)}, 1);
  aggregator.add({exit_record("a", signaled_status(SIGKILL), 2, 1, 2'500'000'000)}, 2);
  aggregator.add({exit_record("a", exited_status(0), 0, 2, 250'000'000)}, 3);

  const HistogramTotal& h = histogram(aggregator.totals(), {"a"});
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{5, 0, 1, 0, 0}));
  EXPECT_EQ(h.count, 6U);
  EXPECT_DOUBLE_EQ(h.sum, 4.25);
}

TEST(AggregatorTest, LifetimeSumIsNanosecondsOverOneBillion) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exit_record("a", exited_status(0), 0, 1, 1)}, 0);
  EXPECT_DOUBLE_EQ(histogram(aggregator.totals(), {"a"}).sum, 1e-9);
  aggregator.add({exit_record("b", exited_status(0), 4, 1, 86'400'000'000'000)}, 0);
  EXPECT_DOUBLE_EQ(histogram(aggregator.totals(), {"b"}).sum, 86400.0);
}

TEST(AggregatorTest, LifetimesAreKeptPerComm) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exit_record("a", exited_status(0), 0, 1, 1'000'000'000),
                  exit_record("b", exited_status(0), 3, 2, 6'000'000'000)},
                 0);
  const Totals& t = aggregator.totals();
  ASSERT_EQ(t.lifetimes.series.size(), 2U);
  EXPECT_EQ(histogram(t, {"a"}).bucket_counts, (std::vector<std::uint64_t>{1, 0, 0, 0, 0}));
  EXPECT_EQ(histogram(t, {"a"}).count, 1U);
  EXPECT_DOUBLE_EQ(histogram(t, {"a"}).sum, 1.0);
  EXPECT_EQ(histogram(t, {"b"}).bucket_counts, (std::vector<std::uint64_t>{0, 0, 0, 2, 0}));
  EXPECT_EQ(histogram(t, {"b"}).count, 2U);
  EXPECT_DOUBLE_EQ(histogram(t, {"b"}).sum, 6.0);
}

TEST(AggregatorTest, HistogramCountEqualsExitTotalPerComm) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exit_record("a", exited_status(0), 0, 3, 0),
                  exit_record("a", signaled_status(SIGTERM), 4, 2, 0),
                  exit_record("a", dumped_status(SIGABRT), 9, 1, 0)},
                 1);
  aggregator.add({exit_record("a", exited_status(2), 1, 4, 0)}, 2);
  std::uint64_t exits = 0;
  for (const auto& [key, s] : aggregator.totals().exits.series) {
    ASSERT_EQ(key.size(), 3U);
    if (key[0] == "a") exits += s.value;
  }
  const HistogramTotal& h = histogram(aggregator.totals(), {"a"});
  std::uint64_t in_buckets = 0;
  for (std::uint64_t n : h.bucket_counts) in_buckets += n;
  EXPECT_EQ(exits, 10U);
  EXPECT_EQ(h.count, exits);
  EXPECT_EQ(in_buckets, exits);
}

TEST(AggregatorTest, UnknownKindsAreIgnored) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {
          {0, named("zero"), 0, 0, 5, 100},
          {4, named("four"), exited_status(1), 1, 6, 100},
          {255, named("max"), signaled_status(SIGKILL), 2, 7, 100},
      },
      0);
  const Totals& t = aggregator.totals();
  EXPECT_TRUE(t.execs.series.empty());
  EXPECT_TRUE(t.forks.series.empty());
  EXPECT_TRUE(t.exits.series.empty());
  EXPECT_TRUE(t.lifetimes.series.empty());
  EXPECT_TRUE(t.live.series.empty()) << "not even a live series at 0";
}

TEST(AggregatorTest, UnknownKindsDoNotDisturbKnownOnesInTheSameDrain) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("a", 1),
                  {9, named("a"), 0, 0, 100, 0},
                  fork_record("a", 2),
                  exit_record("a", exited_status(0), 0, 3, 0)},
                 0);
  EXPECT_EQ(value(aggregator.totals().execs, {"a"}), 1U);
  EXPECT_EQ(value(aggregator.totals().forks, {"a"}), 2U);
  EXPECT_EQ(value(aggregator.totals().exits, {"a", "exited", "0"}), 3U);
  EXPECT_EQ(histogram(aggregator.totals(), {"a"}).count, 3U);
}

TEST(AggregatorTest, SetLiveReplacesValuesAndKeepsSeenSeriesAtZero) {
  Aggregator aggregator = comm_aggregator();
  aggregator.set_live({live_entry("bash", 3), live_entry("sleep", 1)}, 1);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"bash"}, 3}, {{"sleep"}, 1}}));
  aggregator.set_live({live_entry("bash", 1), live_entry("cron", 2)}, 2);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"bash"}, 1}, {{"cron"}, 2}, {{"sleep"}, 0}}))
      << "live is a gauge: replaced, not summed; a label set seen before stays at 0";
  aggregator.set_live({}, 3);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"bash"}, 0}, {{"cron"}, 0}, {{"sleep"}, 0}}));
}

TEST(AggregatorTest, SetLiveSumsEntriesWithTheSameLabels) {
  // Different processes (or identities differing only in labels not shown)
  // fold into one series.
  Aggregator aggregator = comm_aggregator();
  Identity a = named("w");
  a.uid = "1";
  Identity b = named("w");
  b.uid = "2";
  aggregator.set_live({{a, 2}, {b, 5}, live_entry("w", 1)}, 0);
  EXPECT_EQ(values(aggregator.totals().live), (std::map<LabelValues, std::uint64_t>{{{"w"}, 8}}));
}

TEST(AggregatorTest, LabelSetsSeenOnlyInCountersGetALiveSeriesAtZero) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("only-exec", 1), fork_record("only-fork", 2),
                  exit_record("only-exit", exited_status(0), 0, 3, 0)},
                 1);
  const std::map<LabelValues, std::uint64_t> zeros = {
      {{"only-exec"}, 0}, {{"only-fork"}, 0}, {{"only-exit"}, 0}};
  EXPECT_EQ(values(aggregator.totals().live), zeros) << "before any set_live";
  aggregator.set_live({}, 2);
  EXPECT_EQ(values(aggregator.totals().live), zeros) << "set_live keeps them";
}

TEST(AggregatorTest, AddLeavesLiveValuesAlone) {
  Aggregator aggregator = comm_aggregator();
  aggregator.set_live({live_entry("bash", 3)}, 1);
  aggregator.add(
      {exec_record("bash", 1), fork_record("x", 1), exit_record("bash", exited_status(0), 0, 1, 0)},
      2);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"bash"}, 3}, {{"x"}, 0}}));
}

TEST(AggregatorTest, SetLiveLeavesCountersAlone) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {exec_record("a", 1), fork_record("a", 2), exit_record("a", exited_status(0), 0, 3, 0)}, 1);
  aggregator.set_live({live_entry("a", 5)}, 2);
  aggregator.set_live({}, 3);
  EXPECT_EQ(value(aggregator.totals().execs, {"a"}), 1U);
  EXPECT_EQ(value(aggregator.totals().forks, {"a"}), 2U);
  EXPECT_EQ(value(aggregator.totals().exits, {"a", "exited", "0"}), 3U);
  EXPECT_EQ(histogram(aggregator.totals(), {"a"}).count, 3U);
}

TEST(AggregatorTest, ZeroCountRecordsAreIgnored) {
  // The drainer never emits them; a zero count must not take a series slot.
  Aggregator aggregator = capped_aggregator(1);
  aggregator.add({exec_record("a", 0), exit_record("b", exited_status(0), 0, 0, 0)}, 0);
  const Totals& t = aggregator.totals();
  EXPECT_TRUE(t.execs.series.empty());
  EXPECT_TRUE(t.exits.series.empty());
  EXPECT_TRUE(t.lifetimes.series.empty());
  EXPECT_TRUE(t.live.series.empty());
  aggregator.add({exec_record("c", 1)}, 1);
  EXPECT_EQ(values(aggregator.totals().execs), (std::map<LabelValues, std::uint64_t>{{{"c"}, 1}}));
  EXPECT_EQ(aggregator.totals().execs.overflow_events, 0U);
}

TEST(AggregatorTest, CommsAreTakenByteForByte) {
  // comm is whatever the kernel holds: spaces, quotes, non-ASCII bytes.
  const std::string odd = "a b\"c\\d\xc3\xa9";
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record(odd, 1), exec_record("", 2)}, 0);
  EXPECT_EQ(value(aggregator.totals().execs, {odd}), 1U);
  EXPECT_EQ(value(aggregator.totals().execs, {""}), 2U);
}

TEST(AggregatorTest, LargeCountsDoNotLosePrecision) {
  Aggregator aggregator = comm_aggregator();
  const std::uint64_t big = (std::uint64_t{1} << 62) + 1;
  aggregator.add({exec_record("a", big)}, 1);
  aggregator.add({exec_record("a", big)}, 2);
  EXPECT_EQ(value(aggregator.totals().execs, {"a"}), 2 * big);
}

TEST(AggregatorTest, SeriesRememberWhenTheyLastChanged) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("a", 1), exec_record("b", 1)}, 5);
  aggregator.add({exec_record("a", 1)}, 9);
  EXPECT_EQ(aggregator.totals().execs.series.at({"a"}).updated, 9);
  EXPECT_EQ(aggregator.totals().execs.series.at({"b"}).updated, 5);
}

// ---------------------------------------------------------------------------
// Labels per family

Identity nginx() {
  Identity who;
  who.comm = "nginx";
  who.exe = "/usr/sbin/nginx";
  who.cgroup = "/system.slice/nginx.service";
  who.unit = "nginx.service";
  who.container_id = "";
  who.uid = "33";
  who.user = "www-data";
  return who;
}

using test::mixed_labels;

TEST(AggregatorLabelsTest, EachFamilyIsKeyedByItsOwnLabels) {
  Aggregator aggregator(options(kBounds, kNoCap, mixed_labels()));
  aggregator.add({exec_record(nginx(), 2), fork_record(nginx(), 3),
                  exit_record(nginx(), signaled_status(SIGTERM), 1, 4, 2'000'000'000)},
                 0);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(values(t.execs),
            (std::map<LabelValues, std::uint64_t>{{{"nginx", "/usr/sbin/nginx"}, 2}}));
  EXPECT_EQ(values(t.forks), (std::map<LabelValues, std::uint64_t>{{{"33"}, 3}}));
  EXPECT_EQ(values(t.exits),
            (std::map<LabelValues, std::uint64_t>{{{"nginx.service", "signaled", "SIGTERM"}, 4}}))
      << "exits: the configured labels, then reason and code";
  EXPECT_EQ(keys(t.lifetimes), (std::set<LabelValues>{{"/system.slice/nginx.service", ""}}));
  EXPECT_EQ(histogram(t, {"/system.slice/nginx.service", ""}).count, 4U);
  EXPECT_EQ(values(t.live), (std::map<LabelValues, std::uint64_t>{{{"www-data"}, 0}}));

  aggregator.set_live({{nginx(), 2}}, 1);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"www-data"}, 2}}));
}

TEST(AggregatorLabelsTest, ValuesFollowTheConfiguredOrder) {
  LabelConfig labels;
  labels.per_family[static_cast<std::size_t>(Family::Execs)] = {LabelSource::Exe,
                                                                LabelSource::Comm};
  labels.per_family[static_cast<std::size_t>(Family::Exits)] = {LabelSource::User,
                                                                LabelSource::Comm};
  Aggregator aggregator(options(kBounds, kNoCap, labels));
  aggregator.add({exec_record(nginx(), 1), exit_record(nginx(), exited_status(3), 0, 1, 0)}, 0);
  EXPECT_EQ(keys(aggregator.totals().execs), (std::set<LabelValues>{{"/usr/sbin/nginx", "nginx"}}));
  EXPECT_EQ(keys(aggregator.totals().exits),
            (std::set<LabelValues>{{"www-data", "nginx", "exited", "3"}}));
}

TEST(AggregatorLabelsTest, IdentitiesDifferingOnlyInUnselectedLabelsShareASeries) {
  Aggregator aggregator(options(kBounds, kNoCap, mixed_labels()));
  Identity other = nginx();
  other.comm = "nginx-worker";  // exits (unit), forks (uid), processes (user) do not see comm
  other.exe = "/opt/nginx";
  aggregator.add({fork_record(nginx(), 1), fork_record(other, 2),
                  exit_record(nginx(), exited_status(0), 0, 1, 0),
                  exit_record(other, exited_status(0), 0, 5, 0), exec_record(nginx(), 1),
                  exec_record(other, 1)},
                 0);
  aggregator.set_live({{nginx(), 1}, {other, 6}}, 1);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(values(t.forks), (std::map<LabelValues, std::uint64_t>{{{"33"}, 3}}));
  EXPECT_EQ(values(t.exits),
            (std::map<LabelValues, std::uint64_t>{{{"nginx.service", "exited", "0"}, 6}}));
  EXPECT_EQ(values(t.live), (std::map<LabelValues, std::uint64_t>{{{"www-data"}, 7}}));
  EXPECT_EQ(t.execs.series.size(), 2U) << "execs do see comm and exe";
}

TEST(AggregatorLabelsTest, UnknownValuesAreEmptyLabelValues) {
  LabelConfig labels;
  labels.per_family[static_cast<std::size_t>(Family::Execs)] = {LabelSource::Exe,
                                                                LabelSource::Unit};
  Aggregator aggregator(options(kBounds, kNoCap, labels));
  aggregator.add({exec_record("kworker", 1)}, 0);
  EXPECT_EQ(keys(aggregator.totals().execs), (std::set<LabelValues>{{"", ""}}));
}

TEST(AggregatorLabelsTest, EverySourceIsReadFromItsField) {
  const std::vector<std::pair<LabelSource, std::string>> expected = {
      {LabelSource::Comm, "nginx"},         {LabelSource::Exe, "/usr/sbin/nginx"},
      {LabelSource::Unit, "nginx.service"}, {LabelSource::Cgroup, "/system.slice/nginx.service"},
      {LabelSource::ContainerId, "abc123"}, {LabelSource::Uid, "33"},
      {LabelSource::User, "www-data"},
  };
  Identity who = nginx();
  who.container_id = "abc123";
  for (const auto& [source, text] : expected) {
    SCOPED_TRACE(to_string(source));
    LabelConfig labels;
    labels.per_family[static_cast<std::size_t>(Family::Forks)] = {source};
    Aggregator aggregator(options(kBounds, kNoCap, labels));
    aggregator.add({fork_record(who, 1)}, 0);
    EXPECT_EQ(keys(aggregator.totals().forks), (std::set<LabelValues>{{text}}));
  }
}

// ---------------------------------------------------------------------------
// Cardinality cap

TEST(AggregatorCapTest, FourthLabelSetGoesToTheOverflowSeries) {
  Aggregator aggregator = capped_aggregator(3);
  aggregator.add(
      {exec_record("a", 1), exec_record("b", 2), exec_record("c", 3), exec_record("d", 4)}, 0);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(values(t.execs), (std::map<LabelValues, std::uint64_t>{
                                 {{"a"}, 1}, {{"b"}, 2}, {{"c"}, 3}, {kOverflow1, 4}}));
  EXPECT_EQ(t.execs.overflow_events, 4U);
  EXPECT_EQ(family_total(t.execs), 10U);
  EXPECT_EQ(t.forks.overflow_events, 0U) << "each family has its own cap";
}

TEST(AggregatorCapTest, OverflowSeriesCollectsEveryLaterNewLabelSet) {
  Aggregator aggregator = capped_aggregator(3);
  aggregator.add({fork_record("a", 1), fork_record("b", 1), fork_record("c", 1)}, 0);
  aggregator.add({fork_record("d", 2), fork_record("e", 3)}, 1);
  aggregator.add({fork_record("d", 5), fork_record("f", 7)}, 2);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(t.forks.series.size(), 4U);
  EXPECT_EQ(value(t.forks, kOverflow1), 17U);
  EXPECT_EQ(t.forks.overflow_events, 17U);
  EXPECT_EQ(family_total(t.forks), 20U) << "the family total is every event added";
  EXPECT_FALSE(t.forks.series.contains({"d"}));
}

TEST(AggregatorCapTest, ExistingSeriesKeepCountingAfterTheCapIsReached) {
  Aggregator aggregator = capped_aggregator(3);
  aggregator.add(
      {exec_record("a", 1), exec_record("b", 1), exec_record("c", 1), exec_record("d", 1)}, 0);
  aggregator.add({exec_record("a", 10), exec_record("c", 5), exec_record("x", 2)}, 1);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(values(t.execs), (std::map<LabelValues, std::uint64_t>{
                                 {{"a"}, 11}, {{"b"}, 1}, {{"c"}, 6}, {kOverflow1, 3}}));
  EXPECT_EQ(t.execs.overflow_events, 3U);
  EXPECT_EQ(family_total(t.execs), 21U);
}

TEST(AggregatorCapTest, ExitOverflowHasEveryLabelIncludingReasonAndCodeOverflowed) {
  Aggregator aggregator = capped_aggregator(3);
  aggregator.add(
      {
          exit_record("a", exited_status(0), 0, 1, 0), exit_record("a", exited_status(1), 0, 1, 0),
          exit_record("b", signaled_status(SIGKILL), 0, 1, 0),
          exit_record("c", exited_status(0), 1, 2, 0),        // 4th exit key
          exit_record("a", dumped_status(SIGSEGV), 2, 3, 0),  // 5th exit key
      },
      0);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(values(t.exits), (std::map<LabelValues, std::uint64_t>{
                                 {{"a", "exited", "0"}, 1},
                                 {{"a", "exited", "1"}, 1},
                                 {{"b", "signaled", "SIGKILL"}, 1},
                                 {kOverflowExit, 5},
                             }));
  EXPECT_EQ(t.exits.overflow_events, 5U);
  EXPECT_EQ(family_total(t.exits), 8U);
  // Lifetime is keyed by comm alone: a, b, c fit, nothing overflowed.
  EXPECT_EQ(keys(t.lifetimes), (std::set<LabelValues>{{"a"}, {"b"}, {"c"}}));
  EXPECT_EQ(t.lifetimes.overflow_events, 0U);
  EXPECT_EQ(lifetime_total(t), 8U);
}

TEST(AggregatorCapTest, LifetimeOverflowIsAHistogramOfTheFoldedExits) {
  Aggregator aggregator = capped_aggregator(2);
  aggregator.add(
      {
          exit_record("a", exited_status(0), 0, 1, 1'000'000'000),
          exit_record("b", exited_status(0), 0, 1, 1'000'000'000),
          exit_record("c", exited_status(0), 1, 2, 3'000'000'000),
          exit_record("d", exited_status(0), 4, 4, 8'000'000'000),
      },
      0);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(t.lifetimes.series.size(), 3U);
  const HistogramTotal& h = histogram(t, kOverflow1);
  EXPECT_EQ(h.bucket_counts, (std::vector<std::uint64_t>{0, 2, 0, 0, 4}));
  EXPECT_EQ(h.count, 6U);
  EXPECT_DOUBLE_EQ(h.sum, 11.0);
  EXPECT_EQ(t.lifetimes.overflow_events, 6U);
  EXPECT_EQ(lifetime_total(t), 8U);
  EXPECT_EQ(t.exits.overflow_events, 6U);
  EXPECT_EQ(family_total(t.exits), 8U);
}

TEST(AggregatorCapTest, OverflowValuesMatchTheConfiguredLabelCount) {
  Aggregator aggregator = capped_aggregator(1, mixed_labels());
  Identity other = nginx();
  other.comm = "other";
  other.uid = "0";
  other.unit = "cron.service";
  other.cgroup = "/system.slice/cron.service";
  other.user = "root";
  aggregator.add({exec_record(nginx(), 1), exec_record(other, 1), fork_record(nginx(), 1),
                  fork_record(other, 1), exit_record(nginx(), exited_status(0), 0, 1, 0),
                  exit_record(other, exited_status(0), 0, 1, 0)},
                 0);
  const Totals& t = aggregator.totals();
  EXPECT_TRUE(t.execs.series.contains({kOverflowValue, kOverflowValue}));
  EXPECT_TRUE(t.forks.series.contains(kOverflow1));
  EXPECT_TRUE(t.exits.series.contains(kOverflowExit)) << "unit, reason, code";
  EXPECT_TRUE(t.lifetimes.series.contains({kOverflowValue, kOverflowValue}));
  EXPECT_TRUE(t.live.series.contains(kOverflow1));
  EXPECT_EQ(t.execs.overflow_events, 1U);
  EXPECT_EQ(t.forks.overflow_events, 1U);
  EXPECT_EQ(t.exits.overflow_events, 1U);
  EXPECT_EQ(t.lifetimes.overflow_events, 1U);
}

TEST(AggregatorCapTest, OverflowSeriesDoesNotCountTowardTheCap) {
  // With a slot freed while the overflow series exists, a new label set gets
  // its own series again: only the max_series ordinary series are counted.
  Aggregator aggregator = capped_aggregator(2);
  aggregator.add({exec_record("a", 1), exec_record("b", 1), exec_record("c", 1)}, 0);
  ASSERT_TRUE(aggregator.totals().execs.series.contains(kOverflow1));
  aggregator.add({exec_record("b", 1), exec_record("c", 1)}, 10);  // c: into overflow again
  aggregator.drop_stale(12, 5);                                    // a goes
  ASSERT_EQ(keys(aggregator.totals().execs), (std::set<LabelValues>{{"b"}, kOverflow1}));
  aggregator.add({exec_record("d", 4)}, 13);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{{"b"}, 2}, {{"d"}, 4}, {kOverflow1, 2}}));
  EXPECT_EQ(aggregator.totals().execs.overflow_events, 2U);
  aggregator.add({exec_record("e", 1)}, 14);
  EXPECT_EQ(value(aggregator.totals().execs, kOverflow1), 3U) << "full again";
}

TEST(AggregatorCapTest, LiveFamilyIsCappedToo) {
  Aggregator aggregator = capped_aggregator(2);
  aggregator.set_live(
      {live_entry("a", 1), live_entry("b", 2), live_entry("c", 3), live_entry("d", 4)}, 0);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"a"}, 1}, {{"b"}, 2}, {kOverflow1, 7}}));
  aggregator.set_live({live_entry("c", 1)}, 1);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"a"}, 0}, {{"b"}, 0}, {kOverflow1, 1}}))
      << "the overflow gauge is replaced like any other";
}

TEST(AggregatorCapTest, CapOfZeroPutsEverythingInOverflow) {
  Aggregator aggregator = capped_aggregator(0);
  aggregator.add({exec_record("a", 1), exec_record("b", 2)}, 0);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{kOverflow1, 3}}));
  EXPECT_EQ(aggregator.totals().execs.overflow_events, 3U);
}

// ---------------------------------------------------------------------------
// Filters

FilterRules comm_rules(std::vector<std::string> comms) {
  FilterRules rules;
  rules.comm = std::move(comms);
  return rules;
}

TEST(AggregatorFilterTest, IncludeFilterDropsRecordsThatDoNotMatch) {
  Aggregator aggregator = comm_aggregator();
  aggregator.set_filter(Filter(comm_rules({"keep"}), {}));
  aggregator.add({exec_record("keep", 1), exec_record("drop", 2), fork_record("drop", 3),
                  exit_record("drop", exited_status(0), 0, 4, 0),
                  exit_record("keep", exited_status(0), 0, 5, 0)},
                 0);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(values(t.execs), (std::map<LabelValues, std::uint64_t>{{{"keep"}, 1}}));
  EXPECT_TRUE(t.forks.series.empty());
  EXPECT_EQ(values(t.exits), (std::map<LabelValues, std::uint64_t>{{{"keep", "exited", "0"}, 5}}));
  EXPECT_EQ(keys(t.lifetimes), (std::set<LabelValues>{{"keep"}}));
  EXPECT_EQ(keys(t.live), (std::set<LabelValues>{{"keep"}}))
      << "a filtered record does not create a live series";
}

TEST(AggregatorFilterTest, ExcludeFilterDropsRecordsThatMatch) {
  Aggregator aggregator = comm_aggregator();
  aggregator.set_filter(Filter({}, comm_rules({"noisy"})));
  aggregator.add({exec_record("noisy", 9), exec_record("quiet", 1)}, 0);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{{"quiet"}, 1}}));
}

TEST(AggregatorFilterTest, FiltersSeeTheWholeIdentityNotOnlyTheLabels) {
  // Labels are comm only, the filter is on the unit.
  FilterRules include;
  include.unit = {"nginx.service"};
  Aggregator aggregator = comm_aggregator();
  aggregator.set_filter(Filter(include, {}));
  Identity other = nginx();
  other.unit = "other.service";
  aggregator.add({exec_record(nginx(), 1), exec_record(other, 5)}, 0);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{{"nginx"}, 1}}));
}

TEST(AggregatorFilterTest, LiveEntriesAreFilteredToo) {
  Aggregator aggregator = comm_aggregator();
  aggregator.set_filter(Filter(comm_rules({"keep", "gone"}), comm_rules({"gone"})));
  aggregator.set_live({live_entry("keep", 2), live_entry("drop", 3), live_entry("gone", 4)}, 0);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"keep"}, 2}}));
}

TEST(AggregatorFilterTest, FilterAppliesToLaterRecordsOnly) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("drop", 2), exec_record("keep", 1)}, 0);
  aggregator.set_live({live_entry("drop", 1)}, 0);
  aggregator.set_filter(Filter(comm_rules({"keep"}), {}));
  aggregator.add({exec_record("drop", 5), exec_record("keep", 1)}, 1);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{{"drop"}, 2}, {{"keep"}, 2}}))
      << "series counted before the filter stay, at their old values";
  aggregator.set_live({live_entry("drop", 7), live_entry("keep", 1)}, 2);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"drop"}, 0}, {{"keep"}, 1}}));
}

TEST(AggregatorFilterTest, AnEmptyFilterRemovesFiltering) {
  Aggregator aggregator = comm_aggregator();
  aggregator.set_filter(Filter(comm_rules({"keep"}), {}));
  aggregator.add({exec_record("other", 1)}, 0);
  aggregator.set_filter(Filter());
  aggregator.add({exec_record("other", 1)}, 1);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{{"other"}, 1}}));
}

TEST(AggregatorFilterTest, FilteredRecordsDoNotUseUpTheCap) {
  Aggregator aggregator = capped_aggregator(1);
  aggregator.set_filter(Filter({}, comm_rules({"drop"})));
  aggregator.add({exec_record("drop", 1), exec_record("keep", 1)}, 0);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{{"keep"}, 1}}));
  EXPECT_EQ(aggregator.totals().execs.overflow_events, 0U);
}

// ---------------------------------------------------------------------------
// Dropping stale series

TEST(AggregatorStaleTest, SeriesNotUpdatedForLongerThanMaxAgeDisappear) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {exec_record("old", 1), fork_record("old", 1), exit_record("old", exited_status(0), 0, 1, 0)},
      0);
  aggregator.add(
      {exec_record("new", 2), fork_record("new", 1), exit_record("new", exited_status(0), 0, 1, 0)},
      8);
  aggregator.drop_stale(10, 10);
  EXPECT_EQ(aggregator.totals().execs.series.size(), 2U) << "exactly max_age old: kept";
  aggregator.drop_stale(10.5, 10);
  const Totals& t = aggregator.totals();
  EXPECT_EQ(keys(t.execs), (std::set<LabelValues>{{"new"}}));
  EXPECT_EQ(keys(t.forks), (std::set<LabelValues>{{"new"}}));
  EXPECT_EQ(keys(t.exits), (std::set<LabelValues>{{"new", "exited", "0"}}));
  EXPECT_EQ(keys(t.lifetimes), (std::set<LabelValues>{{"new"}}));
  EXPECT_EQ(keys(t.live), (std::set<LabelValues>{{"new"}}));
  EXPECT_EQ(value(t.execs, {"new"}), 2U) << "survivors keep their totals";
}

TEST(AggregatorStaleTest, EachSeriesAgesOnItsOwn) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add(
      {exit_record("a", exited_status(0), 0, 1, 0), exit_record("a", exited_status(1), 0, 1, 0)},
      0);
  aggregator.add({exit_record("a", exited_status(0), 0, 1, 0)}, 20);
  aggregator.drop_stale(25, 10);
  EXPECT_EQ(values(aggregator.totals().exits),
            (std::map<LabelValues, std::uint64_t>{{{"a", "exited", "0"}, 2}}));
  EXPECT_EQ(histogram(aggregator.totals(), {"a"}).count, 3U) << "lifetime was updated at 20";
}

TEST(AggregatorStaleTest, MaxAgeZeroOrLessIsANoOp) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("a", 1), exit_record("a", exited_status(0), 0, 1, 0)}, 0);
  for (double max_age : {0.0, -1.0, -1e9}) {
    aggregator.drop_stale(1e12, max_age);
    EXPECT_EQ(aggregator.totals().execs.series.size(), 1U) << max_age;
    EXPECT_EQ(aggregator.totals().exits.series.size(), 1U) << max_age;
    EXPECT_EQ(aggregator.totals().lifetimes.series.size(), 1U) << max_age;
    EXPECT_EQ(aggregator.totals().live.series.size(), 1U) << max_age;
  }
}

TEST(AggregatorStaleTest, LiveSeriesAboveZeroAreNeverDropped) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("idle", 1)}, 0);  // live series at 0
  aggregator.set_live({live_entry("daemon", 2)}, 0);
  aggregator.drop_stale(1e6, 10);
  EXPECT_EQ(values(aggregator.totals().live),
            (std::map<LabelValues, std::uint64_t>{{{"daemon"}, 2}}));
  EXPECT_TRUE(aggregator.totals().execs.series.empty());
}

TEST(AggregatorStaleTest, LiveSeriesAgeFromWhenTheyFellToZero) {
  Aggregator aggregator = comm_aggregator();
  aggregator.set_live({live_entry("a", 2)}, 0);
  aggregator.set_live({live_entry("a", 2)}, 40);
  aggregator.set_live({}, 50);  // a falls to 0 now
  aggregator.set_live({}, 55);
  aggregator.drop_stale(55, 10);
  EXPECT_EQ(values(aggregator.totals().live), (std::map<LabelValues, std::uint64_t>{{{"a"}, 0}}));
  aggregator.set_live({}, 61);
  aggregator.drop_stale(61, 10);
  EXPECT_TRUE(aggregator.totals().live.series.empty());
}

TEST(AggregatorStaleTest, ADroppedSeriesStartsAgainFromZero) {
  Aggregator aggregator = comm_aggregator();
  aggregator.add({exec_record("a", 5)}, 0);
  aggregator.drop_stale(100, 10);
  aggregator.add({exec_record("a", 1)}, 101);
  EXPECT_EQ(value(aggregator.totals().execs, {"a"}), 1U);
}

TEST(AggregatorStaleTest, ADroppedSeriesFreesACapSlot) {
  Aggregator aggregator = capped_aggregator(2);
  aggregator.add({exec_record("a", 1), exec_record("b", 1)}, 0);
  aggregator.add({exec_record("b", 1)}, 10);
  aggregator.drop_stale(11, 5);
  aggregator.add({exec_record("c", 3)}, 12);
  EXPECT_EQ(values(aggregator.totals().execs),
            (std::map<LabelValues, std::uint64_t>{{{"b"}, 2}, {{"c"}, 3}}));
  EXPECT_EQ(aggregator.totals().execs.overflow_events, 0U);
}

TEST(AggregatorStaleTest, OverflowEventsOutliveTheOverflowSeries) {
  // overflow_events is a counter of its own: dropping the stale overflow
  // series does not take back the events it counted.
  Aggregator aggregator = capped_aggregator(1);
  aggregator.add({exec_record("a", 1), exec_record("b", 4)}, 0);
  aggregator.add({exec_record("a", 1)}, 20);
  aggregator.drop_stale(25, 10);
  EXPECT_EQ(keys(aggregator.totals().execs), (std::set<LabelValues>{{"a"}}));
  EXPECT_EQ(aggregator.totals().execs.overflow_events, 4U);
}

// A program that keeps exec'ing short-lived processes is "seen" on every
// drain, so its live series (at 0) stays as long as its counters do.
TEST(AggregatorStaleTest, LiveSeriesOfAProgramStillSeenIsNotDropped) {
  Aggregator aggregator = comm_aggregator();
  for (double now = 0; now <= 30; now += 5) {
    SCOPED_TRACE(now);
    aggregator.add({exec_record("cron-job", 1)}, now);
    aggregator.set_live({}, now);
    aggregator.drop_stale(now, 10);
    EXPECT_TRUE(aggregator.totals().execs.series.contains({"cron-job"}));
    EXPECT_TRUE(aggregator.totals().live.series.contains({"cron-job"}));
  }
}

}  // namespace
}  // namespace execmond

namespace execmond {
namespace {

// "__overflow__" is reserved: a process that names itself so is always counted
// as overflow, never as a series of its own that would merge with it silently.
TEST(AggregatorCapTest, ALabelSetSpellingTheMarkerCountsAsOverflow) {
  AggregatorOptions options;
  options.max_series = 100;
  Aggregator aggregator(options);
  Record r;
  r.kind = EXECMOND_KIND_EXEC;
  r.who.comm = kOverflowValue;
  r.count = 5;
  aggregator.add({r}, 0);
  r.count = 7;
  aggregator.add({r}, 1);
  EXPECT_EQ(aggregator.totals().execs.overflow_events, 12U);
  EXPECT_EQ(aggregator.totals().execs.series.at({kOverflowValue}).value, 12U);
}

}  // namespace
}  // namespace execmond
