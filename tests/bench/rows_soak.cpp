// The soak (make soak): minutes at the machine's maximum spawn rate with the
// default configuration. Resident memory must stay flat, every event must be
// counted or counted as lost, and every scrape along the way answered.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench.h"
#include "host.h"
#include "http_client.h"

namespace execmond::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Growth allowed after the first minute: allocator and cache noise, not a leak.
constexpr std::uint64_t kRssSlack = 2ULL << 20;
// Each HTTP worker thread (web.max_requests + 64 of them, 104 by default)
// touches ~32 KiB of its stack the first time it serves a scrape, and
// civetweb hands requests to them in turn: one-time growth of ~3 MiB that
// a scrape every 5 s would spread over the whole soak. Serve this many
// first, so that what is measured is the steady state.
constexpr int kWarmUpScrapes = 256;

std::string mib(std::uint64_t bytes) { return fixed(static_cast<double>(bytes) / 1048576.0, 1); }

}  // namespace

void soak_rows(Bench& bench) {
  const double minutes = bench.options().soak_minutes;
  auto daemon = bench.start_execmond();
  for (int i = 0; i < kWarmUpScrapes; ++i) test::http_get(daemon->port(), "/metrics", {}, 10000);
  const std::string program = bench.spawnee_as("emb-soak");
  Storm storm(bench.storm_of({program}, "emb-soak-st", minutes * 60));
  const auto start = Clock::now();
  int scrapes = 0;
  int failed = 0;
  std::uint64_t rss_settled = 0;  // after the first minute
  std::uint64_t rss_max = 0;
  double slowest_ms = 0;
  for (auto next = start; !storm.done();) {
    if (Clock::now() >= next) {
      try {
        ++scrapes;
        const auto asked = Clock::now();
        if (test::http_get(daemon->port(), "/metrics", {}, 10000).status != 200) ++failed;
        slowest_ms = std::max(
            slowest_ms, std::chrono::duration<double, std::milli>(Clock::now() - asked).count());
      } catch (const std::exception& e) {
        ++failed;
        std::printf("  scrape failed: %s\n", e.what());
      }
      const std::uint64_t rss = rss_bytes(daemon->pid());
      if (scrapes % 6 == 1) {
        std::printf("  %3.0f s: RSS %s MiB\n",
                    std::chrono::duration<double>(Clock::now() - start).count(), mib(rss).c_str());
        std::fflush(stdout);
      }
      if (Clock::now() - start >= std::chrono::minutes(1) || minutes < 2) {
        if (rss_settled == 0) rss_settled = rss;
        rss_max = std::max(rss_max, rss);
      }
      next += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const StormResult r = storm.wait();
  const auto spawned = static_cast<double>(r.spawned);
  test::Exposition m =
      bench.settled(daemon->port(), "execmond_process_exits_total",
                    {{"comm", "emb-soak"}, {"reason", "exited"}, {"code", "0"}}, spawned);
  auto lost = [&](const char* reason) {
    return m.value("execmond_events_lost_total", {{"reason", reason}});
  };
  const double execs = m.sum("execmond_process_execs_total", {{"comm", "emb-soak"}});
  const double exits = m.sum("execmond_process_exits_total", {{"comm", "emb-soak"}});
  const double forks = m.sum("execmond_process_forks_total", {{"comm", "emb-soak-st"}});
  // The storm is the only heavy load: whatever was lost was its own.
  const bool conserved = r.failed == 0 && execs == spawned - lost("exec_counts_map_full") &&
                         exits == spawned - lost("exit_counts_map_full") &&
                         forks == spawned - lost("fork_counts_map_full");
  const bool flat = rss_max <= rss_settled + kRssSlack;
  bench.expect(conserved, "soak: spawned " + fixed(spawned, 0) + " = counted + lost (execs " +
                              fixed(execs, 0) + ", exits " + fixed(exits, 0) + ", forks " +
                              fixed(forks, 0) + ")");
  bench.expect(flat, "soak: RSS " + mib(rss_settled) + " MiB after a minute, at most " +
                         mib(rss_max) + " MiB later (allowed +" + mib(kRssSlack) + ")");
  bench.expect(failed == 0, "soak: " + std::to_string(failed) + " of " + std::to_string(scrapes) +
                                " scrapes failed");
  bench.report().add({"soak: " + fixed(r.seconds / 60, 0) + " min at the maximum spawn rate (" +
                          fixed(r.rate(), 0) + "/s), default config",
                      "RSS flat (+" + mib(kRssSlack) +
                          " MiB after the first minute), spawned = counted + lost, "
                          "every scrape answered",
                      "RSS " + mib(rss_settled) + " → max " + mib(rss_max) + " MiB; " +
                          fixed(spawned, 0) + " spawns: execs " + fixed(execs, 0) + ", exits " +
                          fixed(exits, 0) + ", forks " + fixed(forks, 0) + ", lost " +
                          fixed(m.sum("execmond_events_lost_total"), 0) + "; " +
                          std::to_string(scrapes - failed) + "/" + std::to_string(scrapes) +
                          " scrapes, slowest " + fixed(slowest_ms, 1) + " ms",
                      "—", verdict(conserved && flat && failed == 0)});
}

}  // namespace execmond::bench
