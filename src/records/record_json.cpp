#include "records/record_json.h"

#include <array>
#include <chrono>
#include <cstdio>

#include "records/record_message.h"

namespace execmond {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// Seconds as a JSON number: a double's shortest round-trip text, so 3.2 s is
// 3.2 and 1 ns after a second is 1.000000001.
double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }

void add_if_present(nlohmann::json& object, const char* key,
                    const std::optional<std::uint64_t>& value) {
  if (value) object[key] = *value;
}

void add_seconds_if_present(nlohmann::json& object, const char* key,
                            const std::optional<std::uint64_t>& ns) {
  if (ns) object[key] = seconds(*ns);
}

// The journal's text of one JSON value (record_journal_fields).
std::string journal_value(const nlohmann::json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_array()) {
    std::string joined;
    bool first = true;
    for (const nlohmann::json& argument : value) {
      if (!first) joined += ' ';
      first = false;
      joined += argument.get_ref<const std::string&>();
    }
    return joined;
  }
  return value.dump();  // numbers: the same text as in the JSON line
}

std::string journal_name(std::string_view key) {
  std::string name = "EXECMOND_";
  for (const char c : key) name += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return name;
}

}  // namespace

std::string rfc3339_utc(std::int64_t ns) {
  // Floor division, so that times before 1970 count back from the epoch.
  std::int64_t secs = ns / kNsPerSecond;
  std::int64_t frac = ns % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --secs;
  }
  std::int64_t days = secs / 86400;
  std::int64_t in_day = secs % 86400;
  if (in_day < 0) {
    in_day += 86400;
    --days;
  }
  const std::chrono::year_month_day date{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
  std::array<char, 40> text{};
  const int n = std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%09dZ",
                              static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                              static_cast<unsigned>(date.day()), static_cast<int>(in_day / 3600),
                              static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60),
                              static_cast<int>(frac));
  return {text.data(), static_cast<std::size_t>(n)};
}

nlohmann::json record_json(const ExitRecord& record) {
  nlohmann::json object = {
      {"schema", kRecordSchemaVersion},
      {"seq", record.sequence},
      {"kind", to_string(record.kind)},
      {"time", rfc3339_utc(record.time_ns)},
      {"host", record.host},
      {"pid", record.pid},
      {"start_time", rfc3339_utc(record.start_time_ns)},
      {"lifetime_seconds", seconds(record.lifetime_ns)},
      {"ppid", record.ppid},
      {"parent_comm", record.parent_comm},
      {"comm", record.comm},
      {"exe", record.exe},
      {"program", record.program},
      {"script", record.script},
      {"cmdline_truncated", record.cmdline_truncated},
      {"uid", record.uid},
      {"user", record.user},
      {"unit", record.unit},
      {"cgroup", record.cgroup},
      {"container_id", record.container_id},
      {"pod", record.pod},
      {"namespace", record.pod_namespace},
      {"container", record.container},
      {"reason", record.reason},
      {"code", record.code},
      {"core_dumped", record.core_dumped},
      {"wait_status", record.wait_status},
  };
  if (record.cmdline) object["cmdline"] = *record.cmdline;
  if (!record.signal.empty()) object["signal"] = record.signal;
  if (!record.oom_scope.empty()) object["oom_scope"] = record.oom_scope;
  add_seconds_if_present(object, "cpu_user_seconds", record.cpu_user_ns);
  add_seconds_if_present(object, "cpu_system_seconds", record.cpu_system_ns);
  add_if_present(object, "peak_rss_bytes", record.peak_rss_bytes);
  add_if_present(object, "io_read_bytes", record.io_read_bytes);
  add_if_present(object, "io_write_bytes", record.io_write_bytes);
  add_if_present(object, "minor_faults", record.minor_faults);
  add_if_present(object, "major_faults", record.major_faults);
  add_if_present(object, "voluntary_switches", record.voluntary_switches);
  add_if_present(object, "involuntary_switches", record.involuntary_switches);
  return object;
}

std::string record_json_line(const ExitRecord& record) {
  // Command lines and comms are arbitrary bytes: replace what is not UTF-8
  // rather than throw; dump() escapes control characters, '\n' included.
  std::string line =
      record_json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  return line;
}

std::string_view record_message_id(RecordKind kind) {
  static constexpr std::array<std::string_view, kRecordKindCount> kIds = {
      "185b6d5df6cd405db9885db9b8c269c3",  // oom_killed
      "9497a06854384a38aeac059e586ac977",  // core_dumped
      "b5d21f7a2d79496896f32d717e1dd5a0",  // crashed
      "11ee4bd193ee46d1bf61a2c632830de1",  // failed
      "4f72b0fc4a6543c89553b98a33751754",  // exited
  };
  return kIds[static_cast<std::size_t>(kind)];
}

int record_priority(RecordKind kind) {
  switch (kind) {
    case RecordKind::OomKilled:
    case RecordKind::CoreDumped:
    case RecordKind::Crashed:
      return 3;
    case RecordKind::Failed:
      return 4;
    case RecordKind::Exited:
      return 6;
  }
  return 6;
}

std::vector<std::string> record_journal_fields(const ExitRecord& record) {
  const nlohmann::json object = record_json(record);
  std::vector<std::string> fields;
  fields.reserve(object.size() + 4);
  for (const auto& [key, value] : object.items()) {
    fields.push_back(journal_name(key) + '=' + journal_value(value));
  }
  fields.push_back("MESSAGE=" + record_message(record));
  fields.push_back("MESSAGE_ID=" + std::string(record_message_id(record.kind)));
  fields.push_back("PRIORITY=" + std::to_string(record_priority(record.kind)));
  fields.emplace_back("SYSLOG_IDENTIFIER=execmond");
  return fields;
}

}  // namespace execmond
