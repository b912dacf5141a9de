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
  std::string parent = workload_as("lstp");
  std::string child = workload_as("lstc");
  // Exact-name include rules run in the kernel: other processes on the host
  // (tests running beside this one) never reach the counts table, so every
  // lost exit is one of the burst's.
  config.include.comm = {comm_of(parent), comm_of(child)};
  start_daemon(config);
  Exposition before = scrape();
  const double lost_exits_before =
      before.value("execmond_events_lost_total", {{"reason", "exit_counts_map_full"}});

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
  // 500 children and their parent, nothing else (`others` must be 0).
  EXPECT_EQ(others, 0);
  EXPECT_EQ(counted + lost, 501) << "counted " << counted << ", lost " << lost
                                 << ", other programs' exits " << others;
}

TEST_F(LossTest, ProcessesBeyondTheProcsMapAreCountedAsLost) {
  Config config = test_config();
  config.max_processes = 64;  // a table of 128 slots
  start_daemon(config);
  Exposition before = scrape();
  const double live_before = before.value("execmond_bpf_map_entries", {{"map", "procs"}});
  const double lost_before =
      before.value("execmond_events_lost_total", {{"reason", "procs_map_full"}});
  ASSERT_LT(live_before, 64);

  std::string parent = workload_as("fulp");
  std::string child = workload_as("fulc");
  constexpr int kChildren = 200;
  auto w = launch(parent, {"hold", child, std::to_string(kChildren)});
  // The parent and its children: each one is either tracked or counted as lost.
  const double started = live_before + kChildren + 1;
  auto accounted = [&](const Exposition& m) {
    return m.value("execmond_bpf_map_entries", {{"map", "procs"}}) +
           m.value("execmond_events_lost_total", {{"reason", "procs_map_full"}}) - lost_before;
  };
  Exposition m = scrape();
  for (int i = 0; i < 500 && accounted(m) < started; ++i) {  // until all have forked
    usleep(10000);
    m = scrape();
  }
  const double tracked = m.value("execmond_bpf_map_entries", {{"map", "procs"}});
  EXPECT_LE(tracked, 128 + live_before);  // the table, and those seeded at start
  EXPECT_GT(m.value("execmond_events_lost_total", {{"reason", "procs_map_full"}}), lost_before);
  // The gauge is short by exactly what the counter says.
  EXPECT_EQ(accounted(m), started) << "tracked " << tracked;
  w->close_stdin();
  EXPECT_EQ(w->wait(), (Outcomes{{"exited 0", kChildren}}));
  // Untracked or not, every exit is counted, and the table empties again.
  m = scrape();
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", comm_of(child)}}), kChildren);
  EXPECT_EQ(m.value("execmond_processes", {{"comm", comm_of(child)}}), 0);
}

}  // namespace
}  // namespace execmond::test
