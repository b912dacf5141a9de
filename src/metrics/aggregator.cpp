#include "metrics/aggregator.h"

#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "execmond.h"

namespace execmond {

Aggregator::Aggregator(AggregatorOptions options) : options_(std::move(options)) {}

LabelValues Aggregator::labels_of(Family family, const Identity& who) const {
  LabelValues values;
  for (LabelSource source : options_.labels.of(family)) values.push_back(who.value(source));
  return values;
}

template <typename Value>
typename SeriesMap<Value>::Series& Aggregator::series_for(SeriesMap<Value>& family, LabelValues key,
                                                          std::uint64_t events) {
  const LabelValues overflow(key.size(), kOverflowValue);
  // The marker is reserved: a label set that spells it is counted as overflow.
  if (key != overflow) {
    if (auto it = family.series.find(key); it != family.series.end()) return it->second;
    const std::size_t used = family.series.size() - family.series.count(overflow);
    if (used < options_.max_series) return family.series[std::move(key)];
  }
  family.overflow_events += events;
  return family.series[overflow];
}

void Aggregator::add(const std::vector<Record>& records, double now) {
  for (const Record& r : records) {
    if (!filter_.keeps(r.who)) continue;
    if (r.count == 0) {
      // What exits counted earlier spent until their reap (bpf/reap_cost.bpf.h).
      if (r.kind == EXECMOND_KIND_EXIT) add_exit_cost(r, now);
      continue;
    }
    switch (r.kind) {
      case EXECMOND_KIND_EXEC:
        add_to(totals_.execs, labels_of(Family::Execs, r.who), r.count, r.count, now);
        break;
      case EXECMOND_KIND_FORK:
        add_to(totals_.forks, labels_of(Family::Forks, r.who), r.count, r.count, now);
        break;
      case EXECMOND_KIND_EXIT:
        add_exit(r, now);
        break;
      default:
        continue;  // a kind this build does not know: ignore rather than mislabel
    }
    note_live_series(r.who, now);
  }
}

void Aggregator::add_to(SeriesMap<std::uint64_t>& family, LabelValues key, std::uint64_t events,
                        std::uint64_t value, double now) {
  auto& s = series_for(family, std::move(key), events);
  s.value += value;
  s.updated = now;
}

namespace {

void add_sample(HistogramTotal& h, std::size_t bounds, std::size_t bucket, std::uint64_t count,
                double sum) {
  h.bucket_counts.resize(bounds + 1);
  // The kernel put the bucket index past the bounds for +Inf.
  h.bucket_counts[bucket < bounds ? bucket : bounds] += count;
  h.count += count;
  h.sum += sum;
}

LabelValues with(LabelValues key, std::string extra) {
  key.push_back(std::move(extra));
  return key;
}

}  // namespace

// The parts are series of their own (cpu mode, I/O direction...), but the
// exits are the events: however many parts fold into overflow, they count once.
void Aggregator::add_split(SeriesMap<std::uint64_t>& family, const LabelValues& key,
                           std::uint64_t events, std::initializer_list<SplitPart> parts,
                           double now) {
  const std::uint64_t overflow_before = family.overflow_events;
  for (const SplitPart& part : parts) add_to(family, with(key, part.name), events, part.value, now);
  if (family.overflow_events != overflow_before) family.overflow_events = overflow_before + events;
}

void Aggregator::add_exit(const Record& r, double now) {
  ExitOutcome outcome = exit_outcome(r.status, r.oom);
  add_to(totals_.exits, with(with(labels_of(Family::Exits, r.who), outcome.reason), outcome.code),
         r.count, r.count, now);

  auto& life = series_for(totals_.lifetimes, labels_of(Family::Lifetime, r.who), r.count);
  add_sample(life.value, options_.lifetime_bounds.size(), r.bucket, r.count,
             static_cast<double>(r.lifetime_ns_sum) / 1e9);
  life.updated = now;

  if (r.oom != EXECMOND_OOM_NONE) {
    add_to(totals_.oom_kills, with(labels_of(Family::OomKills, r.who), oom_scope(r.oom)), r.count,
           r.count, now);
  }
  add_exit_cost(r, now);
}

void Aggregator::add_exit_cost(const Record& r, double now) {
  const std::uint32_t on = options_.resources;
  const ExitCost& c = r.cost;
  if ((on & EXECMOND_RESOURCE_CPU) != 0) {
    add_split(totals_.cpu_ns, labels_of(Family::Cpu, r.who), r.count,
              {{"user", c.cpu_user_ns}, {"system", c.cpu_system_ns}}, now);
  }
  if ((on & EXECMOND_RESOURCE_MEMORY) != 0 && r.count != 0) {
    auto& rss = series_for(totals_.peak_rss, labels_of(Family::PeakRss, r.who), r.count);
    const std::size_t bounds = options_.peak_rss_bounds.size();
    HistogramTotal& h = rss.value;
    h.bucket_counts.resize(bounds + 1);
    for (std::size_t i = 0; i < c.peak_rss_buckets.size(); ++i) {
      h.bucket_counts[i < bounds ? i : bounds] += c.peak_rss_buckets[i];
    }
    h.count += r.count;
    h.sum += static_cast<double>(c.peak_rss_bytes_sum);
    rss.updated = now;
  }
  if ((on & EXECMOND_RESOURCE_IO) != 0) {
    add_split(totals_.io_bytes, labels_of(Family::Io, r.who), r.count,
              {{"read", c.io_read_bytes}, {"write", c.io_write_bytes}}, now);
  }
  if ((on & EXECMOND_RESOURCE_FAULTS) != 0) {
    add_split(totals_.page_faults, labels_of(Family::PageFaults, r.who), r.count,
              {{"major", c.major_faults}, {"minor", c.minor_faults}}, now);
  }
  if ((on & EXECMOND_RESOURCE_SWITCHES) != 0) {
    add_split(totals_.switches, labels_of(Family::ContextSwitches, r.who), r.count,
              {{"voluntary", c.voluntary_switches}, {"involuntary", c.involuntary_switches}}, now);
  }
}

// A program seen in any family gets a live series, so the gauge reads 0
// after its processes end instead of having never existed.
void Aggregator::note_live_series(const Identity& who, double now) {
  LabelValues key = labels_of(Family::Processes, who);
  if (auto it = totals_.live.series.find(key); it != totals_.live.series.end()) {
    it->second.updated = now;  // still active: not stale
    return;
  }
  // cppcheck-suppress accessMoved ; moved once, into the call (a false positive of cppcheck 2.10)
  series_for(totals_.live, std::move(key), 0).updated = now;
}

void Aggregator::set_live(const std::vector<LiveEntry>& live, double now) {
  std::map<LabelValues, std::uint64_t> counts;
  for (const LiveEntry& e : live) {
    if (filter_.keeps(e.who)) counts[labels_of(Family::Processes, e.who)] += e.count;
  }
  for (auto& [key, s] : totals_.live.series) {
    if (s.value != 0) s.updated = now;  // it was non-zero until now
    s.value = 0;
  }
  for (auto& [key, n] : counts) {
    auto& s = series_for(totals_.live, key, 0);
    s.value += n;
    s.updated = now;
  }
}

void Aggregator::drop_stale(double now, double max_age) {
  if (max_age <= 0) return;
  auto sweep = [&](auto& family) {
    std::erase_if(family.series, [&](const auto& kv) { return now - kv.second.updated > max_age; });
  };
  sweep(totals_.execs);
  sweep(totals_.forks);
  sweep(totals_.exits);
  sweep(totals_.lifetimes);
  sweep(totals_.cpu_ns);
  sweep(totals_.peak_rss);
  sweep(totals_.io_bytes);
  sweep(totals_.page_faults);
  sweep(totals_.switches);
  sweep(totals_.oom_kills);
  std::erase_if(totals_.live.series, [&](const auto& kv) {
    return kv.second.value == 0 && now - kv.second.updated > max_age;  // alive is never stale
  });
}

}  // namespace execmond
