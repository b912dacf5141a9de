#include "kernel/drainer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/membarrier.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "kernel/array_map.h"
#include "kernel/tracer.h"
#include "table_layout.h"

namespace execmond {

namespace {

constexpr std::uint32_t kBatch = 1024;

std::vector<std::uint32_t> index_range(std::uint32_t first, std::uint32_t n) {
  std::vector<std::uint32_t> v(n);
  for (std::uint32_t i = 0; i < n; ++i) v[i] = first + i;
  return v;
}

void fail(const char* what) { spdlog::error("drain: cannot {}: {}", what, std::strerror(errno)); }

}  // namespace

const std::array<const char*, EXECMOND_LOST_REASONS>& lost_reason_names() {
  static const std::array<const char*, EXECMOND_LOST_REASONS> names{
      "exec_counts_map_full", "fork_counts_map_full", "exit_counts_map_full", "procs_map_full"};
  return names;
}

Drainer::Drainer(Tracer& tracer) : tracer_(tracer) {}

DrainResult Drainer::drain() {
  DrainResult out;
  std::atomic_ref<std::uint32_t> generation(*tracer_.globals().generation);
  const std::uint32_t old_generation = generation.load(std::memory_order_acquire);
  generation.store(old_generation + 1, std::memory_order_release);
  wait_for_grace_period();
  out.counts = take_counts(old_generation);
  out.counts_entries = out.counts.size();
  read_procs(old_generation);
  out.live = live_.by_identity();
  out.procs_entries = live_.size();
  read_seeded(out);
  read_lost(out);
  read_program_stats(out);
  return out;
}

// Handlers run inside an RCU read-side section; synchronize_rcu() returns once
// all that started before the flip have finished. membarrier(GLOBAL) is the
// system call that performs it.
void Drainer::wait_for_grace_period() {
  if (membarrier_supported_) {
    if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0) return;
    membarrier_supported_ = false;
    spdlog::warn(
        "membarrier(MEMBARRIER_CMD_GLOBAL) failed ({}), e.g. under nohz_full; "
        "waiting 20ms per drain instead of an RCU grace period",
        std::strerror(errno));
  }
  // Handlers take microseconds; this is far beyond any of them.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::vector<CountRecord> Drainer::take_counts(std::uint32_t generation) {
  const Tracer::Tables& t = tracer_.tables();
  const std::uint32_t g = execmond_gen(generation);
  std::atomic_ref<std::uint32_t> claimed(tracer_.globals().keys_claimed[g]);
  const std::uint32_t used = claimed.load(std::memory_order_acquire);
  const std::uint32_t n = std::min(used, t.max_keys);
  std::vector<CountRecord> records;
  if (n != 0) {
    std::vector<execmond_count_key> keys(n);
    std::vector<execmond_count_value> values(static_cast<std::size_t>(t.ncpus) * n);
    std::vector<std::uint32_t> slots(n);
    std::vector<std::uint32_t> value_indices;
    value_indices.reserve(values.size());
    const std::uint32_t first = execmond_count_key_at(g, t.max_keys, 0);
    bool ok = read_range<execmond_count_key>(t.counts_keys, first, keys) &&
              read_range<std::uint32_t>(t.counts_index, first, slots);
    for (std::uint32_t cpu = 0; ok && cpu < t.ncpus; ++cpu) {
      const std::uint32_t row = execmond_count_value_at(g, t.ncpus, cpu, t.max_keys, 0);
      ok = read_range(t.counts_values, row, std::span(values).subspan(cpu * std::size_t{n}, n));
      for (std::uint32_t i = 0; i < n; ++i) value_indices.push_back(row + i);
    }
    if (!ok) fail("read the counts table");
    records = count_records(keys, values);
    // Empty what was read. Slots lose their key bytes too: a handler reading a
    // half-claimed slot must never see an old key that could match its own.
    if (!fill_at(t.counts_values, value_indices, execmond_count_value{}) ||
        !fill_at(t.counts_slots, slots, execmond_count_slot{})) {
      fail("empty the counts table");
    }
  }
  if (used > t.max_keys) {
    // Keys past the limit hold FULL slots that have no value index: clear them all.
    if (!fill_at(t.counts_slots,
                 index_range(execmond_count_slot_at(g, t.key_slots, 0, 0), t.key_slots),
                 execmond_count_slot{})) {
      fail("empty the counts table");
    }
  }
  claimed.store(0, std::memory_order_release);
  return records;
}

void Drainer::read_procs(std::uint32_t generation) {
  const Tracer::Tables& t = tracer_.tables();
  const std::uint32_t first =
      execmond_dirty_word_at(execmond_gen(generation), t.ncpus, 0, t.dirty_words, 0);
  std::vector<std::uint64_t> bitmaps(static_cast<std::size_t>(t.ncpus) * t.dirty_words);
  if (!read_range<std::uint64_t>(t.procs_dirty, first, bitmaps)) return fail("read procs_dirty");
  std::vector<std::uint32_t> set;
  for (std::uint32_t i = 0; i < bitmaps.size(); ++i) {
    if (bitmaps[i] != 0) set.push_back(first + i);
  }
  if (!fill_at(t.procs_dirty, set, std::uint64_t{0})) return fail("clear procs_dirty");
  std::vector<execmond_proc> a(EXECMOND_PROCS_PER_DIRTY_BIT);
  std::vector<execmond_proc> b(EXECMOND_PROCS_PER_DIRTY_BIT);
  for (std::uint32_t block : dirty_blocks(bitmaps, t.dirty_words)) {
    const std::uint32_t slot = execmond_block_first_slot(block);
    if (!read_range<execmond_proc>(t.procs, slot, a) ||
        !read_range<execmond_proc>(t.procs, slot, b)) {
      return fail("read the procs table");
    }
    live_.update_block(slot, a, b);
  }
}

void Drainer::read_seeded(DrainResult& out) {
  const int fd = tracer_.tables().procs_seeded;
  std::vector<execmond_proc_key> keys(kBatch);
  std::vector<execmond_proc_value> values(kBatch);
  std::uint32_t token = 0;  // a hash map's batch position: a bucket number
  for (bool first = true;; first = false) {
    std::uint32_t n = kBatch;
    int err = bpf_map_lookup_batch(fd, first ? nullptr : &token, &token, keys.data(), values.data(),
                                   &n, nullptr);
    for (std::uint32_t i = 0; i < n; ++i) {
      const execmond_proc_value& v = values[i];
      ++out.live[{comm_of(v.comm), v.cgroup_id, v.exe_ino, v.exe_dev, v.uid}];
      ++out.procs_entries;
    }
    if (err == -ENOENT) return;
    if (err != 0) return fail("read procs_seeded");
  }
}

void Drainer::read_lost(DrainResult& out) {
  std::vector<std::uint64_t> per_cpu(tracer_.tables().ncpus);
  for (std::uint32_t reason = 0; reason < EXECMOND_LOST_REASONS; ++reason) {
    if (bpf_map_lookup_elem(tracer_.tables().lost, &reason, per_cpu.data()) != 0) continue;
    std::uint64_t sum = 0;
    for (std::uint64_t v : per_cpu) sum += v;
    out.lost_total[reason] = sum;
  }
}

void Drainer::read_program_stats(DrainResult& out) {
  for (const ProgramFd& prog : tracer_.attached_programs()) {
    bpf_prog_info info{};
    std::uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(prog.fd, &info, &len) != 0) continue;
    out.programs.push_back({prog.name, info.run_cnt, info.run_time_ns});
  }
}

}  // namespace execmond
