// What naming costs at full speed: a storm whose every spawn carries a
// distinct argument (a counter, as a job started with an id in its argv),
// with command lines captured and every family labelled by program and
// script. Every spawn counted or counted as lost, and none lost at the
// default table sizes; the daemon's CPU per 1 000 distinct command lines and
// its resident memory.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench.h"
#include "host.h"

namespace execmond::bench {

namespace {

std::string count(double v) { return fixed(v, 0); }

}  // namespace

std::string naming_config(const Bench& bench) {
  std::string yaml =
      bench.default_config_with("  default: [comm]", "  default: [comm, program, script, parent]");
  // A rule with a cmdline selector, so every command line is matched too,
  // in the shipped file's naming section.
  const std::string unmatched = "\n  unmatched: comm\n";
  const std::size_t at = yaml.find(unmatched);
  if (at == std::string::npos)
    throw std::runtime_error("no naming.unmatched line in the default config");
  yaml.replace(at, unmatched.size(),
               "\n  rules:\n"
               "    - name: \"job:{{.Matches.n}}\"\n"
               "      comm: [emb-never]\n"
               "      cmdline: ['(?P<n>[0-9]+)$']\n"
               "  unmatched: comm\n");
  return yaml;
}

void naming_rows(Bench& bench) {
  const std::string yaml = naming_config(bench);
  auto daemon = bench.start_execmond({}, yaml);
  const std::string program = bench.spawnee_as("emb-name");
  const test::Exposition m0 = bench.scrape(daemon->port());
  const double cpu0 = cpu_seconds(daemon->pid());

  StormOptions options = bench.storm_of({program}, "emb-name-st", bench.pick(60, 5));
  options.arguments = {"0", "0", "1"};  // no CPU, no memory, one thread: then the counter
  options.counter_argument = true;
  Storm storm(options);
  for (auto next = std::chrono::steady_clock::now(); !storm.done();) {
    if (std::chrono::steady_clock::now() >= next) {
      bench.scrape(daemon->port());
      next += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const StormResult r = storm.wait();
  const auto spawned = static_cast<double>(r.spawned);
  test::Exposition m1 = bench.settled(daemon->port(), "execmond_process_exits_total",
                                      {{"program", "emb-name"}}, spawned);
  const double cpu = cpu_seconds(daemon->pid()) - cpu0;
  const double rss_mib = static_cast<double>(rss_bytes(daemon->pid())) / (1 << 20);

  const double lost = m1.sum("execmond_events_lost_total") - m0.sum("execmond_events_lost_total");
  const double execs = m1.sum("execmond_process_execs_total", {{"program", "emb-name"}});
  const double exits = m1.sum("execmond_process_exits_total", {{"program", "emb-name"}});
  const double records_lost = m1.sum("execmond_cmdline_records_lost_total");
  bench.expect(r.failed == 0, "every spawn of the naming storm succeeded");
  bench.expect(lost == 0, "no event lost with distinct command lines (lost " + count(lost) + ")");
  bench.expect(execs + lost >= spawned && exits + lost >= spawned,
               "naming storm: execs " + count(execs) + ", exits " + count(exits) + ", lost " +
                   count(lost) + " for " + count(spawned) + " spawns");

  bench.report().add({"events lost, " + fixed(r.seconds, 0) +
                          " s at the maximum spawn rate with a distinct command line each (" +
                          fixed(r.rate(), 0) + "/s), naming on",
                      "0", count(lost) + " (command lines not named: " + count(records_lost) + ")",
                      "—", verdict(lost == 0 && execs == spawned && exits == spawned)});
  const double per_k = cpu * 1000 / spawned * 1000;  // ms per 1 000 distinct command lines
  bench.report().add({"daemon CPU per 1 000 execs with distinct command lines (same run)", "—",
                      fixed(per_k, 2) + " ms (" + fixed(cpu * 1000, 0) + " ms for " +
                          count(spawned) + "); RSS " + fixed(rss_mib, 1) + " MiB after",
                      "—", Verdict::kNotMeasured});
}

}  // namespace execmond::bench
