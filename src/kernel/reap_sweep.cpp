#include "kernel/reap_sweep.h"

#include <bpf/bpf.h>

#include <ctime>
#include <utility>

#include "execmond.h"
#include "kernel/process_start.h"

namespace execmond {

std::uint64_t boottime_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

ReapSweep::ReapSweep(int map_fd, std::uint64_t max_entries)
    : map_fd_(map_fd), max_entries_(max_entries) {}

ReapSweepResult ReapSweep::sweep(std::uint64_t now_boottime_ns) const {
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
        !process_started_at("/proc", r.tgid, r.start_boottime_ns)) {
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
