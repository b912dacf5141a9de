// Where records go: one destination (journald, a JSON lines file), behind an
// interface so that RecordOutputs, which queues and retries, is tested with
// destinations that fail or block on purpose.
#pragma once

#include <string_view>

#include "records/exit_record.h"
#include "util/error.h"

namespace execmond {

class RecordOutput {
 public:
  virtual ~RecordOutput() = default;
  RecordOutput() = default;
  RecordOutput(const RecordOutput&) = delete;
  RecordOutput& operator=(const RecordOutput&) = delete;
  RecordOutput(RecordOutput&&) = delete;
  RecordOutput& operator=(RecordOutput&&) = delete;

  // Writes the whole record or nothing of it: a failed record is retried, and
  // must not be there twice, or half, when the retry succeeds. May block
  // (RecordOutputs calls it on its own thread only).
  virtual Status write(const ExitRecord& record) = 0;

  // Lets go of the destination and takes it up again: the file logrotate
  // renamed is closed and a new one created. Nothing to do for most.
  virtual Status reopen() { return {}; }
};

}  // namespace execmond
