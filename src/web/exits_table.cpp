#include "web/exits_table.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "records/record_message.h"
#include "web/exits_endpoint.h"
#include "web/html_text.h"

namespace execmond {

namespace {

// Long values are cut for the page; GET /exits has them whole.
constexpr std::size_t kMaxCellBytes = 256;
constexpr std::size_t kMaxCmdlineBytes = 1024;

std::string cell(const std::string& text) {
  return "<td>" + html_escape(shorten_utf8(text, kMaxCellBytes)) + "</td>";
}

std::string where(const ExitRecord& r) {
  if (!r.pod.empty()) return r.pod_namespace.empty() ? r.pod : r.pod_namespace + "/" + r.pod;
  if (!r.unit.empty()) return r.unit;
  return "\xe2\x80\x94";  // —
}

std::string row(const ExitRecord& r) {
  std::string html = R"(<tr class="exit" id="exit-)" + std::to_string(r.sequence) + R"(">)";
  html += cell(utc_time_ms(r.time_ns));
  html += cell(r.program.empty() ? r.comm : r.program);
  html += cell(std::to_string(r.pid));
  html += cell(where(r));
  html += cell(how_it_ended(r));
  html += cell(human_duration(r.lifetime_ns));
  html += cell(r.peak_rss_bytes ? human_size(*r.peak_rss_bytes) : "\xe2\x80\x94");
  html += "</tr>\n";
  if (r.cmdline) {
    // A row of its own: readable without hovering, as a title would need.
    std::string words = shorten_utf8(shell_words(*r.cmdline), kMaxCmdlineBytes);
    if (r.cmdline_truncated) words += " [cut]";
    html += R"(<tr class="cmdline"><td></td><td colspan="6"><code>)" + html_escape(words) +
            "</code></td></tr>\n";
  }
  return html;
}

}  // namespace

std::string utc_time_ms(std::int64_t time_ns) {
  constexpr std::int64_t kNsPerSecond = 1'000'000'000;
  std::int64_t seconds = time_ns / kNsPerSecond;
  std::int64_t rest = time_ns % kNsPerSecond;
  if (rest < 0) {  // before 1970: round down, not toward zero
    rest += kNsPerSecond;
    --seconds;
  }
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "?";
  std::array<char, 64> out{};
  (void)std::snprintf(out.data(), out.size(), "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                      tm.tm_sec, static_cast<int>(rest / 1'000'000));
  return out.data();
}

std::string how_it_ended(const ExitRecord& r) {
  if (r.reason == "oom_killed") {
    return r.oom_scope.empty() ? "OOM-killed" : "OOM-killed (" + r.oom_scope + ")";
  }
  if (r.reason == "signaled" || r.reason == "dumped") {
    std::string text =
        "killed by " + (r.signal.empty() ? "signal " + std::to_string(r.code) : r.signal);
    if (r.core_dumped) text += ", core dumped";
    return text;
  }
  if (r.reason == "exited") return "exited " + std::to_string(r.code);
  return r.reason + " " + std::to_string(r.code);
}

std::string shell_words(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty();
    for (char c : arg) {
      const auto u = static_cast<unsigned char>(c);
      const bool safe = u >= 0x80 || (std::isalnum(u) != 0) ||
                        std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
      plain = plain && safe;
    }
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::string exits_table_html(const std::vector<ExitRecord>& newest_first) {
  std::string html = "<h2>Recent exits</h2>\n";
  if (newest_first.empty()) {
    html += "<p id=\"no-exits\">No exit has been recorded since the start.</p>\n";
  } else {
    html +=
        "<table id=\"exits\">\n<thead><tr><th>Time</th><th>Program</th><th>PID</th>"
        "<th>Pod or unit</th><th>How it ended</th><th>Lifetime</th><th>Peak RSS</th></tr>"
        "</thead>\n<tbody>\n";
    for (const ExitRecord& r : newest_first) html += row(r);
    html += "</tbody>\n</table>\n";
  }
  const std::string path(kExitsPath);
  html += "<p>All kept records, as JSON: <a href=\"" + path + "\">" + path + "</a></p>\n";
  return html;
}

}  // namespace execmond
