// The one YAML document of a configuration file. yaml-cpp 0.7 (Debian 12)
// has YAML::LoadAll loop for ever, allocating, on a stray ',' outside any
// flow collection (",", "[a],": jbeder/yaml-cpp#1040, fixed after 0.7): a
// daemon reloading such a file would hang. This walks the documents with
// yaml-cpp's event parser instead and stops where a document would not move.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace execmond {

struct YamlDocument {
  YAML::Node root;                   // the first document (null when there is none)
  std::optional<YAML::Mark> second;  // where a second, non-empty document starts
};

// Throws YAML::Exception on a syntax error, with its mark.
YamlDocument load_single_document(const std::string& text);

// One line: "<source>:<line>: <key>: <message>", the line counted from 1.
Error yaml_error(const std::string& source, const YAML::Mark& mark, std::string_view key,
                 const std::string& message);

// What a node is, for "expected X, found Y" messages: "a map", "a list",
// "a single value \"x\"" or "no value".
std::string kind_of(const YAML::Node& node);

// Where to blame a key's value: an empty value has no useful position of its
// own (yaml-cpp puts it on the next line), so the key's line instead.
YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value);

}  // namespace execmond
