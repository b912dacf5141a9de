#include "kernel/cmdline_ring.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "execmond.h"
#include "kernel/array_map.h"

namespace execmond {

namespace {

constexpr std::size_t kHeaderBytes = offsetof(execmond_cmdline_record, args);

}  // namespace

Result<std::unique_ptr<CmdlineRing>> CmdlineRing::open(const Tracer::CmdlineMaps& maps,
                                                       std::uint32_t ncpus) {
  // Not make_unique: the constructor is private.
  std::unique_ptr<CmdlineRing> ring(new CmdlineRing(maps, ncpus));
  if (maps.ring < 0) return ring;
  ring->ring_ = ring_buffer__new(maps.ring, &CmdlineRing::on_record, ring.get(), nullptr);
  if (ring->ring_ == nullptr) {
    return Error{std::string("cannot map the cmdlines ring: ") + std::strerror(errno)};
  }
  return ring;
}

CmdlineRing::~CmdlineRing() { ring_buffer__free(ring_); }

Status CmdlineRing::consume(const Sink& sink) {
  if (ring_ == nullptr) return {};
  sink_ = &sink;
  const int consumed = ring_buffer__consume(ring_);
  sink_ = nullptr;
  if (consumed < 0) {
    return Error{std::string("cannot read the cmdlines ring: ") + std::strerror(-consumed)};
  }
  return {};
}

int CmdlineRing::on_record(void* self, void* data, std::size_t size) {
  auto* ring = static_cast<CmdlineRing*>(self);
  if (size < kHeaderBytes) return 0;  // not what the kernel side writes: skip it
  execmond_cmdline_record header{};
  std::memcpy(&header, data, kHeaderBytes);
  if (header.len != size - kHeaderBytes || header.len > EXECMOND_CMDLINE_MAX) return 0;
  const CmdlineRecord record{
      header.id, std::string_view(static_cast<const char*>(data) + kHeaderBytes, header.len),
      (header.flags & EXECMOND_CMDLINE_TRUNCATED) != 0};
  try {
    (*ring->sink_)(record);
  } catch (...) {
    // Out of memory: the record is left out, and the id stays unnamed until
    // the daemon forgets it and the kernel sends it again.
  }
  return 0;
}

// Not const: it changes what the kernel side will send.
Status CmdlineRing::forget(std::uint64_t id) {  // NOLINT(readability-make-member-function-const)
  if (maps_.known < 0) return {};
  if (bpf_map_delete_elem(maps_.known, &id) != 0 && errno != ENOENT) {
    return Error{"cannot forget command line " + std::to_string(id) +
                 " in cmdlines_known: " + std::strerror(errno)};
  }
  return {};
}

Result<CmdlineEvents> CmdlineRing::events() const {
  CmdlineEvents out;
  if (maps_.events < 0) return out;
  std::uint64_t* fields[EXECMOND_CMDLINE_EVENTS] = {};
  fields[EXECMOND_CMDLINE_EVENT_TRUNCATED] = &out.truncated;
  fields[EXECMOND_CMDLINE_EVENT_READ_FAILED] = &out.read_failures;
  fields[EXECMOND_CMDLINE_EVENT_RING_FULL] = &out.records_lost;
  for (std::uint32_t event = 0; event < EXECMOND_CMDLINE_EVENTS; ++event) {
    Result<std::uint64_t> sum = per_cpu_sum(maps_.events, event, ncpus_, "cmdline_events");
    if (!sum) return sum.error();
    *fields[event] = *sum;
  }
  return out;
}

}  // namespace execmond
