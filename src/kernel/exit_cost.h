// What the exits of one key cost (bpf/execmond.h struct execmond_count_cost),
// as the daemon adds it up: plain numbers, no BPF.
#pragma once

#include <array>
#include <cstdint>

#include "execmond.h"

namespace execmond {

struct ExitCost {
  std::uint64_t cpu_user_ns = 0;
  std::uint64_t cpu_system_ns = 0;
  std::uint64_t peak_rss_bytes_sum = 0;
  std::uint64_t io_read_bytes = 0;
  std::uint64_t io_write_bytes = 0;
  std::uint64_t minor_faults = 0;
  std::uint64_t major_faults = 0;
  std::uint64_t voluntary_switches = 0;
  std::uint64_t involuntary_switches = 0;
  // Exits per peak RSS bucket; the one past the configured bounds is +Inf.
  std::array<std::uint64_t, EXECMOND_MAX_RSS_BUCKETS + 1> peak_rss_buckets{};

  ExitCost& operator+=(const ExitCost& other);
  bool operator==(const ExitCost&) const = default;
};

ExitCost exit_cost_of(const execmond_count_cost& kernel);

}  // namespace execmond
