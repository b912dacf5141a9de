// What a drain makes of the counts table: one record per key that counted
// something, its per-CPU values summed, and the command name as a label; and
// how the reader takes one generation and empties it, on plain arrays.
#include "kernel/counts_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "execmond.h"
#include "fake_map_access.h"
#include "table_layout.h"

namespace execmond {
namespace {

execmond_count_key key(const char* comm, std::uint8_t kind, std::uint32_t status = 0) {
  execmond_count_key k{};
  std::strncpy(k.comm, comm, sizeof(k.comm) - 1);
  k.kind = kind;
  k.status = status;
  k.cgroup_id = 42;
  k.exe_ino = 7;
  k.exe_dev = 8;
  k.uid = 1000;
  k.exe_generation = 9;
  return k;
}

TEST(CountsTableTest, SumsEachKeysValuesOverCpus) {
  const std::vector<execmond_count_key> keys{key("bash", EXECMOND_KIND_EXEC),
                                             key("sleep", EXECMOND_KIND_EXIT, 9)};
  // Rows of keys.size() values, one row per CPU (three CPUs).
  const std::vector<execmond_count_value> values{
      {1, 0}, {2, 500},  // CPU 0
      {0, 0}, {3, 250},  // CPU 1
      {4, 0}, {0, 0},    // CPU 2
  };
  const std::vector<CountRecord> records = count_records(keys, values);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].ids, (ProcessIds{"bash", 42, 7, 8, 1000, 9}));
  EXPECT_EQ(records[0].kind, EXECMOND_KIND_EXEC);
  EXPECT_EQ(records[0].count, 5U);  // 1 + 0 + 4
  EXPECT_EQ(records[0].lifetime_ns_sum, 0U);
  EXPECT_EQ(records[1].ids.comm, "sleep");
  EXPECT_EQ(records[1].kind, EXECMOND_KIND_EXIT);
  EXPECT_EQ(records[1].status, 9U);
  EXPECT_EQ(records[1].count, 5U);  // 2 + 3 + 0
  EXPECT_EQ(records[1].lifetime_ns_sum, 750U);
}

TEST(CountsTableTest, RecordsCarryTheCommandLineIdAndTheParentsComm) {
  std::vector<execmond_count_key> keys{key("sh", EXECMOND_KIND_EXEC)};
  keys[0].cmdline_id = 0x1234'5678'9abc'def1ULL;
  std::memcpy(keys[0].parent, "cron\xff", 5);  // a comm is bytes: made valid UTF-8 like comm
  const std::vector<execmond_count_value> values{{3, 0}};
  const std::vector<CountRecord> records = count_records(keys, values);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].ids.cmdline_id, 0x1234'5678'9abc'def1ULL);
  EXPECT_EQ(records[0].ids.parent, comm_of(keys[0].parent));
  EXPECT_TRUE(records[0].ids.parent.starts_with("cron"));
}

TEST(CountsTableTest, KeysThatCountedNothingAreLeftOut) {
  const std::vector<execmond_count_key> keys{
      key("a", EXECMOND_KIND_FORK), key("b", EXECMOND_KIND_FORK), key("c", EXECMOND_KIND_FORK)};
  const std::vector<execmond_count_value> values{{0, 0}, {1, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}};
  const std::vector<CountRecord> records = count_records(keys, values);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].ids.comm, "b");
  EXPECT_EQ(records[0].count, 1U);
  EXPECT_TRUE(count_records({}, {}).empty());
}

TEST(CountsTableTest, AKeyWithOnlyACostIsKept) {
  // No exit in this drain, but what exits of an earlier one spent until their reap.
  const std::vector<execmond_count_key> keys{key("java", EXECMOND_KIND_EXIT),
                                             key("idle", EXECMOND_KIND_EXIT)};
  const std::vector<execmond_count_value> values{{0, 0}, {0, 0}};
  std::vector<execmond_count_cost> costs(2);
  costs[0].cpu_system_ns = 5'000'000;
  const std::vector<CountRecord> records = count_records(keys, values, costs);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].ids.comm, "java");
  EXPECT_EQ(records[0].count, 0U);
  EXPECT_EQ(records[0].cost.cpu_system_ns, 5'000'000U);
}

TEST(CountsTableTest, AKeyClaimedTwiceStaysTwoRecordsForTheAggregator) {
  const std::vector<execmond_count_key> keys{key("make", EXECMOND_KIND_EXEC),
                                             key("make", EXECMOND_KIND_EXEC)};
  const std::vector<execmond_count_value> values{{2, 0}, {0, 0}, {0, 0}, {5, 0}};
  const std::vector<CountRecord> records = count_records(keys, values);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].ids, records[1].ids);
  EXPECT_EQ(records[0].count, 2U);
  EXPECT_EQ(records[1].count, 5U);
}

TEST(CountsTableTest, CommIsAtMostFifteenBytesOfValidUtf8) {
  char comm[EXECMOND_COMM_LEN] = {};
  std::memcpy(comm, "kworker", 7);
  EXPECT_EQ(comm_of(comm), "kworker");
  // No terminator within the field: still cut at its 16 bytes.
  std::memset(comm, 'x', sizeof(comm));
  EXPECT_EQ(comm_of(comm), std::string(16, 'x'));
  // The kernel cuts at 15 bytes, possibly inside a character: that becomes U+FFFD.
  char cut[EXECMOND_COMM_LEN] = {};
  std::memcpy(cut, "abcdefghijklm\xc3", 14);
  EXPECT_EQ(comm_of(cut), "abcdefghijklm\xef\xbf\xbd");
  char valid[EXECMOND_COMM_LEN] = {};
  std::memcpy(valid, "caf\xc3\xa9", 5);
  EXPECT_EQ(comm_of(valid), "caf\xc3\xa9");
  EXPECT_EQ(comm_of(cut).size(), 16U);
}

// Two CPUs, four keys a generation, eight slots a generation.
class CountsTableReaderTest : public ::testing::Test {
 protected:
  static constexpr std::uint32_t kCpus = 2;
  static constexpr std::uint32_t kKeys = 4;
  static constexpr std::uint32_t kSlots = 8;
  enum Fd : int { kSlotsFd = 1, kValuesFd, kKeysFd, kIndexFd, kCostsFd };

  CountsTableReaderTest() {
    tables_.counts_slots = kSlotsFd;
    tables_.counts_values = kValuesFd;
    tables_.counts_keys = kKeysFd;
    tables_.counts_index = kIndexFd;
    tables_.ncpus = kCpus;
    tables_.max_keys = kKeys;
    tables_.key_slots = kSlots;
    maps_.add_array<execmond_count_slot>(kSlotsFd, 2 * kSlots);
    maps_.add_array<execmond_count_value>(kValuesFd, 2 * kCpus * kKeys);
    maps_.add_array<execmond_count_key>(kKeysFd, 2 * kKeys);
    maps_.add_array<std::uint32_t>(kIndexFd, 2 * kKeys);
  }

  // Exits' costs accounted too, in a counts_costs map of one cost per value index.
  void account_costs() {
    tables_.has_costs = true;
    tables_.counts_costs = kCostsFd;
    maps_.add_array<execmond_count_cost>(kCostsFd, 2 * kKeys);
  }
  void add_cpu_cost(std::uint32_t g, std::uint32_t index, std::uint64_t user_ns) {
    const std::uint32_t at = execmond_count_key_at(g, kKeys, index);
    auto cost = maps_.get<execmond_count_cost>(kCostsFd, at);
    cost.cpu_user_ns += user_ns;
    maps_.set(kCostsFd, at, cost);
  }
  void add_count(std::uint32_t g, std::uint32_t cpu, std::uint32_t index, std::uint64_t n) {
    execmond_count_value v = maps_.get<execmond_count_value>(
        kValuesFd, execmond_count_value_at(g, kCpus, cpu, kKeys, index));
    v.count += n;
    count(g, cpu, index, v);
  }

  // What a handler leaves when it claims value index `index` for `k` in
  // generation `g`, at slot `slot` of that generation's half.
  void claim(std::uint32_t g, std::uint32_t index, std::uint32_t slot,
             const execmond_count_key& k) {
    const std::uint32_t at = execmond_count_slot_at(g, kSlots, slot, 0);
    execmond_count_slot s{execmond_tag(slot, execmond_state_of_index(index)), {}};
    std::memcpy(s.who, &k, sizeof(s.who));
    maps_.set(kSlotsFd, at, s);
    maps_.set(kKeysFd, execmond_count_key_at(g, kKeys, index), k);
    maps_.set(kIndexFd, execmond_count_key_at(g, kKeys, index), at);
    ++claimed_[g];
  }
  // One key of generation 0 that counted `n` execs on `cpu`.
  void make_counted(std::uint32_t cpu, std::uint64_t n) {
    claim(0, 0, 2, key("make", EXECMOND_KIND_EXEC));
    count(0, cpu, 0, {n, 0});
  }
  void count(std::uint32_t g, std::uint32_t cpu, std::uint32_t index, execmond_count_value v) {
    maps_.set(kValuesFd, execmond_count_value_at(g, kCpus, cpu, kKeys, index), v);
  }
  std::uint64_t count_at(std::uint32_t g, std::uint32_t cpu, std::uint32_t index) const {
    return maps_
        .get<execmond_count_value>(kValuesFd, execmond_count_value_at(g, kCpus, cpu, kKeys, index))
        .count;
  }
  std::uint64_t tag_at(std::uint32_t g, std::uint32_t slot) const {
    return maps_.get<execmond_count_slot>(kSlotsFd, execmond_count_slot_at(g, kSlots, slot, 0)).tag;
  }

  test::FakeMapAccess maps_;
  Tracer::Tables tables_{};
  std::uint32_t claimed_[2] = {0, 0};
  CountsTable reader_{maps_, tables_, claimed_};
};

TEST_F(CountsTableReaderTest, TakesOneGenerationAndEmptiesIt) {
  claim(1, 0, 3, key("bash", EXECMOND_KIND_EXEC));
  claim(1, 1, 5, key("sleep", EXECMOND_KIND_EXIT, 9));
  count(1, 0, 0, {2, 0});
  count(1, 1, 0, {3, 0});
  count(1, 1, 1, {1, 400});
  claim(0, 0, 3, key("other", EXECMOND_KIND_FORK));  // the half handlers write to now
  count(0, 1, 0, {6, 0});

  Result<TakenCounts> taken = reader_.take(1);
  ASSERT_TRUE(taken.ok()) << taken.error().message;
  EXPECT_TRUE(taken->emptied.ok());
  ASSERT_EQ(taken->records.size(), 2U);
  EXPECT_EQ(taken->records[0].ids.comm, "bash");
  EXPECT_EQ(taken->records[0].count, 5U);
  EXPECT_EQ(taken->records[1].ids.comm, "sleep");
  EXPECT_EQ(taken->records[1].lifetime_ns_sum, 400U);
  for (std::uint32_t cpu = 0; cpu < kCpus; ++cpu) {
    EXPECT_EQ(count_at(1, cpu, 0), 0U);
    EXPECT_EQ(count_at(1, cpu, 1), 0U);
  }
  EXPECT_EQ(tag_at(1, 3), 0U);
  EXPECT_EQ(tag_at(1, 5), 0U);
  EXPECT_EQ(claimed_[1], 0U);
  // Generation 0 is left alone.
  EXPECT_EQ(claimed_[0], 1U);
  EXPECT_EQ(count_at(0, 1, 0), 6U);
  EXPECT_NE(tag_at(0, 3), 0U);
}

TEST_F(CountsTableReaderTest, AFailedReadLeavesTheGenerationForALaterDrain) {
  make_counted(1, 4);
  maps_.failing_reads.insert(kValuesFd);
  Result<TakenCounts> failed = reader_.take(0);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "cannot read the counts table: Input/output error");
  EXPECT_EQ(maps_.writes, 0);
  EXPECT_EQ(claimed_[0], 1U);
  // Handlers add to it in its next turn; the next read takes all of it.
  count(0, 0, 0, {3, 0});
  maps_.failing_reads.clear();
  Result<TakenCounts> taken = reader_.take(0);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->records.size(), 1U);
  EXPECT_EQ(taken->records[0].count, 7U);
}

TEST_F(CountsTableReaderTest, AFailedEmptyStillReturnsTheRecordsAndKeepsTheKeysClaimed) {
  make_counted(0, 4);
  maps_.failing_writes.insert(kSlotsFd);
  Result<TakenCounts> taken = reader_.take(0);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->records.size(), 1U);
  EXPECT_EQ(taken->records[0].count, 4U);
  ASSERT_FALSE(taken->emptied.ok());
  EXPECT_EQ(taken->emptied.error().message, "cannot empty the counts table: Input/output error");
  // The values were emptied, the key keeps its index: a later event still counts under it.
  EXPECT_EQ(count_at(0, 0, 0), 0U);
  EXPECT_EQ(claimed_[0], 1U);
  EXPECT_NE(tag_at(0, 2), 0U);
  // In its next turn the key counts 3 more: the next drain reports those 3.
  add_count(0, 1, 0, 3);
  maps_.failing_writes.clear();
  Result<TakenCounts> next = reader_.take(0);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->records.size(), 1U);
  EXPECT_EQ(next->records[0].count, 3U);
  EXPECT_TRUE(next->emptied.ok());
}

TEST_F(CountsTableReaderTest, ValuesThatCouldNotBeEmptiedAreNotReportedAgain) {
  make_counted(0, 4);
  maps_.failing_writes.insert(kValuesFd);
  Result<TakenCounts> taken = reader_.take(0);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->records.size(), 1U);
  EXPECT_EQ(taken->records[0].count, 4U);
  ASSERT_FALSE(taken->emptied.ok());
  EXPECT_EQ(count_at(0, 0, 0), 4U) << "the 4 are still in the map";
  // The generation's next turn: 3 more on CPU 0, 2 on CPU 1, and a new key.
  add_count(0, 0, 0, 3);
  add_count(0, 1, 0, 2);
  claim(0, 1, 5, key("cc", EXECMOND_KIND_EXEC));
  add_count(0, 1, 1, 6);
  // The map still fails: the drain reports only what was added, once.
  Result<TakenCounts> still = reader_.take(0);
  ASSERT_TRUE(still.ok());
  ASSERT_FALSE(still->emptied.ok());
  ASSERT_EQ(still->records.size(), 2U);
  EXPECT_EQ(still->records[0].count, 5U);
  EXPECT_EQ(still->records[1].ids.comm, "cc");
  EXPECT_EQ(still->records[1].count, 6U);
  // Once the map works again, the rest and nothing more.
  add_count(0, 0, 0, 1);
  maps_.failing_writes.clear();
  Result<TakenCounts> next = reader_.take(0);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->emptied.ok());
  ASSERT_EQ(next->records.size(), 1U);
  EXPECT_EQ(next->records[0].ids.comm, "make");
  EXPECT_EQ(next->records[0].count, 1U);
  EXPECT_EQ(count_at(0, 0, 0), 0U);
  EXPECT_EQ(claimed_[0], 0U);
  // Emptied: a later turn starts from zero, with nothing left to subtract.
  make_counted(0, 2);
  Result<TakenCounts> fresh = reader_.take(0);
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->records.size(), 1U);
  EXPECT_EQ(fresh->records[0].count, 2U);
}

TEST_F(CountsTableReaderTest, CostsThatCouldNotBeEmptiedAreNotReportedAgain) {
  account_costs();
  make_counted(0, 2);
  add_cpu_cost(0, 0, 1000);
  maps_.failing_writes.insert(kCostsFd);  // the values are emptied, the costs are not
  Result<TakenCounts> taken = reader_.take(0);
  ASSERT_TRUE(taken.ok());
  ASSERT_FALSE(taken->emptied.ok());
  ASSERT_EQ(taken->records.size(), 1U);
  EXPECT_EQ(taken->records[0].cost.cpu_user_ns, 1000U);
  add_count(0, 0, 0, 1);
  add_cpu_cost(0, 0, 250);
  maps_.failing_writes.clear();
  Result<TakenCounts> next = reader_.take(0);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->emptied.ok());
  ASSERT_EQ(next->records.size(), 1U);
  EXPECT_EQ(next->records[0].count, 1U);
  EXPECT_EQ(next->records[0].cost.cpu_user_ns, 250U);
}

TEST_F(CountsTableReaderTest, KeysPastTheLimitLeaveFullSlotsThatAreAllCleared) {
  for (std::uint32_t i = 0; i < kKeys; ++i) claim(1, i, i, key("k", EXECMOND_KIND_FORK));
  const std::uint32_t full = execmond_count_slot_at(1, kSlots, 6, 0);
  maps_.set(kSlotsFd, full, execmond_count_slot{execmond_tag(6, EXECMOND_SLOT_FULL), {}});
  claimed_[1] = kKeys + 2;  // two keys found the table full
  claim(0, 0, 6, key("now", EXECMOND_KIND_FORK));
  Result<TakenCounts> taken = reader_.take(1);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(taken->emptied.ok());
  for (std::uint32_t slot = 0; slot < kSlots; ++slot) EXPECT_EQ(tag_at(1, slot), 0U) << slot;
  EXPECT_EQ(claimed_[1], 0U);
  EXPECT_NE(tag_at(0, 6), 0U);
}

TEST_F(CountsTableReaderTest, AGenerationWithNoKeysIsNotTouched) {
  maps_.failing_reads = {kSlotsFd, kValuesFd, kKeysFd, kIndexFd};
  Result<TakenCounts> taken = reader_.take(0);
  ASSERT_TRUE(taken.ok());
  EXPECT_TRUE(taken->records.empty());
  EXPECT_TRUE(taken->emptied.ok());
  EXPECT_EQ(maps_.writes, 0);
}

}  // namespace
}  // namespace execmond
