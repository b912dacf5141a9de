// The page served at "/", in node_exporter's manner: what this is and where
// the metrics are, so a person pointing a browser at the port is not lost.
#pragma once

#include <string>
#include <string_view>

namespace execmond {

// A complete HTML5 document linking to `telemetry_path`.
std::string landing_page_html(const std::string& telemetry_path, const std::string& version);

// Escapes the five characters that are special in HTML text and quoted
// attribute values: & < > " '.
std::string html_escape(std::string_view text);

}  // namespace execmond
