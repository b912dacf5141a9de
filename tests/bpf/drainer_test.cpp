// The drainer on its own, against the real tracer: batch reads and the
// key-by-key path used on kernels without batch map operations must agree.
#include "drainer.h"

#include <gtest/gtest.h>

#include "aggregator.h"
#include "traced_test.h"
#include "tracer.h"

namespace execmond::test {
namespace {

class DrainerTest : public TracedTest, public ::testing::WithParamInterface<bool> {};

TEST_P(DrainerTest, CountsEveryEventOnceAcrossDrains) {
  Tracer tracer(TracerOptions{4096, 1024, AttachMode::Auto, default_lifetime_buckets()});
  tracer.seed_running_processes();
  Drainer drainer(tracer, /*batch_ops=*/GetParam());
  Aggregator aggregator(default_lifetime_buckets());
  aggregator.add(drainer.drain().counts);

  std::string parent = workload_as("drnp");
  const std::string p = comm_of(parent);
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(run(parent, {"fork-only", "7"}).size(), 7U);
    DrainResult result = drainer.drain();
    aggregator.add(result.counts);
    EXPECT_GT(result.procs_entries, 0U);
  }
  const Totals& t = aggregator.totals();
  EXPECT_EQ(t.forks.at(p), 21U);
  EXPECT_EQ(t.execs.at(p), 3U);
  std::uint64_t exits = 0;
  for (const auto& [key, n] : t.exits) exits += key.comm == p ? n : 0;
  EXPECT_EQ(exits, 24U);  // 21 children and 3 parents
  EXPECT_EQ(t.lifetimes.at(p).count, 24U);
  // A drain takes what the kernel recorded: a second one right after has nothing of ours.
  for (const CountRecord& r : drainer.drain().counts) EXPECT_NE(r.comm, p);
}

INSTANTIATE_TEST_SUITE_P(ReadModes, DrainerTest, ::testing::Values(true, false),
                         [](const auto& param_info) {
                           return param_info.param ? "batch" : "key_by_key";
                         });

}  // namespace
}  // namespace execmond::test
