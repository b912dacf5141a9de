// Every setting is described once, in the table settings() returns: its
// dotted key, what is allowed, whether it needs a restart, how to parse it (a
// scalar from text, a list item by item, a list of maps from its YAML node)
// and how to print it. The YAML walker,
// the flag overrides (through set_setting), describe() and
// restart_only_differences() all read that one table, so a rule cannot drift
// between them. Keys nest: "filters.include.comm" is the setting "comm" in the
// map "filters.include", and the maps a file may hold are the ones the table
// names.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/settings_checks.h"
#include "util/error.h"

namespace YAML {
class Node;
}

namespace execmond::detail {

// What the reader holds back until the whole file is read: labels.default
// applies only to the families without a list of their own, wherever it
// stands in the file.
struct Draft {
  std::optional<std::vector<LabelSource>> default_labels;
  std::array<bool, kFamilyCount> family_given{};
};

// A value with a shape of its own (naming.rules: a list of maps), handed to
// its setting's reader as it stands in the file.
struct NodeInput {
  const YAML::Node& key;
  const YAML::Node& value;
  const std::string& source;  // the file, for messages and for what it records
};

enum class Restart {
  No,         // changes at run time on a reload
  Yes,        // needs a restart; reported under its own key
  AsSection,  // needs a restart; reported once under its section ("labels")
};

struct Setting {
  std::string_view section;  // dotted path of the maps holding it: "web", "filters.include"
  std::string_view name;
  std::string_view allowed;
  Restart restart;
  // Scalars: parses one value into the config, or returns what is wrong.
  // Null for lists, which are read with the fields below.
  Status (*apply)(Config&, const std::string&);
  // Lists: what one item is ("a number"), how many there may be, the check
  // of each item and how the checked list is stored.
  std::string_view item;
  std::size_t min_items;
  std::size_t max_items;
  Status (*check)(const std::string&, const Items&);
  void (*store)(Config&, Draft&, Items&&);
  // Exact text form: describe() prints it, restart_only_differences() compares
  // it. Null for labels.default, which ends up in the families' lists.
  std::string (*show)(const Config&);
  bool omit_when_empty;  // describe() leaves the line out when show() is ""
  // Copies this setting's field from the second config into the first: what
  // take_reloadable() does for each reloadable setting. Null for labels.default.
  void (*take)(Config&, const Config&) = nullptr;
  // Values with a shape of their own: reads the node into the config, or
  // returns an Error naming file, line and key. Null for scalars and lists.
  Status (*read)(Config&, const NodeInput&) = nullptr;

  std::string key() const { return std::string(section) + "." + std::string(name); }
};

const std::vector<Setting>& settings();

// The table's rows are built with these. A reloadable setting has a take.
Setting scalar(std::string_view section, std::string_view name, std::string_view allowed,
               Restart restart, Status (*apply)(Config&, const std::string&),
               std::string (*show)(const Config&));
Setting list(std::string_view section, std::string_view name, std::string_view allowed,
             Restart restart, std::string_view item, std::size_t min_items, std::size_t max_items,
             Status (*check)(const std::string&, const Items&),
             void (*store)(Config&, Draft&, Items&&), std::string (*show)(const Config&),
             bool omit_when_empty = false);
Setting structured(std::string_view section, std::string_view name, std::string_view allowed,
                   Restart restart, Status (*read)(Config&, const NodeInput&),
                   std::string (*show)(const Config&), bool omit_when_empty);
Setting reloadable(Setting setting, void (*take)(Config&, const Config&));

// The naming section's rows (naming_settings.cpp).
void add_naming_settings(std::vector<Setting>& table);
// The records section's rows (records_settings.cpp).
void add_records_settings(std::vector<Setting>& table);

// Texts as describe() prints a list of them: ", "-separated, each quoted
// when it would not read back as it is.
std::string show_texts(const std::vector<std::string>& items);

// The setting `name` in the map `section`; null when there is none.
const Setting* find_setting(std::string_view section, std::string_view name);

// The names directly under a dotted path ("" for the top level), settings and
// maps alike, in table order; derived from the table so new keys show up by
// themselves.
std::vector<std::string_view> children(std::string_view path);

// "allowed keys under web: listen_address, telemetry_path", or the sections
// at the top level.
std::string allowed_keys(std::string_view path);

// "path.name", or "name" at the top level.
std::string joined(std::string_view path, std::string_view name);

}  // namespace execmond::detail
