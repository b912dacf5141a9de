// Reads what the kernel side recorded since the last drain.
//
// Each drain flips the tracer's generation so handlers write to the other
// half of the counts table and dirty bitmaps, waits one RCU grace period
// (every handler that could still see the old generation has returned), then
// reads and empties the idle half in place, through the mapped tables.
// Nothing is emptied under a writer, so each event is read exactly once.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "counts_table.h"
#include "execmond.h"
#include "identity_resolver.h"
#include "live_processes.h"

namespace execmond {

class Tracer;
enum class BatchResult;

struct ProgramStats {
  std::string name;
  std::uint64_t run_count = 0;
  std::uint64_t run_time_ns = 0;
};

struct DrainResult {
  std::vector<CountRecord> counts;           // since the previous drain
  std::map<ProcessIds, std::uint64_t> live;  // processes alive now, by who they are
  std::uint64_t procs_entries = 0;           // live processes tracked
  std::uint64_t counts_entries = 0;          // keys drained
  std::array<std::uint64_t, EXECMOND_LOST_REASONS> lost_total{};  // cumulative
  std::vector<ProgramStats> programs;
};

class Drainer {
 public:
  // batch_ops false reads procs_seeded key by key, as on kernels without
  // batch map operations.
  explicit Drainer(Tracer& tracer, bool batch_ops = true);
  DrainResult drain();

 private:
  void wait_for_grace_period();
  void read_seeded(DrainResult& out);
  void read_lost(DrainResult& out);
  void read_program_stats(DrainResult& out);
  // False (and from then on key by key) when the kernel lacks batch operations.
  bool use_batches(BatchResult result);

  Tracer& tracer_;
  LiveProcesses live_;
  int ncpus_;
  bool batch_supported_ = true;
  bool membarrier_supported_ = true;
};

// Label names for enum execmond_lost_reason, in index order.
const std::array<const char*, EXECMOND_LOST_REASONS>& lost_reason_names();

}  // namespace execmond
