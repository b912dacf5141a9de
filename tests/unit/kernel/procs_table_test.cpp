// The procs table reader on plain arrays: which blocks it re-reads, when it
// clears their dirty marks, and the seeded processes by identity.
#include "kernel/procs_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "execmond.h"
#include "fake_map_access.h"
#include "table_layout.h"

namespace execmond {
namespace {

execmond_proc live_slot(std::uint32_t tgid, const char* comm) {
  execmond_proc p{};
  p.state = (std::uint64_t{2} << 32) | tgid;  // an even sequence: written out
  p.start_boottime_ns = tgid;
  std::strncpy(p.comm, comm, sizeof(p.comm) - 1);
  p.uid = 1000;
  return p;
}

ProcessIds ids(const char* comm) { return {comm, 0, 0, 0, 1000}; }

using Counts = std::map<ProcessIds, std::uint64_t>;

// Two CPUs, one bitmap word each: 64 blocks of 64 slots.
class ProcsTableTest : public ::testing::Test {
 protected:
  static constexpr std::uint32_t kCpus = 2;
  static constexpr std::uint32_t kSlots = 64 * EXECMOND_PROCS_PER_DIRTY_BIT;
  enum Fd : int { kProcsFd = 1, kDirtyFd, kSeededFd };

  ProcsTableTest() {
    tables_.procs = kProcsFd;
    tables_.procs_dirty = kDirtyFd;
    tables_.procs_seeded = kSeededFd;
    tables_.ncpus = kCpus;
    tables_.dirty_words = 1;
    maps_.add_array<execmond_proc>(kProcsFd, kSlots);
    maps_.add_array<std::uint64_t>(kDirtyFd, 2 * kCpus);
  }

  // What a handler on `cpu` in generation `g` leaves when it writes `slot`.
  void write(std::uint32_t g, std::uint32_t cpu, std::uint32_t slot, const execmond_proc& p) {
    maps_.set(kProcsFd, slot, p);
    const std::uint32_t block = execmond_dirty_block(slot);
    const std::uint32_t word = execmond_dirty_word_at(g, kCpus, cpu, 1, block);
    maps_.set(kDirtyFd, word, maps_.get<std::uint64_t>(kDirtyFd, word) | execmond_dirty_bit(block));
  }
  std::uint64_t word(std::uint32_t g, std::uint32_t cpu) const {
    return maps_.get<std::uint64_t>(kDirtyFd, execmond_dirty_word_at(g, kCpus, cpu, 1, 0));
  }

  test::FakeMapAccess maps_;
  Tracer::Tables tables_{};
  ProcsTable reader_{maps_, tables_};
  LiveProcesses live_;
};

TEST_F(ProcsTableTest, ReadsTheBlocksOneGenerationMarkedAndClearsTheMarks) {
  write(1, 1, 3 * 64 + 5, live_slot(200, "bash"));
  write(1, 0, 9 * 64, live_slot(300, "sshd"));
  write(0, 0, 12 * 64, live_slot(400, "make"));          // marked in the other generation
  maps_.set(kProcsFd, 20 * 64, live_slot(500, "cron"));  // written, never marked

  ASSERT_TRUE(reader_.read_dirty(1, live_).ok());
  EXPECT_EQ(live_.by_identity(), (Counts{{ids("bash"), 1}, {ids("sshd"), 1}}));
  EXPECT_EQ(word(1, 0), 0U);
  EXPECT_EQ(word(1, 1), 0U);
  EXPECT_EQ(word(0, 0), execmond_dirty_bit(12));

  ASSERT_TRUE(reader_.read_dirty(0, live_).ok());
  EXPECT_EQ(live_.size(), 3U);
  EXPECT_EQ(word(0, 0), 0U);
}

TEST_F(ProcsTableTest, AFailedReadKeepsTheMarksForALaterDrain) {
  write(0, 1, 7 * 64 + 1, live_slot(200, "bash"));
  maps_.failing_reads.insert(kProcsFd);
  Status failed = reader_.read_dirty(0, live_);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "cannot read the procs table: Input/output error");
  EXPECT_EQ(word(0, 1), execmond_dirty_bit(7));
  EXPECT_EQ(live_.size(), 0U);

  maps_.failing_reads.clear();
  ASSERT_TRUE(reader_.read_dirty(0, live_).ok());
  EXPECT_EQ(live_.by_identity(), (Counts{{ids("bash"), 1}}));
  EXPECT_EQ(word(0, 1), 0U);
}

TEST_F(ProcsTableTest, AFailedClearSaysSoAndTheBlocksAreReadAgainHarmlessly) {
  write(0, 0, 2 * 64, live_slot(200, "bash"));
  maps_.failing_writes.insert(kDirtyFd);
  Status failed = reader_.read_dirty(0, live_);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "cannot clear procs_dirty: Input/output error");
  maps_.failing_writes.clear();
  ASSERT_TRUE(reader_.read_dirty(0, live_).ok());
  EXPECT_EQ(live_.by_identity(), (Counts{{ids("bash"), 1}}));
}

TEST_F(ProcsTableTest, SeededProcessesAreCountedByWhoTheyAre) {
  auto seeded = [](const char* comm) {
    execmond_proc_value v{};
    std::strncpy(v.comm, comm, sizeof(v.comm) - 1);
    v.uid = 1000;
    return v;
  };
  maps_.set_hash(kSeededFd, std::vector{seeded("systemd"), seeded("bash"), seeded("bash")});
  Result<Counts> read = reader_.read_seeded();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, (Counts{{ids("bash"), 2}, {ids("systemd"), 1}}));

  maps_.failing_reads.insert(kSeededFd);
  read = reader_.read_seeded();
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message, "cannot read procs_seeded: Input/output error");
}

}  // namespace
}  // namespace execmond
