#include "counts_table.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "label_text.h"

namespace execmond {

std::string comm_of(const char (&comm)[EXECMOND_COMM_LEN]) {
  return to_valid_utf8({comm, strnlen(comm, EXECMOND_COMM_LEN)});
}

std::vector<CountRecord> take_counts(const CountsGeneration& g) {
  std::atomic_ref<std::uint32_t> claimed(*g.keys_claimed);
  const std::uint32_t used = claimed.load(std::memory_order_acquire);
  const std::uint32_t keys = std::min(used, g.max_keys);
  std::vector<CountRecord> records;
  records.reserve(keys);
  for (std::uint32_t i = 0; i < keys; ++i) {
    const std::uint64_t at = g.index[i];
    if (at >= g.slots.size()) continue;  // cannot happen after a grace period; stay in bounds
    execmond_count_slot& slot = g.slots[at];
    const execmond_count_key& key = slot.key;
    CountRecord r{{comm_of(key.comm), key.cgroup_id, key.exe_ino, key.exe_dev, key.uid},
                  key.kind,
                  key.status,
                  key.bucket,
                  0,
                  0};
    for (std::uint32_t cpu = 0; cpu < g.ncpus; ++cpu) {
      execmond_count_value& v = g.values[static_cast<std::size_t>(cpu) * g.max_keys + i];
      r.count += v.count;
      r.lifetime_ns_sum += v.lifetime_ns_sum;
      v = {};
    }
    if (r.count != 0) records.push_back(std::move(r));
    // Zero key bytes: a handler on another CPU reading a half-claimed slot
    // must never see an old key that could match its own.
    slot = {};
  }
  if (used > g.max_keys) {
    // Keys past the limit hold FULL slots without a value index: find them.
    for (execmond_count_slot& slot : g.slots) slot = {};
  }
  claimed.store(0, std::memory_order_release);
  return records;
}

}  // namespace execmond
