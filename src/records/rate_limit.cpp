#include "records/rate_limit.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "config/config.h"

namespace execmond {
namespace {

using TimePoint = std::chrono::steady_clock::time_point;
using Seconds = std::chrono::duration<double>;

// Refills add fractions of a token: a bucket that should hold exactly one
// may hold a hair less.
constexpr double kTokenSlack = 1e-9;
constexpr std::size_t kProgramsInSummary = 5;

std::string shown_program(const std::string& name) {
  return name.empty() ? "\"\"" : one_line(name);
}

}  // namespace

RecordRateLimit::RecordRateLimit(const RecordsConfig& config, Clock clock)
    : clock_(std::move(clock)) {
  const TimePoint now = clock_();
  overall_limit_ = {config.rate_per_second, static_cast<double>(std::max(config.burst, 1U))};
  program_limit_ = {config.program_rate_per_second,
                    static_cast<double>(std::max(config.program_burst, 1U))};
  overall_ = {overall_limit_.burst, now};
}

void RecordRateLimit::configure(const RecordsConfig& config) {
  const TimePoint now = clock_();
  const Limit overall{config.rate_per_second, static_cast<double>(std::max(config.burst, 1U))};
  const Limit program{config.program_rate_per_second,
                      static_cast<double>(std::max(config.program_burst, 1U))};

  if (overall_limit_.rate > 0 && overall.rate > 0) {
    refill(overall_, overall_limit_, now);
    overall_.tokens = std::min(overall_.tokens, overall.burst);
  } else {
    overall_ = {overall.burst, now};  // turned on (or off): nothing to keep
  }

  if (program_limit_.rate > 0 && program.rate > 0) {
    for (auto& [name, bucket] : programs_) {
      refill(bucket, program_limit_, now);
      bucket.tokens = std::min(bucket.tokens, program.burst);
    }
  } else {
    programs_.clear();  // new buckets start full, as a limit turned on should
  }
  next_sweep_ = {};  // the new rates change when buckets fill
  overall_limit_ = overall;
  program_limit_ = program;
}

bool RecordRateLimit::admit(std::string_view program) {
  const TimePoint now = clock_();
  Bucket* own = program_limit_.rate > 0 ? program_bucket(program, now) : nullptr;
  if (own != nullptr && !has_token(*own, program_limit_)) {
    count_drop(program);
    return false;
  }
  if (overall_limit_.rate > 0) {
    refill(overall_, overall_limit_, now);
    if (!has_token(overall_, overall_limit_)) {
      count_drop(program);
      return false;
    }
    overall_.tokens = std::max(overall_.tokens - 1, 0.0);
  }
  if (own != nullptr) own->tokens = std::max(own->tokens - 1, 0.0);
  return true;
}

RecordRateLimit::Dropped RecordRateLimit::take_dropped() {
  Dropped dropped{dropped_total_, {dropped_.begin(), dropped_.end()}};
  std::sort(dropped.by_program.begin(), dropped.by_program.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  dropped_total_ = 0;
  dropped_.clear();
  return dropped;
}

void RecordRateLimit::refill(Bucket& bucket, const Limit& limit, TimePoint now) {
  if (now <= bucket.last) return;  // a steady clock; a test's may stand still
  const double elapsed = Seconds(now - bucket.last).count();
  bucket.tokens = std::min(limit.burst, bucket.tokens + limit.rate * elapsed);
  bucket.last = now;
}

bool RecordRateLimit::has_token(const Bucket& bucket, const Limit& limit) {
  return limit.rate == 0 || bucket.tokens >= 1 - kTokenSlack;
}

RecordRateLimit::Bucket* RecordRateLimit::program_bucket(std::string_view program, TimePoint now) {
  std::string name(program);
  if (auto it = programs_.find(name); it != programs_.end()) {
    refill(it->second, program_limit_, now);
    return &it->second;
  }
  if (programs_.size() >= kMaxTrackedPrograms && now >= next_sweep_) evict_full(now);
  if (programs_.size() >= kMaxTrackedPrograms) return nullptr;
  return &programs_.emplace(std::move(name), Bucket{program_limit_.burst, now}).first->second;
}

void RecordRateLimit::evict_full(TimePoint now) {
  double soonest = std::numeric_limits<double>::infinity();
  for (auto it = programs_.begin(); it != programs_.end();) {
    refill(it->second, program_limit_, now);
    const double missing = program_limit_.burst - it->second.tokens;
    if (missing <= kTokenSlack) {
      it = programs_.erase(it);
      continue;
    }
    soonest = std::min(soonest, missing / program_limit_.rate);
    ++it;
  }
  next_sweep_ =
      programs_.empty()
          ? now
          : now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(Seconds(soonest));
}

void RecordRateLimit::count_drop(std::string_view program) {
  ++dropped_total_;
  std::string name(program);
  auto it = dropped_.find(name);
  if (it != dropped_.end()) {
    ++it->second;
  } else if (dropped_.size() < kMaxDroppedNames) {
    dropped_.emplace(std::move(name), 1);
  }
}

std::string summarize(const RecordRateLimit::Dropped& dropped) {
  if (dropped.total == 0) return "";
  std::string out = "dropped " + std::to_string(dropped.total) +
                    (dropped.total == 1 ? " record" : " records") + " by rate limit";
  const std::size_t shown = std::min(dropped.by_program.size(), kProgramsInSummary);
  std::uint64_t listed = 0;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& [name, count] = dropped.by_program[i];
    out += (i == 0 ? ": " : ", ") + shown_program(name) + " " + std::to_string(count);
    listed += count;
  }
  if (shown > 0 && listed < dropped.total) {
    out += ", and " + std::to_string(dropped.total - listed) + " more";
  }
  return out;
}

}  // namespace execmond
