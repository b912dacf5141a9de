#include "kernel/exit_record_ring.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "kernel/array_map.h"

namespace execmond {

Result<std::unique_ptr<ExitRecordRing>> ExitRecordRing::open(const Tracer& tracer) {
  // Not make_unique: the constructor is private.
  std::unique_ptr<ExitRecordRing> ring(
      new ExitRecordRing(tracer.exit_record_drops_fd(), tracer.tables().ncpus));
  if (tracer.exit_records_fd() < 0) return ring;
  ring->ring_ =
      ring_buffer__new(tracer.exit_records_fd(), &ExitRecordRing::on_record, ring.get(), nullptr);
  if (ring->ring_ == nullptr) {
    return Error{std::string("cannot map the exit_records ring: ") + std::strerror(errno)};
  }
  return ring;
}

ExitRecordRing::~ExitRecordRing() { ring_buffer__free(ring_); }

Status ExitRecordRing::consume(const Sink& sink) {
  if (ring_ == nullptr) return {};
  sink_ = &sink;
  const int consumed = ring_buffer__consume(ring_);
  sink_ = nullptr;
  if (consumed < 0) {
    return Error{std::string("cannot read the exit_records ring: ") + std::strerror(-consumed)};
  }
  return {};
}

int ExitRecordRing::on_record(void* self, void* data, std::size_t size) {
  auto* ring = static_cast<ExitRecordRing*>(self);
  if (size != sizeof(execmond_exit_record)) return 0;  // not what the kernel side writes
  execmond_exit_record record{};
  std::memcpy(&record, data, sizeof(record));
  (*ring->sink_)(record);
  return 0;
}

Result<ExitRecordDrops> ExitRecordRing::drops() const {
  ExitRecordDrops out{};
  if (drops_fd_ < 0) return out;
  for (std::uint32_t kind = 0; kind < EXECMOND_RECORD_KINDS; ++kind) {
    Result<std::uint64_t> sum = per_cpu_sum(drops_fd_, kind, ncpus_, "exit_record_drops");
    if (!sum) return sum.error();
    out[kind] = *sum;
  }
  return out;
}

void set_record_knobs(const Tracer::Globals& globals, std::uint64_t crash_signals,
                      std::uint32_t candidates) {
  std::atomic_ref<unsigned long long>(*globals.record_signals)
      .store(crash_signals, std::memory_order_relaxed);
  std::atomic_ref<std::uint32_t>(*globals.record_candidates)
      .store(candidates, std::memory_order_relaxed);
}

std::uint64_t crash_signal_bits(const std::vector<int>& signals) {
  std::uint64_t bits = 0;
  for (int signal : signals) {
    if (signal >= 1 && signal <= 64) bits |= std::uint64_t{1} << (signal & 63);
  }
  return bits;
}

}  // namespace execmond
