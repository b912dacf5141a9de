// Splitting text the way /proc and cgroup paths need: runs of the separator
// count as one, and no empty field is returned.
#pragma once

#include <string_view>
#include <vector>

namespace execmond {

// The non-empty fields of `text` between `separator`s ("//a/b/" on '/' gives a, b).
inline std::vector<std::string_view> split_nonempty(std::string_view text, char separator) {
  std::vector<std::string_view> fields;
  while (!text.empty()) {
    const auto at = text.find(separator);
    const auto field = text.substr(0, at);
    if (!field.empty()) fields.push_back(field);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return fields;
}

}  // namespace execmond
