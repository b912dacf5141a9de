// Kernel cost per event (BPF run statistics) and spawn throughput with each
// tracer attached, execmond beside bpftrace and execsnoop in the same run.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "bench.h"
#include "bpf_programs.h"
#include "peers.h"

namespace execmond::bench {

namespace {

using test::added_since;
using test::await_programs;
using test::difference;
using test::loaded_programs;
using test::ProgramInfo;
using test::Programs;
using test::RunTimeStats;

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

// execmond with the default configuration, or `yaml`.
Starter execmond_starter(Bench& bench, const std::optional<std::string>& yaml = {}) {
  return [&bench, yaml] {
    auto daemon = std::shared_ptr<test::DaemonProcess>(bench.start_execmond({}, yaml));
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

// Per event: the run statistics gained over a storm by the programs that
// `start` loaded, in fork/exec/exit order.
std::vector<ProgramInfo> cost_per_event(Bench& bench, const Starter& start, bool by_name) {
  Programs before = loaded_programs();
  auto attached = start();
  Programs mine = added_since(before, loaded_programs());
  Programs at_start = loaded_programs();
  StormResult storm =
      run_storm(bench.storm_of({bench.spawnee_as("emb-spawnee")}, "emb-storm", bench.pick(5, 2)));
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
  std::printf("  %zu programs: %llu spawns at %.0f/s\n", mine.size(),
              static_cast<unsigned long long>(storm.spawned), storm.rate());
  return out;
}

// Attached ÷ detached throughput: per round, the attached storm over the
// mean of the detached ones just before and after it; medians over rounds.
// Beside it, the tracer's own BPF run time over the attached storms as a
// share of the CPU they spent: what a shared host's noise cannot move.
struct SpawnRatios {
  std::vector<double> ratios;
  double bpf_ns = 0;  // the tracer's programs, over the attached storms
  double cpu_ns = 0;  // the attached storms and their children
  double median_ratio() const { return median(ratios); }
  double bpf_share() const { return cpu_ns > 0 ? bpf_ns / cpu_ns : 0; }
};

SpawnRatios spawn_ratios(Bench& bench, const Starter& start) {
  RunTimeStats stats;
  const int rounds = static_cast<int>(bench.pick(7, 2));
  const double seconds = bench.pick(3, 1);
  StormOptions storm = bench.storm_of({bench.spawnee_as("emb-spawnee")}, "emb-storm", seconds);
  SpawnRatios out;
  double before = run_storm(storm).rate();
  for (int r = 0; r < rounds; ++r) {
    const Programs idle = loaded_programs();
    auto attached = start();
    const Programs at_start = loaded_programs();
    const StormResult with = run_storm(storm);
    for (const auto& [id, gained] : difference(at_start, loaded_programs())) {
      if (idle.count(id) == 0) out.bpf_ns += static_cast<double>(gained.run_time_ns);
    }
    out.cpu_ns +=
        (with.own_cpu_seconds + with.children_user_seconds + with.children_system_seconds) * 1e9;
    attached->stop();
    const double after = run_storm(storm).rate();
    out.ratios.push_back(with.rate() / ((before + after) / 2));
    before = after;
  }
  return out;
}

}  // namespace

void kernel_cost_rows(Bench& bench) {
  RunTimeStats stats;
  auto bpftrace = locate(bpftrace_tool());
  // execmond as configured by default, and with no or every resource
  // accounted at exit: what the exit handler's resources cost.
  const std::string none =
      bench.default_config_with("  resources: [cpu, memory]", "  resources: []");
  const std::string all = bench.default_config_with(
      "  resources: [cpu, memory]", "  resources: [cpu, memory, io, faults, context_switches]");
  // With the exe label: the file's identity at fork, and at exec its
  // exe_paths entry checked against the file's ctime.
  const std::string exe = bench.default_config_with("  default: [comm]", "  default: [comm, exe]");
  // Rounds alternate the contenders, so that a machine that gets busier or
  // quieter over the run moves them all; each figure is a median.
  const int rounds = static_cast<int>(bench.pick(5, 1));
  std::vector<std::vector<double>> ours(3);
  std::vector<std::vector<double>> theirs(3);
  std::vector<std::vector<double>> ratios(3);
  std::vector<double> exit_none;
  std::vector<double> exit_all;
  std::vector<double> fork_exe;
  std::vector<double> exec_exe;
  std::vector<ProgramInfo> last(3);
  for (int r = 0; r < rounds; ++r) {
    last = cost_per_event(bench, execmond_starter(bench), true);
    exit_none.push_back(cost_per_event(bench, execmond_starter(bench, none), true)[2].ns_per_run());
    exit_all.push_back(cost_per_event(bench, execmond_starter(bench, all), true)[2].ns_per_run());
    const std::vector<ProgramInfo> with_exe =
        cost_per_event(bench, execmond_starter(bench, exe), true);
    fork_exe.push_back(with_exe[0].ns_per_run());
    exec_exe.push_back(with_exe[1].ns_per_run());
    std::vector<ProgramInfo> ref(3);
    if (bpftrace) {
      ref = cost_per_event(
          bench, bpf_peer_starter(bench, *bpftrace, {bpftrace_script(bench)}, 3, "bpftrace.log"),
          false);
    }
    for (std::size_t e = 0; e < 3; ++e) {
      ours[e].push_back(last[e].ns_per_run());
      if (ref[e].run_count == 0) continue;
      theirs[e].push_back(ref[e].ns_per_run());
      ratios[e].push_back(last[e].ns_per_run() / ref[e].ns_per_run());
    }
  }
  for (std::size_t e = 0; e < 3; ++e) {
    const double mine = median(ours[e]);
    Row row{std::string("kernel cost per ") + kEvents[e] +
                " (BPF run_time_ns ÷ run_cnt, median of " + std::to_string(rounds) + ")",
            "≤ 0.5 × bpftrace", fixed(mine, 0) + " ns", "—", Verdict::kNotMeasured};
    if (!ratios[e].empty()) {
      const double ratio = median(ratios[e]);
      row.measured += " (" + fixed(ratio, 2) + " ×)";
      row.reference = "bpftrace " + fixed(median(theirs[e]), 0) + " ns";
      row.verdict = verdict(ratio <= 0.5);
    }
    bench.report().add(row);
    std::string per_round;
    for (std::size_t r = 0; r < ours[e].size(); ++r) {
      per_round += (r != 0 ? ", " : "") + fixed(ours[e][r], 0) +
                   (r < theirs[e].size() ? " vs " + fixed(theirs[e][r], 0) : "");
    }
    bench.report().note(std::string(kEvents[e]) + " (" + last[e].name + ", " +
                        std::to_string(last[e].recursion_misses) +
                        " recursion misses), ns by round, execmond vs bpftrace: " + per_round);
  }
  Row resources{
      "exit handler with the default resources (cpu, memory), median of " + std::to_string(rounds),
      "≤ 1 × bpftrace's count() + hist()",
      fixed(median(ours[2]), 0) + " ns; without resources " + fixed(median(exit_none), 0) +
          " ns, with all five " + fixed(median(exit_all), 0) + " ns",
      "—", Verdict::kNotMeasured};
  if (!ratios[2].empty()) {
    const double ratio = median(ratios[2]);
    resources.measured += " (default " + fixed(ratio, 2) + " ×)";
    resources.reference = "bpftrace " + fixed(median(theirs[2]), 0) + " ns";
    resources.verdict = verdict(ratio <= 1);
  }
  bench.report().add(resources);
  bench.report().note("exit ns by round without resources: " + joined(exit_none, 0) +
                      "; with all five: " + joined(exit_all, 0));
  bench.report().add(
      Row{"fork and exec handlers with the exe label (labels.default: [comm, exe]), median of " +
              std::to_string(rounds),
          "—",
          "fork " + fixed(median(fork_exe), 0) + " ns, exec " + fixed(median(exec_exe), 0) +
              " ns; without it " + fixed(median(ours[0]), 0) + " ns, " + fixed(median(ours[1]), 0) +
              " ns",
          "—", Verdict::kNotMeasured});
  bench.report().note("with the exe label, ns by round: fork " + joined(fork_exe, 0) + "; exec " +
                      joined(exec_exe, 0));
}

void spawn_overhead_rows(Bench& bench) {
  auto summary = [&bench](const std::string& who, const SpawnRatios& r) {
    bench.report().note("spawn ratios, " + who + ": " + joined(r.ratios) + "; BPF time " +
                        fixed(r.bpf_share() * 100, 2) + " % of the storms' CPU");
    return fixed(r.median_ratio(), 3) + " (BPF " + fixed(r.bpf_share() * 100, 2) + " % of CPU)";
  };
  const SpawnRatios ours = spawn_ratios(bench, execmond_starter(bench));
  const std::string measured = summary("execmond", ours);
  std::string reference;
  auto add_reference = [&](const std::string& who, const SpawnRatios& r) {
    reference += (reference.empty() ? "" : ", ") + who + " " + summary(who, r);
  };
  if (auto bpftrace = locate(bpftrace_tool())) {
    add_reference("bpftrace",
                  spawn_ratios(bench, bpf_peer_starter(bench, *bpftrace, {bpftrace_script(bench)},
                                                       3, "bpftrace.log")));
  }
  if (auto execsnoop = locate(execsnoop_tool())) {
    add_reference("execsnoop",
                  spawn_ratios(bench, bpf_peer_starter(bench, *execsnoop, {}, 2, "execsnoop.log")));
  }
  bench.report().add({"spawn throughput attached ÷ detached (median of interleaved ratios)",
                      "≥ 0.98", measured, reference.empty() ? "—" : reference,
                      verdict(ours.median_ratio() >= 0.98)});
  const SpawnRatios named = spawn_ratios(bench, execmond_starter(bench, naming_config(bench)));
  bench.report().add(
      {"spawn throughput with naming on (command lines read, program, script and "
       "parent on every family)",
       "≥ 0.98", summary("execmond with naming", named), "—",
       verdict(named.median_ratio() >= 0.98)});
}

}  // namespace execmond::bench
