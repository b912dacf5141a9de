// The kernel side's histogram bucket lookup (bpf/histogram_bucket.h), run in
// user space against a plain linear reference.
#include "histogram_bucket.h"
#include "execmond.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"

namespace execmond {
namespace {

using u64 = unsigned long long;
constexpr u64 kMax = ~0ULL;

// The first i with value <= bounds[i], else bounds.size(): the +Inf bucket.
unsigned int reference_bucket(const std::vector<u64>& bounds, u64 value) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (value <= bounds[i]) return static_cast<unsigned int>(i);
  }
  return static_cast<unsigned int>(bounds.size());
}

// The bounds as the loader leaves them in .rodata: EXECMOND_MAX_BUCKETS slots,
// the unused ones holding `unused` (~0 in the real loader).
class LoadedBounds {
 public:
  explicit LoadedBounds(const std::vector<u64>& bounds, u64 unused = kMax) : bounds_(bounds) {
    for (std::size_t i = 0; i < EXECMOND_MAX_BUCKETS; ++i) {
      slots_[i] = i < bounds.size() ? bounds[i] : unused;
    }
  }
  LoadedBounds(const LoadedBounds&) = delete;
  LoadedBounds& operator=(const LoadedBounds&) = delete;

  unsigned int n() const { return static_cast<unsigned int>(bounds_.size()); }
  unsigned int bucket(u64 value) const {
    return execmond_histogram_bucket(slots_, EXECMOND_MAX_BUCKETS, n(), value);
  }
  unsigned int reference(u64 value) const { return reference_bucket(bounds_, value); }

 private:
  std::vector<u64> bounds_;
  volatile u64 slots_[EXECMOND_MAX_BUCKETS];
};

// Each bound, one below and one above it, and both ends of the range.
std::vector<u64> probe_values(const std::vector<u64>& bounds) {
  std::set<u64> values = {0, 1, kMax - 1, kMax};
  for (u64 b : bounds) {
    values.insert(b);
    if (b > 0) values.insert(b - 1);
    if (b < kMax) values.insert(b + 1);
  }
  return {values.begin(), values.end()};
}

void expect_matches_reference(const std::vector<u64>& bounds, const std::vector<u64>& values) {
  LoadedBounds loaded(bounds);
  for (u64 v : values) {
    ASSERT_EQ(loaded.bucket(v), loaded.reference(v)) << "n=" << bounds.size() << " value=" << v;
  }
}

// n ascending bounds in nanoseconds, spread like a real configuration:
// 1 ms growing by 2.5x per bound.
std::vector<u64> geometric_bounds_ns(std::size_t n) {
  std::vector<u64> out;
  double seconds = 0.001;
  for (std::size_t i = 0; i < n; ++i, seconds *= 2.5) {
    out.push_back(static_cast<u64>(std::llround(seconds * 1e9)));
  }
  return out;
}

TEST(LifetimeBucketTest, NoBoundsPutsEverythingInBucketZero) {
  LoadedBounds loaded({});
  EXPECT_EQ(loaded.bucket(0), 0U);
  EXPECT_EQ(loaded.bucket(1), 0U);
  EXPECT_EQ(loaded.bucket(1'000'000'000), 0U);
  EXPECT_EQ(loaded.bucket(kMax), 0U);
}

TEST(LifetimeBucketTest, SingleBoundSplitsAtTheBoundInclusive) {
  LoadedBounds loaded({1000});
  EXPECT_EQ(loaded.bucket(0), 0U);
  EXPECT_EQ(loaded.bucket(999), 0U);
  EXPECT_EQ(loaded.bucket(1000), 0U) << "le is inclusive: a value on the bound is in its bucket";
  EXPECT_EQ(loaded.bucket(1001), 1U);
  EXPECT_EQ(loaded.bucket(kMax), 1U);
}

TEST(LifetimeBucketTest, ValueOnEachBoundIsInThatBucket) {
  std::vector<u64> bounds = {10, 20, 30, 40, 50};
  LoadedBounds loaded(bounds);
  for (unsigned int i = 0; i < bounds.size(); ++i) {
    EXPECT_EQ(loaded.bucket(bounds[i]), i) << bounds[i];
    EXPECT_EQ(loaded.bucket(bounds[i] - 1), i) << bounds[i] - 1;
    EXPECT_EQ(loaded.bucket(bounds[i] + 1), i + 1) << bounds[i] + 1;
  }
  EXPECT_EQ(loaded.bucket(0), 0U);
  EXPECT_EQ(loaded.bucket(kMax), 5U);
}

TEST(LifetimeBucketTest, ZeroBoundTakesOnlyZero) {
  LoadedBounds loaded({0, 5});
  EXPECT_EQ(loaded.bucket(0), 0U);
  EXPECT_EQ(loaded.bucket(1), 1U);
  EXPECT_EQ(loaded.bucket(5), 1U);
  EXPECT_EQ(loaded.bucket(6), 2U);
}

TEST(LifetimeBucketTest, BoundsAtTheTopOfTheRange) {
  LoadedBounds loaded({1, kMax - 1});
  EXPECT_EQ(loaded.bucket(kMax - 2), 1U);
  EXPECT_EQ(loaded.bucket(kMax - 1), 1U);
  EXPECT_EQ(loaded.bucket(kMax), 2U);
  LoadedBounds with_max({1, kMax});
  EXPECT_EQ(with_max.bucket(kMax), 1U);
}

TEST(LifetimeBucketTest, FullTableOfThirtyTwoReachesEveryBucket) {
  std::vector<u64> bounds = geometric_bounds_ns(EXECMOND_MAX_BUCKETS);
  LoadedBounds loaded(bounds);
  ASSERT_EQ(loaded.n(), 32U);
  for (unsigned int i = 0; i < bounds.size(); ++i) {
    EXPECT_EQ(loaded.bucket(bounds[i]), i);
    EXPECT_EQ(loaded.bucket(bounds[i] + 1), i + 1);
  }
  EXPECT_EQ(loaded.bucket(kMax), 32U) << "above every bound: the +Inf bucket";
}

TEST(LifetimeBucketTest, NeverReadsSlotsPastN) {
  // Were the search to look at slot n or beyond, zeros there would pull
  // large values into a finite bucket.
  for (std::size_t n = 0; n < EXECMOND_MAX_BUCKETS; ++n) {
    std::vector<u64> bounds = geometric_bounds_ns(n);
    LoadedBounds zeros_after(bounds, 0);
    LoadedBounds ones_after(bounds, kMax);
    for (u64 v : probe_values(bounds)) {
      ASSERT_EQ(zeros_after.bucket(v), zeros_after.reference(v)) << "n=" << n << " v=" << v;
      ASSERT_EQ(ones_after.bucket(v), ones_after.reference(v)) << "n=" << n << " v=" << v;
    }
  }
}

TEST(LifetimeBucketTest, ExhaustiveOverSmallValuesForEveryN) {
  // Bounds 2, 4, .., 2n: every value from 0 to past the last bound, so every
  // position (on, between and beyond bounds) is checked for every table size.
  for (std::size_t n = 0; n <= EXECMOND_MAX_BUCKETS; ++n) {
    std::vector<u64> bounds;
    for (std::size_t i = 0; i < n; ++i) bounds.push_back(2 * (i + 1));
    std::vector<u64> values;
    for (u64 v = 0; v <= 2 * n + 2; ++v) values.push_back(v);
    values.push_back(kMax);
    expect_matches_reference(bounds, values);
  }
}

TEST(LifetimeBucketTest, DefaultConfigurationBoundsInNanoseconds) {
  // The bounds as the tracer loads them: seconds * 1e9, rounded.
  std::vector<u64> bounds;
  for (double s : default_lifetime_buckets()) {
    bounds.push_back(static_cast<u64>(std::llround(s * 1e9)));
  }
  ASSERT_LE(bounds.size(), static_cast<std::size_t>(EXECMOND_MAX_BUCKETS));
  expect_matches_reference(bounds, probe_values(bounds));
  LoadedBounds loaded(bounds);
  EXPECT_EQ(loaded.bucket(0), 0U);
  EXPECT_EQ(loaded.bucket(86'400'000'000'000ULL), loaded.n() - 1) << "one day: the last bound";
  EXPECT_EQ(loaded.bucket(86'400'000'000'001ULL), loaded.n());
}

TEST(LifetimeBucketTest, RandomisedSweepMatchesLinearReference) {
  std::mt19937_64 rng(0x65786563'6d6f6e64ULL);  // fixed seed: "execmond"
  std::uniform_int_distribution<unsigned> pick_n(0, EXECMOND_MAX_BUCKETS);
  std::uniform_int_distribution<unsigned> pick_shift(0, 63);
  auto random_magnitude = [&] { return rng() >> pick_shift(rng); };

  for (int round = 0; round < 3000; ++round) {
    std::size_t n = pick_n(rng);
    std::set<u64> distinct;
    while (distinct.size() < n) distinct.insert(random_magnitude());
    std::vector<u64> bounds(distinct.begin(), distinct.end());

    std::vector<u64> values = probe_values(bounds);
    for (int i = 0; i < 64; ++i) values.push_back(random_magnitude());
    if (!bounds.empty()) {
      std::uniform_int_distribution<u64> within(0, bounds.back());
      for (int i = 0; i < 16; ++i) values.push_back(within(rng));
    }
    SCOPED_TRACE("round " + std::to_string(round) + ", n=" + std::to_string(n));
    expect_matches_reference(bounds, values);
    if (HasFatalFailure()) return;
  }
}

// The sizes the brief names, each checked on, below and above every bound.
class LifetimeBucketSizeTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(LifetimeBucketSizeTest, GeometricBoundsMatchReference) {
  std::vector<u64> bounds = geometric_bounds_ns(GetParam());
  expect_matches_reference(bounds, probe_values(bounds));
}

TEST_P(LifetimeBucketSizeTest, TightlyPackedBoundsMatchReference) {
  // Consecutive integers: "one above" a bound is the next bound.
  std::vector<u64> bounds;
  for (std::size_t i = 0; i < GetParam(); ++i) bounds.push_back(100 + i);
  expect_matches_reference(bounds, probe_values(bounds));
}

TEST_P(LifetimeBucketSizeTest, ZeroAndMaxGoToTheEnds) {
  std::vector<u64> bounds = geometric_bounds_ns(GetParam());
  LoadedBounds loaded(bounds);
  EXPECT_EQ(loaded.bucket(0), 0U);
  EXPECT_EQ(loaded.bucket(kMax), loaded.n());
}

INSTANTIATE_TEST_SUITE_P(LifetimeBucketSizes, LifetimeBucketSizeTest,
                         ::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{5},
                                           std::size_t{21}, std::size_t{32}),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return "n" + std::to_string(param.param);
                         });

}  // namespace
}  // namespace execmond
