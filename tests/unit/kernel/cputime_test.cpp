// The kernel side's user/system split (bpf/cputime.h) against the exact
// formula of the kernel's cputime_adjust(), in 128-bit arithmetic.
#include "cputime.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

namespace execmond {
namespace {

using u64 = std::uint64_t;

// cputime_adjust(): stime = stime * rtime / (stime + utime), exactly.
u64 exact_stime(u64 utime, u64 stime, u64 rtime) {
  if (stime == 0) return 0;
  if (utime == 0) return rtime;
  __extension__ typedef unsigned __int128 u128;
  return static_cast<u64>(static_cast<u128>(stime) * rtime / (stime + utime));
}

TEST(CputimeTest, NoSystemTickIsAllUserAndNoUserTickAllSystem) {
  EXPECT_EQ(execmond_scaled_stime(4'000'000, 0, 4'100'000), 0U);
  EXPECT_EQ(execmond_scaled_stime(0, 4'000'000, 4'100'000), 4'100'000U);
  EXPECT_EQ(execmond_scaled_stime(0, 0, 12345), 0U);  // the kernel's stime == 0 case first
}

TEST(CputimeTest, EvenSamplesSplitTheRuntimeInHalf) {
  EXPECT_EQ(execmond_scaled_stime(8'000'000, 8'000'000, 20'000'000), 10'000'000U);
}

TEST(CputimeTest, WithinTwoMillionthsOfTheRuntimeOverTheWholeRange) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    // Up to about 10 days of CPU time of a process, in any proportion.
    const u64 scale = u64{1} << (rng() % 50 + 1);
    const u64 utime = rng() % scale;
    const u64 stime = rng() % scale;
    const u64 rtime = utime + stime + rng() % (scale / 8 + 1);
    const u64 got = execmond_scaled_stime(utime, stime, rtime);
    const u64 want = exact_stime(utime, stime, rtime);
    const u64 diff = got > want ? got - want : want - got;
    // The fraction's 20 bits: an error of at most 2^-20 of the runtime, and rounding.
    ASSERT_LE(diff, (rtime >> 19) + 2)
        << "utime " << utime << " stime " << stime << " rtime " << rtime;
    ASSERT_LE(got, rtime);
  }
}

}  // namespace
}  // namespace execmond
