// GET /exits: the kept exit records as one JSON object,
//   {"schema": 1, "last_seq": N, "records": [ … ]}
// oldest first, filtered by the query (web/exits_query.h). last_seq is the
// sequence the answer is complete to: pass it as since= to read what comes
// next (the ring's newest sequence, or the last record's when limit= cut the
// answer short). The records are copied out of the ring and serialized
// before a byte is written, so a slow client holds no lock.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "records/exit_record.h"
#include "records/record_ring.h"

namespace execmond {

inline constexpr std::string_view kExitsPath = "/exits";

// A record as GET /exits gives it. The daemon passes records/ record_json;
// the mapping of fields to JSON is its, not the web layer's.
using RecordEncoder = std::function<nlohmann::json(const ExitRecord&)>;

// Where /exits and the landing page's table read records. No ring: records
// are off (records.enabled: false), /exits answers 404 and the landing page
// has no table.
struct ExitsSource {
  std::shared_ptr<const RecordRing> ring;
  RecordEncoder encode;  // required with a ring
  bool enabled() const { return ring != nullptr; }
};

struct WebAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
};

// The answer to GET /exits?`query_string`: 200 with the JSON, 400 with the
// one-line reason a parameter is refused, 404 when records are off, 500
// when the encoder fails.
WebAnswer answer_exits(const ExitsSource& source, std::string_view query_string);

}  // namespace execmond
