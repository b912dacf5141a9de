#include "config/settings.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "config/durations.h"
#include "config/enum_names.h"
#include "config/regex.h"
#include "config/settings_checks.h"
#include "config/values.h"
#include "util/error.h"

namespace execmond {
namespace detail {
namespace {

// ---- Showing values ---------------------------------------------------------

// A list item as describe() prints it: as it is when that reads back
// unambiguously in a ", "-separated line, else quoted (never cut).
std::string shown_item(const std::string& text) {
  bool plain = !text.empty() && !has_space_or_control(text) &&
               text.find('"') == std::string::npos && text.find(',') == std::string::npos;
  return plain ? text : quote(text, kUnlimited);
}

std::string show_numbers(const std::vector<double>& numbers) {
  std::string out = "[";
  for (double n : numbers) {
    if (out.size() > 1) out += ", ";
    out += format_number(n);
  }
  return out + "]";
}

std::string show_buckets(const Config& config) { return show_numbers(config.lifetime_buckets); }
std::string show_rss_buckets(const Config& config) { return show_numbers(config.peak_rss_buckets); }

std::string show_resources(const Config& config) {
  std::string out = "[";
  for (Resource r : config.resources) out += (out.size() > 1 ? ", " : "") + to_string(r);
  return out + "]";
}

std::string show_labels(const std::vector<LabelSource>& labels) {
  std::string out;
  for (LabelSource source : labels) out += (out.empty() ? "" : ", ") + to_string(source);
  return out;
}

template <typename T>
std::string show_list(const std::vector<T>& items) {
  std::string out;
  for (const T& item : items) {
    out += out.empty() ? "" : ", ";
    if constexpr (std::is_same_v<T, std::string>) {
      out += shown_item(item);
    } else {
      out += std::to_string(item);
    }
  }
  return out;
}

// ---- Storing checked lists --------------------------------------------------

std::vector<LabelSource> to_sources(const Items& items) {
  std::vector<LabelSource> sources;
  for (const std::string& item : items) sources.push_back(*label_source(item));
  return sources;
}

template <std::vector<double> Config::*kField>
void store_numbers(Config& config, Draft& /*draft*/, Items&& items) {
  std::vector<double>& numbers = config.*kField;
  numbers.clear();
  for (const std::string& item : items) numbers.push_back(*parse_number(item));
}

void store_resources(Config& config, Draft& /*draft*/, Items&& items) {
  config.resources.clear();
  for (const std::string& item : items) config.resources.push_back(*resource_named(item));
}

void store_default_labels(Config& /*config*/, Draft& draft, Items&& items) {
  draft.default_labels = to_sources(items);
}

template <Family kFamily>
void store_family_labels(Config& config, Draft& draft, Items&& items) {
  auto index = static_cast<std::size_t>(kFamily);
  config.labels.per_family[index] = to_sources(items);
  draft.family_given[index] = true;
}

template <Family kFamily>
std::string show_family_labels(const Config& config) {
  return show_labels(config.labels.of(kFamily));
}

template <FilterRules Config::*kSide, std::vector<std::string> FilterRules::*kList>
void store_strings(Config& config, Draft& /*draft*/, Items&& items) {
  config.*kSide.*kList = std::move(items);
}

template <FilterRules Config::*kSide>
void store_uids(Config& config, Draft& /*draft*/, Items&& items) {
  std::vector<std::uint32_t>& uids = (config.*kSide).uid;
  uids.clear();
  for (const std::string& item : items) {
    uids.push_back(static_cast<std::uint32_t>(*parse_unsigned(item)));
  }
}

template <FilterRules Config::*kSide, auto kList>
std::string show_filter(const Config& config) {
  return show_list(config.*kSide.*kList);
}

// ---- The settings table -----------------------------------------------------

// A reload copies a reloadable setting's field from the new config as it is.
template <auto kField>
void take_field(Config& running, const Config& wanted) {
  running.*kField = wanted.*kField;
}

template <FilterRules Config::*kSide, auto kList>
void take_filter(Config& running, const Config& wanted) {
  running.*kSide.*kList = wanted.*kSide.*kList;
}

template <Family kFamily>
Setting family_labels() {
  return list("labels", name_in(kFamilyNames, kFamily), kLabelsAllowed, Restart::AsSection,
              "a label name", 1, kMaxLabels, check_label, store_family_labels<kFamily>,
              show_family_labels<kFamily>);
}

// The seven filter keys, the same under include and exclude.
template <FilterRules Config::*kSide>
void add_filter_rules(std::vector<Setting>& table, std::string_view section) {
  auto add = [&](std::string_view name, std::string_view allowed, std::string_view item,
                 Status (*check)(const std::string&, const Items&),
                 void (*store)(Config&, Draft&, Items &&), std::string (*show)(const Config&),
                 void (*take)(Config&, const Config&)) {
    // Each regular expression holds up to kRegexMaxMem: their number is bounded.
    const std::size_t max_items = check == check_regex ? kMaxRegexesPerList : kUnlimited;
    table.push_back(reloadable(list(section, name, allowed, Restart::No, item, 0, max_items, check,
                                    store, show, /*omit_when_empty=*/true),
                               take));
  };
  add("comm", kCommAllowed, "a command name", check_comm, store_strings<kSide, &FilterRules::comm>,
      show_filter<kSide, &FilterRules::comm>, take_filter<kSide, &FilterRules::comm>);
  add("comm_regex", kCommRegexAllowed, "a regular expression", check_regex,
      store_strings<kSide, &FilterRules::comm_regex>, show_filter<kSide, &FilterRules::comm_regex>,
      take_filter<kSide, &FilterRules::comm_regex>);
  add("exe", kExeAllowed, "a path", check_exe, store_strings<kSide, &FilterRules::exe>,
      show_filter<kSide, &FilterRules::exe>, take_filter<kSide, &FilterRules::exe>);
  add("exe_regex", kExeRegexAllowed, "a regular expression", check_regex,
      store_strings<kSide, &FilterRules::exe_regex>, show_filter<kSide, &FilterRules::exe_regex>,
      take_filter<kSide, &FilterRules::exe_regex>);
  add("unit", kUnitAllowed, "a unit name", check_unit, store_strings<kSide, &FilterRules::unit>,
      show_filter<kSide, &FilterRules::unit>, take_filter<kSide, &FilterRules::unit>);
  add("cgroup_prefix", kCgroupPrefixAllowed, "a cgroup path prefix", check_cgroup_prefix,
      store_strings<kSide, &FilterRules::cgroup_prefix>,
      show_filter<kSide, &FilterRules::cgroup_prefix>,
      take_filter<kSide, &FilterRules::cgroup_prefix>);
  add("uid", kUidAllowed, "a uid", check_uid, store_uids<kSide>,
      show_filter<kSide, &FilterRules::uid>, take_filter<kSide, &FilterRules::uid>);
}

// identity.runtime_state: one key a runtime.
template <std::string RuntimeStateConfig::*kRoot>
Status apply_runtime_root(Config& config, const std::string& text) {
  return apply_runtime_state(config.runtime_state.*kRoot, text);
}

template <std::string RuntimeStateConfig::*kRoot>
std::string show_runtime_root(const Config& config) {
  const std::string& root = config.runtime_state.*kRoot;
  return root.empty() ? std::string("\"\"") : root;
}

template <std::string RuntimeStateConfig::*kRoot>
void take_runtime_root(Config& running, const Config& wanted) {
  running.runtime_state.*kRoot = wanted.runtime_state.*kRoot;
}

// Reloadable: the resolver takes new roots on a reload and forgets the names it read.
template <std::string RuntimeStateConfig::*kRoot>
Setting runtime_root(std::string_view name) {
  return reloadable(scalar("identity.runtime_state", name, kRuntimeStateAllowed, Restart::No,
                           apply_runtime_root<kRoot>, show_runtime_root<kRoot>),
                    take_runtime_root<kRoot>);
}

std::vector<Setting> make_settings() {
  std::vector<Setting> table = {
      scalar("web", "listen_address", kListenAllowed, Restart::Yes, apply_listen_address,
             [](const Config& c) { return c.listen_address; }),
      scalar("web", "telemetry_path", kPathAllowed, Restart::Yes, apply_telemetry_path,
             [](const Config& c) { return c.telemetry_path; }),
      reloadable(scalar("web", "config_file", kWebConfigAllowed, Restart::No, apply_web_config_file,
                        [](const Config& c) {
                          return c.web_config_file.empty() ? std::string("\"\"")
                                                           : c.web_config_file;
                        }),
                 take_field<&Config::web_config_file>),
      scalar("web", "max_requests", kMaxRequestsAllowed, Restart::Yes, apply_max_requests,
             [](const Config& c) { return std::to_string(c.max_requests); }),
      reloadable(
          scalar("tracer", "drain_interval", kDurationAllowed, Restart::No, apply_drain_interval,
                 [](const Config& c) { return format_duration(c.drain_interval); }),
          take_field<&Config::drain_interval>),
      scalar("tracer", "max_processes", kProcessesAllowed, Restart::Yes, apply_max_processes,
             [](const Config& c) { return std::to_string(c.max_processes); }),
      scalar("tracer", "max_keys", kKeysAllowed, Restart::Yes, apply_max_keys,
             [](const Config& c) { return std::to_string(c.max_keys); }),
      scalar("tracer", "attach_mode", kAttachAllowed, Restart::Yes, apply_attach_mode,
             [](const Config& c) { return to_string(c.attach_mode); }),
      scalar("tracer", "bpf_stats", kBoolAllowed, Restart::Yes, apply_bpf_stats,
             [](const Config& c) { return std::string(c.bpf_stats ? "true" : "false"); }),
      list("metrics", "lifetime_buckets", kBucketsAllowed, Restart::Yes, "a number", 1, kMaxBuckets,
           check_bucket, store_numbers<&Config::lifetime_buckets>, show_buckets),
      list("metrics", "resources", kResourcesAllowed, Restart::Yes, "a resource", 0, kMaxResources,
           check_resource, store_resources, show_resources),
      list("metrics", "peak_rss_buckets", kRssBucketsAllowed, Restart::Yes, "a number", 1,
           kMaxRssBuckets, check_rss_bucket, store_numbers<&Config::peak_rss_buckets>,
           show_rss_buckets),
      reloadable(scalar("log", "level", kLevelAllowed, Restart::No, apply_log_level,
                        [](const Config& c) { return c.log_level; }),
                 take_field<&Config::log_level>),
      scalar("log", "target", kTargetAllowed, Restart::Yes, apply_log_target,
             [](const Config& c) { return to_string(c.log_target); }),
      list("labels", "default", kLabelsAllowed, Restart::AsSection, "a label name", 1, kMaxLabels,
           check_label, store_default_labels, nullptr),
      family_labels<Family::Execs>(),
      family_labels<Family::Forks>(),
      family_labels<Family::Exits>(),
      family_labels<Family::Lifetime>(),
      family_labels<Family::Processes>(),
      family_labels<Family::Cpu>(),
      family_labels<Family::PeakRss>(),
      family_labels<Family::Io>(),
      family_labels<Family::PageFaults>(),
      family_labels<Family::ContextSwitches>(),
      family_labels<Family::OomKills>(),
      reloadable(
          scalar("filters", "exclude_self", kBoolAllowed, Restart::No, apply_exclude_self,
                 [](const Config& c) { return std::string(c.exclude_self ? "true" : "false"); }),
          take_field<&Config::exclude_self>),
  };
  add_filter_rules<&Config::include>(table, "filters.include");
  add_filter_rules<&Config::exclude>(table, "filters.exclude");
  table.push_back(scalar("cardinality", "max_series_per_family", kSeriesAllowed, Restart::Yes,
                         apply_max_series,
                         [](const Config& c) { return std::to_string(c.max_series_per_family); }));
  table.push_back(reloadable(
      scalar("cardinality", "drop_stale_after", kStaleAllowed, Restart::No, apply_drop_stale_after,
             [](const Config& c) { return format_duration(c.drop_stale_after, /*days=*/true); }),
      take_field<&Config::drop_stale_after>));
  table.push_back(runtime_root<&RuntimeStateConfig::containerd>("containerd"));
  table.push_back(runtime_root<&RuntimeStateConfig::crio>("crio"));
  table.push_back(runtime_root<&RuntimeStateConfig::docker>("docker"));
  table.push_back(runtime_root<&RuntimeStateConfig::podman>("podman"));
  add_naming_settings(table);
  add_records_settings(table);
  return table;
}

}  // namespace

Setting scalar(std::string_view section, std::string_view name, std::string_view allowed,
               Restart restart, Status (*apply)(Config&, const std::string&),
               std::string (*show)(const Config&)) {
  return {section, name, allowed, restart, apply, {}, 0, 0, nullptr, nullptr, show, false, nullptr};
}

Setting list(std::string_view section, std::string_view name, std::string_view allowed,
             Restart restart, std::string_view item, std::size_t min_items, std::size_t max_items,
             Status (*check)(const std::string&, const Items&),
             void (*store)(Config&, Draft&, Items&&), std::string (*show)(const Config&),
             bool omit_when_empty) {
  return {section,   name,  allowed, restart, nullptr,         item,   min_items,
          max_items, check, store,   show,    omit_when_empty, nullptr};
}

Setting structured(std::string_view section, std::string_view name, std::string_view allowed,
                   Restart restart, Status (*read)(Config&, const NodeInput&),
                   std::string (*show)(const Config&), bool omit_when_empty) {
  Setting setting{section, name,    allowed, restart, nullptr,         {},     0,
                  0,       nullptr, nullptr, show,    omit_when_empty, nullptr};
  setting.read = read;
  return setting;
}

std::string show_texts(const std::vector<std::string>& items) { return show_list(items); }

Setting reloadable(Setting setting, void (*take)(Config&, const Config&)) {
  setting.take = take;
  return setting;
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = [] {
    std::vector<Setting> made = make_settings();
    for (const Setting& setting : made) {
      if ((setting.restart == Restart::No) != (setting.take != nullptr)) {
        throw Fatal(setting.key() + ": a reloadable setting needs take, and only one does");
      }
    }
    return made;
  }();
  return table;
}

const Setting* find_setting(std::string_view section, std::string_view name) {
  for (const Setting& setting : settings()) {
    if (setting.section == section && setting.name == name) return &setting;
  }
  return nullptr;
}

std::vector<std::string_view> children(std::string_view path) {
  std::vector<std::string_view> names;
  for (const Setting& setting : settings()) {
    std::string_view child;
    if (setting.section == path) {
      child = setting.name;
    } else if (path.empty()) {
      child = setting.section.substr(0, setting.section.find('.'));
    } else if (setting.section.starts_with(path) && setting.section.size() > path.size() &&
               setting.section[path.size()] == '.') {
      std::string_view below = setting.section.substr(path.size() + 1);
      child = below.substr(0, below.find('.'));
    } else {
      continue;
    }
    if (std::find(names.begin(), names.end(), child) == names.end()) names.push_back(child);
  }
  return names;
}

std::string allowed_keys(std::string_view path) {
  std::string names;
  for (std::string_view name : children(path)) {
    names += names.empty() ? "" : ", ";
    names += name;
  }
  if (path.empty()) return "allowed keys at the top level: " + names;
  return "allowed keys under " + std::string(path) + ": " + names;
}

std::string joined(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : std::string(path) + "." + std::string(name);
}

}  // namespace detail

Status set_setting(Config& config, std::string_view key, const std::string& text) {
  std::size_t dot = key.rfind('.');
  const detail::Setting* setting =
      dot == std::string_view::npos ? nullptr
                                    : detail::find_setting(key.substr(0, dot), key.substr(dot + 1));
  if (setting == nullptr || setting->apply == nullptr) {
    return Error{detail::problem(
        detail::quote(key) + " is not a setting that takes a single value",
        "use a key that describe() lists with a single value, e.g. log.level; lists "
        "are set in the config file")};
  }
  return setting->apply(config, text);
}

}  // namespace execmond
