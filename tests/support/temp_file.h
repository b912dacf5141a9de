// A temporary file holding given text, removed when the object goes away.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace execmond::test {

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/execmond_test_XXXXXX";
    int fd = ::mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    path_ = name;
    FILE* file = ::fdopen(fd, "w");
    if (file == nullptr) throw std::runtime_error("fdopen failed");
    const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
    if (std::fclose(file) != 0 || !written) throw std::runtime_error("cannot write " + path_);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace execmond::test
