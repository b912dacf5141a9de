// A depth-first walk of the cgroup directories under a cgroup2 mount, for
// the two readers that need every cgroup's path and id: the directory's
// start-up seeding and the resolver's last-resort lookup of one id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace execmond {

enum class CgroupWalkEnd {
  Complete,  // every directory below the mount was visited
  Stopped,   // the visitor asked to stop
  Limit,     // max_directories were opened before the end
  Failed,    // out of file descriptors or memory: what follows was not seen
};

// Calls `visit(path, id)` for each cgroup below the mount open as `mount_fd`:
// its path relative to the mount with a leading '/', and its id (the
// directory's inode number, which is the cgroup id on 64-bit hosts); `visit`
// returns false to stop. Directories removed while walking are skipped.
CgroupWalkEnd walk_cgroups(int mount_fd, std::size_t max_directories,
                           const std::function<bool(const std::string&, std::uint64_t)>& visit);

}  // namespace execmond
