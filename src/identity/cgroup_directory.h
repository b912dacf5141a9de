// The paths of cgroups learned as the kernel made them, kept for a while after
// they are removed: what names a cgroup that lived 50 ms (a transient unit, a
// `podman run --rm` container, a Kubernetes Job) when the drain that reads its
// processes' events comes after it is gone.
//
// Paths are relative to the cgroup2 mount, as CgroupResolver gives them: a
// made cgroup's path is its parent's and its name, so the directory needs the
// parent first (made earlier, seeded from the mount at start, or found by
// `parent_path` while it exists).
//
// Memory: at most max_entries paths (about 200 bytes each with their
// overhead). Full, it first forgets the removed cgroup removed longest ago,
// else it refuses to learn a new one (found by its id while it exists).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace execmond {

class CgroupDirectory {
 public:
  // How many drains a removed cgroup's path outlives its removal: the first
  // drain after it reads every event recorded before it; the next one those a
  // failed read left for later.
  static constexpr std::uint64_t kDrainsAfterRemoval = 2;

  explicit CgroupDirectory(std::size_t max_entries = 16384) : max_entries_(max_entries) {}

  // Learns every cgroup under `mount` (a cgroup2 mount) as present now;
  // returns how many. At most kMaxSeedDirectories are visited.
  static constexpr std::size_t kMaxSeedDirectories = 65536;
  std::size_t seed(const std::string& mount);

  // Cgroup `id` made under `parent_id` as `name`; `parent_path` names a parent
  // the directory does not know ("" if it cannot).
  void made(std::uint64_t id, std::uint64_t parent_id, const std::string& name,
            const std::function<std::string(std::uint64_t)>& parent_path);
  // Cgroup `id` removed: its path stays for kDrainsAfterRemoval drains.
  void removed(std::uint64_t id);
  // A drain has resolved its records: forgets the cgroups removed long enough ago.
  void drain_finished();

  // The path of `id`, if the directory has it.
  std::optional<std::string> path_of(std::uint64_t id) const;
  // The same, for a path given from outside (the root, a seed in tests).
  void learn(std::uint64_t id, std::string path);

  std::size_t size() const { return paths_.size(); }

 private:
  struct Entry {
    std::string path;
    bool removed = false;
  };
  // Room for one more entry; false when every entry is a live cgroup's.
  bool make_room();

  std::size_t max_entries_;
  std::uint64_t drains_ = 0;
  std::unordered_map<std::uint64_t, Entry> paths_;
  // Removed cgroups, oldest first: (id, the drain count at which it goes).
  std::deque<std::pair<std::uint64_t, std::uint64_t>> removals_;
};

}  // namespace execmond
