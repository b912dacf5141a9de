// Turns drained kernel records into cumulative, labelled totals: the pure
// middle of the pipeline (no BPF, no I/O), unit-tested on its own.
//
// Each family keeps at most `max_series` label sets; past that, new ones are
// folded into one overflow series whose label values are all kOverflowValue,
// and the folded events are counted, so a family's total is always what was
// observed.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "identity/identity.h"
#include "kernel/exit_cost.h"
#include "kernel/exit_status.h"
#include "metrics/filter.h"

namespace execmond {

// The label value of every label of an overflow series.
inline constexpr const char* kOverflowValue = "__overflow__";

// One drained kernel count, with who it was about.
struct Record {
  std::uint8_t kind = 0;  // enum execmond_kind
  Identity who;
  std::uint32_t status = 0;
  std::uint8_t bucket = 0;
  std::uint64_t count = 0;
  std::uint64_t lifetime_ns_sum = 0;
  std::uint8_t oom = 0;  // enum execmond_oom
  ExitCost cost;         // exits: what the `count` processes used, summed
};

// Processes alive now with the same identity.
struct LiveEntry {
  Identity who;
  std::uint64_t count = 0;
};

using LabelValues = std::vector<std::string>;

struct HistogramTotal {
  std::vector<std::uint64_t> bucket_counts;  // per bucket, not cumulative; last is +Inf
  std::uint64_t count = 0;
  double sum = 0;  // in the family's unit (seconds, bytes)
};

// One family's series: values by label values (in the configured label
// order; exits append reason and code), when each last changed, and how many
// events went to the overflow series.
template <typename Value>
struct SeriesMap {
  struct Series {
    Value value{};
    double updated = 0;  // the `now` of the last change
  };
  std::map<LabelValues, Series> series;
  std::uint64_t overflow_events = 0;
};

struct Totals {
  SeriesMap<std::uint64_t> execs;
  SeriesMap<std::uint64_t> forks;
  SeriesMap<std::uint64_t> exits;
  SeriesMap<HistogramTotal> lifetimes;
  SeriesMap<std::uint64_t> live;
  // What exited processes cost, by the family's labels and then its own.
  SeriesMap<std::uint64_t> cpu_ns;       // + mode: user, system
  SeriesMap<HistogramTotal> peak_rss;    // bytes
  SeriesMap<std::uint64_t> io_bytes;     // + direction: read, write
  SeriesMap<std::uint64_t> page_faults;  // + type: major, minor
  SeriesMap<std::uint64_t> switches;     // + type: voluntary, involuntary
  SeriesMap<std::uint64_t> oom_kills;    // + scope
};

struct AggregatorOptions {
  LabelConfig labels;
  std::vector<double> lifetime_bounds;  // seconds
  std::uint32_t max_series = 10000;     // per family, not counting the overflow series
  std::uint32_t resources = 0;          // enum execmond_resource bits kept
  std::vector<double> peak_rss_bounds;  // bytes
};

class Aggregator {
 public:
  explicit Aggregator(AggregatorOptions options);

  // Filters apply to records added from now on; series already counted stay.
  void set_filter(Filter filter) { filter_ = std::move(filter); }

  // Adds one drain's records to the cumulative counters. `now` is any
  // monotonic clock in seconds, for drop_stale().
  void add(const std::vector<Record>& records, double now);
  // Replaces the live gauge with the drain's view of the procs map. Label
  // sets seen before, in any family, stay at 0.
  void set_live(const std::vector<LiveEntry>& live, double now);
  // Forgets series unchanged for longer than `max_age` seconds.
  void drop_stale(double now, double max_age);

  const Totals& totals() const { return totals_; }
  const AggregatorOptions& options() const { return options_; }

 private:
  LabelValues labels_of(Family family, const Identity& who) const;
  // The series for `key`, or the overflow series when the family is full.
  template <typename Value>
  typename SeriesMap<Value>::Series& series_for(SeriesMap<Value>& family, LabelValues key,
                                                std::uint64_t events);
  // Adds `value` to the series of `key` (which folds `events` into overflow).
  void add_to(SeriesMap<std::uint64_t>& family, LabelValues key, std::uint64_t events,
              std::uint64_t value, double now);
  // One value of a family split by a last label: its value and that label's value.
  struct SplitPart {
    const char* name;
    std::uint64_t value;
  };
  // Adds one record's parts to the series of `key` plus each part's name.
  void add_split(SeriesMap<std::uint64_t>& family, const LabelValues& key, std::uint64_t events,
                 std::initializer_list<SplitPart> parts, double now);
  void add_exit(const Record& r, double now);
  void add_exit_cost(const Record& r, double now);
  void note_live_series(const Identity& who, double now);

  AggregatorOptions options_;
  Filter filter_;
  Totals totals_;
};

}  // namespace execmond
