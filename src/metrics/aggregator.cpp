#include "metrics/aggregator.h"

#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <utility>

#include "execmond.h"

namespace execmond {

std::string signal_name(int signal) {
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
    return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
  }
  if (const char* abbrev = sigabbrev_np(signal); abbrev != nullptr) {
    return std::string("SIG") + abbrev;
  }
  return "SIG" + std::to_string(signal);
}

ExitOutcome decode_wait_status(std::uint32_t status) {
  const int s = static_cast<int>(status);
  if (WIFEXITED(s)) return {"exited", std::to_string(WEXITSTATUS(s))};
  const int sig = s & 0x7f;
  return {WCOREDUMP(s) ? "dumped" : "signaled", signal_name(sig)};
}

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
    if (r.count == 0 || !filter_.keeps(r.who)) continue;
    switch (r.kind) {
      case EXECMOND_KIND_EXEC: {
        auto& s = series_for(totals_.execs, labels_of(Family::Execs, r.who), r.count);
        s.value += r.count;
        s.updated = now;
        break;
      }
      case EXECMOND_KIND_FORK: {
        auto& s = series_for(totals_.forks, labels_of(Family::Forks, r.who), r.count);
        s.value += r.count;
        s.updated = now;
        break;
      }
      case EXECMOND_KIND_EXIT: {
        ExitOutcome outcome = decode_wait_status(r.status);
        LabelValues key = labels_of(Family::Exits, r.who);
        key.push_back(outcome.reason);
        key.push_back(outcome.code);
        auto& exits = series_for(totals_.exits, std::move(key), r.count);
        exits.value += r.count;
        exits.updated = now;

        auto& life = series_for(totals_.lifetimes, labels_of(Family::Lifetime, r.who), r.count);
        LifetimeHistogram& h = life.value;
        const std::size_t bounds = options_.lifetime_bounds.size();
        h.bucket_counts.resize(bounds + 1);
        // The kernel put the bucket index past the bounds for +Inf.
        h.bucket_counts[r.bucket < bounds ? r.bucket : bounds] += r.count;
        h.count += r.count;
        h.sum_seconds += static_cast<double>(r.lifetime_ns_sum) / 1e9;
        life.updated = now;
        break;
      }
      default:
        continue;  // a kind this build does not know: ignore rather than mislabel
    }
    note_live_series(r.who, now);
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
  std::erase_if(totals_.live.series, [&](const auto& kv) {
    return kv.second.value == 0 && now - kv.second.updated > max_age;  // alive is never stale
  });
}

}  // namespace execmond
