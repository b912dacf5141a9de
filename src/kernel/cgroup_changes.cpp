#include "kernel/cgroup_changes.h"

#include <bpf/libbpf.h>

#include <cstring>

#include "execmond.h"

namespace execmond {

Result<std::unique_ptr<CgroupChanges>> CgroupChanges::open(int ring_fd) {
  // Not make_unique: the constructor is private.
  std::unique_ptr<CgroupChanges> changes(new CgroupChanges());
  if (ring_fd < 0) return changes;
  changes->ring_ = ring_buffer__new(ring_fd, &CgroupChanges::on_record, changes.get(), nullptr);
  if (changes->ring_ == nullptr) {
    return Error{std::string("cannot map the cgroup_changes ring: ") + std::strerror(errno)};
  }
  return changes;
}

CgroupChanges::~CgroupChanges() { ring_buffer__free(ring_); }

int CgroupChanges::ready_fd() const { return ring_ == nullptr ? -1 : ring_buffer__epoll_fd(ring_); }

Status CgroupChanges::read(const Handler& handler) {
  if (ring_ == nullptr) return {};
  handler_ = &handler;
  const int consumed = ring_buffer__consume(ring_);
  handler_ = nullptr;
  if (consumed < 0) {
    return Error{std::string("cannot read the cgroup_changes ring: ") + std::strerror(-consumed)};
  }
  return {};
}

int CgroupChanges::on_record(void* self, void* data, std::size_t size) {
  auto* changes = static_cast<CgroupChanges*>(self);
  execmond_cgroup_change record{};
  if (size < sizeof record) return 0;  // not what the kernel side writes: skip it
  std::memcpy(&record, data, sizeof record);
  CgroupChange change;
  change.id = record.id;
  if (record.kind == EXECMOND_CGROUP_MKDIR) {
    change.kind = CgroupChange::Kind::Made;
    change.parent_id = record.parent_id;
    change.name.assign(record.name, strnlen(record.name, sizeof record.name));
  } else {
    change.kind = CgroupChange::Kind::Removed;
  }
  try {
    (*changes->handler_)(change);
  } catch (...) {
    // Out of memory: the record is left out; a cgroup that still exists is
    // found by its id at the drain, and one that does not counts as unresolved.
  }
  return 0;
}

}  // namespace execmond
