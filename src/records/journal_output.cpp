#include "records/journal_output.h"

#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "records/record_json.h"

namespace execmond {

namespace {

// Where sd_journal_sendv sends; when it is missing, sd_journal_sendv drops
// the entry and returns success.
constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

}  // namespace

Status JournalOutput::write(const ExitRecord& record) {
  // Found missing rather than counted as written: the record is kept and
  // retried, and the one warning says where it went.
  if (::access(kJournalSocket, F_OK) != 0) {
    return Error{std::string("journald is not running here (") + kJournalSocket + ": " +
                 std::strerror(errno) + "); set records.journal: false on hosts without it"};
  }
  // iovecs, not sd_journal_send's format strings: each value is sent with its
  // length, so it may hold any bytes, newlines and NULs included.
  std::vector<std::string> fields = record_journal_fields(record);
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (std::string& field : fields) iov.push_back({field.data(), field.size()});
  const int rc = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  if (rc < 0) {
    return Error{std::string("journald did not take the record: ") + std::strerror(-rc)};
  }
  return {};
}

}  // namespace execmond
