// The page served at "/", in node_exporter's manner: what this is and where
// the metrics are, so a person pointing a browser at the port is not lost;
// with exit records on, the most recent of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "records/exit_record.h"
#include "web/html_text.h"

namespace execmond {

// A complete HTML5 document linking to `telemetry_path`, with the table of
// `recent_exits` (newest first) when there is a list: none when exit
// records are off.
std::string landing_page_html(
    const std::string& telemetry_path, const std::string& version,
    const std::optional<std::vector<ExitRecord>>& recent_exits = std::nullopt);

}  // namespace execmond
