// make bench: measures execmond against its targets beside the tools people
// would otherwise run, prints the table and writes it to docs/benchmarks.md.
//
//   execmond_bench [--quick] [--check] [--out=FILE] [--rows=kernel,spawn,...]
//
// --quick shortens every run (a smoke test); --check exits 1 unless the
// accuracy rows (no loss, exact counts) hold. Needs root: it loads BPF.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench.h"
#include "host.h"

namespace {

using execmond::bench::Bench;
using execmond::bench::BenchOptions;

struct RowSet {
  const char* name;
  std::function<void(Bench&)> run;
  bool by_default = true;  // run when no --rows is given
};

const std::vector<RowSet>& row_sets() {
  static const std::vector<RowSet> sets{
      {"kernel", execmond::bench::kernel_cost_rows},
      {"spawn", execmond::bench::spawn_overhead_rows},
      {"fullrate", execmond::bench::full_rate_rows},
      {"memory", execmond::bench::memory_and_scrape_rows},
      {"ready", execmond::bench::ready_rows},
      {"truth", execmond::bench::ground_truth_rows},
      {"cpu",
       [](execmond::bench::Bench& bench) {
         execmond::bench::cpu_truth_rows(bench);
         execmond::bench::cpu_teardown_rows(bench);
       }},
      {"soak", execmond::bench::soak_rows, false},
  };
  return sets;
}

bool take(const std::string& arg, const std::string& flag, std::string& value) {
  if (arg.rfind(flag + "=", 0) != 0) return false;
  value = arg.substr(flag.size() + 1);
  return true;
}

int usage(const std::string& bad) {
  std::fprintf(stderr,
               "execmond_bench: unknown argument %s\n"
               "usage: execmond_bench [--quick] [--check] [--out=FILE] [--rows=LIST]\n"
               "       [--daemon=PATH] [--spawnee=PATH] [--config=PATH] [--command=TEXT]\n"
               "       [--soak-minutes=N]\n"
               "rows: kernel, spawn, fullrate, memory, ready, truth; soak only when named\n",
               bad.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions o;
  o.daemon = EXECMOND_DAEMON;
  o.spawnee = EXECMOND_SPAWNEE;
  o.config = std::string(EXECMOND_SOURCE_DIR) + "/config/execmond.yaml";
  std::string rows;
  std::string soak_minutes;
  std::ostringstream invoked;
  for (int i = 0; i < argc; ++i) invoked << (i != 0 ? " " : "") << argv[i];
  o.command = invoked.str();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--check") {
      o.check = true;
    } else if (!take(a, "--out", o.out) && !take(a, "--rows", rows) &&
               !take(a, "--daemon", o.daemon) && !take(a, "--spawnee", o.spawnee) &&
               !take(a, "--config", o.config) && !take(a, "--command", o.command) &&
               !take(a, "--soak-minutes", soak_minutes)) {
      return usage(a);
    }
  }
  if (!soak_minutes.empty()) o.soak_minutes = std::stod(soak_minutes);
  std::set<std::string> wanted;
  std::istringstream list(rows);
  for (std::string r; std::getline(list, r, ',');) wanted.insert(r);
  if (geteuid() != 0) {
    std::fprintf(stderr, "execmond_bench: run as root: it loads BPF programs\n");
    return 2;
  }

  try {
    Bench bench(o);
    const std::string machine = execmond::bench::machine_description();
    std::printf("execmond benchmark on %s%s\n", machine.c_str(), o.quick ? " (quick)" : "");
    for (const RowSet& set : row_sets()) {
      if (wanted.empty() ? !set.by_default : !wanted.contains(set.name)) continue;
      std::printf("== %s\n", set.name);
      std::fflush(stdout);
      set.run(bench);
    }
    std::printf("\n%s", bench.report().markdown().c_str());
    if (!o.out.empty()) {
      const bool soak_only = wanted.size() == 1 && wanted.contains("soak");
      bench.report().write(o.out, soak_only ? "soak" : "results", machine, o.command);
      std::printf("\nwritten to %s\n", o.out.c_str());
    }
    if (o.check && !bench.failures().empty()) {
      std::fprintf(stderr, "execmond_bench: %zu accuracy checks failed\n", bench.failures().size());
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "execmond_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
