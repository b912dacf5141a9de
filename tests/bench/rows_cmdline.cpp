// The exec handler's kernel cost with command lines captured (and parents
// recorded), beside execsnoop's, which reads each exec's arguments too: at
// the execve() system call, from the caller's argv, one probe read per
// argument. execmond reads the new program's argument area in one probe
// read, hashes it and looks its id up; the storm's spawnee runs one command
// line over and over, so this is the common case of an id already sent.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.h"
#include "bpf_programs.h"
#include "kernel/tracer.h"
#include "peers.h"

namespace execmond::bench {

namespace {

using test::added_since;
using test::difference;
using test::loaded_programs;
using test::ProgramInfo;
using test::Programs;
using test::RunTimeStats;

struct ExecCost {
  double exec_ns = 0;  // per exec, over all of the tracer's exec programs
  double fork_ns = 0;  // per fork; 0 when it has none
};

// What the programs `attach` loaded gained over one storm, per exec. With
// `by_name`, the program whose name ends in "exec" (execmond's other
// handlers are not the exec's); else every program runs at each exec
// (execsnoop's, at the enter and the exit of execve()).
template <typename Attach>
ExecCost cost_over_storm(Bench& bench, const Attach& attach, bool by_name) {
  const Programs before = loaded_programs();
  auto attached = attach();
  const Programs mine = added_since(before, loaded_programs());
  const Programs at_start = loaded_programs();
  run_storm(bench.storm_of({bench.spawnee_as("cmb-spawnee")}, "cmb-storm", bench.pick(5, 2)));
  Programs gained = difference(at_start, loaded_programs());
  attached.reset();
  double exec_time = 0;
  double execs = 0;
  ExecCost out;
  for (const auto& [id, info] : mine) {
    const ProgramInfo& g = gained[id];
    const std::string& n = info.name;
    if (by_name && n.ends_with("fork")) out.fork_ns = g.ns_per_run();
    if (!by_name || n.ends_with("exec")) {
      exec_time += static_cast<double>(g.run_time_ns);
      // Each program runs once per exec: count the runs of one of them.
      if (execs == 0) execs = static_cast<double>(g.run_count);
    }
  }
  out.exec_ns = execs > 0 ? exec_time / execs : 0;
  return out;
}

// execmond's tracer in this process, with the knobs as given.
auto tracer_with(bool capture, bool parent) {
  return [capture, parent] {
    TracerOptions options;
    options.capture_cmdline = capture;
    options.record_parent = parent;
    Result<std::unique_ptr<Tracer>> loaded = Tracer::load(options);
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return std::move(*loaded);
  };
}

}  // namespace

void cmdline_cost_rows(Bench& bench) {
  RunTimeStats stats;
  const auto execsnoop = locate(execsnoop_tool());
  const int rounds = static_cast<int>(bench.pick(5, 1));
  std::vector<double> off;
  std::vector<double> on;
  std::vector<double> fork_off;
  std::vector<double> fork_on;
  std::vector<double> parent_only;
  std::vector<double> theirs;
  // Rounds alternate the contenders, so that a host that gets busier or
  // quieter over the run moves them all; each figure is a median.
  for (int r = 0; r < rounds; ++r) {
    const ExecCost without = cost_over_storm(bench, tracer_with(false, false), true);
    const ExecCost with = cost_over_storm(bench, tracer_with(true, true), true);
    parent_only.push_back(cost_over_storm(bench, tracer_with(false, true), true).exec_ns);
    off.push_back(without.exec_ns);
    on.push_back(with.exec_ns);
    fork_off.push_back(without.fork_ns);
    fork_on.push_back(with.fork_ns);
    if (execsnoop) {
      theirs.push_back(cost_over_storm(
                           bench,
                           [&] {
                             Programs before = loaded_programs();
                             auto child = std::make_unique<ChildProcess>(
                                 *execsnoop, std::vector<std::string>{},
                                 bench.dir() + "/execsnoop-cmdline.log");
                             if (!test::await_programs(before, 2, 60000)) {
                               throw std::runtime_error("execsnoop did not load its BPF programs");
                             }
                             return child;
                           },
                           false)
                           .exec_ns);
    }
  }
  std::printf("  exec ns by round, off: %s; on: %s; execsnoop: %s\n", joined(off, 0).c_str(),
              joined(on, 0).c_str(), joined(theirs, 0).c_str());
  Row row{
      "exec handler with command lines captured and parents recorded (BPF run_time_ns ÷ "
      "run_cnt, median of " +
          std::to_string(rounds) + ")",
      "≤ 1 × execsnoop (which reads argv too)",
      fixed(median(on), 0) + " ns; parents only " + fixed(median(parent_only), 0) + " ns; off " +
          fixed(median(off), 0) + " ns; fork " + fixed(median(fork_on), 0) + " ns, off " +
          fixed(median(fork_off), 0) + " ns",
      "—", Verdict::kNotMeasured};
  if (!theirs.empty()) {
    const double ratio = median(on) / median(theirs);
    row.measured += " (" + fixed(ratio, 2) + " ×)";
    row.reference = "execsnoop " + fixed(median(theirs), 0) + " ns";
    row.verdict = verdict(ratio <= 1);
  }
  bench.report().add(row);
  bench.report().note("exec ns by round with command lines: " + joined(on, 0) +
                      "; parents only: " + joined(parent_only, 0) + "; without: " + joined(off, 0) +
                      "; execsnoop: " + joined(theirs, 0));
}

}  // namespace execmond::bench
