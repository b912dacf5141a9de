#include "kernel/reap_sweep.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <string>
#include <system_error>
#include <utility>

#include "execmond.h"
#include "util/small_file.h"

namespace execmond {

namespace {

// The kernel reports start times in /proc in clock ticks since boot.
std::uint64_t ticks_of(std::uint64_t boottime_ns) {
  static const long ticks_per_second = sysconf(_SC_CLK_TCK);
  const std::uint64_t ns_per_tick =
      1'000'000'000ULL / static_cast<std::uint64_t>(ticks_per_second > 0 ? ticks_per_second : 100);
  return boottime_ns / ns_per_tick;
}

// Field 22 of /proc/<tgid>/stat, counted after the comm's closing parenthesis
// (a comm may hold spaces and parentheses itself); false when unreadable.
bool read_start_ticks(std::uint32_t tgid, std::uint64_t& ticks) {
  Result<std::string> stat = read_small_file("/proc/" + std::to_string(tgid) + "/stat", 4096);
  if (!stat) return false;
  const std::size_t close = stat->rfind(')');
  if (close == std::string::npos) return false;
  // After ") ": state is field 3; starttime is field 22, 19 fields further.
  std::size_t at = close + 2;
  for (int field = 3; field < 22; ++field) {
    at = stat->find(' ', at);
    if (at == std::string::npos) return false;
    ++at;
  }
  const char* first = stat->data() + at;
  const char* last = stat->data() + stat->size();
  return std::from_chars(first, last, ticks).ec == std::errc{};
}

}  // namespace

bool process_reaped(std::uint32_t tgid, std::uint64_t start_boottime_ns) {
  std::uint64_t ticks = 0;
  if (!read_start_ticks(tgid, ticks)) return true;  // no such process (a zombie still has one)
  return ticks != ticks_of(start_boottime_ns);      // the pid went to another process
}

std::uint64_t boottime_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

ReapSweep::ReapSweep(int map_fd, std::uint64_t max_entries, ReapedCheck reaped)
    : map_fd_(map_fd), max_entries_(max_entries), reaped_(std::move(reaped)) {}

ReapSweepResult ReapSweep::sweep(std::uint64_t now_boottime_ns) {
  ReapSweepResult out;
  const auto limit = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(kNotSeenAfter).count());
  // Zombies and processes reaped less than an RCU grace period ago: few, so
  // the walk costs little. A key deleted meanwhile sends it back to the
  // start: bounded by the map's size.
  std::vector<std::uint64_t> overdue;
  std::uint64_t key = 0;
  std::uint64_t next = 0;
  for (const void* at = nullptr;
       out.waiting < max_entries_ && bpf_map_get_next_key(map_fd_, at, &next) == 0; at = &key) {
    key = next;
    ++out.waiting;
    execmond_reap_cost r{};
    if (bpf_map_lookup_elem(map_fd_, &key, &r) != 0) continue;
    if (now_boottime_ns > r.exited_boottime_ns && now_boottime_ns - r.exited_boottime_ns >= limit &&
        reaped_(r.tgid, r.start_boottime_ns)) {
      overdue.push_back(key);
    }
  }
  for (std::uint64_t k : overdue) {
    execmond_reap_cost r{};
    // Fails when the kernel side took it meanwhile: then it added it.
    if (bpf_map_lookup_and_delete_elem(map_fd_, &k, &r) != 0) continue;
    ++out.taken;
    --out.waiting;
    execmond_count_value none{};
    execmond_count_cost cost{};
    cost.cpu_user_ns = r.exit_user_ns;
    cost.cpu_system_ns = r.exit_system_ns;
    for (CountRecord& rec : count_records({&r.key, 1}, {&none, 1}, {&cost, 1})) {
      out.records.push_back(std::move(rec));
    }
  }
  return out;
}

}  // namespace execmond
