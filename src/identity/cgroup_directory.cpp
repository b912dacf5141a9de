#include "identity/cgroup_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include "identity/cgroup_walk.h"

namespace execmond {

std::size_t CgroupDirectory::seed(const std::string& mount) {
  if (mount.empty()) return 0;
  const int mount_fd = ::open(mount.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mount_fd < 0) return 0;
  std::size_t learned = 0;
  // Whatever ends the walk, what it found is kept: the others are still
  // found by id while they exist.
  walk_cgroups(mount_fd, kMaxSeedDirectories, [&](const std::string& path, std::uint64_t id) {
    if (!paths_.contains(id) && make_room()) {
      paths_[id] = Entry{path, false};
      ++learned;
    }
    return true;
  });
  ::close(mount_fd);
  return learned;
}

void CgroupDirectory::made(std::uint64_t id, std::uint64_t parent_id, const std::string& name,
                           const std::function<std::string(std::uint64_t)>& parent_path) {
  if (name.empty() || name.find('/') != std::string::npos) return;
  std::string parent;
  if (auto known = path_of(parent_id)) {
    parent = std::move(*known);
  } else if (parent_path) {
    parent = parent_path(parent_id);
  }
  // A parent outside what the mount shows (another cgroup namespace's part of
  // the tree) leaves its children without a path here too.
  if (parent.empty()) return;
  std::string path = parent == "/" ? "/" + name : parent + "/" + name;
  if (auto it = paths_.find(id); it != paths_.end()) {
    it->second.path = std::move(path);
    return;
  }
  if (make_room()) paths_.emplace(id, Entry{std::move(path), false});
}

void CgroupDirectory::learn(std::uint64_t id, std::string path) {
  if (auto it = paths_.find(id); it != paths_.end()) {
    it->second.path = std::move(path);
    return;
  }
  if (make_room()) paths_.emplace(id, Entry{std::move(path), false});
}

void CgroupDirectory::removed(std::uint64_t id) {
  auto it = paths_.find(id);
  if (it == paths_.end() || it->second.removed) return;
  it->second.removed = true;
  removals_.emplace_back(id, drains_ + kDrainsAfterRemoval);
}

void CgroupDirectory::drain_finished() {
  ++drains_;
  while (!removals_.empty() && removals_.front().second <= drains_) {
    paths_.erase(removals_.front().first);
    removals_.pop_front();
  }
}

std::optional<std::string> CgroupDirectory::path_of(std::uint64_t id) const {
  if (auto it = paths_.find(id); it != paths_.end()) return it->second.path;
  return std::nullopt;
}

bool CgroupDirectory::make_room() {
  if (paths_.size() < max_entries_) return true;
  if (removals_.empty()) return false;
  paths_.erase(removals_.front().first);
  removals_.pop_front();
  return true;
}

}  // namespace execmond
