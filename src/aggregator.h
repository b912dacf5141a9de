// Turns drained kernel records into cumulative, labelled totals: the pure
// middle of the pipeline (no BPF, no I/O), unit-tested on its own.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "drainer.h"
#include "execmond.h"

namespace execmond {

// How a process ended, as the labels of execmond_process_exits_total.
struct ExitOutcome {
  std::string reason;  // exited | signaled | dumped
  std::string code;    // "0".."255" or a signal name such as "SIGKILL"
  bool operator==(const ExitOutcome&) const = default;
};

// Decodes a wait status the way WIFEXITED/WTERMSIG/WCOREDUMP do.
ExitOutcome decode_wait_status(std::uint32_t status);
// "SIGKILL", "SIGRTMIN+3", or "SIG<n>" for numbers the C library cannot name.
std::string signal_name(int signal);

struct ExitKey {
  std::string comm;
  std::string reason;
  std::string code;
  auto operator<=>(const ExitKey&) const = default;  // NOLINT(modernize-use-nullptr): tidy bug
};

struct LifetimeHistogram {
  std::vector<std::uint64_t> bucket_counts;  // per bucket, not cumulative; last is +Inf
  std::uint64_t count = 0;
  double sum_seconds = 0;
};

struct Totals {
  std::map<std::string, std::uint64_t> execs;
  std::map<std::string, std::uint64_t> forks;
  std::map<ExitKey, std::uint64_t> exits;
  std::map<std::string, LifetimeHistogram> lifetimes;
  std::map<std::string, std::uint64_t> live;
};

class Aggregator {
 public:
  explicit Aggregator(std::vector<double> lifetime_bounds_seconds);

  // Adds one drain's records to the cumulative counters.
  void add(const std::vector<CountRecord>& records);
  // Replaces the live gauge with the drain's view of the procs map.
  void set_live(std::map<std::string, std::uint64_t> live);

  const Totals& totals() const { return totals_; }
  const std::vector<double>& lifetime_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  Totals totals_;
};

}  // namespace execmond
