// Exits whose free the tracer never saw (bpf/reap_cost.bpf.h). An exit waits
// in reap_costs until its process is freed, when the kernel side adds what
// the process spent after the exit, its CPU time included. Under heavy load
// a free was seen to reach no attached program at all: the entry would wait
// for good and the CPU time never be counted. So an entry whose process is
// gone long after its exit is taken here: its CPU time as read at the exit
// is added, and what came after (the teardown) is counted as lost. Whoever
// deletes an entry adds it, so the kernel side and the sweep never both do.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "kernel/counts_table.h"

namespace execmond {

struct ReapSweepResult {
  std::uint64_t waiting = 0;         // entries left waiting for their reap
  std::uint64_t taken = 0;           // entries taken because their free was not seen
  std::vector<CountRecord> records;  // the CPU time of those, as read at their exits
};

// CLOCK_BOOTTIME, the clock of bpf_ktime_get_boot_ns().
std::uint64_t boottime_now_ns();

class ReapSweep {
 public:
  // How long after its exit an entry whose process is gone is taken: far past
  // an RCU grace period, lazy RCU's 10 s and a loaded host's delays.
  static constexpr std::chrono::seconds kNotSeenAfter{60};

  // `map_fd`: reap_costs; at most `max_entries` keys are walked. A process
  // is gone when /proc no longer shows it (kernel/process_start.h).
  ReapSweep(int map_fd, std::uint64_t max_entries);

  ReapSweepResult sweep(std::uint64_t now_boottime_ns) const;

 private:
  int map_fd_;
  std::uint64_t max_entries_;
};

}  // namespace execmond
