// Reads the cgroup_changes ring (bpf/cgroup_changes.bpf.h): the cgroups of
// the v2 hierarchy made and removed since the last read, in the order the
// kernel made and removed them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/error.h"

struct ring_buffer;

namespace execmond {

struct CgroupChange {
  enum class Kind { Made, Removed };
  Kind kind = Kind::Made;
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;  // Made only
  std::string name;             // Made only: the directory's name
};

class CgroupChanges {
 public:
  using Handler = std::function<void(const CgroupChange&)>;

  // `ring_fd` is the tracer's cgroup_changes map (-1: none, every read is empty).
  static Result<std::unique_ptr<CgroupChanges>> open(int ring_fd);
  ~CgroupChanges();
  CgroupChanges(const CgroupChanges&) = delete;
  CgroupChanges& operator=(const CgroupChanges&) = delete;

  // Readable when records wait (poll it for POLLIN); -1 when there is no ring.
  int ready_fd() const;
  // Hands every waiting record to `handler`, oldest first; never blocks.
  Status read(const Handler& handler);

 private:
  CgroupChanges() = default;
  static int on_record(void* self, void* data, std::size_t size);

  ring_buffer* ring_ = nullptr;
  const Handler* handler_ = nullptr;  // during read()
};

}  // namespace execmond
