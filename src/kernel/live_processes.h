// The daemon's view of the kernel's procs table (bpf/execmond.h): who is
// alive now, by identity. Handlers mark the 64-slot blocks they change in a
// per-CPU dirty bitmap; a drain re-reads only those blocks, so its cost
// follows the processes that started, exec'd or ended, not the table's size.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <unordered_map>
#include <vector>

#include "execmond.h"
#include "identity/identity_resolver.h"

namespace execmond {

// The blocks set in any CPU's bitmap (`words_per_cpu` words each), ascending.
std::vector<std::uint32_t> dirty_blocks(std::span<const std::uint64_t> bitmaps,
                                        std::uint32_t words_per_cpu);

class LiveProcesses {
 public:
  // Takes in a block that starts at slot `first`, from two copies read one
  // after the other and, when the kernel keeps them, the slots' origins read
  // between the two (empty: none). A slot whose copies differ, or whose
  // sequence is odd, was being written; it keeps what it held, and its
  // writer marks the block dirty again for the next drain. Its origin is
  // written inside the same sequence, so it is whole when the slot is.
  void update_block(std::uint32_t first, std::span<const execmond_proc> first_copy,
                    std::span<const execmond_proc> second_copy,
                    std::span<const execmond_proc_origin> origins = {});

  const std::map<ProcessIds, std::uint64_t>& by_identity() const { return by_identity_; }
  std::size_t size() const { return held_.size(); }

 private:
  struct Held {
    std::uint32_t tgid;
    std::uint64_t start_boottime_ns;
    ProcessIds ids;
  };
  void take(std::uint32_t at, const execmond_proc& slot, const execmond_proc_origin* origin);
  void forget(std::unordered_map<std::uint32_t, Held>::iterator it);

  std::unordered_map<std::uint32_t, Held> held_;  // by slot: what it held when last read
  std::map<ProcessIds, std::uint64_t> by_identity_;
};

}  // namespace execmond
