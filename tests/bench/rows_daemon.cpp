// The daemon's own costs: memory as series accumulate, /metrics latency and
// size against prometheus-cpp's stock serializer on the same families, and
// the time from process start to READY=1.
#include <prometheus/text_serializer.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench.h"
#include "config/config.h"
#include "execmond.h"
#include "host.h"
#include "http_client.h"
#include "kernel/tracer.h"
#include "metrics/aggregator.h"
#include "metrics/collector.h"

namespace execmond::bench {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

std::string mib(std::uint64_t bytes) { return fixed(static_cast<double>(bytes) / 1048576.0, 1); }

// Spawns one process under each of `n` new command names, so that each adds
// its series to every per-program family.
void add_programs(Bench& bench, int& made, int n) {
  std::vector<std::string> programs;
  for (int i = 0; i < n; ++i) {
    char comm[16];
    std::snprintf(comm, sizeof(comm), "emb-c%06d", made++ % 1000000);
    programs.push_back(bench.spawnee_as(comm));
  }
  run_storm(bench.storm_of(programs, "emb-series-st", 0, programs.size()));
}

// Grows the daemon's exposition to at least `series` samples.
std::size_t grow_to(Bench& bench, std::uint16_t port, int& made, std::size_t series) {
  // What a new program adds depends on the default labels, buckets and
  // resources: the first ten tell, and each step after that corrects it.
  std::size_t per_program = 0;
  std::size_t now = bench.scrape(port).all().size();
  while (now < series) {
    const int n = per_program == 0 ? 10 : static_cast<int>((series - now) / per_program + 1);
    add_programs(bench, made, n);
    char last[16];
    std::snprintf(last, sizeof(last), "emb-c%06d", (made - 1) % 1000000);
    const std::size_t before = now;
    now = bench.settled(port, "execmond_process_execs_total", {{"comm", last}}, 1).all().size();
    per_program = std::max<std::size_t>(1, (now - before) / static_cast<std::size_t>(n));
  }
  return now;
}

struct ScrapeTimes {
  double plain_p50_ms = 0;
  double gzip_p50_ms = 0;
  std::size_t plain_bytes = 0;
  std::size_t gzip_bytes = 0;
};

ScrapeTimes time_scrapes(std::uint16_t port, int n) {
  ScrapeTimes t;
  std::vector<double> plain;
  std::vector<double> gzip;
  for (int i = 0; i < n; ++i) {
    auto start = Clock::now();
    t.plain_bytes = test::http_get(port, "/metrics", {}, 30000).body.size();
    plain.push_back(ms_since(start));
    start = Clock::now();
    t.gzip_bytes =
        test::http_get(port, "/metrics", {{"Accept-Encoding", "gzip"}}, 30000).body.size();
    gzip.push_back(ms_since(start));
  }
  t.plain_p50_ms = percentile(plain, 0.5);
  t.gzip_p50_ms = percentile(gzip, 0.5);
  return t;
}

// The same families in this process: one exec and one exit per program seen
// in `m`, aggregated and serialized by prometheus-cpp's TextSerializer as the
// stock Exposer does on every scrape. Returns the p50 in ms.
double stock_serializer_p50(const test::Exposition& m, int n) {
  Config config;
  const std::uint32_t resources = resource_bits(config.resources);
  Aggregator aggregator({config.labels, config.lifetime_buckets, config.max_series_per_family,
                         resources, config.peak_rss_buckets});
  std::vector<Record> records;
  for (const test::Sample& s : m.samples("execmond_process_execs_total")) {
    Identity who;
    who.comm = s.labels.at("comm");
    records.push_back({EXECMOND_KIND_EXEC, who, 0, 0, 1, 0});
    Record exit{EXECMOND_KIND_EXIT, who, 0, 1, 1, 1000000};
    // The default resources' series: CPU in both modes and a peak RSS.
    exit.cost.cpu_user_ns = 1000000;
    exit.cost.cpu_system_ns = 500000;
    exit.cost.peak_rss_bytes_sum = 1U << 20;
    exit.cost.peak_rss_buckets[0] = 1;
    records.push_back(exit);
  }
  aggregator.add(records, 0);
  Snapshot snapshot;
  snapshot.totals = aggregator.totals();
  snapshot.labels = config.labels;
  snapshot.lifetime_bounds = config.lifetime_buckets;
  snapshot.resources = resources;
  snapshot.peak_rss_bounds = config.peak_rss_buckets;
  std::vector<double> times;
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    auto start = Clock::now();
    bytes += prometheus::TextSerializer().Serialize(build_families(snapshot)).size();
    times.push_back(ms_since(start));
  }
  return bytes > 0 ? percentile(times, 0.5) : 0;
}

}  // namespace

void memory_and_scrape_rows(Bench& bench) {
  auto daemon = bench.start_execmond();
  const std::uint16_t port = daemon->port();
  std::size_t idle_series = bench.scrape(port).all().size();
  const std::uint64_t idle = rss_bytes(daemon->pid());
  int made = 0;
  const int scrapes = static_cast<int>(bench.pick(50, 5));

  // The kernel side's part, which RSS does not show: the maps, sized by
  // max_keys × possible CPUs and max_processes (README, Sizing).
  const test::Exposition idle_metrics = bench.scrape(port);
  const auto map_bytes =
      static_cast<std::uint64_t>(idle_metrics.sum("execmond_bpf_map_memory_bytes"));
  const auto values_bytes = static_cast<std::uint64_t>(
      idle_metrics.value("execmond_bpf_map_memory_bytes", {{"map", "counts_values"}}));
  bench.report().add(
      {"kernel memory of the BPF maps (default sizes; counts_values)", "as README's Sizing table",
       mib(map_bytes) + " MiB; " + mib(values_bytes) + " MiB", "—", Verdict::kNotMeasured});

  const std::size_t at_10k = grow_to(bench, port, made, 10000);
  const int programs_10k = made;
  const std::uint64_t rss_10k = rss_bytes(daemon->pid());
  const ScrapeTimes t10k = time_scrapes(port, scrapes);
  const double stock = stock_serializer_p50(bench.scrape(port), scrapes);

  const std::size_t at_100k = grow_to(bench, port, made, 100000);
  const std::uint64_t rss_100k = rss_bytes(daemon->pid());
  const ScrapeTimes t100k = time_scrapes(port, std::max(3, scrapes / 5));

  bench.report().add(
      {"daemon RSS: idle (" + std::to_string(idle_series) + " series); " + std::to_string(at_10k) +
           " series; " + std::to_string(at_100k) + " series",
       "≤ 16 MiB at 10 k", mib(idle) + " MiB; " + mib(rss_10k) + " MiB; " + mib(rss_100k) + " MiB",
       "—", verdict(rss_10k <= 16ULL << 20)});
  bench.report().add(
      {"/metrics at " + std::to_string(at_10k) + " series, p50 of " + std::to_string(scrapes) +
           " (plain, gzip), bytes",
       "≤ 10 ms",
       fixed(t10k.plain_p50_ms, 2) + " ms, " + fixed(t10k.gzip_p50_ms, 2) + " ms; " +
           std::to_string(t10k.plain_bytes) + " B, " + std::to_string(t10k.gzip_bytes) + " B",
       "stock TextSerializer on the same families, in process: " + fixed(stock, 2) + " ms",
       verdict(t10k.plain_p50_ms <= 10 && t10k.gzip_p50_ms <= 10)});
  bench.report().note(
      "memory row: " + std::to_string(programs_10k) + " programs for " + std::to_string(at_10k) +
      " series, " + std::to_string(made) + " for " + std::to_string(at_100k) + "; /metrics at " +
      std::to_string(at_100k) + " series: " + fixed(t100k.plain_p50_ms, 1) + " ms plain, " +
      fixed(t100k.gzip_p50_ms, 1) + " ms gzip, " + std::to_string(t100k.plain_bytes) + " B");
}

void ready_rows(Bench& bench) {
  std::vector<double> ms;
  const int runs = static_cast<int>(bench.pick(7, 2));
  for (int i = 0; i < runs; ++i) {
    auto daemon = bench.start_execmond();
    ms.push_back(
        std::chrono::duration<double, std::milli>(daemon->ready_at() - daemon->started_at())
            .count());
    daemon->stop(SIGTERM);
  }
  const double p50 = percentile(ms, 0.5);
  const double worst = *std::max_element(ms.begin(), ms.end());
  bench.report().add({"process start → READY=1 (p50 of " + std::to_string(runs) + " starts)",
                      "≤ 300 ms", fixed(p50, 0) + " ms (slowest " + fixed(worst, 0) + " ms)", "—",
                      verdict(p50 <= 300)});
}

}  // namespace execmond::bench
