#include "kernel/counts_table.h"

#include <cstring>

#include "util/label_text.h"

namespace execmond {

std::string comm_of(const char (&comm)[EXECMOND_COMM_LEN]) {
  return to_valid_utf8({comm, strnlen(comm, EXECMOND_COMM_LEN)});
}

std::vector<CountRecord> count_records(std::span<const execmond_count_key> keys,
                                       std::span<const execmond_count_value> values) {
  std::vector<CountRecord> records;
  if (keys.empty()) return records;
  const std::size_t cpus = values.size() / keys.size();
  records.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const execmond_count_key& key = keys[i];
    CountRecord r{{comm_of(key.comm), key.cgroup_id, key.exe_ino, key.exe_dev, key.uid},
                  key.kind,
                  key.status,
                  key.bucket,
                  0,
                  0};
    for (std::size_t cpu = 0; cpu < cpus; ++cpu) {
      const execmond_count_value& v = values[cpu * keys.size() + i];
      r.count += v.count;
      r.lifetime_ns_sum += v.lifetime_ns_sum;
    }
    if (r.count != 0) records.push_back(std::move(r));
  }
  return records;
}

}  // namespace execmond
