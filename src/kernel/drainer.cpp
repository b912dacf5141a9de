#include "kernel/drainer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/membarrier.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "kernel/tracer.h"

namespace execmond {

const std::array<const char*, EXECMOND_LOST_REASONS>& lost_reason_names() {
  static const std::array<const char*, EXECMOND_LOST_REASONS> names{
      "exec_counts_map_full",      "fork_counts_map_full",
      "exit_counts_map_full",      "procs_map_full",
      "oom_scope_not_recorded",    "reap_costs_map_full",
      "reap_cost_counts_map_full", "reap_not_seen"};
  return names;
}

const std::array<const char*, EXECMOND_OOM_WAIT_OUTCOMES>& oom_wait_outcome_names() {
  static const std::array<const char*, EXECMOND_OOM_WAIT_OUTCOMES> names{"marked", "unlocked",
                                                                         "deadline"};
  return names;
}

Drainer::Drainer(Tracer& tracer)
    : tracer_(tracer),
      counts_(maps_, tracer.tables(), tracer.globals().keys_claimed),
      procs_(maps_, tracer.tables()) {
  Result<std::unique_ptr<CmdlineRing>> ring =
      CmdlineRing::open(tracer.cmdline_maps(), tracer.tables().ncpus);
  if (!ring) throw Fatal(ring.error().message);
  cmdlines_ = std::move(*ring);
  Result<std::unique_ptr<ExitRecordRing>> records = ExitRecordRing::open(tracer);
  if (!records) throw Fatal(records.error().message);
  exit_records_ = std::move(*records);
  if (tracer.tables().has_costs)
    reap_sweep_.emplace(tracer.tables().reap_costs, tracer.max_processes());
}

DrainResult Drainer::drain() {
  DrainResult out;
  std::atomic_ref<std::uint32_t> generation(*tracer_.globals().generation);
  const std::uint32_t old_generation = generation.load(std::memory_order_acquire);
  generation.store(old_generation + 1, std::memory_order_release);
  wait_for_grace_period();
  // Every key of the old generation was counted after its command line's
  // record was written: with the handlers done, the records are all here.
  read_cmdlines(out);
  read_exit_records(out);  // after their command lines
  read_counts(old_generation, out);
  read_procs(old_generation, out);
  sweep_reap_costs(out);
  read_lost(out);
  read_oom_mark_waits(out);
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

void Drainer::read_cmdlines(DrainResult& out) {
  static const CmdlineRing::Sink kDrop = [](const CmdlineRecord&) {};
  if (Status read = cmdlines_->consume(cmdline_sink_ ? cmdline_sink_ : kDrop); !read) {
    out.errors.push_back(read.error());
  }
  Result<CmdlineEvents> events = cmdlines_->events();
  if (!events) {
    out.errors.push_back(events.error());
    return;
  }
  out.cmdline_events = *events;
}

void Drainer::read_exit_records(DrainResult& out) {
  Status read = exit_records_->consume(
      [&out](const execmond_exit_record& r) { out.exit_records.push_back(r); });
  if (!read) out.errors.push_back(read.error());
  Result<ExitRecordDrops> drops = exit_records_->drops();
  if (!drops) {
    out.errors.push_back(drops.error());
    out.exit_record_drops = exit_record_drops_;  // the last read
    return;
  }
  exit_record_drops_ = *drops;
  out.exit_record_drops = *drops;
}

void Drainer::read_counts(std::uint32_t generation, DrainResult& out) {
  Result<TakenCounts> taken = counts_.take(generation);
  if (!taken) {
    out.errors.push_back(taken.error());
    return;
  }
  out.counts = std::move(taken->records);
  out.counts_entries = out.counts.size();
  if (!taken->emptied) out.errors.push_back(taken->emptied.error());
}

void Drainer::read_procs(std::uint32_t generation, DrainResult& out) {
  if (Status read = procs_.read_dirty(generation, live_); !read) out.errors.push_back(read.error());
  out.live = live_.by_identity();
  out.procs_entries = live_.size();
  Result<std::map<ProcessIds, std::uint64_t>> seeded = procs_.read_seeded();
  if (!seeded) {
    out.errors.push_back(seeded.error());
    return;
  }
  for (const auto& [ids, n] : *seeded) {
    out.live[ids] += n;
    out.procs_entries += n;
  }
}

void Drainer::read_lost(DrainResult& out) {
  for (std::uint32_t reason = 0; reason < EXECMOND_LOST_REASONS; ++reason) {
    Result<std::uint64_t> sum =
        per_cpu_sum(tracer_.tables().lost, reason, tracer_.tables().ncpus, "lost");
    if (!sum) {
      out.errors.push_back(sum.error());
      continue;
    }
    // The kernel side never counts this one: the daemon's sweep does.
    if (reason == EXECMOND_LOST_REAP_NOT_SEEN) *sum += reap_not_seen_;
    lost_total_[reason] = *sum;
  }
  out.lost_total = lost_total_;
}

// Also takes the exits whose free was never seen (kernel/reap_sweep.h):
// their CPU time as read at the exit joins this drain's counts.
void Drainer::sweep_reap_costs(DrainResult& out) {
  if (!reap_sweep_) return;
  ReapSweepResult swept = reap_sweep_->sweep(boottime_now_ns());
  out.reap_cost_entries = swept.waiting;
  reap_not_seen_ += swept.taken;
  for (CountRecord& r : swept.records) out.counts.push_back(std::move(r));
}

// Plain counters the handlers add to atomically: read as they are.
void Drainer::read_oom_mark_waits(DrainResult& out) const {
  for (std::size_t i = 0; i < out.oom_mark_waits.size(); ++i) {
    out.oom_mark_waits[i] =
        std::atomic_ref(tracer_.globals().oom_mark_waits[i]).load(std::memory_order_relaxed);
  }
}

void Drainer::read_program_stats(DrainResult& out) {
  for (const ProgramFd& prog : tracer_.attached_programs()) {
    bpf_prog_info info{};
    std::uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(prog.fd, &info, &len) != 0) continue;
    out.programs.push_back({prog.name, info.run_cnt, info.run_time_ns, info.recursion_misses});
  }
}

}  // namespace execmond
