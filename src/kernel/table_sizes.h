// How large the tracer's tables are for a configuration, worked out before
// any map is created: the entries of every map the loader sizes, in 64 bits,
// and the kernel memory they will take. The counts values grow as possible
// CPUs × max_keys, so a configuration that fits a laptop can ask a 256-CPU
// host for gigabytes; check_table_sizes() refuses what the host cannot give.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/error.h"

namespace execmond {

struct TableSizes {
  std::uint32_t ncpus = 1;  // possible CPUs: per-CPU rows exist for each
  std::uint32_t max_keys = 0;
  std::uint32_t max_processes = 0;
  std::uint32_t key_slots = 0;    // counts_slots per generation, a power of two
  std::uint32_t procs_slots = 0;  // a power of two
  std::uint32_t dirty_words = 0;  // procs_dirty words per CPU and generation
  bool has_costs = false;
  bool capture_cmdline = false;  // the cmdline ring, its known ids and scratch exist
  bool keeps_origin = false;     // a command line or parent per procs slot (procs_origin)
  bool keys_origin = false;      // the counts keys carry one too (counts_origins)
  std::uint64_t cmdline_ring_bytes = 0;
  std::uint64_t exit_records_bytes = 0;  // the exit records' ring; a page without records

  struct Map {
    const char* name;
    std::uint64_t entries;
    std::uint64_t bytes;  // the kernel memory it takes, as the kernel rounds it
  };
  // Every map the loader sizes, in the order the tracer declares them.
  std::vector<Map> maps() const;
  std::uint64_t memory_bytes() const;
};

// Tables at most half full keep probe chains short. With capture_cmdline,
// the ids the kernel remembers having sent are twice max_keys (every key of
// a drain may carry another command line), and the ring holds 256 bytes of
// command line per key, a power of two from 256 KiB to 64 MiB.
// The counts keys carry the command line's id only with cmdline_in_keys (else
// it is captured for the exit records alone), whose ring takes
// exit_records_bytes (0: none). With capture_cmdline but not cmdline_at_exec
// the command lines are read at notable exits only: no procs entry keeps one.
TableSizes plan_tables(std::uint32_t max_keys, std::uint32_t max_processes, std::uint32_t ncpus,
                       bool has_costs, bool capture_cmdline = false, bool record_parent = false,
                       bool cmdline_in_keys = true, std::uint64_t exit_records_bytes = 0,
                       bool cmdline_at_exec = true);

// What the host can give the tables: the kernel charges BPF maps to the
// memory cgroup of the process that creates them.
struct HostMemory {
  std::uint64_t mem_total = 0;  // /proc/meminfo MemTotal
  std::uint64_t cgroup_max =
      0;  // the lowest memory.max of the daemon's cgroup and its ancestors; 0: none
};
HostMemory host_memory();
// The lowest cgroup v2 memory.max from the cgroup that /proc/self/cgroup's
// text names up to the root of the hierarchy mounted at `cgroup2_mount`; 0
// when none is set.
std::uint64_t lowest_memory_max(const std::string& cgroup2_mount,
                                const std::string& proc_self_cgroup);

// Refuses tables a BPF array cannot index (2^32 - 1 entries at most), tables
// larger than the daemon's memory cgroup allows, and tables that would take
// more than half of the host's memory: a monitor must leave the host to what
// it watches. The Error is one line that says how much memory they need.
Status check_table_sizes(const TableSizes& sizes, const HostMemory& host);

// "1.5 GiB", "32.0 MiB", "512 B".
std::string format_bytes(std::uint64_t bytes);

}  // namespace execmond
