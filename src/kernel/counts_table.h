// What a drain makes of the kernel's counts table (bpf/execmond.h): one
// record per counted key, its per-CPU values summed; and the reader that
// takes one generation's keys and values and empties them for its next turn.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "execmond.h"
#include "identity/identity_resolver.h"
#include "kernel/array_map.h"
#include "kernel/exit_cost.h"
#include "kernel/tracer.h"
#include "util/error.h"

namespace execmond {

// One counted key, summed over CPUs.
struct CountRecord {
  ProcessIds ids;
  std::uint8_t kind = 0;  // enum execmond_kind
  std::uint32_t status = 0;
  std::uint8_t bucket = 0;
  std::uint64_t count = 0;
  std::uint64_t lifetime_ns_sum = 0;
  std::uint8_t oom = 0;  // enum execmond_oom
  ExitCost cost;         // exits, when resources are accounted
};

// `values` holds one row of keys.size() values per CPU, `costs` one cost per
// key or nothing. Keys that counted nothing are left out; a key two CPUs
// claimed at once appears twice, and the aggregator adds such records up.
std::vector<CountRecord> count_records(std::span<const execmond_count_key> keys,
                                       std::span<const execmond_count_value> values,
                                       std::span<const execmond_count_cost> costs = {});

// What CountsTable::take() found in one generation, and whether emptying it
// went right. When it did not, the records are still what the kernel
// counted, and the reader remembers them so as not to report them again.
struct TakenCounts {
  std::vector<CountRecord> records;
  Status emptied;
};

// Takes one generation of the counts table once no handler writes to it (see
// Drainer): reads its keys, per-CPU values and costs, then empties them. A failed
// read leaves the table as it was: the generation keeps its counts, and
// handlers keep adding to them, until a later drain reads them. A failed
// empty leaves values the drain has reported: the reader keeps what is left
// in the map, and the generation's later takes report only what was added
// to it, so that every event is reported once through any map error.
class CountsTable {
 public:
  // `keys_claimed` is the handlers' [2] count of keys claimed per generation
  // (Tracer::Globals). The references outlive the reader.
  CountsTable(MapAccess& maps, const Tracer::Tables& tables, std::uint32_t* keys_claimed);

  Result<TakenCounts> take(std::uint32_t generation);

 private:
  // One generation's values and costs of its first `keys` value indexes,
  // laid out as take() reads them.
  struct Values {
    std::uint32_t keys = 0;
    std::vector<execmond_count_value> values;  // keys per CPU, CPU after CPU
    std::vector<execmond_count_cost> costs;    // one per key, or none
  };
  Status read_values(std::uint32_t g, Values& out);
  Status empty(std::uint32_t g, std::uint32_t used, std::span<const std::uint32_t> slots);
  // Remembers what the failed empty of generation `g` left of `taken`.
  void keep_reported(std::uint32_t g, Values taken);
  // Takes what earlier drains reported from what the map holds now.
  void subtract_reported(std::uint32_t g, Values& now) const;

  MapAccess& maps_;
  const Tracer::Tables& tables_;
  std::uint32_t* keys_claimed_;
  // Per generation: what is still in the map but was reported already.
  std::array<Values, 2> reported_;
};

// The command name as a label value: up to 15 bytes, valid UTF-8.
std::string comm_of(const char (&comm)[EXECMOND_COMM_LEN]);

}  // namespace execmond
