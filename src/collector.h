// The prometheus-cpp Collectable behind /metrics: at scrape time it turns the
// last published drain into metric families. Drains publish a new immutable
// snapshot; scrapes only take a reference to it, so neither waits on the other.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "aggregator.h"
#include "drainer.h"

namespace execmond {

struct MapStats {
  std::string name;
  std::uint64_t entries = 0;
  std::uint64_t capacity = 0;
};

// Everything one scrape shows, as of the last drain.
struct Snapshot {
  Totals totals;
  LabelConfig labels;
  std::vector<double> lifetime_bounds;
  std::array<std::uint64_t, EXECMOND_LOST_REASONS> lost_total{};
  std::vector<MapStats> maps;
  std::vector<ProgramStats> programs;
  bool program_stats_enabled = false;
};

class ProcessCollector : public prometheus::Collectable {
 public:
  ProcessCollector();
  void publish(std::shared_ptr<const Snapshot> snapshot);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::shared_ptr<const Snapshot> current() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
};

// Families built from a snapshot; exposed for tests.
std::vector<prometheus::MetricFamily> build_families(const Snapshot& snapshot);

}  // namespace execmond
