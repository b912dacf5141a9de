// The daemon's side of the kernel's counts table (bpf/execmond.h): after a
// generation flip and a grace period no handler writes the idle generation,
// so a drain reads each key it holds once and empties it for reuse.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "execmond.h"
#include "identity_resolver.h"

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

// One generation of the table, as mapped from the kernel.
struct CountsGeneration {
  std::span<execmond_count_slot> slots;    // key_slots of them
  std::span<execmond_count_value> values;  // ncpus rows of max_keys
  std::span<std::uint64_t> index;          // max_keys: the slot of each value
  std::uint32_t* keys_claimed = nullptr;   // may exceed max_keys: those keys were lost
  std::uint32_t ncpus = 1;
  std::uint32_t max_keys = 0;
};

// Reads every key of an idle generation and leaves it empty. A key two CPUs
// claimed at once appears twice; the aggregator adds them up.
std::vector<CountRecord> take_counts(const CountsGeneration& generation);

// The command name as a label value: up to 15 bytes, valid UTF-8.
std::string comm_of(const char (&comm)[EXECMOND_COMM_LEN]);

}  // namespace execmond
