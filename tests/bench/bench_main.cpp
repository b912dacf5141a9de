// make bench: measures execmond against its targets beside the tools people
// would otherwise run, prints the table and writes it to docs/benchmarks.md.
//
//   execmond_bench [--quick] [--check] [--out=FILE] [--rows=kernel,spawn,...]
//                  [--readme=README.md] [--readme-only]
//
// --quick shortens every run (a smoke test); --check exits 1 unless the
// accuracy rows (no loss, exact counts) hold. Needs root: it loads BPF.
// --readme rewrites the figures README quotes from what --out then holds;
// with --readme-only nothing is measured, only README rewritten.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench.h"
#include "bench_headline.h"
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
      {"cmdline", execmond::bench::cmdline_cost_rows},
      {"records", execmond::bench::records_cost_rows},
      {"fullrate", execmond::bench::full_rate_rows},
      {"memory", execmond::bench::memory_and_scrape_rows},
      {"ready", execmond::bench::ready_rows},
      {"truth", execmond::bench::ground_truth_rows},
      {"cpu",
       [](execmond::bench::Bench& bench) {
         execmond::bench::cpu_truth_rows(bench);
         execmond::bench::cpu_teardown_rows(bench);
       }},
      {"oomwait", execmond::bench::oom_wait_rows},
      {"cgroups", execmond::bench::cgroup_churn_rows},
      {"naming", execmond::bench::naming_rows},
      {"soak", execmond::bench::soak_rows, false},
  };
  return sets;
}

bool take(const std::string& arg, const std::string& flag, std::string& value) {
  if (arg.rfind(flag + "=", 0) != 0) return false;
  value = arg.substr(flag.size() + 1);
  return true;
}

// README's bench:headline block made again from the results in `results_path`.
bool rewrite_readme(const std::string& results_path, const std::string& readme_path) {
  std::stringstream results;
  std::stringstream readme;
  results << std::ifstream(results_path).rdbuf();
  readme << std::ifstream(readme_path).rdbuf();
  execmond::Result<std::string> headline = execmond::test::readme_headline(results.str());
  execmond::Result<std::string> rewritten =
      headline ? execmond::test::with_readme_headline(readme.str(), *headline) : headline.error();
  if (!rewritten) {
    std::cerr << "execmond_bench: " << readme_path
              << " not rewritten: " << rewritten.error().message << "\n";
    return false;
  }
  std::ofstream out(readme_path);
  out << *rewritten;
  if (!out) {
    std::cerr << "execmond_bench: cannot write " << readme_path << "\n";
    return false;
  }
  std::printf("figures in %s rewritten from %s\n", readme_path.c_str(), results_path.c_str());
  return true;
}

int usage(const std::string& bad) {
  std::fprintf(stderr,
               "execmond_bench: unknown argument %s\n"
               "usage: execmond_bench [--quick] [--check] [--out=FILE] [--rows=LIST]\n"
               "       [--daemon=PATH] [--spawnee=PATH] [--config=PATH] [--command=TEXT]\n"
               "       [--soak-minutes=N] [--readme=FILE] [--readme-only]\n"
               "rows: kernel, spawn, cmdline, records, fullrate, memory, ready, truth, cpu, "
               "oomwait, cgroups;\n"
               "      soak only when named\n",
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
  std::string readme;
  bool readme_only = false;
  std::ostringstream invoked;
  for (int i = 0; i < argc; ++i) invoked << (i != 0 ? " " : "") << argv[i];
  o.command = invoked.str();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--check") {
      o.check = true;
    } else if (a == "--readme-only") {
      readme_only = true;
    } else if (!take(a, "--out", o.out) && !take(a, "--rows", rows) &&
               !take(a, "--readme", readme) && !take(a, "--daemon", o.daemon) &&
               !take(a, "--spawnee", o.spawnee) && !take(a, "--config", o.config) &&
               !take(a, "--command", o.command) && !take(a, "--soak-minutes", soak_minutes)) {
      return usage(a);
    }
  }
  if (!soak_minutes.empty()) o.soak_minutes = std::stod(soak_minutes);
  std::set<std::string> wanted;
  std::istringstream list(rows);
  for (std::string r; std::getline(list, r, ',');) wanted.insert(r);
  if (readme_only) {
    if (o.out.empty() || readme.empty()) return usage("--readme-only without --out and --readme");
    return rewrite_readme(o.out, readme) ? 0 : 1;
  }
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
      if (!readme.empty() && !soak_only && !rewrite_readme(o.out, readme)) return 1;
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
