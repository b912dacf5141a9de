#include "identity/label_resolver.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "identity/cgroup_walk.h"
#include "util/split.h"

namespace execmond {

namespace {

// The handle type of kernfs file systems (cgroup2): 8 bytes, the node id.
constexpr int kFileidKernfs = 0xfe;

// Mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const auto octal = [](char c) { return c >= '0' && c <= '7'; };
      if (octal(field[i + 1]) && octal(field[i + 2]) && octal(field[i + 3])) {
        out.push_back(static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) |
                                        (field[i + 3] - '0')));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

// Sets `out` to `path` relative to `prefix` ("/" for the prefix itself); false
// when `path` is not at or below `prefix`.
bool relative_to(const std::string& path, const std::string& prefix, std::string& out) {
  if (prefix == "/") {
    if (path.empty() || path[0] != '/') return false;
    out = path;
    return true;
  }
  if (!path.starts_with(prefix)) return false;
  if (path.size() == prefix.size()) {
    out = "/";
    return true;
  }
  if (path[prefix.size()] != '/') return false;
  out = path.substr(prefix.size());
  return true;
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

// ---------------------------------------------------------------- CgroupResolver

CgroupResolver::CgroupResolver(std::string cgroup2_mount, std::size_t max_entries)
    : mount_(std::move(cgroup2_mount)), max_entries_(max_entries) {
  if (mount_.empty()) return;
  // Not O_PATH: open_by_handle_at() refuses an O_PATH mount descriptor (EBADF).
  mount_fd_ = ::open(mount_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (mount_fd_ < 0) {
    spdlog::warn("cannot open the cgroup2 mount {}: {}; cgroup labels will be empty", mount_,
                 std::strerror(errno));
    mount_.clear();
    return;
  }
  struct stat st {};
  mount_prefix_ = fd_path(mount_fd_);
  if (mount_prefix_.empty() || ::fstat(mount_fd_, &st) != 0) {
    spdlog::warn("cannot inspect the cgroup2 mount {}; cgroup labels will be empty", mount_);
    ::close(mount_fd_);
    mount_fd_ = -1;
    mount_.clear();
    return;
  }
  root_id_ = st.st_ino;
}

CgroupResolver::~CgroupResolver() {
  if (mount_fd_ >= 0) ::close(mount_fd_);
}

bool CgroupResolver::uses_file_handles() const {
  std::lock_guard lock(mutex_);
  return handles_usable_;
}

std::string CgroupResolver::path_of(std::uint64_t cgroup_id) noexcept {
  if (mount_fd_ < 0) return {};
  try {
    std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(cgroup_id); it != cache_.end()) return it->second;
    Lookup found = resolve(cgroup_id);
    if (found.definitive) {
      if (cache_.size() >= max_entries_) cache_.clear();
      if (max_entries_ > 0) cache_.emplace(cgroup_id, found.path);
    }
    return std::move(found.path);
  } catch (...) {
    return {};
  }
}

CgroupResolver::Lookup CgroupResolver::resolve(std::uint64_t cgroup_id) {
  if (cgroup_id == root_id_) return {"/", true};
  if (handles_usable_) {
    bool unsupported = false;
    Lookup found = resolve_by_handle(cgroup_id, unsupported);
    if (!unsupported) return found;
    handles_usable_ = false;
    spdlog::info(
        "cannot open cgroups by id (needs CAP_DAC_READ_SEARCH); finding them by walking {}",
        mount_);
  }
  return resolve_by_walk(cgroup_id);
}

CgroupResolver::Lookup CgroupResolver::resolve_by_handle(std::uint64_t cgroup_id,
                                                         bool& unsupported) {
  // struct file_handle ends in a flexible array: give it room for the 8-byte id.
  alignas(
      struct file_handle) unsigned char storage[sizeof(struct file_handle) + sizeof cgroup_id]{};
  // cppcheck-suppress legacyUninitvar ; the placement new value-initializes it
  auto* handle = new (storage) file_handle{};
  handle->handle_bytes = sizeof cgroup_id;
  handle->handle_type = kFileidKernfs;
  std::memcpy(handle->f_handle, &cgroup_id, sizeof cgroup_id);

  const int fd = ::open_by_handle_at(mount_fd_, handle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    switch (errno) {
      case ESTALE:  // no such cgroup (any more)
      case ENOENT:
      case ENOTDIR:  // an id of something that is not a cgroup
        return {"", true};
      case EPERM:
      case EACCES:
      case EOPNOTSUPP:
      case ENOSYS:
      case EINVAL:
        unsupported = true;
        return {"", false};
      default:  // EMFILE, ENOMEM, ...: try again next time
        return {"", false};
    }
  }
  const FdCloser closer(fd);
  const std::string absolute = fd_path(fd);
  if (absolute.empty()) return {"", false};
  std::string relative;
  // A cgroup outside the part of the hierarchy this mount shows has no path here.
  if (!relative_to(absolute, mount_prefix_, relative)) return {"", true};
  return {std::move(relative), true};
}

CgroupResolver::Lookup CgroupResolver::resolve_by_walk(std::uint64_t cgroup_id) const {
  std::string found;
  const CgroupWalkEnd end =
      walk_cgroups(mount_fd_, kMaxWalkDirectories, [&](const std::string& path, std::uint64_t id) {
        if (id != cgroup_id) return true;
        found = path;
        return false;
      });
  switch (end) {
    case CgroupWalkEnd::Stopped:
      return {std::move(found), true};
    case CgroupWalkEnd::Complete:
      return {"", true};  // not below this mount
    case CgroupWalkEnd::Limit:
    case CgroupWalkEnd::Failed:
      break;
  }
  return {"", false};
}

std::string CgroupResolver::fd_path(int fd) {
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  std::string target(256, '\0');
  while (true) {
    const ssize_t n = ::readlink(link.c_str(), target.data(), target.size());
    if (n < 0) return {};
    if (static_cast<std::size_t>(n) < target.size()) {
      target.resize(static_cast<std::size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);  // possibly cut: grow and read again
  }
}

std::string CgroupResolver::find_cgroup2_mount() noexcept {
  try {
    std::ifstream file("/proc/self/mountinfo");
    if (!file) return {};
    std::ostringstream text;
    text << file.rdbuf();
    return parse_cgroup2_mount(text.str());
  } catch (...) {
    return {};
  }
}

std::string CgroupResolver::parse_cgroup2_mount(std::string_view mountinfo) noexcept {
  try {
    std::string first_any;
    while (!mountinfo.empty()) {
      const auto newline = mountinfo.find('\n');
      const auto line = mountinfo.substr(0, newline);
      mountinfo.remove_prefix(newline == std::string_view::npos ? mountinfo.size() : newline + 1);
      // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS
      const auto fields = split_nonempty(line, ' ');
      if (fields.size() < 7) continue;
      std::size_t separator = 6;
      while (separator < fields.size() && fields[separator] != "-") ++separator;
      if (separator + 1 >= fields.size() || fields[separator + 1] != "cgroup2") continue;
      std::string mount_point = unescape_mountinfo(fields[4]);
      if (fields[3] == "/") return mount_point;
      if (first_any.empty()) first_any = std::move(mount_point);
    }
    return first_any;
  } catch (...) {
    return {};
  }
}

// ---------------------------------------------------------------- UserResolver

UserResolver::UserResolver(std::size_t max_entries) : max_entries_(max_entries) {}

std::string UserResolver::name_of(std::uint32_t uid) noexcept {
  try {
    std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(uid); it != cache_.end()) return it->second;

    const long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 1024);
    struct passwd entry {};
    struct passwd* result = nullptr;
    int err = 0;
    while ((err = ::getpwuid_r(static_cast<uid_t>(uid), &entry, buffer.data(), buffer.size(),
                               &result)) == ERANGE &&
           buffer.size() < (std::size_t{1} << 20)) {
      buffer.resize(buffer.size() * 2);
    }
    std::string name;
    bool definitive = true;
    if (err == 0 && result != nullptr && result->pw_name != nullptr && result->pw_name[0] != '\0') {
      name = result->pw_name;
    } else {
      name = std::to_string(uid);
      // Not found is an answer (0, or one of the errnos glibc documents for it);
      // anything else (EIO, EMFILE, a down NSS service) may pass.
      definitive = err == 0 || err == ENOENT || err == ESRCH || err == EBADF || err == EPERM;
    }
    if (definitive) {
      if (cache_.size() >= max_entries_) cache_.clear();
      if (max_entries_ > 0) cache_.emplace(uid, name);
    }
    return name;
  } catch (...) {
    return std::to_string(uid);
  }
}

}  // namespace execmond
