#include "kernel/procs_table.h"

#include <cstring>
#include <vector>

#include "kernel/counts_table.h"
#include "table_layout.h"

namespace execmond {

ProcsTable::ProcsTable(MapAccess& maps, const Tracer::Tables& tables)
    : maps_(maps), tables_(tables) {}

// Handlers mark the current generation's bitmaps only, so those of
// `generation` stay as read until they are cleared: the blocks can be read
// before the marks are cleared, and a failure leaves every mark in place.
Status ProcsTable::read_dirty(std::uint32_t generation, LiveProcesses& live) {
  const Tracer::Tables& t = tables_;
  const std::uint32_t first =
      execmond_dirty_word_at(execmond_gen(generation), t.ncpus, 0, t.dirty_words, 0);
  std::vector<std::uint64_t> bitmaps(static_cast<std::size_t>(t.ncpus) * t.dirty_words);
  if (Status read = read_range<std::uint64_t>(maps_, t.procs_dirty, first, bitmaps); !read) {
    return Error{"cannot read procs_dirty: " + read.error().message};
  }
  std::vector<execmond_proc> a(EXECMOND_PROCS_PER_DIRTY_BIT);
  std::vector<execmond_proc> b(EXECMOND_PROCS_PER_DIRTY_BIT);
  std::vector<execmond_proc_origin> origins(t.keeps_origin ? EXECMOND_PROCS_PER_DIRTY_BIT : 0);
  for (std::uint32_t block : dirty_blocks(bitmaps, t.dirty_words)) {
    const std::uint32_t slot = execmond_block_first_slot(block);
    Status read = read_range<execmond_proc>(maps_, t.procs, slot, a);
    // Between the copies: a slot equal in both had no writer while its origin was read.
    if (read && t.keeps_origin) {
      read = read_range<execmond_proc_origin>(maps_, t.procs_origin, slot, origins);
      // Captured for the exit records alone: the counts keys lack it, and so must these.
      if (!t.keys_cmdline) {
        for (execmond_proc_origin& o : origins) o.cmdline_id = 0;
      }
    }
    if (read) read = read_range<execmond_proc>(maps_, t.procs, slot, b);
    if (!read) return Error{"cannot read the procs table: " + read.error().message};
    live.update_block(slot, a, b, origins);
  }
  std::vector<std::uint32_t> set;
  for (std::uint32_t i = 0; i < bitmaps.size(); ++i) {
    if (bitmaps[i] != 0) set.push_back(first + i);
  }
  if (Status cleared = fill_at(maps_, t.procs_dirty, set, std::uint64_t{0}); !cleared) {
    return Error{"cannot clear procs_dirty: " + cleared.error().message};
  }
  return {};
}

Result<std::map<ProcessIds, std::uint64_t>> ProcsTable::read_seeded() {
  Result<std::vector<std::byte>> bytes = maps_.hash_values(
      tables_.procs_seeded, sizeof(execmond_proc_key), sizeof(execmond_proc_value));
  if (!bytes) return Error{"cannot read procs_seeded: " + bytes.error().message};
  std::map<ProcessIds, std::uint64_t> live;
  for (std::size_t at = 0; at + sizeof(execmond_proc_value) <= bytes->size();
       at += sizeof(execmond_proc_value)) {
    execmond_proc_value v{};
    std::memcpy(&v, bytes->data() + at, sizeof(v));
    ++live[{comm_of(v.comm), v.cgroup_id, v.exe_ino, v.exe_dev, v.uid, v.exe_generation,
            tables_.keys_cmdline ? v.cmdline_id : 0, comm_of(v.parent)}];
  }
  return live;
}

}  // namespace execmond
