// How many records are made: token buckets, one for all records and one for
// each program, so that a crashlooping program neither floods the outputs nor
// crowds out the records of the others. A record dropped by a limit is
// counted, by program, for one summary log line per interval.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/records_config.h"

namespace execmond {

// Not thread-safe: the records pipeline calls it from one thread.
class RecordRateLimit {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Programs with a bucket of their own at once. A new program finding them
  // all taken first evicts the buckets that are full again (their programs
  // idle: a new bucket would start just as full); when none is, it is limited
  // by the overall bucket alone until one is.
  static constexpr std::size_t kMaxTrackedPrograms = 4096;
  // Programs whose drops are counted by name between two take_dropped(); the
  // drops of further ones count in the total only.
  static constexpr std::size_t kMaxDroppedNames = 4096;

  explicit RecordRateLimit(
      const RecordsConfig& config, Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Takes a reloaded configuration's rates and bursts. The time passed so far
  // is credited at the old rates; a bucket holding more than its new burst is
  // cut to it; a bucket whose limit is turned on starts full. Drops counted so
  // far stay.
  void configure(const RecordsConfig& config);

  // True: make the record. False: it is over the program's or the overall
  // limit, and counted as dropped. A token is taken only when both buckets
  // admit, so a dropped record costs neither.
  bool admit(std::string_view program);

  struct Dropped {
    std::uint64_t total = 0;
    // Most first, then by name; may sum to less than total (kMaxDroppedNames).
    std::vector<std::pair<std::string, std::uint64_t>> by_program;
    bool operator==(const Dropped&) const = default;
  };
  // The drops since the last call, and starts counting anew.
  Dropped take_dropped();

  std::size_t tracked_programs() const { return programs_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  struct Limit {
    double rate = 0;  // per second; 0: no limit
    double burst = 1;
  };

  static void refill(Bucket& bucket, const Limit& limit, std::chrono::steady_clock::time_point now);
  static bool has_token(const Bucket& bucket, const Limit& limit);
  // The bucket of `program`, made full when new; null when there is no room.
  Bucket* program_bucket(std::string_view program, std::chrono::steady_clock::time_point now);
  // Evicts the buckets that are full again, and notes when the soonest of the
  // others can be.
  void evict_full(std::chrono::steady_clock::time_point now);
  void count_drop(std::string_view program);

  Clock clock_;
  Limit overall_limit_;
  Limit program_limit_;
  Bucket overall_;
  std::unordered_map<std::string, Bucket> programs_;
  // No sweep before this: no bucket can be full again sooner.
  std::chrono::steady_clock::time_point next_sweep_{};
  std::uint64_t dropped_total_ = 0;
  std::unordered_map<std::string, std::uint64_t> dropped_;
};

// One log line: "dropped 9412 records by rate limit: crashloop 9400, other 12",
// the five programs with the most, then ", and N more" for the rest; "" when
// none were dropped.
std::string summarize(const RecordRateLimit::Dropped& dropped);

}  // namespace execmond
