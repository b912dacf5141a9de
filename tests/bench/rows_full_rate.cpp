// Accuracy at full speed: a minute at the machine's maximum spawn rate with
// the default configuration (events lost, daemon CPU beside
// process-exporter's); 5 000 short-lived processes counted against what
// process-exporter and node_exporter report; and the CPU of short-lived
// processes against wait4() and process-exporter.
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "bench.h"
#include "host.h"
#include "http_client.h"
#include "peers.h"
#include "shell.h"

namespace execmond::bench {

namespace {

// A Prometheus exporter peer on a free loopback port.
struct Exporter {
  std::unique_ptr<ChildProcess> process;
  std::uint16_t port = 0;

  std::optional<test::Exposition> scrape() const {
    try {
      test::HttpResponse r = test::http_get(port, "/metrics", {}, 10000);
      if (r.status == 200) return test::Exposition::parse(r.body);
    } catch (const std::exception& e) {
      std::printf("  scrape of port %u failed: %s\n", port, e.what());
    }
    return std::nullopt;
  }
};

// Groups processes by command name, as a process-exporter user would.
std::optional<Exporter> start_process_exporter(Bench& bench) {
  auto path = locate(process_exporter_tool());
  if (!path) return std::nullopt;
  const std::string config = bench.dir() + "/process-exporter.yaml";
  std::ofstream(config) << "process_names:\n  - name: \"{{.Comm}}\"\n    cmdline: ['.+']\n";
  Exporter e;
  e.port = free_port();
  e.process = std::make_unique<ChildProcess>(
      *path,
      std::vector<std::string>{"-config.path", config, "-web.listen-address",
                               "127.0.0.1:" + std::to_string(e.port)},
      bench.dir() + "/process-exporter.log");
  if (!await_http(e.port, 20000)) throw std::runtime_error("process-exporter did not start");
  return e;
}

std::optional<Exporter> start_node_exporter(Bench& bench) {
  auto path = locate(node_exporter_tool());
  if (!path) return std::nullopt;
  Exporter e;
  e.port = free_port();
  e.process = std::make_unique<ChildProcess>(
      *path,
      std::vector<std::string>{"--web.listen-address=127.0.0.1:" + std::to_string(e.port),
                               "--collector.disable-defaults", "--collector.stat"},
      bench.dir() + "/node-exporter.log");
  if (!await_http(e.port, 20000)) throw std::runtime_error("node_exporter did not start");
  return e;
}

double events_of(const test::Exposition& m) {
  return m.sum("execmond_process_execs_total") + m.sum("execmond_process_forks_total") +
         m.sum("execmond_process_exits_total");
}

std::string count(double v) { return fixed(v, 0); }

}  // namespace

void full_rate_rows(Bench& bench) {
  auto daemon = bench.start_execmond();
  std::optional<Exporter> peer = start_process_exporter(bench);
  const std::string program = bench.spawnee_as("emb-full");
  const test::Exposition m0 = bench.scrape(daemon->port());
  const double cpu0 = cpu_seconds(daemon->pid());
  const double peer_cpu0 = peer ? cpu_seconds(peer->process->pid()) : 0;

  const StormOptions options = bench.storm_of({program}, "emb-full-st", bench.pick(60, 5));
  Storm storm(options);
  // Both exporters are scraped every 5 s meanwhile, as Prometheus would.
  for (auto next = std::chrono::steady_clock::now(); !storm.done();) {
    if (std::chrono::steady_clock::now() >= next) {
      bench.scrape(daemon->port());
      if (peer) peer->scrape();
      next += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const StormResult r = storm.wait();
  const auto spawned = static_cast<double>(r.spawned);
  test::Exposition m1 = bench.settled(daemon->port(), "execmond_process_execs_total",
                                      {{"comm", "emb-full"}}, spawned);
  const double cpu = cpu_seconds(daemon->pid()) - cpu0;
  const double peer_cpu = peer ? cpu_seconds(peer->process->pid()) - peer_cpu0 : 0;

  const double events = events_of(m1) - events_of(m0);
  const double lost = m1.sum("execmond_events_lost_total") - m0.sum("execmond_events_lost_total");
  const double execs = m1.sum("execmond_process_execs_total", {{"comm", "emb-full"}});
  const double exits = m1.sum("execmond_process_exits_total",
                              {{"comm", "emb-full"}, {"reason", "exited"}, {"code", "0"}});
  const double forks = m1.sum("execmond_process_forks_total", {{"comm", "emb-full-st"}});
  bench.expect(r.failed == 0, "every spawn of the full-rate storm succeeded");
  bench.expect(lost == 0, "no event lost at full rate (lost " + count(lost) + ")");
  bench.expect(execs == spawned && exits == spawned && forks == spawned,
               "full rate: execs " + count(execs) + ", exits " + count(exits) + ", forks " +
                   count(forks) + " for " + count(spawned) + " spawns");

  bench.report().add({"events lost, " + fixed(r.seconds, 0) + " s at the maximum spawn rate (" +
                          fixed(r.rate(), 0) + "/s), default config",
                      "0", count(lost) + " of " + count(events) + " events", "—",
                      verdict(lost == 0 && execs == spawned)});
  const double per_k = cpu * 1000 / events * 1000;  // ms per 1 000 events
  std::string reference = "—";
  if (peer) {
    reference = "process-exporter " + fixed(peer_cpu * 1000, 0) + " ms in the same " +
                fixed(r.seconds, 0) + " s (" + fixed(peer_cpu * 1000 / events * 1000, 2) +
                " ms per 1 000 events; sees none of them)";
  }
  bench.report().add(
      {"daemon CPU per 1 000 events (same run)", "≤ 2 ms",
       fixed(per_k, 3) + " ms (" + fixed(cpu * 1000, 0) + " ms for " + count(events) + " events)",
       reference, verdict(per_k <= 2)});
  bench.report().note("full-rate storm: " + count(spawned) + " spawns by " +
                      std::to_string(options.workers) + " workers; execmond counted execs " +
                      count(execs) + ", exits " + count(exits) + ", forks " + count(forks));
}

void ground_truth_rows(Bench& bench) {
  constexpr std::uint64_t kProcesses = 5000;
  const auto expected = static_cast<double>(kProcesses);
  auto daemon = bench.start_execmond();
  std::optional<Exporter> pe = start_process_exporter(bench);
  std::optional<Exporter> ne = start_node_exporter(bench);
  auto node_forks = [&]() -> std::optional<double> {
    if (!ne) return std::nullopt;
    auto m = ne->scrape();
    return m ? m->find("node_forks_total") : std::nullopt;
  };
  const std::optional<double> forks0 = node_forks();

  Storm storm(bench.storm_of({bench.spawnee_as("emb-truth")}, "emb-truth-st", 0, kProcesses));
  double pe_seen = 0;  // most emb-truth processes process-exporter saw alive at once
  while (!storm.done()) {
    if (pe) {
      if (auto m = pe->scrape()) {
        pe_seen = std::max(
            pe_seen,
            m->find("namedprocess_namegroup_num_procs", {{"groupname", "emb-truth"}}).value_or(0));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const StormResult r = storm.wait();
  const std::optional<double> forks1 = node_forks();
  const test::Exposition::LabelMap exited{
      {"comm", "emb-truth"}, {"reason", "exited"}, {"code", "0"}};
  test::Exposition m =
      bench.settled(daemon->port(), "execmond_process_exits_total", exited, expected);
  const double execs = m.sum("execmond_process_execs_total", {{"comm", "emb-truth"}});
  const double exits = m.sum("execmond_process_exits_total", {{"comm", "emb-truth"}});
  const double forks = m.sum("execmond_process_forks_total", {{"comm", "emb-truth-st"}});
  const double lifetimes =
      m.find("execmond_process_lifetime_seconds_count", {{"comm", "emb-truth"}}).value_or(0);
  const double alive = m.find("execmond_processes", {{"comm", "emb-truth"}}).value_or(-1);
  const bool exact = r.spawned == kProcesses && r.failed == 0 && execs == expected &&
                     exits == expected &&
                     m.value("execmond_process_exits_total", exited) == expected &&
                     forks == expected && lifetimes == expected && alive == 0;
  bench.expect(exact, "5 000 processes: execs " + count(execs) + ", exits " + count(exits) +
                          ", forks " + count(forks) + ", lifetimes " + count(lifetimes) +
                          ", alive " + count(alive));

  std::string reference;
  if (pe) reference = "process-exporter saw at most " + count(pe_seen) + " alive, counts no starts";
  if (forks0 && forks1) {
    reference += std::string(reference.empty() ? "" : "; ") + "node_forks_total +" +
                 count(*forks1 - *forks0) + " (every fork and thread on the host)";
  }
  bench.report().add({"ground truth vs reported, 5 000 short-lived processes", "exact",
                      "execs " + count(execs) + ", exits " + count(exits) + ", forks " +
                          count(forks) + ", lifetimes " + count(lifetimes) + ", alive " +
                          count(alive),
                      reference.empty() ? "—" : reference, verdict(exact)});
}

void cpu_truth_rows(Bench& bench) {
  // Each process burns 5 ms: a cron job's or build step's worth, far
  // shorter than any scrape interval.
  const auto processes = static_cast<std::uint64_t>(bench.pick(2000, 200));
  constexpr const char* kBurnMicroseconds = "5000";
  auto daemon = bench.start_execmond();
  std::optional<Exporter> pe = start_process_exporter(bench);
  const test::Exposition::LabelMap comm{{"comm", "emb-cpu"}};
  auto pe_cpu = [](const test::Exposition& m) {
    return m.sum("namedprocess_namegroup_cpu_seconds_total", {{"groupname", "emb-cpu"}});
  };
  double pe0 = 0;
  if (pe) {
    if (auto m = pe->scrape()) pe0 = pe_cpu(*m);
  }

  StormOptions options = bench.storm_of({bench.spawnee_as("emb-cpu")}, "emb-cpu-st", 0, processes);
  options.arguments = {kBurnMicroseconds};
  Storm storm(options);
  // process-exporter reads /proc when scraped; every 100 ms is kinder to it
  // than any Prometheus would be.
  double pe_last = pe0;
  while (!storm.done()) {
    if (pe) {
      if (auto m = pe->scrape()) pe_last = pe_cpu(*m);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const StormResult r = storm.wait();
  if (pe) {
    if (auto m = pe->scrape()) pe_last = pe_cpu(*m);
  }
  const double truth = r.children_user_seconds + r.children_system_seconds;
  bench.settled(daemon->port(), "execmond_process_exits_total",
                {{"comm", "emb-cpu"}, {"reason", "exited"}, {"code", "0"}},
                static_cast<double>(processes));
  // The CPU time lands when each process is reaped (bpf/reap_cost.bpf.h).
  const test::Exposition m = bench.settled_cpu(
      daemon->port(), {{"comm", "emb-cpu"}, {"mode", "user"}}, r.children_user_seconds);
  const double user =
      m.sum("execmond_process_cpu_seconds_total", {{"comm", "emb-cpu"}, {"mode", "user"}});
  const double system =
      m.sum("execmond_process_cpu_seconds_total", {{"comm", "emb-cpu"}, {"mode", "system"}});
  const double ours = user + system;
  // The exiting thread's last slice is not yet in sum_exec_runtime when
  // the exit tracepoint runs: execmond may be short by up to a tick a
  // process, never over (README's metric table says so).
  const double tick = test::scheduler_tick_seconds();
  const auto n = static_cast<double>(processes);
  const double gap_us = (truth - ours) / n * 1e6;
  const bool close = r.spawned == processes && r.failed == 0 && truth > 0 &&
                     ours <= truth * 1.001 && truth - ours <= std::max(0.01 * truth, tick * n);
  bench.expect(close, "CPU of " + count(n) + " short-lived processes: execmond " + fixed(ours, 3) +
                          " s, wait4 " + fixed(truth, 3) + " s");
  std::string reference = "wait4() " + fixed(truth, 3) + " s (user " +
                          fixed(r.children_user_seconds, 3) + ", system " +
                          fixed(r.children_system_seconds, 3) + ")";
  if (pe) {
    const double seen = pe_last - pe0;
    reference += "; process-exporter " + fixed(seen, 3) + " s (" + fixed(seen / truth, 2) + " ×)";
  }
  bench.report().add(
      {"CPU of " + count(n) + " processes of 5 ms each (user + system)",
       "wait4() truth, short by < 1 tick (" + fixed(tick * 1000, 0) + " ms) a process",
       fixed(ours, 3) + " s (" + fixed(ours / truth, 3) + " ×, " + fixed(gap_us, 0) +
           " µs a process short; user " + fixed(user, 3) + ", system " + fixed(system, 3) + ")",
       reference, verdict(close)});
}

}  // namespace execmond::bench
