// Config parsing and validation. Every setting is described once, in
// kSettings: its dotted key, what is allowed, whether it needs a restart, how
// to parse it from text and how to print it. The YAML walker, the flag
// overrides (through set_setting), describe() and restart_only_differences()
// all read that one table, so a rule cannot drift between them.
#include "config.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <system_error>

#include "execmond.h"

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
std::string quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
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
  if (text.size() > kMaxShown) out += "...";
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
// Longest suffix first so "ms" is not read as "m" followed by junk.
constexpr DurationUnit kUnits[] = {{"h", 3'600'000}, {"ms", 1}, {"m", 60'000}, {"s", 1000}};

std::optional<milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return milliseconds{0};
  std::int64_t total = 0;
  std::int64_t last_unit = INT64_MAX;  // each part must use a smaller unit than the one before
  bool huge = false;                   // syntactically fine but far out of any range
  while (!text.empty()) {
    std::size_t digits = 0;
    while (digits < text.size() && is_digit(text[digits])) ++digits;
    if (digits == 0) return std::nullopt;
    huge = huge || digits > 12;
    std::uint64_t number = huge ? 0 : *parse_unsigned(text.substr(0, digits));
    text.remove_prefix(digits);
    const DurationUnit* unit = nullptr;
    for (const auto& candidate : kUnits) {
      if (text.starts_with(candidate.suffix)) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr || unit->ms >= last_unit) return std::nullopt;
    text.remove_prefix(unit->suffix.size());
    // At most 12 digits times 1h per part: the sum cannot overflow int64.
    total += static_cast<std::int64_t>(number) * unit->ms;
    last_unit = unit->ms;
  }
  if (last_unit == INT64_MAX) return std::nullopt;
  return huge ? milliseconds::max() : milliseconds{total};
}

std::string format_duration(milliseconds duration) {
  std::int64_t left = duration.count();
  if (left == 0) return "0s";
  std::string out;
  for (std::int64_t unit : {3'600'000, 60'000, 1000, 1}) {
    if (left < unit) continue;
    out += std::to_string(left / unit);
    out += unit == 3'600'000 ? "h" : unit == 60'000 ? "m" : unit == 1000 ? "s" : "ms";
    left %= unit;
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
  auto duration = parse_duration(text);
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
std::string apply_bpf_stats(Config& config, const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") {
    config.bpf_stats = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    config.bpf_stats = false;
  } else {
    return problem(quote(text) + " is not a boolean", kBoolAllowed);
  }
  return "";
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

// One bound of the bucket list; `previous` is the bound before it, if any.
std::string check_bucket(const std::string& text, std::optional<double> previous, double& value) {
  auto number = parse_number(text);
  if (!number || !std::isfinite(*number)) {
    return problem(quote(text) + " is not a number", kBucketsAllowed);
  }
  if (*number <= 0 || *number > kMaxBucketSeconds) {
    return problem(text + " is out of range", kBucketsAllowed);
  }
  if (previous && *number <= *previous) {
    return problem(
        text + " is not greater than the bound before it (" + format_number(*previous) + ")",
        kBucketsAllowed);
  }
  value = *number;
  return "";
}

std::string show_buckets(const Config& config) {
  std::string out = "[";
  for (double bound : config.lifetime_buckets) {
    if (out.size() > 1) out += ", ";
    out += format_number(bound);
  }
  return out + "]";
}

// ---- The settings table -----------------------------------------------------

struct Setting {
  std::string_view section;
  std::string_view name;
  std::string_view allowed;
  bool needs_restart;
  // Parses one scalar into the config; returns what is wrong, "" when stored.
  // Null for the bucket list, which is a YAML sequence (see parse_buckets).
  std::string (*apply)(Config&, const std::string&);
  // Exact text form: describe() prints it, restart_only_differences() compares it.
  std::string (*show)(const Config&);

  std::string key() const { return std::string(section) + "." + std::string(name); }
};

const Setting kSettings[] = {
    {"web", "listen_address", kListenAllowed, true, apply_listen_address,
     [](const Config& c) { return c.listen_address; }},
    {"web", "telemetry_path", kPathAllowed, true, apply_telemetry_path,
     [](const Config& c) { return c.telemetry_path; }},
    {"tracer", "drain_interval", kDurationAllowed, false, apply_drain_interval,
     [](const Config& c) { return format_duration(c.drain_interval); }},
    {"tracer", "max_processes", kProcessesAllowed, true, apply_max_processes,
     [](const Config& c) { return std::to_string(c.max_processes); }},
    {"tracer", "max_keys", kKeysAllowed, true, apply_max_keys,
     [](const Config& c) { return std::to_string(c.max_keys); }},
    {"tracer", "attach_mode", kAttachAllowed, true, apply_attach_mode,
     [](const Config& c) { return to_string(c.attach_mode); }},
    {"tracer", "bpf_stats", kBoolAllowed, true, apply_bpf_stats,
     [](const Config& c) { return std::string(c.bpf_stats ? "true" : "false"); }},
    {"metrics", "lifetime_buckets", kBucketsAllowed, true, nullptr, show_buckets},
    {"log", "level", kLevelAllowed, false, apply_log_level,
     [](const Config& c) { return c.log_level; }},
    {"log", "target", kTargetAllowed, true, apply_log_target,
     [](const Config& c) { return to_string(c.log_target); }},
};

const Setting* find_setting(std::string_view section, std::string_view name) {
  for (const Setting& setting : kSettings) {
    if (setting.section == section && setting.name == name) return &setting;
  }
  return nullptr;
}

// "allowed keys under web: listen_address, telemetry_path", or the sections
// at the top level; built from the table so new settings show up by themselves.
std::string allowed_keys(std::string_view section) {
  std::string names;
  std::set<std::string_view> listed;
  for (const Setting& setting : kSettings) {
    std::string_view name = section.empty() ? setting.section : setting.name;
    if ((!section.empty() && setting.section != section) || !listed.insert(name).second) continue;
    names += names.empty() ? "" : ", ";
    names += name;
  }
  if (section.empty()) return "allowed keys at the top level: " + names;
  return "allowed keys under " + std::string(section) + ": " + names;
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
    std::set<std::string> seen;
    for (const auto& entry : root) {
      std::string name_error = check_key(entry.first, "", seen);
      if (!name_error.empty()) return name_error;
      std::string section_error = read_section(entry.first, entry.second);
      if (!section_error.empty()) return section_error;
    }
    return "";
  }

  // One line: "<file>:<line>: <key>: <message>".
  std::string error(const YAML::Mark& mark, std::string_view key, const std::string& message) {
    int line = mark.line >= 0 ? mark.line + 1 : 1;
    return source_ + ":" + std::to_string(line) + ": " + std::string(key) + ": " + message;
  }

 private:
  // Keys must be plain names, known under their parent and given once.
  std::string check_key(const YAML::Node& key, std::string_view section,
                        std::set<std::string>& seen) {
    std::string parent = section.empty() ? "top level" : std::string(section);
    if (!key.IsScalar()) {
      return error(key.Mark(), parent,
                   problem("a key is " + kind_of(key) + ", not a name", allowed_keys(section)));
    }
    std::string name = key.Scalar();
    bool known = section.empty() ? std::any_of(std::begin(kSettings), std::end(kSettings),
                                               [&](const Setting& s) { return s.section == name; })
                                 : find_setting(section, name) != nullptr;
    std::string shown = shown_key(section.empty() ? name : std::string(section) + "." + name);
    if (!known) return error(key.Mark(), shown, problem("unknown key", allowed_keys(section)));
    if (!seen.insert(name).second) {
      return error(key.Mark(), shown, "duplicate key; give each key once");
    }
    return "";
  }

  std::string read_section(const YAML::Node& key, const YAML::Node& body) {
    const std::string& section = key.Scalar();
    if (body.IsNull()) return "";  // "web:" with nothing under it keeps the defaults
    if (!body.IsMap()) {
      return error(mark_of(key, body), section,
                   problem("expected a map, found " + kind_of(body), allowed_keys(section)));
    }
    std::set<std::string> seen;
    for (const auto& entry : body) {
      std::string name_error = check_key(entry.first, section, seen);
      if (!name_error.empty()) return name_error;
      const Setting& setting = *find_setting(section, entry.first.Scalar());
      std::string value_error = read_value(setting, entry.first, entry.second);
      if (!value_error.empty()) return value_error;
    }
    return "";
  }

  std::string read_value(const Setting& setting, const YAML::Node& key, const YAML::Node& value) {
    if (setting.apply == nullptr) return read_buckets(setting, key, value);
    if (!value.IsScalar()) {
      std::string found =
          value.IsNull() ? "no value" : "expected a single value, found " + kind_of(value);
      return error(mark_of(key, value), setting.key(), problem(found, setting.allowed));
    }
    std::string wrong = setting.apply(config_, value.Scalar());
    return wrong.empty() ? "" : error(value.Mark(), setting.key(), wrong);
  }

  std::string read_buckets(const Setting& setting, const YAML::Node& key, const YAML::Node& value) {
    if (!value.IsSequence()) {
      std::string found = value.IsNull() ? "no value" : "expected a list, found " + kind_of(value);
      return error(mark_of(key, value), setting.key(), problem(found, setting.allowed));
    }
    if (value.size() == 0 || value.size() > kMaxBuckets) {
      return error(value.Mark(), setting.key(),
                   problem("has " + std::to_string(value.size()) + " entries", setting.allowed));
    }
    std::vector<double> bounds;
    for (const YAML::Node& item : value) {
      std::string item_key = setting.key() + "[" + std::to_string(bounds.size()) + "]";
      if (!item.IsScalar()) {
        return error(mark_of(key, item), item_key,
                     problem("expected a number, found " + kind_of(item), setting.allowed));
      }
      double bound = 0;
      std::optional<double> previous;
      if (!bounds.empty()) previous = bounds.back();
      std::string wrong = check_bucket(item.Scalar(), previous, bound);
      if (!wrong.empty()) return error(item.Mark(), item_key, wrong);
      bounds.push_back(bound);
    }
    config_.lifetime_buckets = std::move(bounds);
    return "";
  }

  // An empty value has no useful position of its own (yaml-cpp puts it on
  // the next line): blame the key's line instead.
  static YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() || value.Mark().line < 0 ? key.Mark() : value.Mark();
  }

  const std::string& source_;
  Config& config_;
};

ConfigResult failure(std::string error) { return {std::nullopt, std::move(error)}; }

double round_to_3_digits(double value) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.3g", value);  // cannot fail: fits in buf
  return std::strtod(buf, nullptr);
}

}  // namespace

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

ConfigResult parse_config(const std::string& yaml_text, const std::string& source) {
  Config config;
  YamlReader reader(source, config);
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(yaml_text);
    // A stray "---" would silently hide everything after it: refuse it.
    for (std::size_t i = 1; i < documents.size(); ++i) {
      if (documents[i].IsNull()) continue;
      return failure(reader.error(documents[i].Mark(), "top level",
                                  "a second YAML document; put all settings in one document"));
    }
    std::string error = documents.empty() ? "" : reader.read_root(documents[0]);
    if (!error.empty()) return failure(error);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    return failure(source + ":" + std::to_string(line) + ": YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return failure(source + ": cannot parse config file: " + e.what());
  }
  return {std::move(config), ""};
}

ConfigResult load_config_file(const std::string& path) {
  auto cannot_read = [&](const std::string& why) {
    return failure(path + ": cannot read config file: " + why);
  };
  try {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return cannot_read(std::generic_category().message(errno));
    std::string text;
    char buf[8192];
    ssize_t got = 0;
    while ((got = ::read(fd, buf, sizeof buf)) != 0) {
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 || text.size() + static_cast<std::size_t>(got) > kMaxConfigBytes) {
        std::string why = got < 0 ? std::generic_category().message(errno) : "larger than 1 MiB";
        ::close(fd);
        return cannot_read(why);
      }
      text.append(buf, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return parse_config(text, path);
  } catch (const std::exception& e) {
    return cannot_read(e.what());
  } catch (...) {
    return cannot_read("unexpected error");
  }
}

std::string describe(const Config& config) {
  std::string out;
  for (const Setting& setting : kSettings) {
    out += setting.key() + ": " + setting.show(config) + "\n";
  }
  return out;
}

std::vector<std::string> restart_only_differences(const Config& running, const Config& wanted) {
  std::vector<std::string> differences;
  for (const Setting& setting : kSettings) {
    if (setting.needs_restart && setting.show(running) != setting.show(wanted)) {
      differences.push_back(setting.key());
    }
  }
  return differences;
}

std::string set_setting(Config& config, std::string_view key, const std::string& text) {
  std::size_t dot = key.find('.');
  const Setting* setting = dot == std::string_view::npos
                               ? nullptr
                               : find_setting(key.substr(0, dot), key.substr(dot + 1));
  if (setting == nullptr || setting->apply == nullptr) {
    return problem(quote(key) + " is not a setting that takes a single value",
                   "use one of the keys describe() lists, except metrics.lifetime_buckets");
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

}  // namespace execmond
