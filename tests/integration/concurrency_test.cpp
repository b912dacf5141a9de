// Drains, reloads and scrapes at once, as they happen in the daemon: the
// event loop drains and reloads on one thread while HTTP workers scrape.
// Run under ThreadSanitizer in CI (make tsantest).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

class ConcurrencyTest : public TracedTest {};

TEST_F(ConcurrencyTest, DrainsReloadsAndScrapesTogetherStayConsistent) {
  // A file for reload() to read: filters change on every other reload.
  auto config = [](bool exclude) {
    return std::string("web:\n  listen_address: 127.0.0.1:0\nlog:\n  level: warn\n") +
           (exclude ? "filters:\n  exclude:\n    comm: [nothing-real]\n" : "");
  };
  ASSERT_NO_FATAL_FAILURE(start_daemon_reading(config(false)));
  const std::uint16_t port = daemon_->port();

  const std::string program = workload_as("conc");
  const std::string comm = comm_of(program);
  std::atomic<bool> done{false};
  std::atomic<int> scrapes{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> scrapers;
  for (int t = 0; t < 4; ++t) {
    scrapers.emplace_back([&] {
      double last = 0;
      while (!done) {
        try {
          HttpResponse r = http_get(port, "/metrics");
          Exposition m = Exposition::parse(r.body);
          const double execs = m.sum("execmond_process_execs_total", {{"comm", comm}});
          // Counters never go back, whatever a scrape overlaps with.
          if (r.status != 200 || execs < last) ++failures;
          last = execs;
          ++scrapes;
        } catch (const std::exception&) {
          ++failures;
        }
      }
    });
  }
  constexpr int kRounds = 40;
  for (int round = 0; round < kRounds; ++round) {
    run(program, {"fork-only", "1"});
    daemon_->drain_once();
    if (round % 4 == 3) {
      write_config(config(round % 8 == 3));
      EXPECT_TRUE(daemon_->reload());
    }
  }
  daemon_->drain_once();
  done = true;
  for (std::thread& t : scrapers) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(scrapes, 0);
  EXPECT_EQ(scrape().sum("execmond_process_execs_total", {{"comm", comm}}), kRounds);
}

}  // namespace
}  // namespace execmond::test
