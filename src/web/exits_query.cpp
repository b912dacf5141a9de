#include "web/exits_query.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

namespace execmond {

namespace {

// As execmond_process_exits_total's reason label has them.
constexpr std::array<std::string_view, 4> kReasons = {"exited", "signaled", "dumped", "oom_killed"};
constexpr std::string_view kParameters = "since, kind, program, reason, pod, unit, limit";

// The fields between `separator`s, empty ones included ("a,,b" gives a, "", b).
std::vector<std::string_view> fields(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      const int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Error{"a '%' in the query is not followed by two hex digits; encode it as %25"};
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string joined(const auto& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// The value, quoted and cut for an error line (it may be anything a client sent).
std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value.substr(0, 64)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7F) ? '?' : c;
  }
  return out + (value.size() > 64 ? "…\"" : "\"");
}

Result<std::uint64_t> unsigned_value(std::string_view name, std::string_view value,
                                     std::uint64_t min, std::uint64_t max) {
  std::uint64_t n = 0;
  const char* end = value.data() + value.size();
  auto [at, ec] = std::from_chars(value.data(), end, n);
  if (value.empty() || ec != std::errc() || at != end || n < min || n > max) {
    return Error{std::string(name) + ": " + quoted(value) +
                 " is not allowed; use an integer from " + std::to_string(min) + " to " +
                 std::to_string(max)};
  }
  return n;
}

// Adds each comma-separated item of `value` to `into`; empty items are refused.
Status add_items(std::string_view name, std::string_view value, std::vector<std::string>& into) {
  for (std::string_view item : fields(value, ',')) {
    if (item.empty()) {
      return Error{std::string(name) + ": an empty value; give one or more, comma-separated"};
    }
    into.emplace_back(item);
  }
  return {};
}

Status set_once(std::string_view name, std::string_view value, std::string& into) {
  if (!into.empty()) return Error{std::string(name) + ": given twice; give it once"};
  if (value.empty()) return Error{std::string(name) + ": empty; give a name"};
  into = value;
  return {};
}

}  // namespace

Result<RecordQuery> parse_exits_query(std::string_view query_string) {
  RecordQuery query;
  bool since_seen = false;
  bool limit_seen = false;
  std::vector<std::string> kinds;
  for (std::string_view pair : fields(query_string, '&')) {
    if (pair.empty()) continue;  // "a=1&&b=2", a trailing '&'
    const auto eq = pair.find('=');
    Result<std::string> name = url_decode(pair.substr(0, eq));
    if (!name) return name.error();
    Result<std::string> value =
        url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value) return value.error();
    const std::string& v = *value;
    if (*name == "since" || *name == "limit") {
      bool& seen = *name == "since" ? since_seen : limit_seen;
      if (seen) return Error{*name + ": given twice; give it once"};
      seen = true;
      Result<std::uint64_t> n = *name == "since" ? unsigned_value("since", v, 0, UINT64_MAX)
                                                 : unsigned_value("limit", v, 1, kMaxExitsLimit);
      if (!n) return n.error();
      (*name == "since" ? query.since : query.limit) = *n;
    } else if (*name == "kind") {
      if (Status added = add_items("kind", v, kinds); !added) return added.error();
    } else if (*name == "program") {
      if (Status added = add_items("program", v, query.programs); !added) return added.error();
    } else if (*name == "reason") {
      if (Status added = add_items("reason", v, query.reasons); !added) return added.error();
    } else if (*name == "pod") {
      if (Status set = set_once("pod", v, query.pod); !set) return set.error();
    } else if (*name == "unit") {
      if (Status set = set_once("unit", v, query.unit); !set) return set.error();
    } else {
      return Error{"unknown parameter " + quoted(*name) + "; use " + std::string(kParameters)};
    }
  }
  for (const std::string& kind : kinds) {
    const auto* it = std::find(kRecordKindNames.begin(), kRecordKindNames.end(), kind);
    if (it == kRecordKindNames.end()) {
      return Error{"kind: " + quoted(kind) + " is not a kind; use " + joined(kRecordKindNames)};
    }
    query.kinds.push_back(static_cast<RecordKind>(it - kRecordKindNames.begin()));
  }
  for (const std::string& reason : query.reasons) {
    if (std::find(kReasons.begin(), kReasons.end(), reason) == kReasons.end()) {
      return Error{"reason: " + quoted(reason) + " is not a reason; use " + joined(kReasons)};
    }
  }
  return query;
}

}  // namespace execmond
