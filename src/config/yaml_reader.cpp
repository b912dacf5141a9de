// Walks a YAML document into the settings table: every key is checked
// against the names the table gives its map, every value by its setting.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/naming_reader.h"
#include "config/settings.h"
#include "config/values.h"
#include "config/yaml_document.h"
#include "util/error.h"
#include "util/small_file.h"

namespace execmond {
namespace {

using namespace detail;

class YamlReader {
 public:
  YamlReader(const std::string& source, Config& config) : source_(source), config_(config) {}

  Status read_root(const YAML::Node& root) {
    if (root.IsNull()) return {};  // an empty or all-comment file means defaults
    if (!root.IsMap()) {
      return error(root.Mark(), "top level",
                   problem("expected a map of sections, found " + kind_of(root), allowed_keys("")));
    }
    if (Status read = read_entries("", root); !read) return read;
    finish();
    if (Status filters = check_filter_maps(); !filters) return filters;
    return append_process_exporter_rules(config_, source_,
                                         marks_["naming.process_exporter_config"]);
  }

  // One line: "<file>:<line>: <key>: <message>".
  Error error(const YAML::Mark& mark, std::string_view key, const std::string& message) {
    return yaml_error(source_, mark, key, message);
  }

 private:
  // The keys of one map at `path`, each a setting or a map of its own.
  Status read_entries(const std::string& path, const YAML::Node& map) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      if (Status key = check_key(entry.first, path, seen); !key) return key;
      const std::string& name = entry.first.Scalar();
      const Setting* setting = find_setting(path, name);
      Status value = setting != nullptr ? read_value(*setting, entry.first, entry.second)
                                        : read_map(joined(path, name), entry.first, entry.second);
      if (!value) return value;
    }
    return {};
  }

  // Keys must be plain names, known under their parent and given once.
  Status check_key(const YAML::Node& key, const std::string& path, std::set<std::string>& seen) {
    std::string parent = path.empty() ? "top level" : path;
    if (!key.IsScalar()) {
      return error(key.Mark(), parent,
                   problem("a key is " + kind_of(key) + ", not a name", allowed_keys(path)));
    }
    const std::string& name = key.Scalar();
    std::vector<std::string_view> known = children(path);
    std::string shown = shown_key(joined(path, name));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return error(key.Mark(), shown, problem("unknown key", allowed_keys(path)));
    }
    if (!seen.insert(name).second) {
      return error(key.Mark(), shown, "duplicate key; give each key once");
    }
    return {};
  }

  Status read_map(const std::string& path, const YAML::Node& key, const YAML::Node& body) {
    if (body.IsNull()) return {};  // "web:" with nothing under it keeps the defaults
    if (!body.IsMap()) {
      return error(mark_of(key, body), path,
                   problem("expected a map, found " + kind_of(body), allowed_keys(path)));
    }
    return read_entries(path, body);
  }

  Status read_value(const Setting& setting, const YAML::Node& key, const YAML::Node& value) {
    marks_[setting.key()] = mark_of(key, value);
    if (setting.read != nullptr) return setting.read(config_, NodeInput{key, value, source_});
    if (setting.apply == nullptr) return read_list(setting, key, value);
    if (!value.IsScalar()) {
      std::string found =
          value.IsNull() ? "no value" : "expected a single value, found " + kind_of(value);
      return error(mark_of(key, value), setting.key(), problem(found, setting.allowed));
    }
    Status applied = setting.apply(config_, value.Scalar());
    if (!applied) return error(value.Mark(), setting.key(), applied.error().message);
    return {};
  }

  Status read_list(const Setting& setting, const YAML::Node& key, const YAML::Node& value) {
    if (!value.IsSequence()) {
      std::string found = value.IsNull() ? "no value" : "expected a list, found " + kind_of(value);
      return error(mark_of(key, value), setting.key(), problem(found, setting.allowed));
    }
    if (value.size() < setting.min_items || value.size() > setting.max_items) {
      return error(value.Mark(), setting.key(),
                   problem("has " + std::to_string(value.size()) + " entries", setting.allowed));
    }
    Items items;
    for (const YAML::Node& item : value) {
      std::string item_key = setting.key() + "[" + std::to_string(items.size()) + "]";
      if (!item.IsScalar()) {
        return error(mark_of(key, item), item_key,
                     problem("expected " + std::string(setting.item) + ", found " + kind_of(item),
                             setting.allowed));
      }
      if (Status checked = setting.check(item.Scalar(), items); !checked) {
        return error(item.Mark(), item_key, problem(checked.error().message, setting.allowed));
      }
      items.push_back(item.Scalar());
    }
    setting.store(config_, draft_, std::move(items));
    return {};
  }

  // Blames whichever of the two lists comes later in the file: the one that
  // took the rules past what the kernel holds.
  Status check_filter_maps() {
    std::optional<FilterMapOverflow> overflow = filter_map_overflow(config_);
    if (!overflow) return {};
    std::string blamed;
    YAML::Mark mark;
    for (const char* side : {"filters.include.", "filters.exclude."}) {
      auto it = marks_.find(side + std::string(overflow->kind));
      if (it != marks_.end() && (blamed.empty() || it->second.line > mark.line)) {
        blamed = it->first;
        mark = it->second;
      }
    }
    return error(mark, blamed, overflow->message);
  }

  // labels.default fills in the families the file gives no list of their own.
  void finish() {
    if (!draft_.default_labels) return;
    for (std::size_t i = 0; i < kFamilyCount; ++i) {
      if (!draft_.family_given[i]) config_.labels.per_family[i] = *draft_.default_labels;
    }
  }

  const std::string& source_;
  Config& config_;
  Draft draft_;
  std::map<std::string, YAML::Mark> marks_;  // where each setting given stands
};

}  // namespace

Result<Config> parse_config(const std::string& yaml_text, const std::string& source) {
  Config config;
  YamlReader reader(source, config);
  try {
    YamlDocument document = load_single_document(yaml_text);
    // A stray "---" would silently hide everything after it: refuse it.
    if (document.second) {
      return reader.error(*document.second, "top level",
                          "a second YAML document; put all settings in one document");
    }
    if (Status read = reader.read_root(document.root); !read) return read.error();
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    return Error{source + ":" + std::to_string(line) + ": YAML syntax error: " + one_line(e.msg)};
  } catch (const std::exception& e) {
    return Error{source + ": cannot parse config file: " + e.what()};
  }
  return config;
}

Result<Config> load_config_file(const std::string& path) {
  Result<std::string> text = read_small_file(path, kMaxConfigBytes);
  if (!text)
    return Error{text.error().message + "; name a readable config file with --config.file"};
  return parse_config(*text, path);
}

}  // namespace execmond
