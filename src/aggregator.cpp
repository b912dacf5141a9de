#include "aggregator.h"

#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <utility>

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

Aggregator::Aggregator(std::vector<double> lifetime_bounds_seconds)
    : bounds_(std::move(lifetime_bounds_seconds)) {}

void Aggregator::add(const std::vector<CountRecord>& records) {
  for (const CountRecord& r : records) {
    switch (r.kind) {
      case EXECMOND_KIND_EXEC:
        totals_.execs[r.comm] += r.count;
        break;
      case EXECMOND_KIND_FORK:
        totals_.forks[r.comm] += r.count;
        break;
      case EXECMOND_KIND_EXIT: {
        ExitOutcome outcome = decode_wait_status(r.status);
        totals_.exits[{r.comm, outcome.reason, outcome.code}] += r.count;
        LifetimeHistogram& h = totals_.lifetimes[r.comm];
        h.bucket_counts.resize(bounds_.size() + 1);
        // The kernel put the bucket index past the bounds for +Inf.
        std::size_t bucket = r.bucket < bounds_.size() ? r.bucket : bounds_.size();
        h.bucket_counts[bucket] += r.count;
        h.count += r.count;
        h.sum_seconds += static_cast<double>(r.lifetime_ns_sum) / 1e9;
        break;
      }
      default:
        break;  // a kind this build does not know: ignore rather than mislabel
    }
  }
}

void Aggregator::set_live(std::map<std::string, std::uint64_t> live) {
  totals_.live = std::move(live);
}

}  // namespace execmond
