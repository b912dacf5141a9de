#include "kernel/table_sizes.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <string_view>

#include "execmond.h"
#include "identity/label_resolver.h"
#include "table_layout.h"
#include "util/small_file.h"

namespace execmond {

namespace {

std::uint32_t power_of_two_at_least(std::uint64_t n) {
  std::uint64_t p = 1;
  while (p < n) p <<= 1U;
  return static_cast<std::uint32_t>(p);
}

std::uint64_t round_up8(std::uint64_t n) { return (n + 7) / 8 * 8; }

// An array map holds each value rounded up to 8 bytes (kernel/bpf/arraymap.c).
TableSizes::Map array(const char* name, std::uint64_t entries, std::uint64_t value_size) {
  return {name, entries, entries * round_up8(value_size)};
}

// A preallocated hash map (kernel/bpf/hashtab.c): an element of a 48-byte
// header, key and value for each entry and one spare per CPU, and a 16-byte
// bucket per power-of-two slot.
TableSizes::Map hash(const char* name, std::uint64_t entries, std::uint64_t key_size,
                     std::uint64_t value_size, std::uint32_t ncpus) {
  constexpr std::uint64_t kElementHeader = 48;
  constexpr std::uint64_t kBucket = 16;
  const std::uint64_t element = kElementHeader + round_up8(key_size) + round_up8(value_size);
  return {name, entries,
          (entries + ncpus) * element + std::uint64_t{power_of_two_at_least(entries)} * kBucket};
}

// A ring buffer (kernel/bpf/ringbuf.c): its entries are its data bytes, with
// three pages of positions and header, and the page pointers of its mapping,
// which maps the data twice.
TableSizes::Map ring(const char* name, std::uint64_t bytes) {
  constexpr std::uint64_t kPage = 4096;
  constexpr std::uint64_t kMetaPages = 3;
  const std::uint64_t pages = kMetaPages + bytes / kPage;
  return {name, bytes, pages * kPage + (pages + bytes / kPage) * sizeof(void*) + 256};
}

// bpf/reap_cost.bpf.h's struct reap_cost, as the daemon's sweep reads it. The
// privileged test of execmond_bpf_map_memory_bytes holds this plan to what
// the kernel reports.
constexpr std::uint64_t kReapCostBytes = sizeof(execmond_reap_cost);

}  // namespace

TableSizes plan_tables(std::uint32_t max_keys, std::uint32_t max_processes, std::uint32_t ncpus,
                       bool has_costs, bool capture_cmdline, bool record_parent,
                       bool cmdline_in_keys, std::uint64_t exit_records_bytes,
                       bool cmdline_at_exec) {
  TableSizes t;
  t.ncpus = std::max<std::uint32_t>(ncpus, 1);
  t.max_keys = max_keys;
  t.max_processes = max_processes;
  t.key_slots = power_of_two_at_least(2ULL * max_keys);
  t.procs_slots = power_of_two_at_least(2ULL * max_processes);
  t.dirty_words = execmond_dirty_words(t.procs_slots);
  t.has_costs = has_costs;
  t.capture_cmdline = capture_cmdline;
  t.keeps_origin = (capture_cmdline && cmdline_at_exec) || record_parent;
  t.keys_origin = (capture_cmdline && cmdline_at_exec && cmdline_in_keys) || record_parent;
  constexpr std::uint64_t kMinRing = 256ULL * 1024;
  constexpr std::uint64_t kMaxRing = 64ULL * 1024 * 1024;
  constexpr std::uint64_t kPage = 4096;  // the ring's declared size; libbpf rounds it to a page
  t.cmdline_ring_bytes =
      capture_cmdline
          ? std::clamp<std::uint64_t>(
                power_of_two_at_least(std::min<std::uint64_t>(256ULL * max_keys, kMaxRing)),
                kMinRing, kMaxRing)
          : kPage;
  t.exit_records_bytes = std::max(exit_records_bytes, kPage);
  return t;
}

std::vector<TableSizes::Map> TableSizes::maps() const {
  const std::uint64_t generations = 2;
  return {
      array("counts_slots", generations * key_slots, sizeof(execmond_count_slot)),
      array("counts_origins", keys_origin ? generations * key_slots : 1,
            sizeof(execmond_proc_origin)),
      array("counts_costs", has_costs ? generations * max_keys : 1, sizeof(execmond_count_cost)),
      array("counts_values", generations * ncpus * std::uint64_t{max_keys},
            sizeof(execmond_count_value)),
      array("counts_keys", generations * max_keys, sizeof(execmond_count_key)),
      array("counts_index", generations * max_keys, sizeof(std::uint32_t)),
      array("procs", procs_slots, sizeof(execmond_proc)),
      array("procs_dirty", generations * ncpus * std::uint64_t{dirty_words}, sizeof(std::uint64_t)),
      hash("procs_seeded", max_processes, sizeof(execmond_proc_key), sizeof(execmond_proc_value),
           ncpus),
      hash("reap_costs", has_costs ? max_processes : 1, sizeof(std::uint64_t), kReapCostBytes,
           ncpus),
      array("procs_origin", keeps_origin ? procs_slots : 1, sizeof(execmond_proc_origin)),
      // One scratch record per CPU, indexed by CPU: a per-CPU array's could not shrink to one.
      array("cmdline_scratch", capture_cmdline ? ncpus : 1, sizeof(execmond_cmdline_record)),
      hash("cmdlines_known", capture_cmdline ? 2ULL * max_keys : 1, sizeof(std::uint64_t),
           sizeof(std::uint8_t), ncpus),
      ring("cmdlines", cmdline_ring_bytes),
      ring("exit_records", exit_records_bytes),
  };
}

std::uint64_t TableSizes::memory_bytes() const {
  std::uint64_t total = 0;
  for (const Map& m : maps()) total += m.bytes;
  return total;
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr std::array<const char*, 5> kUnits = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  std::array<char, 32> text{};
  (void)std::snprintf(text.data(), text.size(), "%.1f %s", value, kUnits[unit]);
  return text.data();
}

namespace {

std::uint64_t parse_u64(std::string_view text) {
  std::uint64_t n = 0;
  const auto* end = text.data() + text.size();
  if (std::from_chars(text.data(), end, n).ptr != end) return 0;
  return n;
}

std::uint64_t mem_total_bytes() {
  Result<std::string> meminfo = read_small_file("/proc/meminfo");
  if (!meminfo) return 0;
  constexpr std::string_view kField = "MemTotal:";
  const std::size_t at = meminfo->find(kField);
  if (at == std::string::npos) return 0;
  std::string_view rest = std::string_view(*meminfo).substr(at + kField.size());
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  return parse_u64(rest.substr(0, rest.find(' '))) * 1024;  // "MemTotal: 16314488 kB"
}

}  // namespace

std::uint64_t lowest_memory_max(const std::string& cgroup2_mount,
                                const std::string& proc_self_cgroup) {
  if (cgroup2_mount.empty()) return 0;
  // The unified hierarchy's line; on a hybrid host it comes after the v1 ones.
  const std::string& text = proc_self_cgroup;
  const std::size_t line = text.starts_with("0::") ? 0 : text.find("\n0::");
  if (line == std::string::npos) return 0;
  const std::size_t start = line == 0 ? 3 : line + 4;
  std::string path = text.substr(start, text.find('\n', start) - start);
  std::uint64_t lowest = 0;
  while (true) {
    Result<std::string> max = read_small_file(cgroup2_mount + path + "/memory.max");
    if (max && !max->starts_with("max")) {
      const std::uint64_t limit = parse_u64(std::string_view(*max).substr(0, max->find('\n')));
      if (limit != 0 && (lowest == 0 || limit < lowest)) lowest = limit;
    }
    if (path.empty() || path == "/") break;
    path.resize(path.rfind('/'));
  }
  return lowest;
}

HostMemory host_memory() {
  Result<std::string> self = read_small_file("/proc/self/cgroup");
  return {mem_total_bytes(),
          self ? lowest_memory_max(CgroupResolver::find_cgroup2_mount(), *self) : 0};
}

Status check_table_sizes(const TableSizes& sizes, const HostMemory& host) {
  const std::uint64_t need = sizes.memory_bytes();
  const std::string asked = "tracer.max_keys " + std::to_string(sizes.max_keys) +
                            " and tracer.max_processes " + std::to_string(sizes.max_processes) +
                            " need " + format_bytes(need) + " of kernel memory on " +
                            std::to_string(sizes.ncpus) + " possible CPUs";
  const std::string what_to_do =
      "lower tracer.max_keys (each key takes 32 B per possible CPU) or tracer.max_processes";
  for (const TableSizes::Map& m : sizes.maps()) {
    if (m.entries > std::numeric_limits<std::uint32_t>::max()) {
      std::string why = asked;
      why += ", and map ";
      why += m.name;
      why += " would need " + std::to_string(m.entries) +
             " entries, more than a BPF map holds (4294967295); " + what_to_do;
      return Error{why};
    }
  }
  if (host.cgroup_max != 0 && need > host.cgroup_max) {
    return Error{asked + ", more than the daemon's memory cgroup allows (memory.max " +
                 format_bytes(host.cgroup_max) + "); " + what_to_do + ", or raise MemoryMax"};
  }
  if (host.mem_total != 0 && need > host.mem_total / 2) {
    return Error{asked + ", more than half of this host's memory (MemTotal " +
                 format_bytes(host.mem_total) + "); " + what_to_do};
  }
  return {};
}

}  // namespace execmond
