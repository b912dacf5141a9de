// Reads what the kernel side recorded since the last drain.
//
// Each drain flips the tracer's generation so handlers write to the other
// half of the counts table and dirty bitmaps, waits one RCU grace period
// (every handler that could still see the old generation has returned), then
// asks the table readers to read and empty the idle half in place. Nothing is
// emptied under a writer, so each event is read exactly once. A reader that
// fails says why in DrainResult::errors, and leaves what it could not read
// for a later drain where it can (see CountsTable and ProcsTable).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "execmond.h"
#include "identity/identity_resolver.h"
#include "kernel/array_map.h"
#include "kernel/cmdline_ring.h"
#include "kernel/counts_table.h"
#include "kernel/exit_record_ring.h"
#include "kernel/live_processes.h"
#include "kernel/procs_table.h"
#include "kernel/reap_sweep.h"
#include "util/error.h"

namespace execmond {

class Tracer;

struct ProgramStats {
  std::string name;
  std::uint64_t run_count = 0;
  std::uint64_t run_time_ns = 0;
  // Runs the kernel skipped because the program was already running on that
  // CPU: each is an event that was never counted.
  std::uint64_t recursion_misses = 0;
};

struct DrainResult {
  std::vector<CountRecord> counts;           // since the previous drain
  std::map<ProcessIds, std::uint64_t> live;  // processes alive now, by who they are
  std::uint64_t procs_entries = 0;           // live processes tracked
  std::uint64_t counts_entries = 0;          // keys drained
  std::uint64_t reap_cost_entries = 0;       // exits waiting for their reap, when costs are kept
  std::array<std::uint64_t, EXECMOND_LOST_REASONS> lost_total{};  // cumulative
  // SIGKILL exits that waited for the OOM killer's mark, by outcome; cumulative.
  std::array<std::uint64_t, EXECMOND_OOM_WAIT_OUTCOMES> oom_mark_waits{};
  CmdlineEvents cmdline_events;  // cumulative; zeros unless command lines are captured
  // Notable exits the kernel handed over since the last drain, oldest first,
  // and those it had no room for, by kind (cumulative).
  std::vector<execmond_exit_record> exit_records;
  ExitRecordDrops exit_record_drops{};
  std::vector<ProgramStats> programs;
  std::vector<Error> errors;  // the reads and writes of the tables that failed
};

class Drainer {
 public:
  // Throws Fatal if the tracer's cmdlines ring cannot be mapped.
  explicit Drainer(Tracer& tracer);
  Drainer(const Drainer&) = delete;  // the readers hold maps_
  Drainer& operator=(const Drainer&) = delete;
  DrainResult drain();

  // Where each drain hands the command lines the kernel sent since the last
  // one, before it reads the keys that carry their ids. Without a sink they
  // are read and dropped.
  void set_cmdline_sink(CmdlineRing::Sink sink) { cmdline_sink_ = std::move(sink); }
  const CmdlineRing::Sink& cmdline_sink() const { return cmdline_sink_; }
  // To forget ids the daemon can no longer name (see CmdlineRing::forget).
  CmdlineRing& cmdlines() { return *cmdlines_; }

 private:
  void wait_for_grace_period();
  void read_cmdlines(DrainResult& out);
  void read_exit_records(DrainResult& out);
  void read_counts(std::uint32_t generation, DrainResult& out);
  void read_procs(std::uint32_t generation, DrainResult& out);
  void read_lost(DrainResult& out);
  void read_oom_mark_waits(DrainResult& out) const;
  void sweep_reap_costs(DrainResult& out);
  void read_program_stats(DrainResult& out);

  Tracer& tracer_;
  BpfMapAccess maps_;
  CountsTable counts_;
  ProcsTable procs_;
  LiveProcesses live_;
  std::unique_ptr<CmdlineRing> cmdlines_;
  CmdlineRing::Sink cmdline_sink_;
  std::unique_ptr<ExitRecordRing> exit_records_;
  ExitRecordDrops exit_record_drops_{};  // cumulative in the kernel: kept when a read fails
  // Cumulative in the kernel: a failed read keeps the last values read.
  std::array<std::uint64_t, EXECMOND_LOST_REASONS> lost_total_{};
  std::optional<ReapSweep> reap_sweep_;  // when resources are accounted
  std::uint64_t reap_not_seen_ = 0;      // exits the sweep took, cumulative
  bool membarrier_supported_ = true;
};

// Label names for enum execmond_lost_reason, in index order.
const std::array<const char*, EXECMOND_LOST_REASONS>& lost_reason_names();
// Label names for enum execmond_oom_wait_outcome, in index order.
const std::array<const char*, EXECMOND_OOM_WAIT_OUTCOMES>& oom_wait_outcome_names();

}  // namespace execmond
