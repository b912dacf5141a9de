#include "records/record_message.h"

#include <array>
#include <cstdio>

#include "util/label_text.h"

namespace execmond {
namespace {

void append_escaped_bytes(std::string& out, std::string_view bytes) {
  for (const char c : bytes) {
    std::array<char, 8> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "\\x%02x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));  // fits in buf
    out += buf.data();
  }
}

// printf into a std::string; the formats here are short and fixed.
template <typename... Args>
std::string format(const char* pattern, Args... args) {
  std::array<char, 64> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), pattern, args...);
  return n < 0 ? std::string() : std::string(buf.data());
}

// How the process ended, as a predicate: "was killed by …", "exited with …".
std::string ending(const ExitRecord& record) {
  if (record.kind == RecordKind::OomKilled || record.reason == "oom_killed") {
    return "was killed by the OOM killer";
  }
  if (record.reason == "signaled" || record.reason == "dumped") {
    std::string text = "was killed by ";
    text += record.signal.empty() ? "signal " + std::to_string(record.code)
                                  : escape_for_line(record.signal);
    if (record.core_dumped) text += " (core dumped)";
    return text;
  }
  return "exited with status " + std::to_string(record.code);
}

}  // namespace

std::string escape_for_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t n = utf8_sequence_length(text);
    const auto b0 = static_cast<unsigned char>(text[0]);
    bool escape = false;
    if (n == 0) {
      n = 1;  // not UTF-8: this byte alone
      escape = true;
    } else if (n == 1) {
      if (b0 == '\\') {
        out += "\\\\";
        text.remove_prefix(1);
        continue;
      }
      escape = b0 < 0x20 || b0 == 0x7f;
    } else if (n == 2) {
      escape = b0 == 0xc2 && static_cast<unsigned char>(text[1]) <= 0x9f;  // C1 controls, NEL
    } else if (n == 3) {
      // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR break lines too.
      escape = text.substr(0, 2) == "\xe2\x80" && (static_cast<unsigned char>(text[2]) == 0xa8 ||
                                                   static_cast<unsigned char>(text[2]) == 0xa9);
    }
    if (escape) {
      append_escaped_bytes(out, text.substr(0, n));
    } else {
      out += text.substr(0, n);
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string human_duration(std::uint64_t ns) {
  const auto value = static_cast<double>(ns);
  // Each unit up to where its one-decimal rounding would reach the next.
  if (value < 9.95e6) return format("%.1f ms", value / 1e6);
  if (value < 999.5e6) return format("%.0f ms", value / 1e6);
  if (value < 59.95e9) return format("%.1f s", value / 1e9);
  if (value < 59.95 * 60e9) return format("%.1f min", value / 60e9);
  if (value < 23.95 * 3600e9) return format("%.1f h", value / 3600e9);
  return format("%.1f d", value / 86400e9);
}

std::string human_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr std::array<const char*, 6> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1023.95 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return format("%.1f %s", value, kUnits[unit]);
}

std::string record_message(const ExitRecord& record) {
  const std::string& name = record.program.empty() ? record.comm : record.program;
  std::string text = name.empty() ? "process" : escape_for_line(name);
  text += " (pid " + std::to_string(record.pid);
  if (!record.comm.empty() && record.comm != name) text += ", " + escape_for_line(record.comm);
  if (!record.unit.empty()) {
    text += ", " + escape_for_line(record.unit);
  } else if (!record.pod.empty()) {
    text += ", ";
    if (!record.pod_namespace.empty()) text += escape_for_line(record.pod_namespace) + "/";
    text += escape_for_line(record.pod);
  }
  text += ") " + ending(record) + " after " + human_duration(record.lifetime_ns);
  if ((record.kind == RecordKind::OomKilled || record.reason == "oom_killed") &&
      record.peak_rss_bytes) {
    text += " at " + human_size(*record.peak_rss_bytes) + " peak RSS";
  }
  return text;
}

}  // namespace execmond
