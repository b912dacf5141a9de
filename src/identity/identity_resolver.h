// Turns the ids the kernel recorded (cgroup id, executable file, uid) into an
// Identity of label values, through caches: /proc, the cgroup tree and the
// container runtimes' state are never read per event.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "config/config.h"
#include "identity/cgroup_directory.h"
#include "identity/identity.h"
#include "identity/label_resolver.h"
#include "identity/runtime_state.h"

namespace execmond {

// What the kernel knows of a process at an event.
struct ProcessIds {
  std::string comm;
  std::uint64_t cgroup_id = 0;
  std::uint64_t exe_ino = 0;
  std::uint32_t exe_dev = 0;
  std::uint32_t uid = 0;
  // With exe_ino and exe_dev, one file: tells apart files that reuse an inode number.
  std::uint32_t exe_generation = 0;
  // What ran: the id of the command line read at exec (0: none; see
  // bpf/cmdline_hash.h), and the comm of the process that forked it ("": not recorded).
  std::uint64_t cmdline_id = 0;
  std::string parent{};
  auto operator<=>(const ProcessIds&) const = default;  // NOLINT(modernize-use-nullptr)
};

// Which sources labels or filters read; the others are left empty.
struct SourcesNeeded {
  bool exe = false;
  bool cgroup = false;  // cgroup, unit, container_id and pod_uid; set by all below
  // The labels drawn from the cgroup path (filters may need the path without them).
  bool cgroup_label = false;
  bool unit = false;
  bool container_id = false;
  bool user = false;
  bool pod_uid = false;
  // The names read from the container runtime's state.
  bool pod = false;
  bool pod_namespace = false;
  bool container = false;
  bool runtime_names() const { return pod || pod_namespace || container; }
  // What the labels, the filters and the exit records need.
  static SourcesNeeded of(const Config& config);
  // What the labels and filters alone need: what the kernel must record at
  // every exec, and what keeps a capability (records do without).
  static SourcesNeeded of_labels(const Config& config);
};

class IdentityResolver {
 public:
  // A cgroup id's path relative to the cgroup2 mount, "" when unknown.
  using CgroupPathOf = std::function<std::string(std::uint64_t cgroup_id)>;

  // exe_paths_fd: the tracer's exe_paths map (-1 when executables are not recorded).
  explicit IdentityResolver(int exe_paths_fd, std::size_t max_entries = 16384);
  // Cgroup paths from `cgroup_path_of` instead of the host's cgroup2 mount.
  IdentityResolver(int exe_paths_fd, CgroupPathOf cgroup_path_of, std::size_t max_entries = 16384);

  void set_needed(SourcesNeeded needed) { needed_ = needed; }
  // Where the runtimes keep their state. New roots forget the names read from
  // the old ones (and their failures may count again).
  void set_runtime_state(const RuntimeStatePaths& paths);
  Identity resolve(const ProcessIds& ids);
  // The kernel resolved some executables' paths anew (a file renamed, or
  // another file with the same inode, device and generation): the paths read
  // before are read again when next needed.
  void forget_exe_paths() { exes_.clear(); }

  // Learns the cgroups under the host's cgroup2 mount (none with given paths);
  // returns how many.
  std::size_t seed_cgroups();
  // A cgroup made (the kernel's mkdir record): its path is learned now, and a
  // container's names are read from its runtime's state while they exist.
  void cgroup_made(std::uint64_t id, std::uint64_t parent_id, const std::string& name);
  // A cgroup removed: its path is kept for CgroupDirectory::kDrainsAfterRemoval drains.
  void cgroup_removed(std::uint64_t id);
  // After each drain's resolve() calls.
  void drain_finished() { directory_.drain_finished(); }

  // Ids whose label value could not be found, for each label needed then:
  // a cgroup id without a path counts for every label drawn from the cgroup
  // (cgroup, unit, container_id, pod_uid, pod, namespace, container), a
  // container id whose names could not be read for pod, namespace and
  // container. Each id counts once while it stays cached. Exe: executable
  // files whose path the kernel no longer holds (evicted from exe_paths, or
  // never stored), each counted once until its path is found again. Every
  // other source counts 0.
  std::uint64_t failures(LabelSource source) const {
    return failures_[static_cast<std::size_t>(source)];
  }

 private:
  struct CgroupInfo {
    std::string path;
    std::string unit;
    std::string container_id;
    std::string pod_uid;
  };
  struct ContainerNames {
    std::string pod;
    std::string pod_namespace;
    std::string container;
  };
  const CgroupInfo& cgroup(std::uint64_t id);
  // An executable file as the kernel names it: inode, device, generation.
  using ExeFile = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>;
  const std::string& exe(const ExeFile& file);
  const ContainerNames& names(const std::string& container_id);
  // Counts the labels of a cgroup id without a path, once per id.
  void count_unresolved(std::uint64_t cgroup_id);
  void count_failure(bool needed, LabelSource source) {
    if (needed) ++failures_[static_cast<std::size_t>(source)];
  }

  int exe_paths_fd_;
  std::size_t max_entries_;
  SourcesNeeded needed_;
  CgroupResolver cgroups_;
  CgroupPathOf cgroup_path_of_;
  UserResolver users_;
  RuntimeStatePaths runtime_state_;
  CgroupDirectory directory_;
  std::unordered_map<std::uint64_t, CgroupInfo> cgroup_info_;
  std::unordered_set<std::uint64_t> unresolved_cgroups_;  // counted already
  std::map<ExeFile, std::string> exes_;
  // Files whose path was not in exe_paths, counted once: asked again at every
  // drain that needs them, since an exec of the file stores its path anew.
  std::set<ExeFile> exes_unresolved_;
  // By container id: a container's cgroups (systemd inside it, nested ones)
  // share one read of its state.
  std::unordered_map<std::string, ContainerNames> names_;
  std::array<std::uint64_t, std::size(kLabelSourceNames)> failures_{};
};

}  // namespace execmond
