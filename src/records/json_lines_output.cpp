#include "records/json_lines_output.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "records/record_json.h"

namespace execmond {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

JsonLinesOutput::JsonLinesOutput(std::string path) : path_(std::move(path)) {}

Status JsonLinesOutput::write(const ExitRecord& record) {
  return write_line(record_json_line(record));
}

Status JsonLinesOutput::reopen() {
  if (path_ == "-") return {};
  file_.reset();
  return open_file();
}

Status JsonLinesOutput::write_line(std::string_view line) {
  const bool to_stdout = path_ == "-";
  if (!to_stdout && !file_.valid()) {
    Status opened = open_file();  // first, as it may find the file's last line torn
    if (!opened) return opened;
  }
  std::string prefixed;
  if (torn_) {
    prefixed.reserve(line.size() + 1);
    prefixed += '\n';
    prefixed += line;
  }
  const std::string_view out = torn_ ? std::string_view(prefixed) : line;
  Status written = to_stdout ? write_to_stdout(out) : append_to_file(out);
  if (written) torn_ = false;
  return written;
}

Status JsonLinesOutput::open_file() {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Error{"cannot open " + path_ + ": " + errno_text(errno)};
  file_.reset(fd);
  torn_ = false;  // what was torn was in the file closed
  // A line cut short before (a crash, another writer) would swallow the next
  // one: start on a line of its own. Read through a descriptor of its own,
  // as the one written is O_WRONLY; a file that cannot be read is trusted.
  const UniqueFd reader(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat written {};
  struct stat read {};
  char last = '\n';
  if (reader.valid() && ::fstat(fd, &written) == 0 && ::fstat(reader.get(), &read) == 0 &&
      written.st_dev == read.st_dev && written.st_ino == read.st_ino && read.st_size > 0 &&
      ::pread(reader.get(), &last, 1, read.st_size - 1) == 1 && last != '\n') {
    torn_ = true;
  }
  return {};
}

Status JsonLinesOutput::append_to_file(std::string_view line) {
  ssize_t n = 0;
  do {
    n = ::write(file_.get(), line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(line.size())) return {};
  if (n < 0) return Error{"cannot write to " + path_ + ": " + errno_text(errno)};
  // A short write: the disk is full or the file at its size limit. Cut the
  // part back off, so that readers never see it, and let the line be
  // retried. With O_APPEND the offset is where this write ended, whatever
  // others appended before it.
  const std::string what = "only " + std::to_string(n) + " of " + std::to_string(line.size()) +
                           " bytes of a record fitted in " + path_ + " (disk full?)";
  const off_t end = ::lseek(file_.get(), 0, SEEK_CUR);
  if (end >= n && ::ftruncate(file_.get(), end - n) == 0) return Error{what};
  torn_ = true;
  return Error{what + "; cannot remove the part: " + errno_text(errno)};
}

Status JsonLinesOutput::write_to_stdout(std::string_view line) {
  // A pipe takes a long line in parts: loop until all of it is written.
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {  // a non-blocking stdout: wait for room, a while
      pollfd pfd{STDOUT_FILENO, POLLOUT, 0};
      if (::poll(&pfd, 1, 1000) > 0) continue;
    }
    const int error = errno;
    if (done > 0) torn_ = true;
    return Error{"cannot write records to stdout: " + errno_text(error)};
  }
  return {};
}

}  // namespace execmond
