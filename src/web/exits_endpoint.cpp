#include "web/exits_endpoint.h"

#include <exception>

#include "web/exits_query.h"

namespace execmond {

namespace {

constexpr const char* kText = "text/plain; charset=utf-8";

WebAnswer text(int status, std::string line) { return {status, kText, std::move(line) + "\n"}; }

}  // namespace

WebAnswer answer_exits(const ExitsSource& source, std::string_view query_string) {
  if (!source.enabled()) {
    return text(404,
                "exit records are disabled in the config (records.enabled: false); turn them on "
                "and restart execmond to serve /exits");
  }
  Result<RecordQuery> query = parse_exits_query(query_string);
  if (!query) return text(400, "Bad Request: " + query.error().message);

  // The ring's lock is held only while the records are copied.
  const RecordPage page = source.ring->page(*query);
  // The envelope is written by hand so that its keys keep this order and the
  // records are dumped one at a time, not held as a second, JSON copy.
  std::string body = "{\"schema\":" + std::to_string(kRecordSchemaVersion) +
                     ",\"last_seq\":" + std::to_string(page.complete_to) + ",\"records\":[";
  try {
    bool first = true;
    for (const ExitRecord& record : page.records) {
      if (!first) body += ',';
      first = false;
      // Records hold bytes processes chose: anything not UTF-8 becomes U+FFFD
      // rather than an exception (the encoder replaces too; this is the
      // guarantee at the edge).
      body += source.encode(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  } catch (const std::exception& e) {
    return text(500, std::string("Internal Server Error: cannot encode a record: ") + e.what());
  }
  body += "]}\n";
  return {200, "application/json", std::move(body)};
}

}  // namespace execmond
