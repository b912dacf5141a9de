// The daemon's view of the kernel's procs table (bpf/execmond.h): who is
// alive now, by identity. Handlers mark the 64-slot blocks they change in a
// per-CPU dirty bitmap; a drain re-reads only those blocks, so its cost
// follows the processes that started, exec'd or ended, not the table's size.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>

#include "execmond.h"
#include "identity_resolver.h"

namespace execmond {

// A copy of a slot that no handler was writing while it was taken, or
// nothing when one was: that handler marks the block dirty again.
std::optional<execmond_proc> stable_copy(const execmond_proc& slot);

class LiveProcesses {
 public:
  // Re-reads the blocks set in `dirty` (one bitmap per CPU, words_per_cpu
  // words each) and clears those bits.
  void update(std::span<const execmond_proc> procs, std::span<std::uint64_t> dirty,
              std::uint32_t words_per_cpu);

  const std::map<ProcessIds, std::uint64_t>& by_identity() const { return by_identity_; }
  std::size_t size() const { return held_.size(); }

 private:
  struct Held {
    std::uint32_t tgid;
    std::uint64_t start_boottime_ns;
    ProcessIds ids;
  };
  void reread(const execmond_proc& slot, std::uint32_t at);
  void forget(std::unordered_map<std::uint32_t, Held>::iterator it);

  std::unordered_map<std::uint32_t, Held> held_;  // by slot: what it held when last read
  std::map<ProcessIds, std::uint64_t> by_identity_;
};

}  // namespace execmond
