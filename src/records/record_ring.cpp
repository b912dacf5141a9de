#include "records/record_ring.h"

#include <algorithm>
#include <utility>

namespace execmond {

namespace {

template <typename T>
bool any_of_or_none(const std::vector<T>& wanted, const T& value) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

bool pod_matches(const std::string& wanted, const ExitRecord& record) {
  if (wanted.empty()) return true;
  const auto slash = wanted.find('/');
  if (slash == std::string::npos) return record.pod == wanted;
  return record.pod_namespace == std::string_view(wanted).substr(0, slash) &&
         record.pod == std::string_view(wanted).substr(slash + 1);
}

}  // namespace

bool matches(const RecordQuery& query, const ExitRecord& record) {
  return any_of_or_none(query.kinds, record.kind) &&
         any_of_or_none(query.programs, record.program) &&
         any_of_or_none(query.reasons, record.reason) && pod_matches(query.pod, record) &&
         (query.unit.empty() || record.unit == query.unit);
}

RecordRing::RecordRing(std::size_t capacity) : capacity_(capacity) {}

void RecordRing::set_capacity(std::size_t capacity) {
  const std::lock_guard lock(mutex_);
  capacity_ = capacity;
  while (records_.size() > capacity_) records_.pop_front();
}

void RecordRing::push(ExitRecord record) {
  const std::lock_guard lock(mutex_);
  last_sequence_ = record.sequence;
  if (capacity_ == 0) return;
  if (records_.size() == capacity_) records_.pop_front();
  records_.push_back(std::move(record));
}

RecordPage RecordRing::page(const RecordQuery& query) const {
  RecordPage page;
  const std::lock_guard lock(mutex_);
  page.complete_to = last_sequence_;
  // Sequences increase through the deque: the first record after `since`
  // is found without looking at the older ones.
  auto it = std::partition_point(records_.begin(), records_.end(),
                                 [&](const ExitRecord& r) { return r.sequence <= query.since; });
  for (; it != records_.end(); ++it) {
    if (!matches(query, *it)) continue;
    page.records.push_back(*it);
    if (query.limit != 0 && page.records.size() == query.limit) {
      // Cut short: what matches after this record is for the next page.
      if (std::next(it) != records_.end()) page.complete_to = it->sequence;
      break;
    }
  }
  return page;
}

std::vector<ExitRecord> RecordRing::query(const RecordQuery& query) const {
  return page(query).records;
}

std::vector<ExitRecord> RecordRing::latest(std::size_t count) const {
  const std::lock_guard lock(mutex_);
  const std::size_t n = std::min(count, records_.size());
  return {records_.rbegin(), records_.rbegin() + static_cast<std::ptrdiff_t>(n)};
}

std::uint64_t RecordRing::last_sequence() const {
  const std::lock_guard lock(mutex_);
  return last_sequence_;
}

std::size_t RecordRing::size() const {
  const std::lock_guard lock(mutex_);
  return records_.size();
}

std::size_t RecordRing::capacity() const {
  const std::lock_guard lock(mutex_);
  return capacity_;
}

}  // namespace execmond
