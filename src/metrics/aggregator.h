// Turns drained kernel records into cumulative, labelled totals: the pure
// middle of the pipeline (no BPF, no I/O), unit-tested on its own.
//
// Each family keeps at most `max_series` label sets; past that, new ones are
// folded into one overflow series whose label values are all kOverflowValue,
// and the folded events are counted, so a family's total is always what was
// observed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "identity/identity.h"
#include "metrics/filter.h"

namespace execmond {

// The label value of every label of an overflow series.
inline constexpr const char* kOverflowValue = "__overflow__";

// How a process ended, as the labels of execmond_process_exits_total.
struct ExitOutcome {
  std::string reason;  // exited | signaled | dumped
  std::string code;    // "0".."255" or a signal name such as "SIGKILL"
  bool operator==(const ExitOutcome&) const = default;
};

// Decodes a wait status the way WIFEXITED/WTERMSIG/WCOREDUMP do.
ExitOutcome decode_wait_status(std::uint32_t status);
// "SIGKILL", "SIGRTMIN+3", or "SIG<n>" for numbers the C library cannot name.
std::string signal_name(int signal);

// One drained kernel count, with who it was about.
struct Record {
  std::uint8_t kind = 0;  // enum execmond_kind
  Identity who;
  std::uint32_t status = 0;
  std::uint8_t bucket = 0;
  std::uint64_t count = 0;
  std::uint64_t lifetime_ns_sum = 0;
};

// Processes alive now with the same identity.
struct LiveEntry {
  Identity who;
  std::uint64_t count = 0;
};

using LabelValues = std::vector<std::string>;

struct LifetimeHistogram {
  std::vector<std::uint64_t> bucket_counts;  // per bucket, not cumulative; last is +Inf
  std::uint64_t count = 0;
  double sum_seconds = 0;
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
  SeriesMap<LifetimeHistogram> lifetimes;
  SeriesMap<std::uint64_t> live;
};

struct AggregatorOptions {
  LabelConfig labels;
  std::vector<double> lifetime_bounds;  // seconds
  std::uint32_t max_series = 10000;     // per family, not counting the overflow series
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
  void note_live_series(const Identity& who, double now);

  AggregatorOptions options_;
  Filter filter_;
  Totals totals_;
};

}  // namespace execmond
