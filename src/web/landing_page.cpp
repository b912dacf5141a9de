#include "web/landing_page.h"

#include "web/exits_table.h"

namespace execmond {

std::string landing_page_html(const std::string& telemetry_path, const std::string& version,
                              const std::optional<std::vector<ExitRecord>>& recent_exits) {
  // The path is configurable, so it is escaped like any other text: it lands
  // in a quoted attribute, where a '"' would otherwise end the href.
  const std::string path = html_escape(telemetry_path);
  std::string page =
      "<!DOCTYPE html>\n"
      "<html lang=\"en\">\n"
      "<head>\n"
      "<meta charset=\"utf-8\">\n"
      "<title>execmond</title>\n";
  if (recent_exits) {
    // Only what the table needs to be read; no script, no outside resource.
    page +=
        "<style>table{border-collapse:collapse}th,td{padding:2px 8px;text-align:left;"
        "vertical-align:top}tr.exit td{border-top:1px solid #ccc}"
        "tr.cmdline td{font-size:smaller;word-break:break-all}</style>\n";
  }
  page +=
      "</head>\n"
      "<body>\n"
      "<h1>execmond</h1>\n"
      "<p>Process lifecycle exporter: execs, forks, exits and lifetimes, traced with eBPF.</p>\n";
  page += "<p><a href=\"" + path + "\">Metrics</a> at <code>" + path + "</code></p>\n";
  if (recent_exits) page += exits_table_html(*recent_exits);
  page += "<p>Version " + html_escape(version) + "</p>\n";
  page += "</body>\n</html>\n";
  return page;
}

}  // namespace execmond
