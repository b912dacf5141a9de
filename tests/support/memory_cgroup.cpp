#include "memory_cgroup.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace execmond::test {

namespace {

bool contains(const std::string& file, const std::string& word) {
  std::ifstream in(file);
  for (std::string w; in >> w;) {
    if (w == word) return true;
  }
  return false;
}

// Empty, or what failed. memory.swap.max is absent without swap accounting: fine.
std::string write(const std::string& file, const std::string& value) {
  int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT && file.ends_with("swap.max") ? "" : file + ": absent";
  bool ok = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  int err = errno;
  close(fd);
  return ok ? "" : file + ": " + std::strerror(err);
}

}  // namespace

MemoryCgroup::MemoryCgroup(const std::string& name) {
  if (std::filesystem::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
    path_ = "/sys/fs/cgroup/memory/" + name;
    v1_ = true;
  } else if (contains("/sys/fs/cgroup/cgroup.controllers", "memory")) {
    write("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
    path_ = "/sys/fs/cgroup/" + name;
  } else {
    why_ = "no memory cgroup controller (v1 or v2) on this host";
    return;
  }
  if (mkdir(path_.c_str(), 0755) != 0) why_ = path_ + ": " + std::strerror(errno);
}

MemoryCgroup::~MemoryCgroup() {
  if (!path_.empty()) rmdir(path_.c_str());
}

std::string MemoryCgroup::limit(long bytes) {
  if (!why_.empty()) return why_;
  std::string value = std::to_string(bytes);
  if (!v1_) return write(path_ + "/memory.max", value) + write(path_ + "/memory.swap.max", "0");
  std::string why = write(path_ + "/memory.limit_in_bytes", value);
  if (std::filesystem::exists(path_ + "/memory.memsw.limit_in_bytes")) {
    why += write(path_ + "/memory.memsw.limit_in_bytes", value);
  }
  return why;
}

double MemoryCgroup::oom_kills() const {
  std::ifstream in(path_ + (v1_ ? "/memory.oom_control" : "/memory.events"));
  std::string key;
  for (double value = 0; in >> key >> value;) {
    if (key == "oom_kill") return value;
  }
  ADD_FAILURE() << path_ << ": no oom_kill count";
  return -1;
}

}  // namespace execmond::test
