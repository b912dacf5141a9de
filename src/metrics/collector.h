// The prometheus-cpp Collectable behind /metrics: at scrape time it turns the
// totals and the last drain's view of the kernel side into metric families.
// It holds the aggregator: a drain changes the totals in place under a lock
// and a scrape builds its families under the same lock, so a drain costs
// what it changed, not a copy of every series (a scrape that builds 100 000
// series keeps a drain waiting about 10 ms).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "kernel/cmdline_ring.h"
#include "kernel/drainer.h"
#include "kernel/tracer.h"
#include "metrics/aggregator.h"

namespace execmond {

struct MapStats {
  std::string name;
  std::uint64_t entries = 0;
  std::uint64_t capacity = 0;
};

// What a scrape shows besides the totals: the labels and buckets the totals
// are kept by, and the last drain's view of the kernel side.
struct DrainView {
  LabelConfig labels;
  std::vector<double> lifetime_bounds;
  std::uint32_t resources = 0;  // enum execmond_resource bits the kernel side accounts
  std::vector<double> peak_rss_bounds;
  std::array<std::uint64_t, EXECMOND_LOST_REASONS> lost_total{};
  std::array<std::uint64_t, EXECMOND_OOM_WAIT_OUTCOMES> oom_mark_waits{};
  std::vector<MapStats> maps;
  std::vector<Tracer::MapMemory> map_memory;  // every map of the tracer
  std::vector<ProgramStats> programs;
  bool program_stats_enabled = false;
  // Cgroup and container ids whose label value could not be found, and
  // executables whose path could not, by label; shown for the labels the
  // families carry.
  std::map<LabelSource, std::uint64_t> label_failures;
  // Cgroup mkdir and rmdir records the kernel side had no room for.
  std::uint64_t cgroup_changes_lost = 0;
  // Failed updates of the kernel side's maps, by map name.
  std::map<std::string, std::uint64_t> map_update_failures;
  // What reading command lines at exec ran into, when the kernel side reads them.
  bool captures_cmdline = false;
  CmdlineEvents cmdline_events;
};

// A view with its totals: everything one scrape shows.
struct Snapshot : DrainView {
  Totals totals;
};

class ProcessCollector : public prometheus::Collectable {
 public:
  explicit ProcessCollector(AggregatorOptions options = {});
  // Runs `change` on the totals while no scrape reads them: a drain adding
  // its records, a reload installing filters.
  void update(const std::function<void(Aggregator&)>& change);
  // Replaces the view after a drain.
  void publish(std::shared_ptr<const DrainView> view);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mutex_;  // guards both members
  Aggregator aggregator_;
  std::shared_ptr<const DrainView> view_;
};

// The families of a view and its totals, in exposition order; exposed for tests.
std::vector<prometheus::MetricFamily> build_families(const DrainView& s, const Totals& totals);
inline std::vector<prometheus::MetricFamily> build_families(const Snapshot& snapshot) {
  return build_families(snapshot, snapshot.totals);
}

}  // namespace execmond
