// What a drain makes of the kernel's counts table (bpf/execmond.h): one
// record per counted key, its per-CPU values summed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "execmond.h"
#include "identity/identity_resolver.h"

namespace execmond {

// One counted key, summed over CPUs.
struct CountRecord {
  ProcessIds ids;
  std::uint8_t kind = 0;  // enum execmond_kind
  std::uint32_t status = 0;
  std::uint8_t bucket = 0;
  std::uint64_t count = 0;
  std::uint64_t lifetime_ns_sum = 0;
};

// `values` holds one row of keys.size() values per CPU. Keys that counted
// nothing are left out; a key two CPUs claimed at once appears twice, and
// the aggregator adds such records up.
std::vector<CountRecord> count_records(std::span<const execmond_count_key> keys,
                                       std::span<const execmond_count_value> values);

// The command name as a label value: up to 15 bytes, valid UTF-8.
std::string comm_of(const char (&comm)[EXECMOND_COMM_LEN]);

}  // namespace execmond
