// The records' way out: write() queues a record for each output that is on
// and returns at once; one thread of its own writes them, so the drain
// thread never waits on a disk or on journald. An output that fails keeps
// its records (up to the queue's bound) and retries them in order.
//
// Metrics, each with output="journal" or "json":
//   execmond_exit_record_writes_total           records written
//   execmond_exit_record_write_failures_total   attempts that failed (each retried)
//   execmond_exit_records_unwritten_total       records given up: the queue was
//                                               full, the output was turned off,
//                                               or the daemon stopped first
#pragma once

#include <prometheus/registry.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "records/exit_record.h"
#include "records/record_output.h"

namespace execmond {

// The outputs, each with a queue of its own. Names: the `output` label.
enum class RecordOutputKind { Journal, Json };
std::string_view to_string(RecordOutputKind kind);

struct RecordOutputsOptions {
  // Records held for each output; when full, the oldest is given up.
  std::size_t capacity = 10'000;
  // After a failed write, the output is tried again this much later.
  std::chrono::milliseconds retry_after{1000};
  // How long stopping may spend writing what is queued.
  std::chrono::milliseconds flush_timeout{1000};
  // Makes an output configure() turns on: `json_file` is "" for the journal.
  // Default: JournalOutput and JsonLinesOutput; tests give fakes.
  std::function<std::unique_ptr<RecordOutput>(RecordOutputKind, const std::string& json_file)>
      make_output;
};

class RecordOutputs {
 public:
  // No output is on until configure(). The metrics are registered on `registry`,
  // which must outlive this object.
  explicit RecordOutputs(prometheus::Registry& registry, RecordOutputsOptions options = {});
  // Writes what is queued for at most flush_timeout, then stops; an output
  // that is stuck in a write is left to finish on its own, unwaited for.
  ~RecordOutputs();
  RecordOutputs(const RecordOutputs&) = delete;
  RecordOutputs& operator=(const RecordOutputs&) = delete;
  RecordOutputs(RecordOutputs&&) = delete;
  RecordOutputs& operator=(RecordOutputs&&) = delete;

  // The outputs to write to (records.journal, records.json_file: "" none,
  // "-" stdout). At start and on each reload: an output turned off gives up
  // what it held; a new json_file takes over what the old one held.
  void configure(bool journal, const std::string& json_file);

  // Queues `record` for every output that is on. Never blocks on an output.
  void write(const ExitRecord& record);

  // SIGHUP: each output lets go of its file and opens it again, before its
  // next write (logrotate renamed the file; this creates the new one).
  void reopen();

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the thread, which may outlive this object
};

}  // namespace execmond
