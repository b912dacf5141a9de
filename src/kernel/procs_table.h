// The reader of the kernel's procs table (bpf/execmond.h): the blocks one
// generation's dirty bitmaps mark, taken into LiveProcesses, and the
// processes seeded at start-up, which live in a hash map of their own.
#pragma once

#include <cstdint>
#include <map>

#include "identity/identity_resolver.h"
#include "kernel/array_map.h"
#include "kernel/live_processes.h"
#include "kernel/tracer.h"
#include "util/error.h"

namespace execmond {

class ProcsTable {
 public:
  // The references outlive the reader.
  ProcsTable(MapAccess& maps, const Tracer::Tables& tables);

  // Re-reads into `live` the blocks `generation` marked dirty, once no
  // handler marks that generation (see Drainer), then clears the marks. On
  // failure the marks stay, so a later drain of the generation reads the
  // blocks again: re-reading a block is harmless.
  Status read_dirty(std::uint32_t generation, LiveProcesses& live);

  // The processes seeded at start-up that are still alive, by who they are.
  Result<std::map<ProcessIds, std::uint64_t>> read_seeded();

 private:
  MapAccess& maps_;
  const Tracer::Tables& tables_;
};

}  // namespace execmond
