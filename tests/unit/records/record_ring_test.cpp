// The ring GET /exits and the landing page read: what it keeps, what a query
// returns, and that pushes and queries from several threads see whole,
// ordered records.
#include "records/record_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace execmond {
namespace {

ExitRecord record(std::uint64_t sequence, RecordKind kind = RecordKind::Crashed,
                  std::string program = "app", std::string reason = "signaled") {
  ExitRecord r;
  r.sequence = sequence;
  r.kind = kind;
  r.program = std::move(program);
  r.reason = std::move(reason);
  r.pid = static_cast<std::uint32_t>(1000 + sequence);
  return r;
}

std::vector<std::uint64_t> sequences(const std::vector<ExitRecord>& records) {
  std::vector<std::uint64_t> out;
  out.reserve(records.size());
  for (const ExitRecord& r : records) out.push_back(r.sequence);
  return out;
}

using Seqs = std::vector<std::uint64_t>;

TEST(RecordRingTest, KeepsTheNewestUpToItsCapacity) {
  RecordRing ring(3);
  EXPECT_EQ(ring.size(), 0U);
  EXPECT_EQ(ring.last_sequence(), 0U);
  for (std::uint64_t s = 1; s <= 5; ++s) ring.push(record(s));
  EXPECT_EQ(ring.size(), 3U);
  EXPECT_EQ(ring.last_sequence(), 5U);
  EXPECT_EQ(sequences(ring.query({})), (Seqs{3, 4, 5}));
  EXPECT_EQ(ring.query({}).front(), record(3)) << "the whole record, copied";
}

TEST(RecordRingTest, DefaultCapacityIsAThousand) {
  RecordRing ring;
  EXPECT_EQ(ring.capacity(), 1000U);
  for (std::uint64_t s = 1; s <= 1001; ++s) ring.push(record(s));
  EXPECT_EQ(ring.size(), 1000U);
  EXPECT_EQ(ring.query({}).front().sequence, 2U);
}

TEST(RecordRingTest, SinceReturnsOnlyLaterRecords) {
  RecordRing ring(10);
  for (std::uint64_t s = 1; s <= 6; ++s) ring.push(record(s));
  RecordQuery q;
  q.since = 4;
  EXPECT_EQ(sequences(ring.query(q)), (Seqs{5, 6}));
  q.since = 6;
  EXPECT_TRUE(ring.query(q).empty());
  q.since = 100;
  EXPECT_TRUE(ring.query(q).empty());
  q.since = 0;
  EXPECT_EQ(ring.query(q).size(), 6U);
}

TEST(RecordRingTest, SinceOlderThanTheOldestKeptReturnsAllKept) {
  RecordRing ring(2);
  for (std::uint64_t s = 1; s <= 5; ++s) ring.push(record(s));
  RecordQuery q;
  q.since = 1;
  EXPECT_EQ(sequences(ring.query(q)), (Seqs{4, 5}));
}

TEST(RecordRingTest, EachFilterMustMatchAndAListMatchesAnyOfItsValues) {
  RecordRing ring(10);
  ring.push(record(1, RecordKind::OomKilled, "java", "oom_killed"));
  ring.push(record(2, RecordKind::CoreDumped, "nginx", "signaled"));
  ring.push(record(3, RecordKind::Failed, "cron", "exited"));
  ring.push(record(4, RecordKind::Crashed, "nginx", "signaled"));

  RecordQuery kinds;
  kinds.kinds = {RecordKind::OomKilled, RecordKind::Failed};
  EXPECT_EQ(sequences(ring.query(kinds)), (Seqs{1, 3}));

  RecordQuery programs;
  programs.programs = {"nginx", "absent"};
  EXPECT_EQ(sequences(ring.query(programs)), (Seqs{2, 4}));

  RecordQuery both;
  both.programs = {"nginx"};
  both.kinds = {RecordKind::Crashed};
  EXPECT_EQ(sequences(ring.query(both)), (Seqs{4}));

  RecordQuery reasons;
  reasons.reasons = {"exited", "oom_killed"};
  EXPECT_EQ(sequences(ring.query(reasons)), (Seqs{1, 3}));

  RecordQuery none;
  none.programs = {"java"};
  none.reasons = {"exited"};
  EXPECT_TRUE(ring.query(none).empty());
}

TEST(RecordRingTest, PodMatchesByNameOrNamespaceAndNameAndUnitExactly) {
  RecordRing ring(10);
  ExitRecord a = record(1);
  a.pod = "web-1";
  a.pod_namespace = "prod";
  ExitRecord b = record(2);
  b.pod = "web-1";
  b.pod_namespace = "staging";
  ExitRecord c = record(3);
  c.unit = "cron.service";
  ring.push(a);
  ring.push(b);
  ring.push(c);

  RecordQuery pod;
  pod.pod = "web-1";
  EXPECT_EQ(sequences(ring.query(pod)), (Seqs{1, 2}));
  pod.pod = "staging/web-1";
  EXPECT_EQ(sequences(ring.query(pod)), (Seqs{2}));
  pod.pod = "prod/web";
  EXPECT_TRUE(ring.query(pod).empty());

  RecordQuery unit;
  unit.unit = "cron.service";
  EXPECT_EQ(sequences(ring.query(unit)), (Seqs{3}));
  unit.unit = "cron";
  EXPECT_TRUE(ring.query(unit).empty());
}

TEST(RecordRingTest, LimitReturnsTheOldestMatchesAfterSince) {
  RecordRing ring(10);
  for (std::uint64_t s = 1; s <= 8; ++s) {
    ring.push(record(s, RecordKind::Crashed, s % 2 == 0 ? "even" : "odd"));
  }
  RecordQuery q;
  q.limit = 3;
  EXPECT_EQ(sequences(ring.query(q)), (Seqs{1, 2, 3}));
  q.since = 3;
  EXPECT_EQ(sequences(ring.query(q)), (Seqs{4, 5, 6}));
  q.programs = {"even"};
  q.since = 0;
  EXPECT_EQ(sequences(ring.query(q)), (Seqs{2, 4, 6}));
}

TEST(RecordRingTest, APageCutByTheLimitIsCompleteToItsLastRecord) {
  RecordRing ring(10);
  for (std::uint64_t s = 1; s <= 5; ++s) ring.push(record(s));
  RecordQuery q;
  q.limit = 2;
  RecordPage first = ring.page(q);
  EXPECT_EQ(sequences(first.records), (Seqs{1, 2}));
  EXPECT_EQ(first.complete_to, 2U);

  // Paging with since= complete_to reads every record once.
  Seqs read = sequences(first.records);
  for (std::uint64_t since = first.complete_to; since < ring.last_sequence();) {
    q.since = since;
    RecordPage next = ring.page(q);
    for (std::uint64_t s : sequences(next.records)) read.push_back(s);
    ASSERT_GT(next.complete_to, since);
    since = next.complete_to;
  }
  EXPECT_EQ(read, (Seqs{1, 2, 3, 4, 5}));

  // A limit that takes exactly what is left, or more, completes to the end.
  q.since = 3;
  EXPECT_EQ(ring.page(q).complete_to, 5U);
  q.limit = 10;
  EXPECT_EQ(ring.page(q).complete_to, 5U);

  // No match: complete to the ring's last sequence (nothing to read before it).
  q.since = 0;
  q.programs = {"absent"};
  RecordPage empty = ring.page(q);
  EXPECT_TRUE(empty.records.empty());
  EXPECT_EQ(empty.complete_to, 5U);
}

TEST(RecordRingTest, SetCapacityDropsTheOldestWhenShrinking) {
  RecordRing ring(5);
  for (std::uint64_t s = 1; s <= 5; ++s) ring.push(record(s));
  ring.set_capacity(2);
  EXPECT_EQ(ring.capacity(), 2U);
  EXPECT_EQ(sequences(ring.query({})), (Seqs{4, 5}));
  ring.set_capacity(4);
  EXPECT_EQ(sequences(ring.query({})), (Seqs{4, 5})) << "growing brings nothing back";
  ring.push(record(6));
  ring.push(record(7));
  ring.push(record(8));
  EXPECT_EQ(sequences(ring.query({})), (Seqs{5, 6, 7, 8}));
}

TEST(RecordRingTest, CapacityZeroKeepsNoneButCountsSequences) {
  RecordRing ring(0);
  ring.push(record(1));
  ring.push(record(2));
  EXPECT_EQ(ring.size(), 0U);
  EXPECT_EQ(ring.last_sequence(), 2U);
  EXPECT_EQ(ring.page({}).complete_to, 2U);
  RecordRing shrunk(3);
  shrunk.push(record(1));
  shrunk.set_capacity(0);
  EXPECT_EQ(shrunk.size(), 0U);
}

TEST(RecordRingTest, LatestIsNewestFirst) {
  RecordRing ring(10);
  EXPECT_TRUE(ring.latest(3).empty());
  for (std::uint64_t s = 1; s <= 5; ++s) ring.push(record(s));
  EXPECT_EQ(sequences(ring.latest(3)), (Seqs{5, 4, 3}));
  EXPECT_EQ(sequences(ring.latest(20)), (Seqs{5, 4, 3, 2, 1}));
  EXPECT_TRUE(ring.latest(0).empty());
}

// One writer pushes while readers query: every answer is a run of whole
// records in increasing order, the last one never behind what the reader
// saw before, and each record's fields belong together. Run under TSan too.
TEST(RecordRingTest, ConcurrentPushesAndQueriesSeeWholeOrderedRecords) {
  constexpr std::uint64_t kRecords = 20000;
  RecordRing ring(64);
  std::atomic<bool> done{false};
  auto make = [](std::uint64_t s) {
    ExitRecord r = record(s, s % 3 == 0 ? RecordKind::OomKilled : RecordKind::Crashed,
                          "p" + std::to_string(s % 5));
    r.cmdline = std::vector<std::string>{"/bin/p", std::to_string(s)};
    return r;
  };
  std::vector<std::string> failures(3);
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&, i] {
      std::uint64_t seen = 0;
      while (!done.load()) {
        RecordQuery q;
        if (i == 1) q.kinds = {RecordKind::OomKilled};
        if (i == 2) q.limit = 7;
        const RecordPage page = ring.page(q);
        std::uint64_t previous = 0;
        for (const ExitRecord& r : page.records) {
          if (r.sequence <= previous || r != make(r.sequence)) {
            failures[i] = "record " + std::to_string(r.sequence) + " out of order or torn";
          }
          previous = r.sequence;
        }
        if (page.complete_to < previous) failures[i] = "complete_to behind its records";
        if (q.limit == 0 && page.complete_to < seen) failures[i] = "went back";
        if (q.limit == 0) seen = page.complete_to;
        (void)ring.latest(5);
      }
    });
  }
  for (std::uint64_t s = 1; s <= kRecords; ++s) {
    ring.push(make(s));
    if (s % 1000 == 0) ring.set_capacity(s % 2000 == 0 ? 64 : 32);
  }
  done = true;
  for (std::thread& t : readers) t.join();
  for (const std::string& f : failures) EXPECT_EQ(f, "");
  EXPECT_EQ(ring.last_sequence(), kRecords);
  EXPECT_EQ(ring.query({}).back(), make(kRecords));
}

}  // namespace
}  // namespace execmond
