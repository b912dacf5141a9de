#include "config/settings_checks.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/durations.h"
#include "config/enum_names.h"
#include "config/regex.h"
#include "config/values.h"
#include "execmond.h"

namespace execmond::detail {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinDrainInterval{10};
constexpr milliseconds kMaxDrainInterval{3'600'000};
constexpr std::uint64_t kMinProcesses = 64;
constexpr std::uint64_t kMaxProcesses = 4'194'304;
constexpr std::uint64_t kMinKeys = 16;
constexpr std::uint64_t kMaxKeys = 1'048'576;
static_assert(kMaxBuckets == EXECMOND_MAX_BUCKETS, "the kernel side holds this many bounds");
static_assert(kMaxRssBuckets == EXECMOND_MAX_RSS_BUCKETS, "the kernel side holds this many bounds");
// The tracer turns bounds into nanoseconds with llround(s * 1e9): keep that in range.
constexpr double kMaxBucketSeconds = 1e9;
constexpr std::uint64_t kMaxSeriesPerFamily = 1'000'000;
constexpr std::chrono::minutes kMinStale{1};
constexpr std::chrono::hours kMaxStale{30 * 24};
constexpr std::size_t kMaxCommBytes = 15;         // TASK_COMM_LEN without its NUL
constexpr std::uint64_t kMaxUid = 4'294'967'294;  // 4294967295 is (uid_t)-1, "no uid"

static_assert(std::size(kLabelSourceNames) == kMaxLabels);
static_assert(std::size(kResourceNames) == kMaxResources);
constexpr double kMinRssBucketBytes = 4096;
constexpr double kMaxRssBucketBytes = 1e15;

bool valid_port(std::string_view text) {
  auto port = parse_unsigned(text);
  return port.has_value() && *port <= 65535;
}

}  // namespace

// Checks an integer against [low, high]; stores it only when valid.
Status apply_count(std::uint32_t& field, const std::string& text, std::uint64_t low,
                   std::uint64_t high, std::string_view allowed) {
  auto value = parse_unsigned(text);
  if (!value) return Error{problem(quote(text) + " is not an integer", allowed)};
  if (*value < low || *value > high)
    return Error{problem(quote(text) + " is out of range", allowed)};
  field = static_cast<std::uint32_t>(*value);
  return {};
}

// YAML 1.2 core booleans; "yes"/"on" are YAML 1.1 surprises we do not accept.
Status apply_bool(bool& field, const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") {
    field = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    field = false;
  } else {
    return Error{problem(quote(text) + " is not a boolean", kBoolAllowed)};
  }
  return {};
}

// Same forms as Go's net.Listen, which node_exporter users know.
Status apply_listen_address(Config& config, const std::string& text) {
  const Error not_address{problem(quote(text) + " is not host:port", kListenAllowed)};
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || has_space_or_control(text)) return not_address;
  std::string_view host = std::string_view(text).substr(0, colon);
  std::string_view port = std::string_view(text).substr(colon + 1);
  if (host.starts_with('[')) {
    bool bracketed = host.size() > 2 && host.ends_with(']');
    std::string_view inside = bracketed ? host.substr(1, host.size() - 2) : host;
    if (!bracketed || inside.find_first_of("[]") != std::string_view::npos) return not_address;
  } else if (host.find_first_of(":[]/") != std::string_view::npos) {
    return not_address;  // a bare IPv6 address needs brackets
  }
  if (!all_digits(port)) return not_address;
  if (!valid_port(port)) {
    return Error{
        problem(quote(text) + " has port " + std::string(port) + ", out of range", kListenAllowed)};
  }
  config.listen_address = text;
  return {};
}

Status apply_telemetry_path(Config& config, const std::string& text) {
  if (!text.starts_with('/')) {
    return Error{problem(quote(text) + " does not start with \"/\"", kPathAllowed)};
  }
  if (text == "/") return Error{problem("\"/\" alone is not allowed", kPathAllowed)};
  if (has_space_or_control(text)) return Error{problem(quote(text) + " has spaces", kPathAllowed)};
  config.telemetry_path = text;
  return {};
}

Status apply_drain_interval(Config& config, const std::string& text) {
  auto duration = parse_duration(text, kDrainUnits);
  if (!duration) return Error{problem(quote(text) + " is not a duration", kDurationAllowed)};
  if (*duration < kMinDrainInterval || *duration > kMaxDrainInterval) {
    return Error{problem(quote(text) + " is out of range", kDurationRangeAllowed)};
  }
  config.drain_interval = *duration;
  return {};
}

Status apply_web_config_file(Config& config, const std::string& text) {
  if (has_space_or_control(text) && !text.empty()) {
    return Error{problem(quote(text) + " has control characters or spaces", kWebConfigAllowed)};
  }
  config.web_config_file = text;
  return {};
}

Status apply_max_requests(Config& config, const std::string& text) {
  return apply_count(config.max_requests, text, 0, 1000, kMaxRequestsAllowed);
}

Status apply_max_processes(Config& config, const std::string& text) {
  return apply_count(config.max_processes, text, kMinProcesses, kMaxProcesses, kProcessesAllowed);
}

Status apply_max_keys(Config& config, const std::string& text) {
  return apply_count(config.max_keys, text, kMinKeys, kMaxKeys, kKeysAllowed);
}

namespace {

// Sets `field` to the choice spelled `text`, or says what is allowed.
Status apply_choice(std::string& field, const std::string& text,
                    std::initializer_list<std::string_view> choices, std::string_view what,
                    std::string_view allowed) {
  for (std::string_view choice : choices) {
    if (text == choice) {
      field = choice;
      return {};
    }
  }
  return Error{problem(quote(text) + " is not " + std::string(what), allowed)};
}

// The same for an enum, by its names.
template <typename Enum, std::size_t N>
Status apply_choice(Enum& field, const std::string& text, const EnumName<Enum> (&names)[N],
                    std::string_view what, std::string_view allowed) {
  std::optional<Enum> value = value_in(names, text);
  if (!value) return Error{problem(quote(text) + " is not " + std::string(what), allowed)};
  field = *value;
  return {};
}

}  // namespace

Status apply_attach_mode(Config& config, const std::string& text) {
  return apply_choice(config.attach_mode, text, kAttachModeNames, "an attach mode", kAttachAllowed);
}

Status apply_bpf_stats(Config& config, const std::string& text) {
  return apply_bool(config.bpf_stats, text);
}

Status apply_log_level(Config& config, const std::string& text) {
  return apply_choice(config.log_level, text, {"trace", "debug", "info", "warn", "error", "off"},
                      "a log level", kLevelAllowed);
}

Status apply_log_target(Config& config, const std::string& text) {
  return apply_choice(config.log_target, text, kLogTargetNames, "a log target", kTargetAllowed);
}

Status apply_exclude_self(Config& config, const std::string& text) {
  return apply_bool(config.exclude_self, text);
}

Status apply_max_series(Config& config, const std::string& text) {
  return apply_count(config.max_series_per_family, text, 1, kMaxSeriesPerFamily, kSeriesAllowed);
}

Status apply_drop_stale_after(Config& config, const std::string& text) {
  auto duration = parse_duration(text, kStaleUnits);
  if (!duration) return Error{problem(quote(text) + " is not a duration", kStaleAllowed)};
  if (duration->count() != 0 && (*duration < kMinStale || *duration > kMaxStale)) {
    return Error{problem(quote(text) + " is out of range", kStaleAllowed)};
  }
  // Exact: every unit allowed here is a whole number of seconds.
  config.drop_stale_after = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  return {};
}

// Relative paths would depend on the daemon's working directory, which systemd
// sets to "/" but a hand-started daemon does not.
Status apply_runtime_state(std::string& field, const std::string& text) {
  if (!text.empty() && !text.starts_with('/')) {
    return Error{problem(quote(text) + " is not an absolute path", kRuntimeStateAllowed)};
  }
  if (has_space_or_control(text)) {
    return Error{problem(quote(text) + " has control characters or spaces", kRuntimeStateAllowed)};
  }
  field = text;
  return {};
}

// ---- List items: each checked alone and against the ones before it ----------

namespace {

// A histogram bound in (`above`, `at_most`], greater than the one before it.
Status check_ascending(const std::string& text, const Items& before, double above, double at_most) {
  auto number = parse_number(text);
  if (!number || !std::isfinite(*number)) return Error{quote(text) + " is not a number"};
  if (*number <= above || *number > at_most) return Error{text + " is out of range"};
  if (!before.empty()) {
    double previous = *parse_number(before.back());  // accepted, so a number
    if (*number <= previous) {
      return Error{text + " is not greater than the bound before it (" + format_number(previous) +
                   ")"};
    }
  }
  return {};
}

// An item that must be one of a set of names, each given at most once.
Status check_name_once(bool known, const std::string& text, const Items& before,
                       std::string_view what) {
  if (!known) return Error{quote(text) + " is not " + std::string(what)};
  if (std::find(before.begin(), before.end(), text) != before.end()) {
    return Error{quote(text) + " is given twice"};
  }
  return {};
}

}  // namespace

Status check_bucket(const std::string& text, const Items& before) {
  return check_ascending(text, before, 0, kMaxBucketSeconds);
}

Status check_rss_bucket(const std::string& text, const Items& before) {
  // At least a page below the smallest bound would hold nothing.
  return check_ascending(text, before, kMinRssBucketBytes - 1, kMaxRssBucketBytes);
}

std::optional<Resource> resource_named(std::string_view name) {
  return value_in(kResourceNames, name);
}

std::optional<LabelSource> label_source(std::string_view name) {
  return value_in(kLabelSourceNames, name);
}

Status check_resource(const std::string& text, const Items& before) {
  return check_name_once(resource_named(text).has_value(), text, before, "a resource");
}

Status check_label(const std::string& text, const Items& before) {
  return check_name_once(label_source(text).has_value(), text, before, "a label name");
}

Status check_comm(const std::string& text, const Items& /*before*/) {
  if (text.empty()) return Error{"\"\" is empty"};
  if (text.find('\0') != std::string::npos) return Error{quote(text) + " has a NUL byte"};
  if (text.size() > kMaxCommBytes) {
    return Error{quote(text) + " is " + std::to_string(text.size()) + " bytes long"};
  }
  return {};
}

Status check_regex(const std::string& text, const Items& /*before*/) {
  if (text.empty()) return Error{"\"\" is empty"};
  auto compiled = compile_regex(text);
  if (!compiled) {
    return Error{quote(text) + " is not a valid regular expression (" + compiled.error().message +
                 ")"};
  }
  return {};
}

// The kernel reports executables by their resolved path: "/usr/bin/../bin/x"
// or "/usr/bin/" could never match, so they are mistakes.
Status check_exe(const std::string& text, const Items& /*before*/) {
  if (!text.starts_with('/')) return Error{quote(text) + " is not an absolute path"};
  if (text.find('\0') != std::string::npos) return Error{quote(text) + " has a NUL byte"};
  std::string_view rest = std::string_view(text).substr(1);
  while (true) {
    std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") {
      return Error{quote(text) + R"( has an empty, "." or ".." part)"};
    }
    if (slash == std::string_view::npos) return {};
    rest.remove_prefix(slash + 1);
  }
}

Status check_unit(const std::string& text, const Items& /*before*/) {
  if (text.empty()) return Error{"\"\" is empty"};
  if (text.find('/') != std::string::npos) return Error{quote(text) + " has a \"/\""};
  return {};
}

Status check_cgroup_prefix(const std::string& text, const Items& /*before*/) {
  if (!text.starts_with('/')) return Error{quote(text) + " does not start with \"/\""};
  return {};
}

Status check_uid(const std::string& text, const Items& /*before*/) {
  auto uid = parse_unsigned(text);
  if (!uid) return Error{quote(text) + " is not an integer"};
  if (*uid > kMaxUid) return Error{quote(text) + " is out of range"};
  return {};
}

namespace {

template <typename T>
std::size_t distinct(const std::vector<T>& include, const std::vector<T>& exclude) {
  std::set<T> all(include.begin(), include.end());
  all.insert(exclude.begin(), exclude.end());
  return all.size();
}

}  // namespace

// A value on both sides is one map entry with both flags (kernel/kernel_filters.h).
std::optional<FilterMapOverflow> filter_map_overflow(const Config& config) {
  const FilterRules& in = config.include;
  const FilterRules& out = config.exclude;
  struct Kind {
    std::string_view name;
    std::size_t rules;
    std::string_view what;
    std::string_view instead;
  };
  const Kind kinds[] = {
      {"comm", distinct(in.comm, out.comm), "command names", "or match them with comm_regex"},
      {"exe", distinct(in.exe, out.exe), "executables", "or match them with exe_regex"},
      {"cgroup_prefix", distinct(in.cgroup_prefix, out.cgroup_prefix), "cgroup prefixes",
       "or name their common parent"},
      {"uid", distinct(in.uid, out.uid), "uids", "or filter by unit or cgroup_prefix"},
  };
  for (const Kind& k : kinds) {
    if (k.rules <= EXECMOND_FILTER_MAX_RULES) continue;
    return FilterMapOverflow{
        k.name, std::to_string(k.rules) + " distinct " + std::string(k.what) +
                    " under filters.include and filters.exclude together, more than the " +
                    std::to_string(EXECMOND_FILTER_MAX_RULES) +
                    " the kernel's filter map holds; name at most " +
                    std::to_string(EXECMOND_FILTER_MAX_RULES) + ", " + std::string(k.instead)};
  }
  return std::nullopt;
}

}  // namespace execmond::detail
