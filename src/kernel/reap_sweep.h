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
#include <functional>
#include <vector>

#include "kernel/counts_table.h"

namespace execmond {

struct ReapSweepResult {
  std::uint64_t waiting = 0;         // entries left waiting for their reap
  std::uint64_t taken = 0;           // entries taken because their free was not seen
  std::vector<CountRecord> records;  // the CPU time of those, as read at their exits
};

// Whether the process (tgid, start time as the kernel's start_boottime) has
// been reaped: /proc/<tgid> is gone, or is another process now.
bool process_reaped(std::uint32_t tgid, std::uint64_t start_boottime_ns);

// CLOCK_BOOTTIME, the clock of bpf_ktime_get_boot_ns().
std::uint64_t boottime_now_ns();

class ReapSweep {
 public:
  using ReapedCheck = std::function<bool(std::uint32_t tgid, std::uint64_t start_boottime_ns)>;

  // How long after its exit an entry whose process is gone is taken: far past
  // an RCU grace period, lazy RCU's 10 s and a loaded host's delays.
  static constexpr std::chrono::seconds kNotSeenAfter{60};

  // `map_fd`: reap_costs; at most `max_entries` keys are walked.
  ReapSweep(int map_fd, std::uint64_t max_entries, ReapedCheck reaped = process_reaped);

  ReapSweepResult sweep(std::uint64_t now_boottime_ns);

 private:
  int map_fd_;
  std::uint64_t max_entries_;
  ReapedCheck reaped_;
};

}  // namespace execmond
