// The process_* families every official Prometheus client exports about its
// own process, with the Go client's names and HELP texts, so dashboards and
// alerts written for any exporter work on execmond unchanged.
#pragma once

#include <prometheus/metric_family.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace execmond {

// Reads /proc/self afresh on every call. A family whose source cannot be read
// is left out rather than reported as 0; this never throws.
std::vector<prometheus::MetricFamily> collect_self_metrics();

// The /proc/<pid>/stat fields the families need, in the kernel's units.
struct ProcStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t starttime_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;  // signed in the kernel's format
};

// Parses the text of /proc/<pid>/stat; nullopt when malformed. Exposed for
// tests: comm may hold spaces and ')', so fields are counted after the last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

}  // namespace execmond
