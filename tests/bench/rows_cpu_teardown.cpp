// CPU against wait4() where the exit tracepoint cannot see all of it: the
// teardown of a large address space (after the tracepoint since 6.16) and
// threads still running when the process exits. The exit handler counts
// what it can read; the free handler adds the rest when the process is
// reaped (bpf/reap_cost.bpf.h). Beside each row, what both cost in BPF run
// time per run.
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.h"
#include "bpf_programs.h"

namespace execmond::bench {

namespace {

struct Case {
  std::string comm;     // ≤ 15 bytes with the storm's suffix
  std::string what;     // the row's subject
  std::string burn_us;  // CPU the process's first thread burns
  std::string mib;      // memory each process writes
  std::string threads;  // threads, all but one burning when it exits
};

// The run time the program named `suffix` (the kernel keeps 15 characters) gained.
test::ProgramInfo gained_by(const test::Programs& mine, const test::Programs& gained,
                            const std::string& suffix) {
  for (const auto& [id, info] : mine) {
    const std::string& n = info.name;
    if (n.size() >= suffix.size() &&
        n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
      auto it = gained.find(id);
      if (it != gained.end()) return it->second;
    }
  }
  return {};
}

std::string per_run(const test::ProgramInfo& p) {
  return fixed(p.ns_per_run(), 0) + " ns × " + std::to_string(p.run_count);
}

}  // namespace

void cpu_teardown_rows(Bench& bench) {
  const auto processes = static_cast<std::uint64_t>(bench.pick(40, 6));
  std::unique_ptr<test::RunTimeStats> stats;
  try {
    stats = std::make_unique<test::RunTimeStats>();
  } catch (const std::runtime_error& e) {
    std::printf("  no BPF run-time statistics: %s\n", e.what());
  }
  const test::Programs before = test::loaded_programs();
  auto daemon = bench.start_execmond();
  const test::Programs mine = test::added_since(before, test::loaded_programs());
  const std::vector<Case> cases{
      {"emb-m0", "50 ms, no memory", "50000", "0", "1"},
      {"emb-m64", "50 ms, 64 MiB each", "50000", "64", "1"},
      {"emb-m512", "50 ms, 512 MiB each", "50000", "512", "1"},
      // The first thread exits once all have started: 50 ms of its own
      // among 199 others would be 10 s of CPU a process.
      {"emb-t200", "200 threads each, 199 burning at the exit", "0", "0", "200"},
  };
  for (const Case& c : cases) {
    const test::Programs at_start = test::loaded_programs();
    StormOptions options = bench.storm_of({bench.spawnee_as(c.comm)}, c.comm + "-s", 0, processes);
    options.arguments = {c.burn_us, c.mib, c.threads};
    const StormResult r = run_storm(options);
    const test::Programs gained = test::difference(at_start, test::loaded_programs());
    bench.settled(daemon->port(), "execmond_process_exits_total",
                  {{"comm", c.comm}, {"reason", "exited"}, {"code", "0"}},
                  static_cast<double>(processes));
    // The rest of each exit lands an RCU grace period after its reap.
    const test::Exposition m = bench.settled_cpu(
        daemon->port(), {{"comm", c.comm}, {"mode", "system"}}, r.children_system_seconds);
    const double user =
        m.sum("execmond_process_cpu_seconds_total", {{"comm", c.comm}, {"mode", "user"}});
    const double system =
        m.sum("execmond_process_cpu_seconds_total", {{"comm", c.comm}, {"mode", "system"}});
    const double ours = user + system;
    const double truth = r.children_user_seconds + r.children_system_seconds;
    const auto n = static_cast<double>(processes);
    // wait4() reports whole microseconds; the split is within 2 ppm (bpf/cputime.h).
    const bool exact = r.spawned == processes && r.failed == 0 && truth > 0 &&
                       std::abs(ours - truth) <= 2e-6 * n + 2e-6 * truth;
    bench.expect(exact, "CPU of " + c.what + ": execmond " + fixed(ours, 6) + " s, wait4 " +
                            fixed(truth, 6) + " s");
    const test::ProgramInfo exit = gained_by(mine, gained, "exit");
    const test::ProgramInfo free = gained_by(mine, gained, "free");
    bench.report().add(
        {"CPU of " + std::to_string(processes) + " processes, " + c.what,
         "wait4() truth, to the µs",
         fixed(ours, 4) + " s (user " + fixed(user, 4) + ", system " + fixed(system, 4) + "; " +
             fixed((ours - truth) / n * 1e6, 1) + " µs a process)",
         "wait4() " + fixed(truth, 4) + " s (user " + fixed(r.children_user_seconds, 4) +
             ", system " + fixed(r.children_system_seconds, 4) + "); BPF exit " + per_run(exit) +
             ", free " + per_run(free),
         verdict(exact)});
  }
}

}  // namespace execmond::bench
