#include "metrics/self_metrics.h"

#include <dirent.h>
#include <prometheus/client_metric.h>
#include <prometheus/metric_type.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "util/small_file.h"

namespace execmond {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Field numbers as in proc(5), counting pid as 1.
constexpr std::size_t kFirstFieldAfterComm = 3;  // state
constexpr std::size_t kUtime = 14;
constexpr std::size_t kStime = 15;
constexpr std::size_t kStarttime = 22;
constexpr std::size_t kVsize = 23;
constexpr std::size_t kRss = 24;

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// The stat fields after comm, split on single spaces as the kernel writes them.
std::vector<std::string_view> fields_after_comm(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos) return fields;
  std::string_view rest = text.substr(close + 1);
  while (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
  while (!rest.empty()) {
    if (rest.front() == ' ') {
      rest.remove_prefix(1);
      continue;
    }
    std::size_t end = rest.find(' ');
    fields.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  }
  return fields;
}

// /proc/stat's "btime" line: boot time in seconds since the epoch.
std::optional<std::uint64_t> boot_time_seconds() {
  Result<std::string> text = read_small_file("/proc/stat");
  if (!text) return std::nullopt;
  std::string_view rest = *text;
  while (!rest.empty()) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
    std::uint64_t btime = 0;
    if (line.starts_with("btime ") && parse_number(line.substr(6), btime)) return btime;
  }
  return std::nullopt;
}

// Like the Go client, the directory's own descriptor is part of the count.
std::optional<std::size_t> open_fd_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::size_t count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

MetricFamily family(const char* name, const char* help, MetricType type, double value) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  ClientMetric m;
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

void append_stat_families(std::vector<MetricFamily>& out) {
  Result<std::string> text = read_small_file("/proc/self/stat");
  std::optional<ProcStat> stat = text ? parse_proc_stat(*text) : std::nullopt;
  long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  long page_size = ::sysconf(_SC_PAGESIZE);
  if (!stat || ticks_per_second <= 0 || page_size <= 0) return;
  auto hz = static_cast<double>(ticks_per_second);
  double cpu = static_cast<double>(stat->utime_ticks + stat->stime_ticks) / hz;
  out.push_back(family("process_cpu_seconds_total",
                       "Total user and system CPU time spent in seconds.", MetricType::Counter,
                       cpu));
  out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.",
                       MetricType::Gauge,
                       static_cast<double>(stat->rss_pages) * static_cast<double>(page_size)));
  out.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                       MetricType::Gauge, static_cast<double>(stat->vsize_bytes)));
  if (std::optional<std::uint64_t> btime = boot_time_seconds()) {
    double start = static_cast<double>(*btime) + static_cast<double>(stat->starttime_ticks) / hz;
    out.push_back(family("process_start_time_seconds",
                         "Start time of the process since unix epoch in seconds.",
                         MetricType::Gauge, start));
  }
}

void append_fd_families(std::vector<MetricFamily>& out) {
  if (std::optional<std::size_t> open = open_fd_count()) {
    out.push_back(family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
                         static_cast<double>(*open)));
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    // RLIM_INFINITY becomes 2^64-1, which is what the Go client reports too.
    out.push_back(family("process_max_fds", "Maximum number of open file descriptors.",
                         MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  std::vector<std::string_view> fields = fields_after_comm(text);
  auto field = [&](std::size_t number) { return fields[number - kFirstFieldAfterComm]; };
  if (fields.size() <= kRss - kFirstFieldAfterComm) return std::nullopt;
  ProcStat stat;
  bool ok = parse_number(field(kUtime), stat.utime_ticks) &&
            parse_number(field(kStime), stat.stime_ticks) &&
            parse_number(field(kStarttime), stat.starttime_ticks) &&
            parse_number(field(kVsize), stat.vsize_bytes) &&
            parse_number(field(kRss), stat.rss_pages);
  if (!ok) return std::nullopt;
  return stat;
}

std::vector<MetricFamily> collect_self_metrics() {
  std::vector<MetricFamily> out;
  append_stat_families(out);
  append_fd_families(out);
  return out;
}

}  // namespace execmond
