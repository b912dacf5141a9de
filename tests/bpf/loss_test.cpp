// Deliberately tiny maps under a burst: what the kernel side cannot record is
// counted by reason, so counted + lost is exactly what happened.
#include <gtest/gtest.h>

#include "traced_test.h"

namespace execmond::test {
namespace {

class LossTest : public TracedTest {};

TEST_F(LossTest, EveryExitIsCountedOrLostUnderABurstIntoTinyMaps) {
  Config config = test_config();
  config.max_keys = 16;  // distinct (comm, status, bucket) keys per drain
  start_daemon(config);
  Exposition before = scrape();
  const double lost_exits_before =
      before.value("execmond_events_lost_total", {{"reason", "exit_counts_map_full"}});

  std::string parent = workload_as("lstp");
  std::string child = workload_as("lstc");
  Outcomes outcomes = run(parent, {"mix", "500", child, dir_});
  int children = 0;
  for (const auto& [line, n] : outcomes) children += n;
  ASSERT_EQ(children, 500);
  Exposition m = scrape();  // one drain: all 500 exits went into one 16-key map

  const double counted = m.sum("execmond_process_exits_total", {{"comm", comm_of(child)}}) +
                         m.sum("execmond_process_exits_total", {{"comm", comm_of(parent)}});
  const double lost = m.value("execmond_events_lost_total", {{"reason", "exit_counts_map_full"}}) -
                      lost_exits_before;
  const double others = m.sum("execmond_process_exits_total") - counted;
  EXPECT_GT(lost, 0) << "the burst should overflow a 16-key map";
  EXPECT_LT(counted, 501);
  // 500 children and their parent; any other process on the host that ended
  // during the burst shows up in `others` (or, if it too was lost, as one extra).
  EXPECT_EQ(counted + lost, 501) << "counted " << counted << ", lost " << lost
                                 << ", other programs' exits " << others;
}

TEST_F(LossTest, ProcessesBeyondTheProcsMapAreCountedAsLost) {
  Config config = test_config();
  config.max_processes = 64;
  start_daemon(config);
  const double live_before = scrape().value("execmond_bpf_map_entries", {{"map", "procs"}});
  ASSERT_LT(live_before, 64);

  std::string parent = workload_as("fulp");
  std::string child = workload_as("fulc");
  auto w = launch(parent, {"hold", child, "80"});
  double lost = 0;
  for (int i = 0; i < 500 && lost < live_before + 81 - 64; ++i) {  // until all have forked
    lost = scrape().value("execmond_events_lost_total", {{"reason", "procs_map_full"}});
    if (lost < live_before + 81 - 64) usleep(10000);
  }
  Exposition m = scrape();
  EXPECT_EQ(m.value("execmond_bpf_map_entries", {{"map", "procs"}}), 64);
  // Each process that found no room is one lost entry: the gauge is short by
  // exactly what this counter says.
  EXPECT_EQ(m.value("execmond_events_lost_total", {{"reason", "procs_map_full"}}),
            live_before + 81 - 64);
  w->close_stdin();
  EXPECT_EQ(w->wait(), (Outcomes{{"exited 0", 80}}));
  // Untracked or not, every exit is counted.
  EXPECT_EQ(scrape().sum("execmond_process_exits_total", {{"comm", comm_of(child)}}), 80);
}

}  // namespace
}  // namespace execmond::test
