// The daemon's view of the procs table: which slot copies it takes (the
// seqlock rule), which blocks it re-reads, and what it counts by identity.
#include "kernel/live_processes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "execmond.h"
#include "identity/identity_resolver.h"
#include "table_layout.h"

namespace execmond {
namespace {

// A slot holding process tgid at sequence `seq`, started at `start`.
execmond_proc slot(std::uint32_t tgid, std::uint64_t start, const char* comm, std::uint32_t uid,
                   std::uint32_t seq = 2) {
  execmond_proc p{};
  p.state = (static_cast<std::uint64_t>(seq) << 32) | tgid;
  p.start_boottime_ns = start;
  std::strncpy(p.comm, comm, sizeof(p.comm) - 1);
  p.cgroup_id = 77;
  p.uid = uid;
  return p;
}

ProcessIds ids(const char* comm, std::uint32_t uid) { return {comm, 77, 0, 0, uid}; }

using Counts = std::map<ProcessIds, std::uint64_t>;

TEST(LiveProcessesTest, CountsLiveSlotsByIdentity) {
  LiveProcesses live;
  const std::vector<execmond_proc> block{slot(100, 1, "bash", 0), slot(101, 2, "bash", 0),
                                         slot(102, 3, "sshd", 1000), execmond_proc{},
                                         slot(EXECMOND_PROC_DELETED, 4, "gone", 0)};
  live.update_block(0, block, block);
  EXPECT_EQ(live.size(), 3U);
  EXPECT_EQ(live.by_identity(), (Counts{{ids("bash", 0), 2}, {ids("sshd", 1000), 1}}));
}

TEST(LiveProcessesTest, AnOddSequenceKeepsWhatTheSlotHeld) {
  LiveProcesses live;
  std::vector<execmond_proc> block{slot(100, 1, "bash", 0)};
  live.update_block(64, block, block);
  // Being renamed at exec: odd, though both copies agree.
  block[0] = slot(100, 1, "make", 0, 3);
  live.update_block(64, block, block);
  EXPECT_EQ(live.by_identity(), (Counts{{ids("bash", 0), 1}}));
  // Being claimed by a new process in a free slot: odd too, not counted yet.
  std::vector<execmond_proc> fresh{slot(200, 9, "cc", 0, 1)};
  live.update_block(128, fresh, fresh);
  EXPECT_EQ(live.size(), 1U);
  // Written out: even again, and taken.
  block[0] = slot(100, 1, "make", 0, 4);
  live.update_block(64, block, block);
  EXPECT_EQ(live.by_identity(), (Counts{{ids("make", 0), 1}}));
}

TEST(LiveProcessesTest, CopiesThatDifferKeepWhatTheSlotHeld) {
  LiveProcesses live;
  const std::vector<execmond_proc> before{slot(100, 1, "bash", 0)};
  live.update_block(0, before, before);
  // A whole write (odd and back to even) between the two reads.
  const std::vector<execmond_proc> first{slot(100, 1, "make", 0, 4)};
  const std::vector<execmond_proc> second{slot(100, 1, "cc", 0, 6)};
  live.update_block(0, first, second);
  EXPECT_EQ(live.by_identity(), (Counts{{ids("bash", 0), 1}}));
  // A slot never seen before and read torn is not taken at all.
  live.update_block(64, first, second);
  EXPECT_EQ(live.size(), 1U);
}

TEST(LiveProcessesTest, AnEndedProcessLeavesItsIdentity) {
  LiveProcesses live;
  std::vector<execmond_proc> block{slot(100, 1, "bash", 0), slot(101, 2, "bash", 0)};
  live.update_block(0, block, block);
  block[0].state = execmond_proc_deleted(block[0].state);
  live.update_block(0, block, block);
  EXPECT_EQ(live.by_identity(), (Counts{{ids("bash", 0), 1}}));
  block[1].state = execmond_proc_deleted(block[1].state);
  live.update_block(0, block, block);
  EXPECT_TRUE(live.by_identity().empty());
  EXPECT_EQ(live.size(), 0U);
}

TEST(LiveProcessesTest, ASlotReusedByAnotherProcessReplacesTheOldOne) {
  LiveProcesses live;
  std::vector<execmond_proc> block{slot(100, 1, "bash", 0)};
  live.update_block(0, block, block);
  // Ended and reused between two drains: a new tgid, same identity.
  block[0] = slot(300, 5, "bash", 0, 6);
  live.update_block(0, block, block);
  EXPECT_EQ(live.by_identity(), (Counts{{ids("bash", 0), 1}}));
  // The same tgid again after PID reuse, told apart by its start time.
  block[0] = slot(300, 8, "sleep", 1000, 8);
  live.update_block(0, block, block);
  EXPECT_EQ(live.size(), 1U);
  EXPECT_EQ(live.by_identity(), (Counts{{ids("sleep", 1000), 1}}));
}

TEST(LiveProcessesTest, DirtyBlocksMergeEveryCpusBitmap) {
  // Three CPUs, two words each.
  const std::vector<std::uint64_t> bitmaps{
      1ULL << 0,  1ULL << 3,                 // CPU 0: blocks 0 and 67
      1ULL << 0,  0,                         // CPU 1: block 0 again
      1ULL << 63, (1ULL << 0) | (1ULL << 5)  // CPU 2: blocks 63, 64 and 69
  };
  EXPECT_EQ(dirty_blocks(bitmaps, 2), (std::vector<std::uint32_t>{0, 63, 64, 67, 69}));
  EXPECT_TRUE(dirty_blocks(std::vector<std::uint64_t>(6, 0), 2).empty());
}

TEST(LiveProcessesTest, OriginsReadBetweenTheCopiesNameWhatRanAndItsParent) {
  LiveProcesses live;
  const std::vector<execmond_proc> block{slot(100, 1, "sh", 0), slot(101, 2, "sh", 0)};
  std::vector<execmond_proc_origin> origins(2);
  origins[0].cmdline_id = 42;
  std::strncpy(origins[0].parent, "cron", sizeof(origins[0].parent) - 1);
  origins[1].cmdline_id = 43;
  std::strncpy(origins[1].parent, "cron", sizeof(origins[1].parent) - 1);
  live.update_block(0, block, block, origins);
  ProcessIds first = ids("sh", 0);
  first.cmdline_id = 42;
  first.parent = "cron";
  ProcessIds second = first;
  second.cmdline_id = 43;
  EXPECT_EQ(live.by_identity(), (Counts{{first, 1}, {second, 1}}));
  // An exec renames: the same slot with another command line is another identity.
  origins[0].cmdline_id = 43;
  std::vector<execmond_proc> renamed{slot(100, 1, "sh", 0, 4), slot(101, 2, "sh", 0)};
  live.update_block(0, renamed, renamed, origins);
  EXPECT_EQ(live.by_identity(), (Counts{{second, 2}}));
}

}  // namespace
}  // namespace execmond
