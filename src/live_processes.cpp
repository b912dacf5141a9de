#include "live_processes.h"

#include <atomic>
#include <cstring>
#include <vector>

#include "counts_table.h"

namespace execmond {

namespace {

bool is_live(std::uint32_t tgid) {
  return tgid != EXECMOND_PROC_EMPTY && tgid != EXECMOND_PROC_DELETED;
}

std::uint64_t load_state(const execmond_proc& slot) {
  return __atomic_load_n(&slot.state, __ATOMIC_ACQUIRE);
}

}  // namespace

std::optional<execmond_proc> stable_copy(const execmond_proc& slot) {
  // A sequence lock read: even and unchanged around the copy.
  const std::uint64_t before = load_state(slot);
  if (((before >> 32) & 1U) != 0) return std::nullopt;
  execmond_proc copy;
  std::memcpy(&copy, &slot, sizeof(copy));
  std::atomic_thread_fence(std::memory_order_acquire);
  if (load_state(slot) != before) return std::nullopt;
  copy.state = before;
  return copy;
}

void LiveProcesses::update(std::span<const execmond_proc> procs, std::span<std::uint64_t> dirty,
                           std::uint32_t words_per_cpu) {
  std::vector<std::uint64_t> blocks(words_per_cpu, 0);
  for (std::size_t i = 0; i < dirty.size(); ++i) {
    blocks[i % words_per_cpu] |= dirty[i];
    dirty[i] = 0;
  }
  for (std::uint32_t word = 0; word < words_per_cpu; ++word) {
    for (std::uint64_t bits = blocks[word]; bits != 0; bits &= bits - 1) {
      const auto block = word * 64U + static_cast<std::uint32_t>(__builtin_ctzll(bits));
      const std::uint32_t first = block * EXECMOND_PROCS_PER_DIRTY_BIT;
      for (std::uint32_t at = first; at < first + EXECMOND_PROCS_PER_DIRTY_BIT; ++at) {
        if (at < procs.size()) reread(procs[at], at);
      }
    }
  }
}

void LiveProcesses::forget(std::unordered_map<std::uint32_t, Held>::iterator it) {
  auto n = by_identity_.find(it->second.ids);
  if (n != by_identity_.end() && --n->second == 0) by_identity_.erase(n);
  held_.erase(it);
}

void LiveProcesses::reread(const execmond_proc& slot, std::uint32_t at) {
  std::optional<execmond_proc> now = stable_copy(slot);
  if (!now) return;  // being written: the writer marks the block dirty again
  auto it = held_.find(at);
  const auto tgid = static_cast<std::uint32_t>(now->state);
  if (!is_live(tgid)) {
    if (it != held_.end()) forget(it);
    return;
  }
  ProcessIds ids{comm_of(now->comm), now->cgroup_id, now->exe_ino, now->exe_dev, now->uid};
  if (it != held_.end()) {
    if (it->second.tgid == tgid && it->second.start_boottime_ns == now->start_boottime_ns &&
        it->second.ids == ids) {
      return;
    }
    forget(it);
  }
  ++by_identity_[ids];
  held_.emplace(at, Held{tgid, now->start_boottime_ns, std::move(ids)});
}

}  // namespace execmond
