#include "kernel/counts_table.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <utility>

#include "table_layout.h"
#include "util/label_text.h"

namespace execmond {

std::string comm_of(const char (&comm)[EXECMOND_COMM_LEN]) {
  return to_valid_utf8({comm, strnlen(comm, EXECMOND_COMM_LEN)});
}

namespace {

// One line per field of execmond_count_value.
void add(CountRecord& r, const execmond_count_value& v) {
  r.count += v.count;
  r.lifetime_ns_sum += v.lifetime_ns_sum;
}

}  // namespace

std::vector<CountRecord> count_records(std::span<const execmond_count_key> keys,
                                       std::span<const execmond_count_value> values,
                                       std::span<const execmond_count_cost> costs) {
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
                  0,
                  key.oom,
                  {}};
    r.ids.exe_generation = key.exe_generation;
    r.ids.cmdline_id = key.cmdline_id;
    r.ids.parent = comm_of(key.parent);
    for (std::size_t cpu = 0; cpu < cpus; ++cpu) {
      add(r, values[cpu * keys.size() + i]);
    }
    if (i < costs.size()) r.cost = exit_cost_of(costs[i]);
    // No exit but a cost: what exits counted earlier spent until their reap.
    if (r.count != 0 || r.cost != ExitCost{}) records.push_back(std::move(r));
  }
  return records;
}

CountsTable::CountsTable(MapAccess& maps, const Tracer::Tables& tables, std::uint32_t* keys_claimed)
    : maps_(maps), tables_(tables), keys_claimed_(keys_claimed) {}

Result<TakenCounts> CountsTable::take(std::uint32_t generation) {
  const Tracer::Tables& t = tables_;
  const std::uint32_t g = execmond_gen(generation);
  const std::uint32_t used = std::atomic_ref(keys_claimed_[g]).load(std::memory_order_acquire);
  Values taken{std::min(used, t.max_keys), {}, {}};
  std::vector<execmond_count_key> keys(taken.keys);
  std::vector<std::uint32_t> slots(taken.keys);
  if (taken.keys != 0) {
    const std::uint32_t first = execmond_count_key_at(g, t.max_keys, 0);
    Status read = read_range<execmond_count_key>(maps_, t.counts_keys, first, keys);
    if (read) read = read_range<std::uint32_t>(maps_, t.counts_index, first, slots);
    if (read) read = read_values(g, taken);
    if (!read) return Error{"cannot read the counts table: " + read.error().message};
  }
  Values added = taken;
  subtract_reported(g, added);
  std::vector<CountRecord> records = count_records(keys, added.values, added.costs);
  Status emptied = empty(g, used, slots);
  if (emptied) {
    reported_[g] = {};
  } else {
    keep_reported(g, std::move(taken));
  }
  return TakenCounts{std::move(records), std::move(emptied)};
}

Status CountsTable::read_values(std::uint32_t g, Values& out) {
  const Tracer::Tables& t = tables_;
  const std::uint32_t n = out.keys;
  out.values.assign(static_cast<std::size_t>(t.ncpus) * n, {});
  out.costs.assign(t.has_costs ? n : 0, {});
  Status read;
  if (t.has_costs) {
    read = read_range<execmond_count_cost>(maps_, t.counts_costs,
                                           execmond_count_key_at(g, t.max_keys, 0), out.costs);
  }
  for (std::uint32_t cpu = 0; read && cpu < t.ncpus; ++cpu) {
    const std::uint32_t row = execmond_count_value_at(g, t.ncpus, cpu, t.max_keys, 0);
    read = read_range(maps_, t.counts_values, row,
                      std::span(out.values).subspan(cpu * std::size_t{n}, n));
  }
  return read;
}

// No handler writes to the generation until the next flip, so what the map
// holds now was all in `taken`, and all of it has been reported. The empty
// may have got part of the way (a batch write stops at its first failure):
// read what it left. If even that fails, take it that nothing was emptied;
// the subtraction stops at zero, so a value is never reported twice.
void CountsTable::keep_reported(std::uint32_t g, Values taken) {
  Values left{taken.keys, {}, {}};
  if (taken.keys != 0 && read_values(g, left)) {
    reported_[g] = std::move(left);
  } else {
    reported_[g] = std::move(taken);
  }
}

namespace {

std::uint64_t minus(std::uint64_t now, std::uint64_t reported) {
  return now > reported ? now - reported : 0;
}

// One line per field of execmond_count_value and execmond_count_cost.
void subtract(execmond_count_value& now, const execmond_count_value& reported) {
  now.count = minus(now.count, reported.count);
  now.lifetime_ns_sum = minus(now.lifetime_ns_sum, reported.lifetime_ns_sum);
}

void subtract(execmond_count_cost& now, const execmond_count_cost& reported) {
  now.cpu_user_ns = minus(now.cpu_user_ns, reported.cpu_user_ns);
  now.cpu_system_ns = minus(now.cpu_system_ns, reported.cpu_system_ns);
  now.peak_rss_bytes_sum = minus(now.peak_rss_bytes_sum, reported.peak_rss_bytes_sum);
  for (std::size_t i = 0; i < std::size(now.peak_rss_buckets); ++i) {
    now.peak_rss_buckets[i] =
        static_cast<unsigned int>(minus(now.peak_rss_buckets[i], reported.peak_rss_buckets[i]));
  }
  now.io_read_bytes = minus(now.io_read_bytes, reported.io_read_bytes);
  now.io_write_bytes = minus(now.io_write_bytes, reported.io_write_bytes);
  now.minor_faults = minus(now.minor_faults, reported.minor_faults);
  now.major_faults = minus(now.major_faults, reported.major_faults);
  now.voluntary_switches = minus(now.voluntary_switches, reported.voluntary_switches);
  now.involuntary_switches = minus(now.involuntary_switches, reported.involuntary_switches);
}

}  // namespace

// Keys stay claimed while a generation is not emptied, so the value indexes
// reported earlier are the first ones of `now`, with their keys unchanged.
void CountsTable::subtract_reported(std::uint32_t g, Values& now) const {
  const Values& reported = reported_[g];
  const std::uint32_t n = std::min(reported.keys, now.keys);
  for (std::uint32_t cpu = 0; cpu < tables_.ncpus; ++cpu) {
    for (std::uint32_t i = 0; i < n; ++i) {
      subtract(now.values[cpu * std::size_t{now.keys} + i],
               reported.values[cpu * std::size_t{reported.keys} + i]);
    }
  }
  for (std::uint32_t i = 0; i < n && i < now.costs.size() && i < reported.costs.size(); ++i) {
    subtract(now.costs[i], reported.costs[i]);
  }
}

// Stops at the first failure and keeps the keys claimed, so that no new key
// takes over an index whose values may not have been emptied.
Status CountsTable::empty(std::uint32_t g, std::uint32_t used,
                          std::span<const std::uint32_t> slots) {
  const Tracer::Tables& t = tables_;
  std::vector<std::uint32_t> value_indices;
  value_indices.reserve(static_cast<std::size_t>(t.ncpus) * slots.size());
  for (std::uint32_t cpu = 0; cpu < t.ncpus; ++cpu) {
    const std::uint32_t row = execmond_count_value_at(g, t.ncpus, cpu, t.max_keys, 0);
    for (std::uint32_t i = 0; i < slots.size(); ++i) value_indices.push_back(row + i);
  }
  // Slots lose their key bytes too: a handler reading a half-claimed slot
  // must never see an old key that could match its own.
  Status done = fill_at(maps_, t.counts_values, value_indices, execmond_count_value{});
  if (done && t.has_costs) {
    std::vector<std::uint32_t> cost_indices(slots.size());
    for (std::uint32_t i = 0; i < slots.size(); ++i) {
      cost_indices[i] = execmond_count_key_at(g, t.max_keys, i);
    }
    done = fill_at(maps_, t.counts_costs, cost_indices, execmond_count_cost{});
  }
  if (done) done = fill_at(maps_, t.counts_slots, slots, execmond_count_slot{});
  if (done && used > t.max_keys) {
    // Keys past the limit hold FULL slots that have no value index: clear them all.
    std::vector<std::uint32_t> all(t.key_slots);
    for (std::uint32_t i = 0; i < t.key_slots; ++i) {
      all[i] = execmond_count_slot_at(g, t.key_slots, 0, i);
    }
    done = fill_at(maps_, t.counts_slots, all, execmond_count_slot{});
  }
  if (!done) return Error{"cannot empty the counts table: " + done.error().message};
  std::atomic_ref(keys_claimed_[g]).store(0, std::memory_order_release);
  return {};
}

}  // namespace execmond
