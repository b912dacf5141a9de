// Kernel cost per event (BPF run statistics) and spawn throughput with each
// tracer attached, execmond beside bpftrace and execsnoop in the same run.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "bench.h"
#include "bpf_programs.h"
#include "peers.h"

namespace execmond::bench {

namespace {

// The reference bpftrace program: a count per comm on each event and a
// lifetime histogram on exit. Probes in this order, so their program ids
// ascend fork, exec, exit.
constexpr const char* kBpftraceScript =
    R"(tracepoint:sched:sched_process_fork { @forks[comm] = count(); }
tracepoint:sched:sched_process_exec { @execs[comm] = count(); }
tracepoint:sched:sched_process_exit {
  @exits[comm] = count();
  @lifetime_ns = hist(nsecs - curtask->start_time);
}
)";

const char* const kEvents[] = {"fork", "exec", "exit"};

// A tracer attached for the duration of a measurement; stopping detaches it.
struct Attached {
  std::function<void()> stop;
};

using Starter = std::function<std::unique_ptr<Attached>()>;

Starter execmond_starter(Bench& bench) {
  return [&bench] {
    auto daemon = std::shared_ptr<test::DaemonProcess>(bench.start_execmond());
    return std::make_unique<Attached>(Attached{[daemon] { daemon->stop(SIGTERM); }});
  };
}

// A peer whose `programs` BPF programs are loaded once it is ready.
Starter bpf_peer_starter(Bench& bench, const std::string& path,
                         const std::vector<std::string>& args, std::size_t programs,
                         const std::string& log_name) {
  return [&bench, path, args, programs, log_name] {
    Programs before = loaded_programs();
    auto child = std::make_shared<ChildProcess>(path, args, bench.dir() + "/" + log_name);
    if (!await_programs(before, programs, 60000)) {
      throw std::runtime_error(path + " did not load its BPF programs; see " + bench.dir() + "/" +
                               log_name);
    }
    return std::make_unique<Attached>(Attached{[child] { child->stop(SIGINT); }});
  };
}

std::string bpftrace_script(Bench& bench) {
  std::string path = bench.dir() + "/reference.bt";
  std::ofstream(path) << kBpftraceScript;
  return path;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Per event: the run statistics gained over a storm by the programs that
// `start` loaded, in fork/exec/exit order.
std::vector<ProgramInfo> cost_per_event(Bench& bench, const Starter& start, bool by_name) {
  Programs before = loaded_programs();
  auto attached = start();
  Programs mine = added_since(before, loaded_programs());
  Programs at_start = loaded_programs();
  StormResult storm =
      run_storm(bench.storm_of({bench.spawnee_as("emb-spawnee")}, "emb-storm", bench.pick(10, 2)));
  Programs gained = difference(at_start, loaded_programs());
  attached->stop();
  std::vector<ProgramInfo> out(3);
  std::size_t next = 0;
  for (const auto& [id, info] : mine) {  // ascending ids
    ProgramInfo g = gained[id];
    for (std::size_t e = 0; e < 3; ++e) {
      const std::string& n = info.name;
      if (by_name ? n.size() >= 4 && n.compare(n.size() - 4, 4, kEvents[e]) == 0 : e == next) {
        out[e] = g;
      }
    }
    ++next;
  }
  bench.report().note("kernel cost storm: " + std::to_string(storm.spawned) + " spawns at " +
                      fixed(storm.rate(), 0) + "/s");
  return out;
}

// Median over rounds of: throughput attached ÷ the mean of the detached
// runs just before and after.
double spawn_ratio(Bench& bench, const Starter& start, std::vector<double>& ratios) {
  const int rounds = static_cast<int>(bench.pick(7, 2));
  const double seconds = bench.pick(3, 1);
  StormOptions storm = bench.storm_of({bench.spawnee_as("emb-spawnee")}, "emb-storm", seconds);
  double before = run_storm(storm).rate();
  for (int r = 0; r < rounds; ++r) {
    auto attached = start();
    const double with = run_storm(storm).rate();
    attached->stop();
    const double after = run_storm(storm).rate();
    ratios.push_back(with / ((before + after) / 2));
    before = after;
  }
  return median(ratios);
}

std::string ratios_text(const std::vector<double>& ratios) {
  std::string s;
  for (double r : ratios) s += (s.empty() ? "" : " ") + fixed(r, 3);
  return s;
}

}  // namespace

void kernel_cost_rows(Bench& bench) {
  RunTimeStats stats;
  std::vector<ProgramInfo> ours = cost_per_event(bench, execmond_starter(bench), true);
  std::vector<ProgramInfo> theirs(3);
  auto bpftrace = locate(bpftrace_tool());
  if (bpftrace) {
    theirs = cost_per_event(
        bench, bpf_peer_starter(bench, *bpftrace, {bpftrace_script(bench)}, 3, "bpftrace.log"),
        false);
  }
  for (std::size_t e = 0; e < 3; ++e) {
    const double mine = ours[e].ns_per_run();
    const double ref = theirs[e].ns_per_run();
    Row row{std::string("kernel cost per ") + kEvents[e] + " (BPF run_time_ns ÷ run_cnt)",
            "≤ 0.5 × bpftrace", fixed(mine, 0) + " ns", "—", Verdict::kNotMeasured};
    if (ref > 0) {
      row.measured += " (" + fixed(mine / ref, 2) + " ×)";
      row.reference = "bpftrace " + fixed(ref, 0) + " ns";
      row.verdict = verdict(mine <= 0.5 * ref);
    }
    bench.report().add(row);
    bench.report().note(
        std::string(kEvents[e]) + ": execmond " + ours[e].name + " " +
        std::to_string(ours[e].run_count) + " runs, " + std::to_string(ours[e].recursion_misses) +
        " recursion misses" +
        (ref > 0 ? "; bpftrace " + std::to_string(theirs[e].run_count) + " runs" : ""));
  }
}

void spawn_overhead_rows(Bench& bench) {
  std::vector<double> ours;
  const double mine = spawn_ratio(bench, execmond_starter(bench), ours);
  bench.report().note("spawn ratios, execmond: " + ratios_text(ours));
  std::string reference;
  if (auto bpftrace = locate(bpftrace_tool())) {
    std::vector<double> r;
    const double m = spawn_ratio(
        bench, bpf_peer_starter(bench, *bpftrace, {bpftrace_script(bench)}, 3, "bpftrace.log"), r);
    reference += "bpftrace " + fixed(m, 3);
    bench.report().note("spawn ratios, bpftrace: " + ratios_text(r));
  }
  if (auto execsnoop = locate(execsnoop_tool())) {
    std::vector<double> r;
    const double m =
        spawn_ratio(bench, bpf_peer_starter(bench, *execsnoop, {}, 2, "execsnoop.log"), r);
    reference += std::string(reference.empty() ? "" : ", ") + "execsnoop " + fixed(m, 3);
    bench.report().note("spawn ratios, execsnoop: " + ratios_text(r));
  }
  bench.report().add({"spawn throughput attached ÷ detached (median of interleaved ratios)",
                      "≥ 0.98", fixed(mine, 3), reference.empty() ? "—" : reference,
                      verdict(mine >= 0.98)});
}

}  // namespace execmond::bench
