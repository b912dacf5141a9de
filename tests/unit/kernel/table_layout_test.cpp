// The table arithmetic the handlers and the daemon's readers share
// (bpf/table_layout.h): exact values, so that a change to either side's
// layout shows here.
#include "table_layout.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

TEST(TableLayoutTest, GenerationIsTheLowBit) {
  EXPECT_EQ(execmond_gen(0), 0U);
  EXPECT_EQ(execmond_gen(1), 1U);
  EXPECT_EQ(execmond_gen(6), 0U);
  EXPECT_EQ(execmond_gen(0xffffffffU), 1U);
}

TEST(TableLayoutTest, TagsPackTheHashAboveTheValueIndexPlusOne) {
  const std::uint64_t tag = execmond_tag(0xdeadbeefU, execmond_state_of_index(41));
  EXPECT_EQ(tag, 0xdeadbeef0000002aULL);
  EXPECT_EQ(execmond_tag_hash(tag), 0xdeadbeefU);
  EXPECT_EQ(execmond_tag_state(tag), 42U);
  EXPECT_EQ(execmond_index_of_state(execmond_tag_state(tag)), 41U);
  // Index 0 is state 1: a tag is never 0 (an empty slot) once claimed, not even for hash 0.
  EXPECT_EQ(execmond_tag(0, execmond_state_of_index(0)), 1ULL);
}

TEST(TableLayoutTest, MarkersAreStatesNoValueIndexReaches) {
  EXPECT_EQ(execmond_tag(7, EXECMOND_SLOT_BUSY), 0x00000007ffffffffULL);
  EXPECT_EQ(execmond_tag_state(execmond_tag(7, EXECMOND_SLOT_FULL)), 0xfffffffeU);
  EXPECT_EQ(execmond_tag_hash(execmond_tag(7, EXECMOND_SLOT_FULL)), 7U);
}

TEST(TableLayoutTest, CountsIndexesPerGenerationAndCpu) {
  // 1024 slots, 512 keys, 4 CPUs.
  EXPECT_EQ(execmond_count_slot_at(0, 1024, 10, 0), 10U);
  EXPECT_EQ(execmond_count_slot_at(1, 1024, 10, 3), 1024U + 13U);
  // Probing wraps within the generation's half.
  EXPECT_EQ(execmond_count_slot_at(0, 1024, 1023, 1), 0U);
  EXPECT_EQ(execmond_count_slot_at(1, 1024, 0xfffffffeU, 5), 1024U + 3U);
  EXPECT_EQ(execmond_count_key_at(0, 512, 7), 7U);
  EXPECT_EQ(execmond_count_key_at(1, 512, 7), 519U);
  EXPECT_EQ(execmond_count_value_at(0, 4, 0, 512, 7), 7U);
  EXPECT_EQ(execmond_count_value_at(0, 4, 3, 512, 7), 3U * 512U + 7U);
  EXPECT_EQ(execmond_count_value_at(1, 4, 2, 512, 7), 6U * 512U + 7U);
}

TEST(TableLayoutTest, MixIsMurmur3sFinalizerFoldedTo32Bits) {
  EXPECT_EQ(execmond_mix(0), 0U);
  EXPECT_EQ(execmond_mix(1), 0x92fd5b26U);
  EXPECT_EQ(execmond_mix(2), 0xa5fab64dU);
}

TEST(TableLayoutTest, NeighbouringPidsShareABlockThatIsScattered) {
  EXPECT_EQ(execmond_proc_home(5, 0xffff), 5U);  // block 0 stays at 0: mix(0) is 0
  EXPECT_EQ(execmond_proc_home(64 + 5, 0xffff), 51589U);
  EXPECT_EQ(execmond_proc_home(64 + 5, 0xffff) / 64, execmond_proc_home(64 + 63, 0xffff) / 64);
  EXPECT_EQ(execmond_proc_home(130, 0xffff), 37698U);
  EXPECT_EQ(execmond_proc_home(0x7fff, 1023), 191U);
}

TEST(TableLayoutTest, ProcProbesWrapAtTheTableEnd) {
  EXPECT_EQ(execmond_proc_probe(100, 0, 1023), 100U);
  EXPECT_EQ(execmond_proc_probe(1020, 3, 1023), 1023U);
  EXPECT_EQ(execmond_proc_probe(1020, 4, 1023), 0U);
  EXPECT_EQ(execmond_proc_probe(1020, 63, 1023), 59U);
}

TEST(TableLayoutTest, ProcStatesFollowTheSeqlockRule) {
  EXPECT_EQ(execmond_proc_tgid(0x0000000500001234ULL), 0x1234U);
  EXPECT_FALSE(execmond_proc_is_live(EXECMOND_PROC_EMPTY));
  EXPECT_FALSE(execmond_proc_is_live(EXECMOND_PROC_DELETED));
  EXPECT_TRUE(execmond_proc_is_live(1));

  // Claiming an empty slot: sequence 0 -> 1 (odd, being written).
  const std::uint64_t claimed = execmond_proc_claimed(0, 1234);
  EXPECT_EQ(claimed, (1ULL << 32) | 1234U);
  EXPECT_TRUE(execmond_proc_being_written(claimed));
  // The writer's last step makes it even: readable.
  const std::uint64_t written = claimed + EXECMOND_PROC_SEQ_STEP;
  EXPECT_FALSE(execmond_proc_being_written(written));
  EXPECT_EQ(execmond_proc_tgid(written), 1234U);
  // Ending keeps the sequence and marks the slot deleted.
  const std::uint64_t ended = execmond_proc_deleted(written);
  EXPECT_EQ(ended, (2ULL << 32) | EXECMOND_PROC_DELETED);
  EXPECT_FALSE(execmond_proc_being_written(ended));
  // A deleted slot claimed again: the sequence goes on from where it was.
  EXPECT_EQ(execmond_proc_claimed(ended, 99), (3ULL << 32) | 99U);
}

TEST(TableLayoutTest, DirtyWordsAndBitsOfASlot) {
  // 65536 slots: 1024 blocks, 16 words of 64 bits per CPU and generation.
  EXPECT_EQ(execmond_dirty_words(65536), 16U);
  EXPECT_EQ(execmond_dirty_words(64), 1U);
  EXPECT_EQ(execmond_dirty_words(64 * 65), 2U);
  EXPECT_EQ(execmond_dirty_block(0), 0U);
  EXPECT_EQ(execmond_dirty_block(63), 0U);
  EXPECT_EQ(execmond_dirty_block(64), 1U);
  EXPECT_EQ(execmond_dirty_block(64 * 70 + 5), 70U);
  EXPECT_EQ(execmond_block_first_slot(70), 64U * 70U);
  // Block 70 is bit 6 of word 1; on CPU 2 of 4, generation 1, with 16 words each.
  EXPECT_EQ(execmond_dirty_word_at(0, 4, 0, 16, 70), 1U);
  EXPECT_EQ(execmond_dirty_word_at(1, 4, 2, 16, 70), (4U + 2U) * 16U + 1U);
  EXPECT_EQ(execmond_dirty_bit(70), 1ULL << 6);
  EXPECT_EQ(execmond_dirty_bit(63), 1ULL << 63);
  EXPECT_EQ(execmond_dirty_block_of(1, 6), 70U);
}

}  // namespace
