// GET /exits's query string, read into a RecordQuery. A parameter the
// endpoint does not know, or a value it cannot take, is refused with one
// line naming the parameter and what it allows: a typo must not silently
// widen an answer.
#pragma once

#include <cstddef>
#include <string_view>

#include "records/record_ring.h"
#include "util/error.h"

namespace execmond {

// The most records one answer holds when a limit is given.
inline constexpr std::size_t kMaxExitsLimit = 10000;

// since=N (unsigned), kind=, program=, reason= (each repeatable and
// comma-separated), pod=, unit= (once each), limit=1..10000. The query
// string as sent, %-encoded and with '+' for spaces.
Result<RecordQuery> parse_exits_query(std::string_view query_string);

}  // namespace execmond
