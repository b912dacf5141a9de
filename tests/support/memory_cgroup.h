// A memory cgroup with a limit, for tests that make the OOM killer act: v1
// (memory.limit_in_bytes, and memsw where swap accounting is on) or v2
// (memory.max, swap off) on a unified host. Removed when it goes.
#pragma once

#include <string>

namespace execmond::test {

class MemoryCgroup {
 public:
  explicit MemoryCgroup(const std::string& name);
  ~MemoryCgroup();
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  // Empty, or why the limit could not be set.
  std::string limit(long bytes);
  const std::string& path() const { return path_; }
  // OOM kills in this cgroup, as the kernel counts them; -1 (and a test
  // failure) when it says none.
  double oom_kills() const;

 private:
  std::string path_;
  bool v1_ = false;
  std::string why_;
};

}  // namespace execmond::test
