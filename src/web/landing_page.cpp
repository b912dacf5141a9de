#include "web/landing_page.h"

namespace execmond {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string landing_page_html(const std::string& telemetry_path, const std::string& version) {
  // The path is configurable, so it is escaped like any other text: it lands
  // in a quoted attribute, where a '"' would otherwise end the href.
  const std::string path = html_escape(telemetry_path);
  std::string page =
      "<!DOCTYPE html>\n"
      "<html lang=\"en\">\n"
      "<head>\n"
      "<meta charset=\"utf-8\">\n"
      "<title>execmond</title>\n"
      "</head>\n"
      "<body>\n"
      "<h1>execmond</h1>\n"
      "<p>Process lifecycle exporter: execs, forks, exits and lifetimes, traced with eBPF.</p>\n";
  page += "<p><a href=\"" + path + "\">Metrics</a> at <code>" + path + "</code></p>\n";
  page += "<p>Version " + html_escape(version) + "</p>\n";
  page += "</body>\n</html>\n";
  return page;
}

}  // namespace execmond
