#include "drainer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/membarrier.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "tracer.h"

namespace execmond {

namespace {

constexpr std::uint32_t kBatch = 1024;

// ENOTSUP and EOPNOTSUPP are the same number on Linux.
bool batch_unsupported(int err) { return err == -EINVAL || err == -EOPNOTSUPP; }

}  // namespace

const std::array<const char*, EXECMOND_LOST_REASONS>& lost_reason_names() {
  static const std::array<const char*, EXECMOND_LOST_REASONS> names{
      "exec_counts_map_full", "fork_counts_map_full", "exit_counts_map_full", "procs_map_full"};
  return names;
}

Drainer::Drainer(Tracer& tracer, bool batch_ops)
    : tracer_(tracer), ncpus_(libbpf_num_possible_cpus()), batch_supported_(batch_ops) {
  if (ncpus_ <= 0) ncpus_ = 1;
}

DrainResult Drainer::drain() {
  DrainResult out;
  std::uint32_t old_generation = tracer_.generation();
  tracer_.set_generation(old_generation + 1);
  wait_for_grace_period();
  out.counts = take_counts(tracer_.counts(old_generation));
  out.counts_entries = out.counts.size();
  live_.update(tracer_.procs(), tracer_.procs_dirty(old_generation), tracer_.dirty_words());
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

enum class BatchResult { kDone, kUnsupported, kFailed };

namespace {

// Runs a batch map operation `op(in_token, out_token, &count)` chunk by chunk,
// calling `visit(i)` for each of the `count` entries of a chunk.
template <typename Key, typename Op, typename Visit>
BatchResult in_batches(const char* what, Op op, Visit visit) {
  Key token{};
  bool first = true;
  for (;;) {
    std::uint32_t n = kBatch;
    int err = op(first ? nullptr : &token, &token, &n);
    if (err != 0 && err != -ENOENT && first && batch_unsupported(err)) {
      return BatchResult::kUnsupported;
    }
    for (std::uint32_t i = 0; i < n; ++i) visit(i);
    if (err == -ENOENT) return BatchResult::kDone;
    if (err != 0) {
      spdlog::error("{}: {}", what, std::strerror(-err));
      return BatchResult::kFailed;
    }
    first = false;
  }
}

}  // namespace

bool Drainer::use_batches(BatchResult result) {
  if (result != BatchResult::kUnsupported) return true;
  batch_supported_ = false;
  spdlog::info("kernel lacks BPF batch map operations; reading maps key by key");
  return false;
}

void Drainer::read_seeded(DrainResult& out) {
  int fd = tracer_.procs_seeded_fd();
  std::vector<execmond_proc_key> keys(kBatch);
  std::vector<execmond_proc_value> values(kBatch);
  auto add = [&](const execmond_proc_value& v) {
    ++out.live[{comm_of(v.comm), v.cgroup_id, v.exe_ino, v.exe_dev, v.uid}];
    ++out.procs_entries;
  };
  if (batch_supported_ && use_batches(in_batches<execmond_proc_key>(
                              "reading procs map",
                              [&](void* in, void* out_token, std::uint32_t* n) {
                                return bpf_map_lookup_batch(fd, in, out_token, keys.data(),
                                                            values.data(), n, nullptr);
                              },
                              [&](std::uint32_t i) { add(values[i]); }))) {
    return;
  }
  execmond_proc_key key{};
  execmond_proc_key next{};
  const execmond_proc_key* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (bpf_map_lookup_elem(fd, &next, values.data()) == 0) add(values[0]);
    key = next;
    prev = &key;
  }
}

void Drainer::read_lost(DrainResult& out) {
  std::vector<std::uint64_t> per_cpu(static_cast<std::size_t>(ncpus_));
  for (std::uint32_t reason = 0; reason < EXECMOND_LOST_REASONS; ++reason) {
    if (bpf_map_lookup_elem(tracer_.lost_fd(), &reason, per_cpu.data()) != 0) continue;
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
