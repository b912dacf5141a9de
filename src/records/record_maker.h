// Turns what the kernel handed over for a notable exit (struct
// execmond_exit_record) into an ExitRecord: who the process was (the
// identity the labels use), what it ran (its names and command line),
// wall-clock times, how it ended and what it spent.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/records_config.h"
#include "execmond.h"
#include "identity/identity.h"
#include "naming/name_cache.h"
#include "records/exit_record.h"
#include "util/error.h"

namespace execmond {

// The kernel's times are CLOCK_BOOTTIME; a record's are wall clock. Taken
// once per drain: a clock step between two drains moves later records only.
struct WallClock {
  std::int64_t boot_to_real_ns = 0;  // CLOCK_REALTIME - CLOCK_BOOTTIME
  static WallClock now();
  std::int64_t real(std::uint64_t boot_ns) const {
    return boot_to_real_ns + static_cast<std::int64_t>(boot_ns);
  }
};

// The kind of record the kernel side chose for an exit.
RecordKind record_kind_of(std::uint8_t kernel_kind);

class RecordMaker {
 public:
  // `resources`: the bits (enum execmond_resource) the tracer accounts.
  RecordMaker(std::string host, std::uint32_t resources);

  // Compiles records.redact and takes records.cmdline; an invalid pattern
  // is an Error and leaves the settings in force as they were.
  Status configure(const RecordsConfig& config);

  ExitRecord make(const execmond_exit_record& kernel, const Identity& who,
                  const naming::NameCache::Described& what, const WallClock& clock) const;

 private:
  std::vector<std::string> redacted(const std::vector<std::string>& argv) const;

  std::string host_;
  std::uint32_t resources_;
  std::uint64_t page_size_;
  bool with_cmdline_ = true;
  std::vector<std::shared_ptr<const RE2>> redact_;
};

// This host's name, for the records' `host`.
std::string host_name();

}  // namespace execmond
