// What a drain makes of the counts table: one record per key that counted
// something, its per-CPU values summed, and the command name as a label.
#include "kernel/counts_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "execmond.h"

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
  EXPECT_EQ(records[0].ids, (ProcessIds{"bash", 42, 7, 8, 1000}));
  EXPECT_EQ(records[0].kind, EXECMOND_KIND_EXEC);
  EXPECT_EQ(records[0].count, 5U);  // 1 + 0 + 4
  EXPECT_EQ(records[0].lifetime_ns_sum, 0U);
  EXPECT_EQ(records[1].ids.comm, "sleep");
  EXPECT_EQ(records[1].kind, EXECMOND_KIND_EXIT);
  EXPECT_EQ(records[1].status, 9U);
  EXPECT_EQ(records[1].count, 5U);  // 2 + 3 + 0
  EXPECT_EQ(records[1].lifetime_ns_sum, 750U);
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

}  // namespace
}  // namespace execmond
