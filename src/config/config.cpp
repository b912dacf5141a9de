// Config parsing and validation. Every setting is described once, in the
// table settings() returns: its dotted key, what is allowed, whether it needs
// a restart, how to parse it (a scalar from text, a list item by item) and how
// to print it. The YAML walker, the flag overrides (through set_setting),
// describe() and restart_only_differences() all read that one table, so a
// rule cannot drift between them. Keys nest: "filters.include.comm" is the
// setting "comm" in the map "filters.include", and the maps a file may hold
// are the ones the table names.
#include "config/config.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <span>
#include <system_error>
#include <type_traits>

#include "config/regex.h"
#include "config/yaml_document.h"
#include "execmond.h"
#include "util/error.h"

namespace execmond {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinDrainInterval{10};
constexpr milliseconds kMaxDrainInterval{3'600'000};
constexpr std::uint64_t kMinProcesses = 64;
constexpr std::uint64_t kMaxProcesses = 4'194'304;
constexpr std::uint64_t kMinKeys = 16;
constexpr std::uint64_t kMaxKeys = 1'048'576;
constexpr std::size_t kMaxBuckets = 32;  // kBucketsAllowed says 32 in words
static_assert(kMaxBuckets == EXECMOND_MAX_BUCKETS, "the kernel side holds this many bounds");
// The tracer turns bounds into nanoseconds with llround(s * 1e9): keep that in range.
constexpr double kMaxBucketSeconds = 1e9;
// A config file is small; the cap stops a mistaken path (a device, a log) from eating memory.
constexpr std::size_t kMaxConfigBytes = 1 << 20;

// ---- Text helpers -----------------------------------------------------------

// Shows a user's value inside a one-line message: quoted, control characters
// escaped (a YAML block scalar may hold newlines), and cut when very long.
std::string quote(std::string_view text, std::size_t max_shown = 64) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      (void)std::snprintf(buf, sizeof buf, "\\x%02x", c);  // cannot fail: fits in buf
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_shown) out += "...";
  return out + "\"";
}

std::string problem(const std::string& wrong, std::string_view allowed) {
  return wrong + "; " + std::string(allowed);
}

// Shortest text that reads back as the same double: describe() stays exact,
// so comparing printed values is comparing values.
std::string format_number(double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(value);
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

// Decimal digits only: no sign, no hex, no exponent. Too large saturates, so
// the caller reports "out of range" rather than "not an integer".
std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  if (!all_digits(text)) return std::nullopt;
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc::result_out_of_range ? UINT64_MAX : value;
}

// User-written key names go into messages as they are when plain, quoted
// and escaped otherwise, so the message stays one line.
std::string shown_key(const std::string& key) {
  bool plain = std::all_of(key.begin(), key.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '"';
  });
  return plain && !key.empty() ? key : quote(key);
}

// ---- Durations (Prometheus style: "500ms", "1s", "1m30s") -------------------

struct DurationUnit {
  std::string_view suffix;
  std::int64_t ms;
};
constexpr std::int64_t kDayMs = 86'400'000;
// Longest suffix first so "ms" is not read as "m" followed by junk.
constexpr DurationUnit kDrainUnits[] = {{"h", 3'600'000}, {"ms", 1}, {"m", 60'000}, {"s", 1000}};
// Whole seconds only, and days for the long spans (Prometheus spells a day "d").
constexpr DurationUnit kStaleUnits[] = {
    {"d", kDayMs}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
// A number above this is far out of any range; it stops the sum from overflowing:
// 1e10 times a day is below 1e18, and there are at most five parts.
constexpr std::uint64_t kHugeNumber = 10'000'000'000;

std::optional<milliseconds> parse_duration(std::string_view text,
                                           std::span<const DurationUnit> units) {
  if (text == "0") return milliseconds{0};
  std::int64_t total = 0;
  std::int64_t last_unit = INT64_MAX;  // each part must use a smaller unit than the one before
  bool huge = false;                   // syntactically fine but far out of any range
  while (!text.empty()) {
    std::size_t digits = 0;
    while (digits < text.size() && is_digit(text[digits])) ++digits;
    if (digits == 0) return std::nullopt;
    std::uint64_t number = *parse_unsigned(text.substr(0, digits));  // saturates
    huge = huge || number > kHugeNumber;
    text.remove_prefix(digits);
    const DurationUnit* unit = nullptr;
    for (const auto& candidate : units) {
      if (text.starts_with(candidate.suffix)) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr || unit->ms >= last_unit) return std::nullopt;
    text.remove_prefix(unit->suffix.size());
    if (!huge) total += static_cast<std::int64_t>(number) * unit->ms;
    last_unit = unit->ms;
  }
  if (last_unit == INT64_MAX) return std::nullopt;
  return huge ? milliseconds::max() : milliseconds{total};
}

// Largest units first; days only where the key accepts them.
std::string format_duration(milliseconds duration, bool days = false) {
  std::int64_t left = duration.count();
  if (left == 0) return "0s";
  std::string out;
  for (const DurationUnit& unit :
       {DurationUnit{"d", kDayMs}, DurationUnit{"h", 3'600'000}, DurationUnit{"m", 60'000},
        DurationUnit{"s", 1000}, DurationUnit{"ms", 1}}) {
    if (left < unit.ms || (!days && unit.ms == kDayMs)) continue;
    out += std::to_string(left / unit.ms);
    out += unit.suffix;
    left %= unit.ms;
  }
  return out;
}

// ---- Value rules: parse text into the config, or say what is wrong ----------

constexpr std::string_view kListenAllowed =
    "use host:port, [ipv6]:port or :port with a port from 0 to 65535 (e.g. :9765)";
constexpr std::string_view kPathAllowed =
    R"(use a path that starts with "/", is not "/" alone and has no spaces (e.g. /metrics))";
constexpr std::string_view kDurationAllowed =
    "use a number with a unit: ms, s, m or h (e.g. 500ms, 1s)";
constexpr std::string_view kDurationRangeAllowed = "use a duration from 10ms to 1h";
constexpr std::string_view kProcessesAllowed = "use an integer from 64 to 4194304";
constexpr std::string_view kKeysAllowed = "use an integer from 16 to 1048576";
constexpr std::string_view kAttachAllowed = "use auto, tp_btf or tracepoint";
constexpr std::string_view kBoolAllowed = "use true or false";
constexpr std::string_view kBucketsAllowed =
    "use a list of 1 to 32 strictly ascending numbers of seconds, each > 0 and at most 1e9 "
    "(e.g. [0.001, 0.01, 0.1, 1])";
constexpr std::string_view kLevelAllowed = "use trace, debug, info, warn, error or off";
constexpr std::string_view kTargetAllowed = "use stderr or journal";
constexpr std::string_view kLabelsAllowed =
    "use a list of 1 to 7 of comm, exe, unit, cgroup, container_id, uid and user, each at most "
    "once (e.g. [comm, unit])";
constexpr std::string_view kCommAllowed =
    "use command names of 1 to 15 bytes, as the kernel keeps them (e.g. [nginx, sshd])";
constexpr std::string_view kCommRegexAllowed =
    "use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$";
constexpr std::string_view kExeAllowed =
    R"(use absolute paths without empty, "." or ".." parts, as the kernel reports them )"
    "(e.g. [/usr/bin/python3.11])";
constexpr std::string_view kExeRegexAllowed =
    "use up to 64 patterns in RE2 syntax that match the whole path, e.g. ^/usr/lib/.*$";
constexpr std::string_view kUnitAllowed =
    R"(use systemd unit names without "/" (e.g. [cron.service, session-1.scope]))";
constexpr std::string_view kCgroupPrefixAllowed =
    R"(use cgroup path prefixes that start with "/" (e.g. [/system.slice/]))";
constexpr std::string_view kUidAllowed = "use integers from 0 to 4294967294 (e.g. [0, 1000])";
constexpr std::string_view kSeriesAllowed = "use an integer from 1 to 1000000";
constexpr std::string_view kWebConfigAllowed =
    "use the path of a web configuration file (TLS, basic auth), or \"\" for none";
constexpr std::string_view kMaxRequestsAllowed =
    "use an integer from 0 (no limit) to 1000: concurrent scrapes answered, others get 503";
constexpr std::string_view kStaleAllowed =
    "use 0s (never) or a duration from 1m to 30d, in units of d, h, m and s (e.g. 1h, 7d)";

constexpr std::uint64_t kMaxSeriesPerFamily = 1'000'000;
constexpr std::chrono::minutes kMinStale{1};
constexpr std::chrono::hours kMaxStale{30 * 24};
constexpr std::size_t kMaxCommBytes = 15;         // TASK_COMM_LEN without its NUL
constexpr std::uint64_t kMaxUid = 4'294'967'294;  // 4294967295 is (uid_t)-1, "no uid"
constexpr std::size_t kMaxLabels = 7;
constexpr std::size_t kUnlimited = SIZE_MAX;

constexpr LabelSource kAllSources[] = {
    LabelSource::Comm,        LabelSource::Exe, LabelSource::Unit, LabelSource::Cgroup,
    LabelSource::ContainerId, LabelSource::Uid, LabelSource::User};
static_assert(std::size(kAllSources) == kMaxLabels);

bool valid_port(std::string_view text) {
  auto port = parse_unsigned(text);
  return port.has_value() && *port <= 65535;
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

// Same forms as Go's net.Listen, which node_exporter users know.
std::string apply_listen_address(Config& config, const std::string& text) {
  std::string not_address = problem(quote(text) + " is not host:port", kListenAllowed);
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
    return problem(quote(text) + " has port " + std::string(port) + ", out of range",
                   kListenAllowed);
  }
  config.listen_address = text;
  return "";
}

std::string apply_telemetry_path(Config& config, const std::string& text) {
  if (!text.starts_with('/')) {
    return problem(quote(text) + " does not start with \"/\"", kPathAllowed);
  }
  if (text == "/") return problem("\"/\" alone is not allowed", kPathAllowed);
  if (has_space_or_control(text)) return problem(quote(text) + " has spaces", kPathAllowed);
  config.telemetry_path = text;
  return "";
}

std::string apply_drain_interval(Config& config, const std::string& text) {
  auto duration = parse_duration(text, kDrainUnits);
  if (!duration) return problem(quote(text) + " is not a duration", kDurationAllowed);
  if (*duration < kMinDrainInterval || *duration > kMaxDrainInterval) {
    return problem(quote(text) + " is out of range", kDurationRangeAllowed);
  }
  config.drain_interval = *duration;
  return "";
}

// Checks an integer against [low, high]; stores it only when valid.
std::string apply_count(std::uint32_t& field, const std::string& text, std::uint64_t low,
                        std::uint64_t high, std::string_view allowed) {
  auto value = parse_unsigned(text);
  if (!value) return problem(quote(text) + " is not an integer", allowed);
  if (*value < low || *value > high) return problem(quote(text) + " is out of range", allowed);
  field = static_cast<std::uint32_t>(*value);
  return "";
}

std::string apply_web_config_file(Config& config, const std::string& text) {
  if (has_space_or_control(text) && !text.empty()) {
    return problem(quote(text) + " has control characters or spaces", kWebConfigAllowed);
  }
  config.web_config_file = text;
  return "";
}

std::string apply_max_requests(Config& config, const std::string& text) {
  return apply_count(config.max_requests, text, 0, 1000, kMaxRequestsAllowed);
}

std::string apply_max_processes(Config& config, const std::string& text) {
  return apply_count(config.max_processes, text, kMinProcesses, kMaxProcesses, kProcessesAllowed);
}

std::string apply_max_keys(Config& config, const std::string& text) {
  return apply_count(config.max_keys, text, kMinKeys, kMaxKeys, kKeysAllowed);
}

std::string apply_attach_mode(Config& config, const std::string& text) {
  for (AttachMode mode : {AttachMode::Auto, AttachMode::TpBtf, AttachMode::Tracepoint}) {
    if (text == to_string(mode)) {
      config.attach_mode = mode;
      return "";
    }
  }
  return problem(quote(text) + " is not an attach mode", kAttachAllowed);
}

// YAML 1.2 core booleans; "yes"/"on" are YAML 1.1 surprises we do not accept.
std::string apply_bool(bool& field, const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") {
    field = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    field = false;
  } else {
    return problem(quote(text) + " is not a boolean", kBoolAllowed);
  }
  return "";
}

std::string apply_bpf_stats(Config& config, const std::string& text) {
  return apply_bool(config.bpf_stats, text);
}

std::string apply_log_level(Config& config, const std::string& text) {
  for (std::string_view level : {"trace", "debug", "info", "warn", "error", "off"}) {
    if (text == level) {
      config.log_level = text;
      return "";
    }
  }
  return problem(quote(text) + " is not a log level", kLevelAllowed);
}

std::string apply_log_target(Config& config, const std::string& text) {
  for (LogTarget target : {LogTarget::Stderr, LogTarget::Journal}) {
    if (text == to_string(target)) {
      config.log_target = target;
      return "";
    }
  }
  return problem(quote(text) + " is not a log target", kTargetAllowed);
}

std::string apply_exclude_self(Config& config, const std::string& text) {
  return apply_bool(config.exclude_self, text);
}

std::string apply_max_series(Config& config, const std::string& text) {
  return apply_count(config.max_series_per_family, text, 1, kMaxSeriesPerFamily, kSeriesAllowed);
}

std::string apply_drop_stale_after(Config& config, const std::string& text) {
  auto duration = parse_duration(text, kStaleUnits);
  if (!duration) return problem(quote(text) + " is not a duration", kStaleAllowed);
  if (duration->count() != 0 && (*duration < kMinStale || *duration > kMaxStale)) {
    return problem(quote(text) + " is out of range", kStaleAllowed);
  }
  // Exact: every unit allowed here is a whole number of seconds.
  config.drop_stale_after = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  return "";
}

// ---- List items: each checked alone and against the ones before it ----------
// A check returns what is wrong with one item ("" when fine); the reader adds
// the key's allowed text. `before` holds the items already accepted.

using Items = std::vector<std::string>;

std::string check_bucket(const std::string& text, const Items& before) {
  auto number = parse_number(text);
  if (!number || !std::isfinite(*number)) return quote(text) + " is not a number";
  if (*number <= 0 || *number > kMaxBucketSeconds) return text + " is out of range";
  if (!before.empty()) {
    double previous = *parse_number(before.back());  // accepted, so a number
    if (*number <= previous) {
      return text + " is not greater than the bound before it (" + format_number(previous) + ")";
    }
  }
  return "";
}

std::optional<LabelSource> label_source(std::string_view name) {
  for (LabelSource source : kAllSources) {
    if (name == to_string(source)) return source;
  }
  return std::nullopt;
}

std::string check_label(const std::string& text, const Items& before) {
  if (!label_source(text)) return quote(text) + " is not a label name";
  if (std::find(before.begin(), before.end(), text) != before.end()) {
    return quote(text) + " is given twice";
  }
  return "";
}

std::string check_comm(const std::string& text, const Items& /*before*/) {
  if (text.empty()) return "\"\" is empty";
  if (text.find('\0') != std::string::npos) return quote(text) + " has a NUL byte";
  if (text.size() > kMaxCommBytes) {
    return quote(text) + " is " + std::to_string(text.size()) + " bytes long";
  }
  return "";
}

std::string check_regex(const std::string& text, const Items& /*before*/) {
  if (text.empty()) return "\"\" is empty";
  auto compiled = compile_regex(text);
  if (!compiled) {
    return quote(text) + " is not a valid regular expression (" + compiled.error().message + ")";
  }
  return "";
}

// The kernel reports executables by their resolved path: "/usr/bin/../bin/x"
// or "/usr/bin/" could never match, so they are mistakes.
std::string check_exe(const std::string& text, const Items& /*before*/) {
  if (!text.starts_with('/')) return quote(text) + " is not an absolute path";
  if (text.find('\0') != std::string::npos) return quote(text) + " has a NUL byte";
  std::string_view rest = std::string_view(text).substr(1);
  while (true) {
    std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") {
      return quote(text) + R"( has an empty, "." or ".." part)";
    }
    if (slash == std::string_view::npos) return "";
    rest.remove_prefix(slash + 1);
  }
}

std::string check_unit(const std::string& text, const Items& /*before*/) {
  if (text.empty()) return "\"\" is empty";
  if (text.find('/') != std::string::npos) return quote(text) + " has a \"/\"";
  return "";
}

std::string check_cgroup_prefix(const std::string& text, const Items& /*before*/) {
  if (!text.starts_with('/')) return quote(text) + " does not start with \"/\"";
  return "";
}

std::string check_uid(const std::string& text, const Items& /*before*/) {
  auto uid = parse_unsigned(text);
  if (!uid) return quote(text) + " is not an integer";
  if (*uid > kMaxUid) return quote(text) + " is out of range";
  return "";
}

// ---- Showing values ---------------------------------------------------------

// A list item as describe() prints it: as it is when that reads back
// unambiguously in a ", "-separated line, else quoted (never cut).
std::string shown_item(const std::string& text) {
  bool plain = !text.empty() && !has_space_or_control(text) &&
               text.find('"') == std::string::npos && text.find(',') == std::string::npos;
  return plain ? text : quote(text, kUnlimited);
}

std::string show_buckets(const Config& config) {
  std::string out = "[";
  for (double bound : config.lifetime_buckets) {
    if (out.size() > 1) out += ", ";
    out += format_number(bound);
  }
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

// What the reader holds back until the whole file is read: labels.default
// applies only to the families without a list of their own, wherever it
// stands in the file.
struct Draft {
  std::optional<std::vector<LabelSource>> default_labels;
  std::array<bool, kFamilyCount> family_given{};
};

std::vector<LabelSource> to_sources(const Items& items) {
  std::vector<LabelSource> sources;
  for (const std::string& item : items) sources.push_back(*label_source(item));
  return sources;
}

void store_buckets(Config& config, Draft& /*draft*/, Items&& items) {
  config.lifetime_buckets.clear();
  for (const std::string& item : items) config.lifetime_buckets.push_back(*parse_number(item));
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
  // Scalars: parses one value into the config; returns what is wrong, "" when
  // stored. Null for lists, which are read with the fields below.
  std::string (*apply)(Config&, const std::string&);
  // Lists: what one item is ("a number"), how many there may be, the check
  // of each item and how the checked list is stored.
  std::string_view item;
  std::size_t min_items;
  std::size_t max_items;
  std::string (*check)(const std::string&, const Items&);
  void (*store)(Config&, Draft&, Items&&);
  // Exact text form: describe() prints it, restart_only_differences() compares
  // it. Null for labels.default, which ends up in the families' lists.
  std::string (*show)(const Config&);
  bool omit_when_empty;  // describe() leaves the line out when show() is ""
  // Copies this setting's field from the second config into the first: what
  // take_reloadable() does for each reloadable setting. Null for labels.default.
  void (*take)(Config&, const Config&) = nullptr;

  std::string key() const { return std::string(section) + "." + std::string(name); }
};

Setting scalar(std::string_view section, std::string_view name, std::string_view allowed,
               Restart restart, std::string (*apply)(Config&, const std::string&),
               std::string (*show)(const Config&)) {
  return {section, name, allowed, restart, apply, {}, 0, 0, nullptr, nullptr, show, false, nullptr};
}

Setting list(std::string_view section, std::string_view name, std::string_view allowed,
             Restart restart, std::string_view item, std::size_t min_items, std::size_t max_items,
             std::string (*check)(const std::string&, const Items&),
             void (*store)(Config&, Draft&, Items&&), std::string (*show)(const Config&),
             bool omit_when_empty = false) {
  return {section,   name,  allowed, restart, nullptr,         item,   min_items,
          max_items, check, store,   show,    omit_when_empty, nullptr};
}

// A reload copies a reloadable setting's field from the new config as it is.
template <auto kField>
void take_field(Config& running, const Config& wanted) {
  running.*kField = wanted.*kField;
}

template <FilterRules Config::*kSide, auto kList>
void take_filter(Config& running, const Config& wanted) {
  running.*kSide.*kList = wanted.*kSide.*kList;
}

Setting reloadable(Setting setting, void (*take)(Config&, const Config&)) {
  setting.take = take;
  return setting;
}

template <Family kFamily>
Setting family_labels(std::string_view name) {
  return list("labels", name, kLabelsAllowed, Restart::AsSection, "a label name", 1, kMaxLabels,
              check_label, store_family_labels<kFamily>, show_family_labels<kFamily>);
}

// The seven filter keys, the same under include and exclude.
template <FilterRules Config::*kSide>
void add_filter_rules(std::vector<Setting>& table, std::string_view section) {
  auto add = [&](std::string_view name, std::string_view allowed, std::string_view item,
                 std::string (*check)(const std::string&, const Items&),
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
           check_bucket, store_buckets, show_buckets),
      reloadable(scalar("log", "level", kLevelAllowed, Restart::No, apply_log_level,
                        [](const Config& c) { return c.log_level; }),
                 take_field<&Config::log_level>),
      scalar("log", "target", kTargetAllowed, Restart::Yes, apply_log_target,
             [](const Config& c) { return to_string(c.log_target); }),
      list("labels", "default", kLabelsAllowed, Restart::AsSection, "a label name", 1, kMaxLabels,
           check_label, store_default_labels, nullptr),
      family_labels<Family::Execs>("execs"),
      family_labels<Family::Forks>("forks"),
      family_labels<Family::Exits>("exits"),
      family_labels<Family::Lifetime>("lifetime"),
      family_labels<Family::Processes>("processes"),
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
  return table;
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

// The names directly under a dotted path ("" for the top level), settings and
// maps alike, in table order; derived from the table so new keys show up by
// themselves.
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

// "allowed keys under web: listen_address, telemetry_path", or the sections
// at the top level.
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

// ---- YAML walk --------------------------------------------------------------

// What a node is, for "expected X, found Y" messages.
std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value " + quote(node.Scalar());
    default:
      return "no value";
  }
}

class YamlReader {
 public:
  YamlReader(const std::string& source, Config& config) : source_(source), config_(config) {}

  std::string read_root(const YAML::Node& root) {
    if (root.IsNull()) return "";  // an empty or all-comment file means defaults
    if (!root.IsMap()) {
      return error(root.Mark(), "top level",
                   problem("expected a map of sections, found " + kind_of(root), allowed_keys("")));
    }
    std::string wrong = read_entries("", root);
    if (!wrong.empty()) return wrong;
    finish();
    return "";
  }

  // One line: "<file>:<line>: <key>: <message>".
  std::string error(const YAML::Mark& mark, std::string_view key, const std::string& message) {
    int line = mark.line >= 0 ? mark.line + 1 : 1;
    return source_ + ":" + std::to_string(line) + ": " + std::string(key) + ": " + message;
  }

 private:
  // The keys of one map at `path`, each a setting or a map of its own.
  std::string read_entries(const std::string& path, const YAML::Node& map) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      std::string name_error = check_key(entry.first, path, seen);
      if (!name_error.empty()) return name_error;
      const std::string& name = entry.first.Scalar();
      const Setting* setting = find_setting(path, name);
      std::string value_error = setting != nullptr
                                    ? read_value(*setting, entry.first, entry.second)
                                    : read_map(joined(path, name), entry.first, entry.second);
      if (!value_error.empty()) return value_error;
    }
    return "";
  }

  // Keys must be plain names, known under their parent and given once.
  std::string check_key(const YAML::Node& key, const std::string& path,
                        std::set<std::string>& seen) {
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
    return "";
  }

  std::string read_map(const std::string& path, const YAML::Node& key, const YAML::Node& body) {
    if (body.IsNull()) return "";  // "web:" with nothing under it keeps the defaults
    if (!body.IsMap()) {
      return error(mark_of(key, body), path,
                   problem("expected a map, found " + kind_of(body), allowed_keys(path)));
    }
    return read_entries(path, body);
  }

  std::string read_value(const Setting& setting, const YAML::Node& key, const YAML::Node& value) {
    if (setting.apply == nullptr) return read_list(setting, key, value);
    if (!value.IsScalar()) {
      std::string found =
          value.IsNull() ? "no value" : "expected a single value, found " + kind_of(value);
      return error(mark_of(key, value), setting.key(), problem(found, setting.allowed));
    }
    std::string wrong = setting.apply(config_, value.Scalar());
    return wrong.empty() ? "" : error(value.Mark(), setting.key(), wrong);
  }

  std::string read_list(const Setting& setting, const YAML::Node& key, const YAML::Node& value) {
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
      std::string wrong = setting.check(item.Scalar(), items);
      if (!wrong.empty()) return error(item.Mark(), item_key, problem(wrong, setting.allowed));
      items.push_back(item.Scalar());
    }
    setting.store(config_, draft_, std::move(items));
    return "";
  }

  // labels.default fills in the families the file gives no list of their own.
  void finish() {
    if (!draft_.default_labels) return;
    for (std::size_t i = 0; i < kFamilyCount; ++i) {
      if (!draft_.family_given[i]) config_.labels.per_family[i] = *draft_.default_labels;
    }
  }

  // An empty value has no useful position of its own (yaml-cpp puts it on
  // the next line): blame the key's line instead.
  static YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() || value.Mark().line < 0 ? key.Mark() : value.Mark();
  }

  const std::string& source_;
  Config& config_;
  Draft draft_;
};

ConfigResult failure(std::string error) { return {std::nullopt, std::move(error)}; }

double round_to_3_digits(double value) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.3g", value);  // cannot fail: fits in buf
  return std::strtod(buf, nullptr);
}

}  // namespace

LabelConfig::LabelConfig() { per_family.fill({LabelSource::Comm}); }

bool LabelConfig::uses(LabelSource source) const {
  return std::any_of(per_family.begin(), per_family.end(), [&](const auto& labels) {
    return std::find(labels.begin(), labels.end(), source) != labels.end();
  });
}

bool FilterRules::empty() const {
  return comm.empty() && comm_regex.empty() && exe.empty() && exe_regex.empty() && unit.empty() &&
         cgroup_prefix.empty() && uid.empty();
}

Config::Config() : lifetime_buckets(default_lifetime_buckets()) {}

std::vector<double> default_lifetime_buckets() {
  constexpr double kDay = 86400;
  std::vector<double> bounds;
  // Multiply the exact value and round each bound on its own, so rounding
  // errors do not pile up along the scale.
  for (int i = 0;; ++i) {
    const double exact = 0.001 * std::pow(2.5, i);
    if (exact > kDay) break;
    bounds.push_back(round_to_3_digits(exact));
  }
  if (bounds.back() < kDay) bounds.push_back(kDay);
  return bounds;
}

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      (void)std::snprintf(buf, sizeof buf, "\\x%02x", u);  // cannot fail: fits in buf
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

ConfigResult parse_config(const std::string& yaml_text, const std::string& source) {
  Config config;
  YamlReader reader(source, config);
  try {
    YamlDocument document = load_single_document(yaml_text);
    // A stray "---" would silently hide everything after it: refuse it.
    if (document.second) {
      return failure(reader.error(*document.second, "top level",
                                  "a second YAML document; put all settings in one document"));
    }
    std::string error = reader.read_root(document.root);
    if (!error.empty()) return failure(error);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    return failure(source + ":" + std::to_string(line) + ": YAML syntax error: " + one_line(e.msg));
  } catch (const std::exception& e) {
    return failure(source + ": cannot parse config file: " + e.what());
  }
  return {std::move(config), ""};
}

std::optional<std::string> read_small_file(const std::string& path, std::string& why) {
  try {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      why = std::generic_category().message(errno);
      return std::nullopt;
    }
    std::string text;
    char buf[8192];
    ssize_t got = 0;
    while ((got = ::read(fd, buf, sizeof buf)) != 0) {
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 || text.size() + static_cast<std::size_t>(got) > kMaxConfigBytes) {
        why = got < 0 ? std::generic_category().message(errno) : "larger than 1 MiB";
        ::close(fd);
        return std::nullopt;
      }
      text.append(buf, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return text;
  } catch (const std::exception& e) {
    why = e.what();
  }
  return std::nullopt;
}

ConfigResult load_config_file(const std::string& path) {
  std::string why;
  std::optional<std::string> text = read_small_file(path, why);
  if (!text) return failure(path + ": cannot read config file: " + why);
  return parse_config(*text, path);
}

std::string describe(const Config& config) {
  std::string out;
  for (const Setting& setting : settings()) {
    if (setting.show == nullptr) continue;
    std::string shown = setting.show(config);
    if (shown.empty() && setting.omit_when_empty) continue;
    out += setting.key() + ": " + shown + "\n";
  }
  return out;
}

std::vector<std::string> restart_only_differences(const Config& running, const Config& wanted) {
  std::vector<std::string> differences;
  for (const Setting& setting : settings()) {
    if (setting.restart == Restart::No || setting.show == nullptr ||
        setting.show(running) == setting.show(wanted)) {
      continue;
    }
    std::string key =
        setting.restart == Restart::AsSection ? std::string(setting.section) : setting.key();
    if (std::find(differences.begin(), differences.end(), key) == differences.end()) {
      differences.push_back(std::move(key));
    }
  }
  return differences;
}

Config take_reloadable(const Config& running, const Config& wanted) {
  Config taken = running;
  for (const Setting& setting : settings()) {
    if (setting.take != nullptr) setting.take(taken, wanted);
  }
  return taken;
}

std::string set_setting(Config& config, std::string_view key, const std::string& text) {
  std::size_t dot = key.rfind('.');
  const Setting* setting = dot == std::string_view::npos
                               ? nullptr
                               : find_setting(key.substr(0, dot), key.substr(dot + 1));
  if (setting == nullptr || setting->apply == nullptr) {
    return problem(quote(key) + " is not a setting that takes a single value",
                   "use a key that describe() lists with a single value, e.g. log.level; lists "
                   "are set in the config file");
  }
  return setting->apply(config, text);
}

std::string to_string(AttachMode mode) {
  switch (mode) {
    case AttachMode::TpBtf:
      return "tp_btf";
    case AttachMode::Tracepoint:
      return "tracepoint";
    case AttachMode::Auto:
      break;
  }
  return "auto";
}

std::string to_string(LogTarget target) {
  return target == LogTarget::Journal ? "journal" : "stderr";
}

std::string to_string(LabelSource source) {
  switch (source) {
    case LabelSource::Exe:
      return "exe";
    case LabelSource::Unit:
      return "unit";
    case LabelSource::Cgroup:
      return "cgroup";
    case LabelSource::ContainerId:
      return "container_id";
    case LabelSource::Uid:
      return "uid";
    case LabelSource::User:
      return "user";
    case LabelSource::Comm:
      break;
  }
  return "comm";
}

std::string to_string(Family family) {
  switch (family) {
    case Family::Forks:
      return "forks";
    case Family::Exits:
      return "exits";
    case Family::Lifetime:
      return "lifetime";
    case Family::Processes:
      return "processes";
    case Family::Execs:
      break;
  }
  return "execs";
}

}  // namespace execmond
