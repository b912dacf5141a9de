// What every benchmark row shares: options, a scratch directory, the report,
// and the means to run execmond and the storm the way each row needs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon_process.h"
#include "exposition.h"
#include "report.h"
#include "spawn_storm.h"

namespace execmond::bench {

struct BenchOptions {
  bool quick = false;             // short runs: a smoke test that every row works
  bool check = false;             // exit 1 unless the accuracy rows are exact
  std::string out;                // the results file (docs/benchmarks.md); "" prints only
  std::string daemon;             // the execmond binary
  std::string spawnee;            // the program the storm starts
  std::string config;             // execmond's default configuration file
  std::vector<std::string> rows;  // only these rows; empty: all but the soak
  double soak_minutes = 10;       // the soak row's length
  std::string command;            // how the benchmark was invoked, for the report
};

class Bench {
 public:
  explicit Bench(BenchOptions options);
  ~Bench();
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  const BenchOptions& options() const { return options_; }
  bool quick() const { return options_.quick; }
  // `full` in a full run, `quick` in a quick one.
  double pick(double full, double quick) const { return options_.quick ? quick : full; }
  const std::string& dir() const { return dir_; }
  Report& report() { return report_; }

  // The spawnee under another file name, hence another comm (≤ 15 bytes).
  std::string spawnee_as(const std::string& comm);
  // A storm of one program: as many workers as CPUs.
  StormOptions storm_of(const std::vector<std::string>& programs, const std::string& storm_comm,
                        double seconds, std::uint64_t count = 0) const;

  // execmond with the default configuration, or `yaml` instead, on
  // 127.0.0.1:0, READY=1 received.
  std::unique_ptr<test::DaemonProcess> start_execmond(const std::vector<std::string>& extra = {},
                                                      const std::optional<std::string>& yaml = {});
  // The default configuration with one line replaced; throws when the line
  // is not there, so that a changed default cannot pass unnoticed.
  std::string default_config_with(const std::string& line, const std::string& replacement) const;
  test::Exposition scrape(std::uint16_t port) const;
  // Scrapes until the value of (name, labels) is within `tolerance` of
  // `expected` or has not changed over `patience_s` seconds (three drains by
  // default); returns the last exposition.
  test::Exposition settled(std::uint16_t port, const std::string& name,
                           const test::Exposition::LabelMap& labels, double expected,
                           double tolerance = 0, int patience_s = 3) const;
  // settled() for CPU seconds, which land at each process's reap, an RCU
  // grace period after it: seen to take more than 3 s under load, so up to
  // 30 s, and within 100 µs of wait4()'s figure (its split is within 2 ppm).
  test::Exposition settled_cpu(std::uint16_t port, const test::Exposition::LabelMap& labels,
                               double expected) const {
    return settled(port, "execmond_process_cpu_seconds_total", labels, expected, 1e-4, 30);
  }

  // A check the accuracy rows make; failing ones make --check exit 1.
  void expect(bool ok, const std::string& what);
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  BenchOptions options_;
  std::string dir_;
  Report report_;
  std::vector<std::string> failures_;
  int daemons_started_ = 0;
};

// Rows, each in its own file.
void kernel_cost_rows(Bench& bench);        // rows_kernel.cpp
void spawn_overhead_rows(Bench& bench);     // rows_kernel.cpp
void cmdline_cost_rows(Bench& bench);       // rows_cmdline.cpp: exec with command lines captured
void records_cost_rows(Bench& bench);       // rows_records.cpp: exits with exit records
void full_rate_rows(Bench& bench);          // rows_full_rate.cpp: loss and daemon CPU
void ground_truth_rows(Bench& bench);       // rows_full_rate.cpp
void cpu_truth_rows(Bench& bench);          // rows_full_rate.cpp: CPU against wait4()
void oom_wait_rows(Bench& bench);           // rows_oom_wait.cpp: the exit's wait for an OOM mark
void cpu_teardown_rows(Bench& bench);       // rows_cpu_teardown.cpp: large memory, many threads
void memory_and_scrape_rows(Bench& bench);  // rows_daemon.cpp
void ready_rows(Bench& bench);              // rows_daemon.cpp
void soak_rows(Bench& bench);               // rows_soak.cpp (make soak)
void cgroup_churn_rows(Bench& bench);       // rows_cgroups.cpp
void naming_rows(Bench& bench);             // rows_naming.cpp: distinct command lines at full rate
// The default configuration with command lines read and every family
// labelled by program, script and parent (rows_naming.cpp).
std::string naming_config(const Bench& bench);

}  // namespace execmond::bench
