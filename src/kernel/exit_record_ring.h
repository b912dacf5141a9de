// Reads the records of notable exits the kernel side hands over
// (bpf/exit_record.bpf.h): the exit_records ring, emptied by each drain
// after the command lines (so that a record's command line is known), and
// the count of those the ring had no room for. Also sets which exits the
// kernel side hands over, which a reload may change.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "execmond.h"
#include "kernel/tracer.h"
#include "util/error.h"

struct ring_buffer;

namespace execmond {

// Records the kernel had no room for, by enum execmond_record_kind; cumulative.
using ExitRecordDrops = std::array<std::uint64_t, EXECMOND_RECORD_KINDS>;

class ExitRecordRing {
 public:
  using Sink = std::function<void(const execmond_exit_record&)>;

  // Over the tracer's maps; without records (fds -1) it reads nothing.
  static Result<std::unique_ptr<ExitRecordRing>> open(const Tracer& tracer);
  ~ExitRecordRing();
  ExitRecordRing(const ExitRecordRing&) = delete;
  ExitRecordRing& operator=(const ExitRecordRing&) = delete;

  // Hands every waiting record to `sink`, oldest first; never blocks. A
  // record of another size than the kernel side writes is skipped.
  Status consume(const Sink& sink);
  // Summed over CPUs.
  Result<ExitRecordDrops> drops() const;

 private:
  ExitRecordRing(int drops_fd, std::uint32_t ncpus) : drops_fd_(drops_fd), ncpus_(ncpus) {}
  static int on_record(void* self, void* data, std::size_t size);

  int drops_fd_;
  std::uint32_t ncpus_;
  ring_buffer* ring_ = nullptr;
  const Sink* sink_ = nullptr;  // during consume()
};

// Which exits the kernel side hands over: a kill by signal N is a crash when
// bit N of `crash_signals` is set (bit 0 for signal 64), and which ordinary
// exits go along for the daemon's selectors (enum execmond_record_candidates).
void set_record_knobs(const Tracer::Globals& globals, std::uint64_t crash_signals,
                      std::uint32_t candidates);

// The bits of set_record_knobs() for signal numbers 1-64.
std::uint64_t crash_signal_bits(const std::vector<int>& signals);

}  // namespace execmond
