// Records as JSON lines (record_json_line), to stdout or to a file others
// tail and logrotate rotates. A reader never sees half a record: a line is
// one write(), and a line the disk had no room for is taken back and written
// again later.
#pragma once

#include <string>
#include <string_view>

#include "records/record_output.h"
#include "util/unique_fd.h"

namespace execmond {

class JsonLinesOutput final : public RecordOutput {
 public:
  // "-": stdout (fd 1); else a file, opened (O_APPEND, created 0640 less the
  // umask) at the first write, so a file that cannot be opened yet is a
  // failed write the caller retries, not an error of start-up.
  explicit JsonLinesOutput(std::string path);

  Status write(const ExitRecord& record) override;
  // Closes the file and opens the path again: after logrotate renamed it,
  // this creates the new one. Nothing to do for stdout.
  Status reopen() override;

  // One line, '\n' included, all or nothing (for a file; see write_all for
  // stdout). Exposed for tests.
  Status write_line(std::string_view line);

  const std::string& path() const { return path_; }

 private:
  Status open_file();
  Status append_to_file(std::string_view line);
  Status write_to_stdout(std::string_view line);

  std::string path_;
  UniqueFd file_;
  // Part of a line was left behind (a pipe that failed mid-line, a part the
  // file could not be cut back from, a file that ended without '\n' when
  // opened): the next line is preceded by '\n', so that it at least is whole.
  bool torn_ = false;
};

}  // namespace execmond
