// The BPF programs loaded in the kernel, whoever loaded them, with the
// kernel's run statistics: how the benchmark tells execmond's programs from
// bpftrace's and what each costs per run, and how tests see what is left.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace execmond::test {

struct ProgramInfo {
  std::string name;  // the kernel keeps 15 characters
  std::uint64_t run_count = 0;
  std::uint64_t run_time_ns = 0;
  std::uint64_t recursion_misses = 0;
  double ns_per_run() const {
    return run_count != 0 ? static_cast<double>(run_time_ns) / static_cast<double>(run_count) : 0;
  }
};

using Programs = std::map<std::uint32_t, ProgramInfo>;  // by program id

// Every loaded program.
Programs loaded_programs();
// The ids of every BPF map in the kernel.
std::set<std::uint32_t> loaded_map_ids();
// Those in `now` that `before` did not have.
Programs added_since(const Programs& before, const Programs& now);
// Each program of `after` with the runs and time it gained since `before`.
Programs difference(const Programs& before, const Programs& after);

// Keeps the kernel's BPF run-time statistics on while it lives (BPF_ENABLE_STATS).
class RunTimeStats {
 public:
  RunTimeStats();  // throws std::runtime_error when the kernel refuses
  ~RunTimeStats();
  RunTimeStats(const RunTimeStats&) = delete;
  RunTimeStats& operator=(const RunTimeStats&) = delete;

 private:
  int fd_;
};

// Waits until `count` programs not in `before` are loaded and have stayed so
// for a moment (the loader attaches them right after); false on timeout.
bool await_programs(const Programs& before, std::size_t count, int timeout_ms);

}  // namespace execmond::test
