#include "kernel/exit_cost.h"

namespace execmond {

ExitCost& ExitCost::operator+=(const ExitCost& other) {
  cpu_user_ns += other.cpu_user_ns;
  cpu_system_ns += other.cpu_system_ns;
  peak_rss_bytes_sum += other.peak_rss_bytes_sum;
  io_read_bytes += other.io_read_bytes;
  io_write_bytes += other.io_write_bytes;
  minor_faults += other.minor_faults;
  major_faults += other.major_faults;
  voluntary_switches += other.voluntary_switches;
  involuntary_switches += other.involuntary_switches;
  for (std::size_t i = 0; i < peak_rss_buckets.size(); ++i) {
    peak_rss_buckets[i] += other.peak_rss_buckets[i];
  }
  return *this;
}

ExitCost exit_cost_of(const execmond_count_cost& kernel) {
  ExitCost cost{kernel.cpu_user_ns,          kernel.cpu_system_ns,
                kernel.peak_rss_bytes_sum,   kernel.io_read_bytes,
                kernel.io_write_bytes,       kernel.minor_faults,
                kernel.major_faults,         kernel.voluntary_switches,
                kernel.involuntary_switches, {}};
  for (std::size_t i = 0; i < cost.peak_rss_buckets.size(); ++i) {
    cost.peak_rss_buckets[i] = kernel.peak_rss_buckets[i];
  }
  return cost;
}

}  // namespace execmond
