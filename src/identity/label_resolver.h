// Caches that turn the kernel ids in events (cgroup id, uid) into label values.
// Lookups never throw and never fail loudly: an id that cannot be resolved
// gives "" (cgroup) or the number itself (uid). Both caches are bounded: when
// one would grow past max_entries it is emptied and refills from live ids.
// Each resolver is safe to call from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace execmond {

// Cgroup v2 id (the inode number of the cgroup's directory, what
// bpf_get_current_cgroup_id() returns) to the cgroup's path relative to the
// cgroup2 mount: "/" for the root, "/system.slice/cron.service", ...
//
// An id is opened with open_by_handle_at() (a FILEID_KERNFS handle holding the
// id) and named by reading /proc/self/fd back. That needs CAP_DAC_READ_SEARCH;
// without it (or on a kernel that refuses cgroup handles) the resolver switches
// for good to walking the mount's directory tree for a directory with that
// inode number, visiting at most kMaxWalkDirectories directories per lookup.
// Found paths and ids known to be gone (the kernel says the handle is stale, or
// a complete walk misses) are cached; transient failures (out of descriptors,
// the walk bound) are not, so a later lookup retries.
class CgroupResolver {
 public:
  static constexpr std::size_t kMaxWalkDirectories = 65536;

  // An empty mount (no cgroup2 on this host) makes every lookup "".
  explicit CgroupResolver(std::string cgroup2_mount = find_cgroup2_mount(),
                          std::size_t max_entries = 4096);
  ~CgroupResolver();
  CgroupResolver(const CgroupResolver&) = delete;
  CgroupResolver& operator=(const CgroupResolver&) = delete;

  // The path of cgroup `cgroup_id`, "" if unknown.
  std::string path_of(std::uint64_t cgroup_id) noexcept;

  // Where cgroup2 is mounted, from /proc/self/mountinfo; "" if nowhere.
  static std::string find_cgroup2_mount() noexcept;
  // The same from the text of a mountinfo file: the first cgroup2 mount that
  // shows the hierarchy's root, else the first cgroup2 mount; octal escapes
  // (\040 for a space) in the mount point are decoded.
  static std::string parse_cgroup2_mount(std::string_view mountinfo) noexcept;

  // The mount as given to the constructor ("" when it could not be opened).
  const std::string& mount() const { return mount_; }
  // False once open_by_handle_at() has been refused and lookups walk the tree.
  bool uses_file_handles() const;

 private:
  struct Lookup {
    std::string path;
    bool definitive;  // true: cache it, asking again would give the same answer
  };
  Lookup resolve(std::uint64_t cgroup_id);
  Lookup resolve_by_handle(std::uint64_t cgroup_id, bool& unsupported);
  Lookup resolve_by_walk(std::uint64_t cgroup_id) const;
  // The absolute path behind descriptor `fd`, "" on failure.
  static std::string fd_path(int fd);

  std::string mount_;
  std::string mount_prefix_;  // the mount's canonical path, as /proc/self/fd shows it
  int mount_fd_ = -1;
  std::uint64_t root_id_ = 0;
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  bool handles_usable_ = true;
  std::unordered_map<std::uint64_t, std::string> cache_;
};

// Uid to user name via getpwuid_r (so NSS sources count); a uid without an
// entry gives its decimal number.
class UserResolver {
 public:
  explicit UserResolver(std::size_t max_entries = 4096);

  std::string name_of(std::uint32_t uid) noexcept;

 private:
  std::size_t max_entries_;
  std::mutex mutex_;
  std::unordered_map<std::uint32_t, std::string> cache_;
};

}  // namespace execmond
