// Reads the command lines the kernel side sends (bpf/cmdline.bpf.h): one
// record per distinct command line it has not sent before, through the
// cmdlines ring, which the drain empties before it reads the keys that
// carry their ids. Also forgets ids (so that the kernel sends them again)
// and reads what capturing ran into.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "kernel/tracer.h"
#include "util/error.h"

struct ring_buffer;

namespace execmond {

// A command line and its id, as the keys carry it.
struct CmdlineRecord {
  std::uint64_t id = 0;
  // The arguments, each ended by a NUL, as /proc/PID/cmdline shows them;
  // empty for argc 0. Valid only while the sink runs.
  std::string_view args;
  bool truncated = false;  // longer than cmdline_max_bytes: cut after its last whole argument
};

// What capturing ran into since the tracer was loaded (enum execmond_cmdline_event).
struct CmdlineEvents {
  std::uint64_t truncated = 0;      // command lines cut at the bound
  std::uint64_t read_failures = 0;  // execs counted without one
  std::uint64_t records_lost = 0;   // records the ring had no room for (sent again later)
  bool operator==(const CmdlineEvents&) const = default;
};

class CmdlineRing {
 public:
  using Sink = std::function<void(const CmdlineRecord&)>;

  // Over the tracer's maps; with capture off (every fd -1) it reads nothing.
  static Result<std::unique_ptr<CmdlineRing>> open(const Tracer::CmdlineMaps& maps,
                                                   std::uint32_t ncpus);
  ~CmdlineRing();
  CmdlineRing(const CmdlineRing&) = delete;
  CmdlineRing& operator=(const CmdlineRing&) = delete;

  // Hands every waiting record to `sink`, oldest first; never blocks. A
  // record of another size than the kernel side writes is skipped.
  Status consume(const Sink& sink);
  // Makes the kernel send `id` again at its next exec: for the daemon that
  // can no longer name it. An id not remembered is fine.
  Status forget(std::uint64_t id);
  // Cumulative, summed over CPUs.
  Result<CmdlineEvents> events() const;

 private:
  CmdlineRing(const Tracer::CmdlineMaps& maps, std::uint32_t ncpus) : maps_(maps), ncpus_(ncpus) {}
  static int on_record(void* self, void* data, std::size_t size);

  Tracer::CmdlineMaps maps_;
  std::uint32_t ncpus_;
  ring_buffer* ring_ = nullptr;
  const Sink* sink_ = nullptr;  // during consume()
};

}  // namespace execmond
