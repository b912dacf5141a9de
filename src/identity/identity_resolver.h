// Turns the ids the kernel recorded (cgroup id, executable file, uid) into an
// Identity of label values, through caches: /proc is never read per event.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>

#include "config/config.h"
#include "identity/identity.h"
#include "identity/label_resolver.h"

namespace execmond {

// What the kernel knows of a process at an event.
struct ProcessIds {
  std::string comm;
  std::uint64_t cgroup_id = 0;
  std::uint64_t exe_ino = 0;
  std::uint32_t exe_dev = 0;
  std::uint32_t uid = 0;
  auto operator<=>(const ProcessIds&) const = default;  // NOLINT(modernize-use-nullptr)
};

// Which sources labels or filters read; the others are left empty.
struct SourcesNeeded {
  bool exe = false;
  bool cgroup = false;  // cgroup, unit and container_id
  bool user = false;
  static SourcesNeeded of(const Config& config);
};

class IdentityResolver {
 public:
  // exe_paths_fd: the tracer's exe_paths map (-1 when executables are not recorded).
  explicit IdentityResolver(int exe_paths_fd, std::size_t max_entries = 16384);

  void set_needed(SourcesNeeded needed) { needed_ = needed; }
  Identity resolve(const ProcessIds& ids);

 private:
  struct CgroupInfo {
    std::string path;
    std::string unit;
    std::string container_id;
  };
  const CgroupInfo& cgroup(std::uint64_t id);
  const std::string& exe(std::uint64_t ino, std::uint32_t dev);

  int exe_paths_fd_;
  std::size_t max_entries_;
  SourcesNeeded needed_;
  CgroupResolver cgroups_;
  UserResolver users_;
  std::unordered_map<std::uint64_t, CgroupInfo> cgroup_info_;
  std::map<std::pair<std::uint64_t, std::uint32_t>, std::string> exes_;
};

}  // namespace execmond
