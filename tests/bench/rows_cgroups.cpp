// What reporting cgroups as they are made and removed costs the kernel: the
// cgroup_mkdir and cgroup_rmdir handlers' BPF run time, and the system CPU
// of mkdir + rmdir with execmond attached over without (with the
// tracepoints enabled, the kernel also writes each cgroup's path for them).
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.h"
#include "bpf_programs.h"
#include "identity/label_resolver.h"

namespace execmond::bench {

namespace {

using test::difference;
using test::loaded_programs;
using test::ProgramInfo;
using test::RunTimeStats;

double system_cpu_ns() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_stime.tv_sec) * 1e9 +
         static_cast<double>(usage.ru_stime.tv_usec) * 1e3;
}

// Makes and removes `count` empty cgroups under `mount`; the system CPU it took, per cgroup.
double churn(const std::string& mount, int count) {
  const std::string base = mount + "/execmond-bench-churn-" + std::to_string(getpid()) + "-";
  const double before = system_cpu_ns();
  for (int i = 0; i < count; ++i) {
    const std::string path = base + std::to_string(i);
    if (mkdir(path.c_str(), 0755) != 0 || rmdir(path.c_str()) != 0) {
      throw std::runtime_error("cannot make and remove the cgroup " + path);
    }
  }
  return (system_cpu_ns() - before) / count;
}

}  // namespace

void cgroup_churn_rows(Bench& bench) {
  RunTimeStats stats;
  const std::string mount = CgroupResolver::find_cgroup2_mount();
  if (mount.empty()) {
    bench.report().note("cgroup churn: no cgroup2 mount, not measured");
    return;
  }
  const int count = static_cast<int>(bench.pick(5000, 500));
  const int rounds = static_cast<int>(bench.pick(5, 1));
  std::vector<double> ratios;
  std::vector<double> mkdir_ns;
  std::vector<double> rmdir_ns;
  for (int r = 0; r < rounds; ++r) {
    const double detached_before = churn(mount, count);
    auto daemon = bench.start_execmond();
    const auto at_start = loaded_programs();
    const double attached = churn(mount, count);
    ProgramInfo made;
    ProgramInfo removed;
    for (const auto& [id, gained] : difference(at_start, loaded_programs())) {
      if (gained.name.find("cgroup_m") != std::string::npos) made = gained;
      if (gained.name.find("cgroup_r") != std::string::npos) removed = gained;
    }
    daemon->stop(SIGTERM);
    const double detached_after = churn(mount, count);
    ratios.push_back(attached / ((detached_before + detached_after) / 2));
    mkdir_ns.push_back(made.ns_per_run());
    rmdir_ns.push_back(removed.ns_per_run());
    std::printf("  %d cgroups: %.0f ns system CPU each attached, %.0f / %.0f detached\n", count,
                attached, detached_before, detached_after);
  }
  bench.report().add(
      {"kernel cost per cgroup mkdir / rmdir (BPF run_time_ns ÷ run_cnt, median of " +
           std::to_string(rounds) + ")",
       "—", fixed(median(mkdir_ns), 0) + " / " + fixed(median(rmdir_ns), 0) + " ns", "—",
       Verdict::kNotMeasured});
  bench.report().add({"cgroup mkdir + rmdir system CPU attached ÷ detached (median of rounds)",
                      "≤ 1.05", fixed(median(ratios), 3), "—", verdict(median(ratios) <= 1.05)});
  std::string per_round;
  for (double v : ratios) per_round += (per_round.empty() ? "" : " ") + fixed(v, 3);
  bench.report().note("cgroup churn ratios by round: " + per_round);
}

}  // namespace execmond::bench
