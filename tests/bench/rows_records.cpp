// What the exit records cost the kernel: the exit handler on ordinary exits
// with records on and off (they must cost nothing there), and on crashes,
// each of which reads its command line and executable and writes a record
// to the ring, drained meanwhile as the daemon would. Every crash must come
// out as a record or a counted drop.
#include <atomic>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "bpf_programs.h"
#include "config/config.h"
#include "kernel/exit_record_ring.h"
#include "kernel/tracer.h"

namespace execmond::bench {

namespace {

using test::added_since;
using test::difference;
using test::loaded_programs;
using test::Programs;
using test::RunTimeStats;

struct ExitCost {
  double exit_ns = 0;             // per exit, the tracer's exit program
  std::uint64_t storm_exits = 0;  // the storm's children, whatever their status
  std::uint64_t records = 0;      // read from the ring
  std::uint64_t dropped = 0;      // the ring had no room
};

// The default configuration's tracer, with records or without, over one
// storm of `arguments` spawnees; the ring is read every 10 ms meanwhile.
ExitCost exit_cost(Bench& bench, bool records, const std::vector<std::string>& arguments) {
  Config config;
  config.records.enabled = records;
  const Programs before = loaded_programs();
  Result<std::unique_ptr<Tracer>> tracer =
      Tracer::load(tracer_options(config, "/sys/kernel/btf/vmlinux"));
  if (!tracer) throw std::runtime_error(tracer.error().message);
  Result<std::unique_ptr<ExitRecordRing>> ring = ExitRecordRing::open(**tracer);
  if (!ring) throw std::runtime_error(ring.error().message);
  // What the daemon tells the kernel side at start: the crash signals.
  set_record_knobs((*tracer)->globals(), crash_signal_bits(config.records.signals),
                   EXECMOND_CANDIDATES_NONE);
  const Programs mine = added_since(before, loaded_programs());
  const Programs at_start = loaded_programs();
  ExitCost out;
  std::atomic<bool> storming{true};
  std::thread reader([&] {
    const ExitRecordRing::Sink count = [&](const execmond_exit_record&) { ++out.records; };
    while (storming.load()) {
      (void)(*ring)->consume(count);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    (void)(*ring)->consume(count);
  });
  StormOptions storm =
      bench.storm_of({bench.spawnee_as("rcb-spawnee")}, "rcb-storm", bench.pick(5, 2));
  storm.arguments = arguments;
  const StormResult result = run_storm(storm);
  storming = false;
  reader.join();
  out.storm_exits = result.spawned + result.failed;
  Programs gained = difference(at_start, loaded_programs());
  for (const auto& [id, info] : mine) {
    if (info.name.ends_with("exit")) out.exit_ns = gained[id].ns_per_run();
  }
  if (Result<ExitRecordDrops> drops = (*ring)->drops(); drops) {
    for (std::uint64_t n : *drops) out.dropped += n;
  }
  return out;
}

}  // namespace

void records_cost_rows(Bench& bench) {
  RunTimeStats stats;
  const int rounds = static_cast<int>(bench.pick(5, 1));
  std::vector<double> ordinary_off;
  std::vector<double> ordinary_on;
  std::vector<double> crash_off;
  std::vector<double> crash_on;
  std::uint64_t crashes = 0;
  std::uint64_t accounted = 0;  // records and drops
  std::uint64_t dropped = 0;
  // Rounds alternate the contenders, so that a host that gets busier or
  // quieter over the run moves them all; each figure is a median.
  for (int r = 0; r < rounds; ++r) {
    ordinary_off.push_back(exit_cost(bench, false, {}).exit_ns);
    ordinary_on.push_back(exit_cost(bench, true, {}).exit_ns);
    crash_off.push_back(exit_cost(bench, false, {"segv"}).exit_ns);
    const ExitCost on = exit_cost(bench, true, {"segv"});
    crash_on.push_back(on.exit_ns);
    // Other crashes on the host are recorded too: at least the storm's.
    crashes += on.storm_exits;
    accounted += on.records + on.dropped;
    dropped += on.dropped;
  }
  std::printf("  exit ns by round: ordinary off %s, on %s; crash off %s, on %s\n",
              joined(ordinary_off, 0).c_str(), joined(ordinary_on, 0).c_str(),
              joined(crash_off, 0).c_str(), joined(crash_on, 0).c_str());
  const double ratio = median(ordinary_on) / median(ordinary_off);
  bench.report().add(
      Row{"exit handler on ordinary exits with exit records on ÷ off (default configuration, "
          "median of " +
              std::to_string(rounds) + ")",
          "≤ 1.05",
          fixed(ratio, 2) + " (" + fixed(median(ordinary_on), 0) + " ns against " +
              fixed(median(ordinary_off), 0) + " ns)",
          "—", verdict(ratio <= 1.05)});
  bench.report().add(Row{
      "exit handler on crashes (SIGSEGV) with a record each: command line and executable read "
      "at the exit, a ring write",
      "—",
      fixed(median(crash_on), 0) + " ns; without records " + fixed(median(crash_off), 0) + " ns; " +
          std::to_string(accounted) + " records and drops for " + std::to_string(crashes) +
          " crashes of the storm (" + std::to_string(dropped) + " dropped)",
      "—", verdict(accounted >= crashes)});
  bench.report().note("exit ns by round, ordinary: off " + joined(ordinary_off, 0) + ", on " +
                      joined(ordinary_on, 0) + "; crashes: off " + joined(crash_off, 0) + ", on " +
                      joined(crash_on, 0));
}

}  // namespace execmond::bench
