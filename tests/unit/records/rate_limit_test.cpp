// The records' rate limits on a clock the test moves: the burst and then the
// rate exactly, each program held to its own bucket, no limit at rate 0, the
// bound on the programs tracked, a reload, and the summary line.
#include "records/rate_limit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/records_config.h"

namespace execmond {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Dropped = RecordRateLimit::Dropped;

// A clock that moves only when told.
struct TestClock {
  std::chrono::steady_clock::time_point now{seconds(1000)};
  RecordRateLimit::Clock clock() {
    return [this] { return now; };
  }
};

RecordsConfig limits(double rate, std::uint32_t burst, double program_rate,
                     std::uint32_t program_burst) {
  RecordsConfig config;
  config.rate_per_second = rate;
  config.burst = burst;
  config.program_rate_per_second = program_rate;
  config.program_burst = program_burst;
  return config;
}

// How many of `n` records of `program` are admitted.
int admitted(RecordRateLimit& limit, const std::string& program, int n) {
  int yes = 0;
  for (int i = 0; i < n; ++i) yes += limit.admit(program) ? 1 : 0;
  return yes;
}

TEST(RecordRateLimit, BurstThenRateExactly) {
  TestClock time;
  RecordRateLimit limit(limits(2, 3, 0, 1), time.clock());
  EXPECT_EQ(admitted(limit, "a", 10), 3);  // the burst
  time.now += milliseconds(499);
  EXPECT_FALSE(limit.admit("a"));  // 0.998 of a token
  time.now += milliseconds(1);
  EXPECT_TRUE(limit.admit("a"));  // one token a half second
  EXPECT_FALSE(limit.admit("a"));
  time.now += seconds(10);
  EXPECT_EQ(admitted(limit, "a", 10), 3);  // refilled to the burst, no more
  // Fractional rates: one record every ten seconds.
  RecordRateLimit slow(limits(0.1, 1, 0, 1), time.clock());
  EXPECT_TRUE(slow.admit("a"));
  for (int i = 0; i < 9; ++i) {
    time.now += seconds(1);
    EXPECT_FALSE(slow.admit("a")) << i;
  }
  time.now += seconds(1);
  EXPECT_TRUE(slow.admit("a"));
}

TEST(RecordRateLimit, ProgramBucketsAreSeparate) {
  TestClock time;
  RecordRateLimit limit(limits(10, 10, 1, 2), time.clock());
  EXPECT_EQ(admitted(limit, "crashloop", 100), 2);
  // The crashloop's drops took nothing from the overall bucket: 8 left.
  EXPECT_EQ(admitted(limit, "cron", 1), 1);
  EXPECT_EQ(admitted(limit, "nginx", 2), 2);
  EXPECT_EQ(admitted(limit, "sshd", 2), 2);
  EXPECT_EQ(admitted(limit, "backup", 2), 2);
  EXPECT_EQ(admitted(limit, "cups", 2), 1);  // the overall limit, not cups' own
  time.now += seconds(1);
  EXPECT_EQ(admitted(limit, "crashloop", 100), 1);
  EXPECT_EQ(admitted(limit, "cups", 1), 1);
}

// A record the overall bucket drops costs its program's bucket nothing.
TEST(RecordRateLimit, OverallDropsDoNotCostTheProgram) {
  TestClock time;
  RecordRateLimit limit(limits(1, 3, 0.001, 10), time.clock());
  EXPECT_EQ(admitted(limit, "a", 20), 3);
  time.now += seconds(7);  // the overall bucket refills to 3; a's gains a hair
  EXPECT_EQ(admitted(limit, "a", 20), 3);
  time.now += seconds(7);
  EXPECT_EQ(admitted(limit, "a", 20), 3);
  time.now += seconds(7);
  EXPECT_EQ(admitted(limit, "a", 20), 1);  // a's 10 are spent: 3 + 3 + 3 + 1
}

TEST(RecordRateLimit, RateZeroIsNoLimit) {
  TestClock time;
  RecordRateLimit none(limits(0, 1, 0, 1), time.clock());
  EXPECT_EQ(admitted(none, "a", 100000), 100000);
  EXPECT_EQ(none.tracked_programs(), 0U);
  RecordRateLimit programs_only(limits(0, 1, 1, 5), time.clock());
  EXPECT_EQ(admitted(programs_only, "a", 100), 5);
  EXPECT_EQ(admitted(programs_only, "b", 100), 5);
  RecordRateLimit overall_only(limits(1, 5, 0, 1), time.clock());
  EXPECT_EQ(admitted(overall_only, "a", 100), 5);
  EXPECT_EQ(overall_only.tracked_programs(), 0U);
  EXPECT_EQ(overall_only.take_dropped().total, 95U);
}

TEST(RecordRateLimit, TrackedProgramsAreBounded) {
  TestClock time;
  RecordRateLimit limit(limits(0, 1, 1, 1), time.clock());
  const std::size_t bound = RecordRateLimit::kMaxTrackedPrograms;
  for (std::size_t i = 0; i < bound; ++i) {
    ASSERT_TRUE(limit.admit("p" + std::to_string(i)));
  }
  EXPECT_EQ(limit.tracked_programs(), bound);
  // Every bucket is empty, none can go: a new program has the overall limit
  // alone (none here).
  EXPECT_EQ(admitted(limit, "new", 5), 5);
  EXPECT_EQ(limit.tracked_programs(), bound);
  // A tracked program keeps its own limit.
  EXPECT_FALSE(limit.admit("p0"));
  // Once buckets are full again their programs are idle: evicted for the next new one.
  time.now += milliseconds(999);
  EXPECT_EQ(admitted(limit, "new", 5), 5);
  EXPECT_EQ(limit.tracked_programs(), bound);
  time.now += milliseconds(1);
  EXPECT_EQ(admitted(limit, "new", 5), 1);
  EXPECT_EQ(limit.tracked_programs(), 1U);
  // An evicted program starts again with a full bucket, as it had.
  EXPECT_EQ(admitted(limit, "p0", 5), 1);
}

TEST(RecordRateLimit, ConfigureKeepsWhatIsSpent) {
  TestClock time;
  RecordRateLimit limit(limits(1, 10, 1, 4), time.clock());
  EXPECT_EQ(admitted(limit, "a", 3), 3);  // a holds 1, overall 7
  time.now += seconds(1);                 // credited at the old rates: a 2, overall 8
  limit.configure(limits(1, 5, 1, 4));    // overall cut to its new burst
  EXPECT_EQ(admitted(limit, "b", 10), 4);
  EXPECT_EQ(admitted(limit, "a", 10), 1);
  time.now += seconds(2);  // overall back to 2, a to 3
  limit.configure(limits(1, 5, 1, 1));
  EXPECT_EQ(admitted(limit, "a", 10), 1);  // a cut to 1
  EXPECT_EQ(admitted(limit, "c", 10), 1);
  // Turning a limit off and on again starts its buckets full.
  limit.configure(limits(0, 5, 0, 1));
  EXPECT_EQ(admitted(limit, "a", 50), 50);
  EXPECT_EQ(limit.tracked_programs(), 0U);
  limit.configure(limits(1, 3, 1, 2));
  EXPECT_EQ(admitted(limit, "a", 10), 2);
  EXPECT_EQ(admitted(limit, "b", 10), 1);
  // Drops counted before a reload stay for the next summary.
  EXPECT_EQ(limit.take_dropped().total, 6U + 9 + 9 + 9 + 8 + 9);
}

TEST(RecordRateLimit, DroppedByProgramMostFirst) {
  TestClock time;
  RecordRateLimit limit(limits(0, 1, 1, 1), time.clock());
  admitted(limit, "b", 4);
  admitted(limit, "a", 4);
  admitted(limit, "crashloop", 11);
  admitted(limit, "ok", 1);
  EXPECT_EQ(limit.take_dropped(), (Dropped{16, {{"crashloop", 10}, {"a", 3}, {"b", 3}}}));
  EXPECT_EQ(limit.take_dropped(), Dropped{});  // counted anew
  admitted(limit, "a", 2);
  EXPECT_EQ(limit.take_dropped(), (Dropped{2, {{"a", 2}}}));
}

TEST(RecordRateLimit, DroppedNamesAreBounded) {
  TestClock time;
  RecordRateLimit limit(limits(1, 1, 0, 1), time.clock());
  ASSERT_TRUE(limit.admit("first"));
  const std::size_t names = RecordRateLimit::kMaxDroppedNames + 10;
  for (std::size_t i = 0; i < names; ++i) EXPECT_FALSE(limit.admit("p" + std::to_string(i)));
  const Dropped dropped = limit.take_dropped();
  EXPECT_EQ(dropped.total, names);
  EXPECT_EQ(dropped.by_program.size(), RecordRateLimit::kMaxDroppedNames);
}

TEST(RecordRateLimit, Summary) {
  EXPECT_EQ(summarize(Dropped{}), "");
  EXPECT_EQ(summarize(Dropped{9412, {{"crashloop", 9400}, {"other", 12}}}),
            "dropped 9412 records by rate limit: crashloop 9400, other 12");
  EXPECT_EQ(summarize(Dropped{1, {{"a", 1}}}), "dropped 1 record by rate limit: a 1");
  EXPECT_EQ(summarize(Dropped{
                100, {{"a", 50}, {"b", 20}, {"c", 10}, {"d", 5}, {"e", 5}, {"f", 4}, {"g", 3}}}),
            "dropped 100 records by rate limit: a 50, b 20, c 10, d 5, e 5, and 10 more");
  // Names past the bound count in the total alone.
  EXPECT_EQ(summarize(Dropped{30, {{"a", 20}}}),
            "dropped 30 records by rate limit: a 20, and 10 more");
  EXPECT_EQ(summarize(Dropped{7, {}}), "dropped 7 records by rate limit");
  // Names are the user's: kept on one line.
  EXPECT_EQ(summarize(Dropped{3, {{"a\nb", 2}, {"", 1}}}),
            "dropped 3 records by rate limit: a\\x0ab 2, \"\" 1");
}

}  // namespace
}  // namespace execmond
