// The most recent records, kept for GET /exits and the landing page. Records
// are made on the drain thread and read by civetweb's workers: every call
// takes one mutex, and readers get copies, so a slow HTTP client never holds
// it while its answer is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "records/exit_record.h"

namespace execmond {

// Which records a reader wants. Each filter given must match; a list
// matches when any of its values does; an empty filter matches everything.
struct RecordQuery {
  std::uint64_t since = 0;  // only records with a sequence above this
  std::vector<RecordKind> kinds;
  std::vector<std::string> programs;  // ExitRecord::program, exactly
  std::vector<std::string> reasons;   // ExitRecord::reason: exited, signaled, oom_killed
  // "pod" matches the pod's name in any namespace, "namespace/pod" only there.
  std::string pod;
  std::string unit;
  // At most this many: the oldest matches after `since`, so that a reader
  // paging with since= loses none of them. 0: all that match.
  std::size_t limit = 0;
};

// A query's records with the sequence a reader continues from: all that
// match up to `complete_to` are in `records` (the ring's last sequence, or
// the last record's when the limit cut the answer short).
struct RecordPage {
  std::vector<ExitRecord> records;  // oldest first
  std::uint64_t complete_to = 0;
};

class RecordRing {
 public:
  static constexpr std::size_t kDefaultCapacity = 1000;

  explicit RecordRing(std::size_t capacity = kDefaultCapacity);

  // A reload's records.keep: the oldest go when it shrinks. 0 keeps none
  // (sequences still advance).
  void set_capacity(std::size_t capacity);
  // Adds the newest record, dropping the oldest when full. Sequences must
  // increase from push to push (RecordMaker numbers them so): queries
  // find `since` by them.
  void push(ExitRecord record);

  // The records after `query.since` that match it, oldest first.
  std::vector<ExitRecord> query(const RecordQuery& query) const;
  // The same, with the sequence it is complete to, read under the same lock.
  RecordPage page(const RecordQuery& query) const;
  // The `count` newest records, newest first (the landing page's table).
  std::vector<ExitRecord> latest(std::size_t count) const;

  // The sequence of the newest record pushed, kept or not; 0 before any.
  std::uint64_t last_sequence() const;
  std::size_t size() const;
  std::size_t capacity() const;

 private:
  mutable std::mutex mutex_;
  std::deque<ExitRecord> records_;  // oldest first
  std::size_t capacity_;
  std::uint64_t last_sequence_ = 0;
};

// Whether `record` passes the filters of `query` (not `since` or `limit`).
bool matches(const RecordQuery& query, const ExitRecord& record);

}  // namespace execmond
