// libFuzzer: whatever bytes a process's names and command line hold, its
// exit record is one JSON line that parses back with the same numbers, its
// message is one line, and every journal field has a name journald takes.
#include <fuzzer/FuzzedDataProvider.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "records/record_json.h"
#include "records/record_message.h"

namespace {

using execmond::ExitRecord;

// A journal field name: A-Z, 0-9 and '_', not starting with a digit or '_'
// (those are journald's own), at most 64 bytes, then '='.
bool valid_field(const std::string& field) {
  const std::size_t eq = field.find('=');
  if (eq == std::string::npos || eq == 0 || eq > 64) return false;
  if (field[0] == '_' || (field[0] >= '0' && field[0] <= '9')) return false;
  return std::all_of(field.begin(), field.begin() + static_cast<std::ptrdiff_t>(eq), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

ExitRecord make_record(FuzzedDataProvider& in) {
  ExitRecord r;
  auto text = [&] { return in.ConsumeRandomLengthString(64); };
  auto maybe = [&]() -> std::optional<std::uint64_t> {
    if (!in.ConsumeBool()) return std::nullopt;
    return in.ConsumeIntegral<std::uint64_t>();
  };
  r.sequence = in.ConsumeIntegral<std::uint64_t>();
  r.kind = static_cast<execmond::RecordKind>(
      in.ConsumeIntegralInRange<std::size_t>(0, execmond::kRecordKindCount - 1));
  r.time_ns = in.ConsumeIntegral<std::int64_t>();
  r.start_time_ns = in.ConsumeIntegral<std::int64_t>();
  r.lifetime_ns = in.ConsumeIntegral<std::uint64_t>();
  r.pid = in.ConsumeIntegral<std::uint32_t>();
  r.ppid = in.ConsumeIntegral<std::uint32_t>();
  r.uid = in.ConsumeIntegral<std::uint32_t>();
  r.code = in.ConsumeIntegral<int>();
  r.wait_status = in.ConsumeIntegral<std::uint32_t>();
  r.core_dumped = in.ConsumeBool();
  r.cmdline_truncated = in.ConsumeBool();
  r.cpu_user_ns = maybe();
  r.cpu_system_ns = maybe();
  r.peak_rss_bytes = maybe();
  r.io_read_bytes = maybe();
  r.minor_faults = maybe();
  r.involuntary_switches = maybe();
  for (std::string* field : {&r.host, &r.parent_comm, &r.comm, &r.exe, &r.program, &r.script,
                             &r.user, &r.unit, &r.cgroup, &r.container_id, &r.pod, &r.pod_namespace,
                             &r.container, &r.reason, &r.signal, &r.oom_scope}) {
    *field = text();
  }
  if (in.ConsumeBool()) {
    r.cmdline.emplace();
    const std::size_t count = in.ConsumeIntegralInRange<std::size_t>(0, 8);
    for (std::size_t i = 0; i < count; ++i) r.cmdline->push_back(text());
  }
  return r;
}

void check_number(const nlohmann::json& object, const char* key, std::uint64_t expected) {
  if (object.at(key).get<std::uint64_t>() != expected) std::abort();
}

void check_optional(const nlohmann::json& object, const char* key,
                    const std::optional<std::uint64_t>& expected) {
  if (object.contains(key) != expected.has_value()) std::abort();
  if (expected) check_number(object, key, *expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const ExitRecord r = make_record(in);

  const std::string line = execmond::record_json_line(r);
  if (line.empty() || line.back() != '\n' || std::count(line.begin(), line.end(), '\n') != 1) {
    std::abort();
  }
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    std::abort();  // not valid JSON
  }
  check_number(parsed, "seq", r.sequence);
  check_number(parsed, "pid", r.pid);
  check_number(parsed, "ppid", r.ppid);
  check_number(parsed, "uid", r.uid);
  check_number(parsed, "wait_status", r.wait_status);
  if (parsed.at("code").get<int>() != r.code) std::abort();
  if (parsed.at("schema").get<int>() != execmond::kRecordSchemaVersion) std::abort();
  if (parsed.at("lifetime_seconds").get<double>() != static_cast<double>(r.lifetime_ns) / 1e9) {
    std::abort();
  }
  if (parsed.at("time").get<std::string>() != execmond::rfc3339_utc(r.time_ns)) std::abort();
  check_optional(parsed, "peak_rss_bytes", r.peak_rss_bytes);
  check_optional(parsed, "io_read_bytes", r.io_read_bytes);
  check_optional(parsed, "minor_faults", r.minor_faults);
  check_optional(parsed, "involuntary_switches", r.involuntary_switches);
  if (parsed.contains("cmdline") != r.cmdline.has_value()) std::abort();
  if (r.cmdline && parsed.at("cmdline").size() != r.cmdline->size()) std::abort();

  // No control character at all, so no line break of any kind.
  const std::string message = execmond::record_message(r);
  if (std::any_of(message.begin(), message.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    std::abort();
  }
  for (const std::string& field : execmond::record_journal_fields(r)) {
    if (!valid_field(field)) std::abort();
    if (field.starts_with("MESSAGE=") && field.find('\n') != std::string::npos) std::abort();
  }
  return 0;
}
