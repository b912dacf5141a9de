#include "kernel/live_processes.h"

#include <cstring>

#include "kernel/counts_table.h"
#include "table_layout.h"

namespace execmond {

std::vector<std::uint32_t> dirty_blocks(std::span<const std::uint64_t> bitmaps,
                                        std::uint32_t words_per_cpu) {
  std::vector<std::uint64_t> merged(words_per_cpu, 0);
  for (std::size_t i = 0; i < bitmaps.size(); ++i) merged[i % words_per_cpu] |= bitmaps[i];
  std::vector<std::uint32_t> blocks;
  for (std::uint32_t word = 0; word < words_per_cpu; ++word) {
    for (std::uint64_t bits = merged[word]; bits != 0; bits &= bits - 1) {
      blocks.push_back(
          execmond_dirty_block_of(word, static_cast<std::uint32_t>(__builtin_ctzll(bits))));
    }
  }
  return blocks;
}

void LiveProcesses::update_block(std::uint32_t first, std::span<const execmond_proc> first_copy,
                                 std::span<const execmond_proc> second_copy,
                                 std::span<const execmond_proc_origin> origins) {
  for (std::size_t i = 0; i < first_copy.size() && i < second_copy.size(); ++i) {
    const execmond_proc& a = first_copy[i];
    if (execmond_proc_being_written(a.state) != 0 ||
        std::memcmp(&a, &second_copy[i], sizeof(a)) != 0)
      continue;
    take(first + static_cast<std::uint32_t>(i), a, i < origins.size() ? &origins[i] : nullptr);
  }
}

void LiveProcesses::forget(std::unordered_map<std::uint32_t, Held>::iterator it) {
  auto n = by_identity_.find(it->second.ids);
  if (n != by_identity_.end() && --n->second == 0) by_identity_.erase(n);
  held_.erase(it);
}

void LiveProcesses::take(std::uint32_t at, const execmond_proc& slot,
                         const execmond_proc_origin* origin) {
  auto it = held_.find(at);
  const std::uint32_t tgid = execmond_proc_tgid(slot.state);
  if (execmond_proc_is_live(tgid) == 0) {
    if (it != held_.end()) forget(it);
    return;
  }
  ProcessIds ids{comm_of(slot.comm), slot.cgroup_id, slot.exe_ino, slot.exe_dev, slot.uid};
  ids.exe_generation = slot.exe_generation;
  if (origin != nullptr) {
    ids.cmdline_id = origin->cmdline_id;
    ids.parent = comm_of(origin->parent);
  }
  if (it != held_.end()) {
    const Held& h = it->second;
    if (h.tgid == tgid && h.start_boottime_ns == slot.start_boottime_ns && h.ids == ids) return;
    forget(it);
  }
  ++by_identity_[ids];
  held_.emplace(at, Held{tgid, slot.start_boottime_ns, std::move(ids)});
}

}  // namespace execmond
