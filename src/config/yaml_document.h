// The one YAML document of a configuration file. yaml-cpp 0.7 (Debian 12)
// has YAML::LoadAll loop for ever, allocating, on a stray ',' outside any
// flow collection (",", "[a],": jbeder/yaml-cpp#1040, fixed after 0.7): a
// daemon reloading such a file would hang. This walks the documents with
// yaml-cpp's event parser instead and stops where a document would not move.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace execmond {

struct YamlDocument {
  YAML::Node root;                   // the first document (null when there is none)
  std::optional<YAML::Mark> second;  // where a second, non-empty document starts
};

// Throws YAML::Exception on a syntax error, with its mark.
YamlDocument load_single_document(const std::string& text);

}  // namespace execmond
