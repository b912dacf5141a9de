// One drain, end to end: the drainer reads what the kernel recorded, the
// resolver names who the processes are, the aggregator adds them to the
// totals and the collector publishes the kernel side's view for scrapes.
// It defines execmond_drain_duration_seconds and execmond_drain_errors_total,
// which it fills, and logs what a drain could not read.
#pragma once

#include <memory>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>

#include "config/config.h"
#include "identity/identity_resolver.h"
#include "kernel/cgroup_changes.h"
#include "kernel/drainer.h"
#include "kernel/tracer.h"
#include "metrics/collector.h"
#include "metrics/filter.h"
#include "naming/name_cache.h"
#include "records/exit_records.h"

namespace execmond {

class DrainPipeline {
 public:
  // `stats_enabled` when the daemon turned BPF run-time statistics on itself
  // (else the kernel's bpf_stats_enabled says). The references outlive it.
  DrainPipeline(Tracer& tracer, IdentityResolver& resolver, ProcessCollector& collector,
                prometheus::Registry& registry, bool stats_enabled);

  // Drains once and publishes it, aggregated as `config` says.
  void drain(const Config& config);
  // Hands the cgroups made and removed since the last call to the resolver;
  // each drain starts with it too.
  void read_cgroup_changes();
  // Whether the counts table's current generation is half full: keys that
  // vary with every process (a command line with a counter in it) fill it
  // faster than the drain interval empties it, and a drain now keeps them.
  bool counts_half_full() const;
  // Readable when cgroup changes wait (-1 when the kernel sends none).
  int cgroup_changes_fd() const { return cgroup_changes_->ready_fd(); }
  // Where command lines go (the naming layer's cache): each drain's records
  // from the kernel, and at once those of the processes seeded at start-up
  // (fill_seeded_cmdlines). Call once, after the tracer seeded its processes.
  void set_cmdline_sink(CmdlineRing::Sink sink);
  // Names processes by `names` (program, script) from now on, and feeds it
  // the command lines: set_cmdline_sink() with names->learn().
  void name_with(std::shared_ptr<naming::NameCache> names);
  // Makes each drain's notable exits into records by `records` from now on,
  // and tells the kernel side which exits it hands over for them (call again
  // after a reload changed the settings).
  void record_exits_with(ExitRecords* records);
  // The filters the aggregator applies, for the records to follow them too.
  void set_filter(std::shared_ptr<const Filter> filter) { filter_ = std::move(filter); }
  // Makes the kernel send `id`'s command line again (the sink forgot it).
  void forget_cmdline(std::uint64_t id);
  // What the last drain read.
  const DrainResult& last() const { return last_; }

 private:
  Tracer& tracer_;
  IdentityResolver& resolver_;
  ProcessCollector& collector_;
  Drainer drainer_;
  std::unique_ptr<CgroupChanges> cgroup_changes_;
  bool stats_enabled_;
  prometheus::Histogram& duration_;
  prometheus::Counter& errors_;
  // program, script and parent of `ids` into `who`, as the labels need them.
  void name(const ProcessIds& ids, const Config& config, Identity& who);

  std::shared_ptr<naming::NameCache> names_;
  ExitRecords* records_ = nullptr;
  std::shared_ptr<const Filter> filter_;
  DrainResult last_;
  std::uint64_t exe_paths_rewrites_ = 0;  // the kernel's count when last looked at
};

}  // namespace execmond
