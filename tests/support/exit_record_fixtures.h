// Exit records for the tests of GET /exits and the landing page: plain ones,
// and hostile ones carrying what a process can put in its command line,
// comm or unit (markup, quotes, invalid UTF-8, control characters, very long
// values). The encoder stands in for records/ record_json, which the web
// layer is given, not built with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/exit_record.h"

namespace execmond::test {

// 2024-05-01 12:34:56.789 UTC.
inline constexpr std::int64_t kFixtureTimeNs = 1714566896789000000;

inline ExitRecord plain_record(std::uint64_t sequence) {
  ExitRecord r;
  r.sequence = sequence;
  r.kind = RecordKind::Crashed;
  r.time_ns = kFixtureTimeNs + static_cast<std::int64_t>(sequence) * 1000000;
  r.lifetime_ns = 3400000000;
  r.pid = static_cast<std::uint32_t>(4000 + sequence);
  r.comm = "worker";
  r.program = "worker";
  r.unit = "worker.service";
  r.cmdline = std::vector<std::string>{"/usr/bin/worker", "--id", std::to_string(sequence)};
  r.reason = "signaled";
  r.code = 11;
  r.signal = "SIGSEGV";
  r.core_dumped = true;
  r.peak_rss_bytes = 12 * 1024 * 1024;
  return r;
}

// Values a process chooses, meant to break out of the page.
inline const std::vector<std::string>& hostile_texts() {
  static const std::vector<std::string> texts = {
      "<script>alert(1)</script>",
      "\"><img src=x onerror=alert(2)>",
      "'><svg onload=alert(3)>",
      "a&b&amp;c",
      "bad\xff\xfe utf-8 \xc3(",
      "ctl\x01\x1b[31m\x7f",
      "\xe2\x80\xae"
      "evil",  // U+202E RIGHT-TO-LEFT OVERRIDE
  };
  return texts;
}

// One record per hostile text, in every field the page shows, and one with a
// command line of 64 KiB.
inline std::vector<ExitRecord> hostile_records(std::uint64_t first_sequence) {
  std::vector<ExitRecord> records;
  std::uint64_t sequence = first_sequence;
  for (const std::string& text : hostile_texts()) {
    ExitRecord r = plain_record(sequence++);
    r.program = text;
    r.comm = text.substr(0, 15);
    r.pod = text;
    r.pod_namespace = "ns-" + text;
    r.signal = text;
    r.oom_scope = text;
    r.cmdline = std::vector<std::string>{"/bin/sh", "-c", text, text + " 'quoted' \"double\""};
    records.push_back(r);
  }
  ExitRecord big = plain_record(sequence);
  big.program = std::string(5000, 'P');
  big.cmdline = std::vector<std::string>{"/bin/long", std::string(64 * 1024, 'x')};
  big.cmdline_truncated = true;
  records.push_back(big);
  return records;
}

// What the tests' /exits carries of a record: enough to tell records apart.
inline nlohmann::json fixture_record_json(const ExitRecord& r) {
  nlohmann::json j;
  j["seq"] = r.sequence;
  j["kind"] = std::string(to_string(r.kind));
  j["pid"] = r.pid;
  j["program"] = r.program;
  j["comm"] = r.comm;
  j["reason"] = r.reason;
  j["pod"] = r.pod;
  j["namespace"] = r.pod_namespace;
  j["unit"] = r.unit;
  if (r.cmdline) j["cmdline"] = *r.cmdline;
  return j;
}

}  // namespace execmond::test
