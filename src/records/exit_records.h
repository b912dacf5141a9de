// Which process it was: each drain's notable exits made into records (the
// kernel side chose them; the selectors of records.failures_of and exits_of
// pick among the ordinary ones it hands over for them), passed through the
// rate limits, kept for GET /exits and handed to the outputs, which write
// them on a thread of their own: neither disk nor journald delays a drain.
// Defines execmond_exit_records_total{kind} and
// execmond_exit_records_dropped_total{reason}, which it fills: for every
// notable exit exactly one of them counts.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/records_config.h"
#include "identity/identity_resolver.h"
#include "kernel/exit_record_ring.h"
#include "naming/name_cache.h"
#include "records/exit_record.h"
#include "records/rate_limit.h"
#include "records/record_maker.h"
#include "records/record_ring.h"
#include "records/record_writer.h"
#include "util/error.h"

namespace execmond {

// Why a notable exit has no record: the label of execmond_exit_records_dropped_total.
enum class RecordDrop { KernelBufferFull, RateLimit };
inline constexpr std::array<const char*, 2> kRecordDropNames = {"kernel_buffer_full", "rate_limit"};

class ExitRecords {
 public:
  // Keeps the records in `ring` (which the web service reads). Throws Fatal
  // when `config` does not compile (it was checked when read).
  ExitRecords(const RecordsConfig& config, std::shared_ptr<RecordRing> ring, std::string host,
              std::uint32_t resources, std::shared_ptr<naming::NameCache> names,
              prometheus::Registry& registry);

  // A reload: the old settings stay in force when the new ones do not compile.
  Status configure(const RecordsConfig& config);
  // What the kernel side must hand over for these settings (set_record_knobs()).
  std::uint64_t crash_signal_bits() const { return crash_signal_bits_; }
  std::uint32_t candidates() const { return candidates_; }

  // Whether the filters keep a process's exits: the kernel applies the
  // exact ones; the daemon's (regular expressions, units) are asked here.
  using Counted = std::function<bool(const Identity&)>;

  // One drain's records from the kernel, oldest first, and the cumulative
  // count of those it had no room for.
  void take(const std::vector<execmond_exit_record>& kernel_records, const ExitRecordDrops& drops,
            IdentityResolver& resolver, const Counted& counted);

  // SIGHUP: the JSON file is opened anew (logrotate moved it).
  void reopen_outputs() { outputs_.reopen(); }

 private:
  bool selected(const ExitRecord& record) const;
  void count_kernel_drops(const ExitRecordDrops& drops);
  void log_rate_limit_drops();

  RecordsConfig config_;
  std::shared_ptr<naming::NameCache> names_;
  RecordMaker maker_;
  RecordRateLimit limit_;
  std::shared_ptr<RecordRing> ring_;
  RecordOutputs outputs_;
  std::uint64_t crash_signal_bits_ = 0;
  std::uint32_t candidates_ = EXECMOND_CANDIDATES_NONE;
  std::uint64_t sequence_ = 0;
  std::uint64_t kernel_drops_seen_ = 0;
  std::chrono::steady_clock::time_point last_drop_log_{};
  std::array<prometheus::Counter*, kRecordKindCount> made_{};
  std::array<prometheus::Counter*, kRecordDropNames.size()> dropped_{};
};

}  // namespace execmond
