#include "identity/cgroup_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

namespace execmond {

namespace {

// The id of a directory entry that is a directory, 0 for anything else.
std::uint64_t directory_id(DIR* stream, const dirent& entry) {
  if (entry.d_type == DT_DIR) return entry.d_ino;
  if (entry.d_type != DT_UNKNOWN) return 0;
  struct stat st {};
  if (::fstatat(::dirfd(stream), entry.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISDIR(st.st_mode)) {
    return 0;
  }
  return st.st_ino;
}

}  // namespace

CgroupWalkEnd walk_cgroups(int mount_fd, std::size_t max_directories,
                           const std::function<bool(const std::string&, std::uint64_t)>& visit) {
  // Paths relative to the mount, "" for the mount itself.
  std::vector<std::string> pending{""};
  std::size_t opened = 0;
  while (!pending.empty()) {
    if (opened++ >= max_directories) return CgroupWalkEnd::Limit;
    const std::string dir = std::move(pending.back());
    pending.pop_back();
    const int fd = ::openat(mount_fd, dir.empty() ? "." : dir.c_str(),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) return CgroupWalkEnd::Failed;
      continue;  // removed while walking, or unreadable: skip it
    }
    DIR* stream = ::fdopendir(fd);
    if (stream == nullptr) {
      ::close(fd);
      return CgroupWalkEnd::Failed;
    }
    while (const dirent* entry = ::readdir(stream)) {
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      const std::uint64_t id = directory_id(stream, *entry);
      if (id == 0) continue;
      std::string child = dir.empty() ? std::string(name) : dir + "/" + std::string(name);
      if (!visit("/" + child, id)) {
        ::closedir(stream);
        return CgroupWalkEnd::Stopped;
      }
      pending.push_back(std::move(child));
    }
    ::closedir(stream);
  }
  return CgroupWalkEnd::Complete;
}

}  // namespace execmond
