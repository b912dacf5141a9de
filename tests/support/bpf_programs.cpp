#include "bpf_programs.h"

#include <bpf/bpf.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace execmond::test {

Programs loaded_programs() {
  Programs out;
  std::uint32_t id = 0;
  while (bpf_prog_get_next_id(id, &id) == 0) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;  // unloaded meanwhile
    bpf_prog_info info{};
    std::uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
      out[id] = {info.name, info.run_cnt, info.run_time_ns, info.recursion_misses};
    }
    close(fd);
  }
  return out;
}

std::set<std::uint32_t> loaded_map_ids() {
  std::set<std::uint32_t> ids;
  std::uint32_t id = 0;
  while (bpf_map_get_next_id(id, &id) == 0) ids.insert(id);
  return ids;
}

Programs added_since(const Programs& before, const Programs& now) {
  Programs out;
  for (const auto& [id, info] : now) {
    if (!before.contains(id)) out.emplace(id, info);
  }
  return out;
}

Programs difference(const Programs& before, const Programs& after) {
  Programs out;
  for (const auto& [id, info] : after) {
    ProgramInfo d = info;
    if (auto it = before.find(id); it != before.end()) {
      d.run_count -= it->second.run_count;
      d.run_time_ns -= it->second.run_time_ns;
      d.recursion_misses -= it->second.recursion_misses;
    }
    out.emplace(id, d);
  }
  return out;
}

RunTimeStats::RunTimeStats() : fd_(bpf_enable_stats(BPF_STATS_RUN_TIME)) {
  if (fd_ < 0) {
    throw std::runtime_error(std::string("cannot enable BPF run-time statistics: ") +
                             std::strerror(-fd_));
  }
}

RunTimeStats::~RunTimeStats() { close(fd_); }

bool await_programs(const Programs& before, std::size_t count, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int stable = 0;
  while (Clock::now() < deadline) {
    stable = added_since(before, loaded_programs()).size() >= count ? stable + 1 : 0;
    if (stable >= 5) return true;  // half a second with all of them loaded
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace execmond::test
