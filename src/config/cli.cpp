// Command-line parsing. Flags that override config keys only collect text
// here; apply_overrides() validates them through set_setting(), the same
// rules the YAML file goes through.
#include "config/cli.h"

#include <sys/stat.h>

#include <cerrno>
#include <set>

namespace execmond {
namespace {

// A flag that takes a value stores it through `set`; a switch sets `on`.
struct FlagSpec {
  std::string_view name;        // "--web.listen-address"
  std::string_view short_name;  // "-h", or empty
  void (*set)(CliOptions&, std::string);
  bool CliOptions::*on;
  std::string (*default_text)();  // shown in usage(); null for switches
  std::string_view help;
};

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

const FlagSpec kFlags[] = {
    {"--help", "-h", nullptr, &CliOptions::show_help, nullptr, "Show this help and exit."},
    {"--config.file", "",
     [](CliOptions& o, std::string v) {
       o.config_file = std::move(v);
       o.config_file_given = true;
     },
     nullptr, [] { return quoted(kDefaultConfigFile); },
     "YAML configuration file. Built-in defaults are used when the default file is absent; "
     "a file named here must exist."},
    {"--config.check", "", nullptr, &CliOptions::check_config, nullptr,
     "Check the configuration (file and flags), print a summary and exit."},
    {"--web.listen-address", "",
     [](CliOptions& o, std::string v) { o.listen_address = std::move(v); }, nullptr,
     [] { return quoted(Config().listen_address); },
     "Address to listen on for the metrics web server: host:port, [ipv6]:port or :port. "
     "Overrides web.listen_address in the config file."},
    {"--web.telemetry-path", "",
     [](CliOptions& o, std::string v) { o.telemetry_path = std::move(v); }, nullptr,
     [] { return quoted(Config().telemetry_path); },
     "Path under which to expose metrics. Overrides web.telemetry_path in the config file."},
    {"--web.config.file", "",
     [](CliOptions& o, std::string v) { o.web_config_file = std::move(v); }, nullptr,
     [] { return quoted(""); },
     "Web configuration file (exporter-toolkit format) for TLS and basic authentication; "
     "re-read on SIGHUP. Overrides web.config_file in the config file."},
    {"--web.max-requests", "", [](CliOptions& o, std::string v) { o.max_requests = std::move(v); },
     nullptr, [] { return std::to_string(Config().max_requests); },
     "Maximum number of parallel scrape requests; more get 503. 0 means no limit. Overrides "
     "web.max_requests in the config file."},
    {"--log.level", "", [](CliOptions& o, std::string v) { o.log_level = std::move(v); }, nullptr,
     [] { return Config().log_level; },
     "Only log messages at this level or above: trace, debug, info, warn, error or off. "
     "Overrides log.level in the config file."},
    {"--log.target", "", [](CliOptions& o, std::string v) { o.log_target = std::move(v); }, nullptr,
     [] { return to_string(Config().log_target); },
     "Where logs go: stderr or journal. Overrides log.target in the config file."},
    {"--btf.path", "", [](CliOptions& o, std::string v) { o.btf_path = std::move(v); }, nullptr,
     [] { return quoted(kKernelBtfPath); },
     "The running kernel's BTF, which the tracer is relocated against."},
    {"--version", "", nullptr, &CliOptions::show_version, nullptr, "Show the version and exit."},
};

// Flags that override a config key, checked with that key's rules.
struct Override {
  std::string_view flag;
  std::string_view key;
  std::optional<std::string> CliOptions::*value;
};

constexpr Override kOverrides[] = {
    {"--web.listen-address", "web.listen_address", &CliOptions::listen_address},
    {"--web.telemetry-path", "web.telemetry_path", &CliOptions::telemetry_path},
    {"--web.config.file", "web.config_file", &CliOptions::web_config_file},
    {"--web.max-requests", "web.max_requests", &CliOptions::max_requests},
    {"--log.level", "log.level", &CliOptions::log_level},
    {"--log.target", "log.target", &CliOptions::log_target},
};

const FlagSpec* find_flag(std::string_view name) {
  for (const FlagSpec& flag : kFlags) {
    if (flag.name == name || (!flag.short_name.empty() && flag.short_name == name)) return &flag;
  }
  return nullptr;
}

// Applies a switch, which may be written --flag, --flag=true or --flag=false.
Status set_switch(const FlagSpec& flag, const std::optional<std::string>& value,
                  CliOptions& options) {
  if (value && *value != "true" && *value != "false") {
    return Error{std::string(flag.name) + ": \"" + *value + "\" is not a boolean; use " +
                 std::string(flag.name) + " alone, or =true or =false"};
  }
  options.*flag.on = !value || *value == "true";
  return {};
}

// Greedy word wrap of usage() descriptions at `width` columns after `indent`.
std::string wrap(std::string_view text, std::size_t indent, std::size_t width) {
  std::string out;
  std::size_t column = indent;
  while (!text.empty()) {
    std::size_t space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
    if (column > indent && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (column > indent) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
  }
  return out;
}

}  // namespace

Result<CliOptions> parse_cli(const std::vector<std::string>& args) {
  CliOptions options;
  std::set<std::string_view> seen;
  std::size_t first = 0;
  if (!args.empty() && args[0] == "doctor") {
    options.doctor = true;
    first = 1;
  }
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with('-') || arg == "-" || arg == "--") {
      return Error{"unexpected argument \"" + arg +
                   "\"; execmond takes flags after an optional doctor, see --help"};
    }
    std::size_t equals = arg.find('=');
    std::string name = arg.substr(0, equals);
    std::optional<std::string> value;
    if (equals != std::string::npos) value = arg.substr(equals + 1);

    const FlagSpec* flag = find_flag(name);
    if (flag == nullptr) return Error{"unknown flag " + name + "; see --help"};
    if (!seen.insert(flag->name).second) {
      return Error{"flag " + std::string(flag->name) + " given twice; give each flag once"};
    }
    if (flag->on != nullptr) {
      if (Status set = set_switch(*flag, value, options); !set) return set.error();
      continue;
    }
    // "--flag value": the next argument is the value unless it looks like
    // another flag, which means the value was forgotten.
    if (!value && i + 1 < args.size() && !(args[i + 1].starts_with('-') && args[i + 1] != "-")) {
      value = args[++i];
    }
    if (!value) {
      return Error{"flag " + std::string(flag->name) + " needs a value; use " +
                   std::string(flag->name) + "=<value> or " + std::string(flag->name) + " <value>"};
    }
    flag->set(options, std::move(*value));
  }
  return options;
}

std::string usage() {
  constexpr std::size_t kHelpColumn = 32;
  constexpr std::size_t kWidth = 100;
  std::string out =
      "usage: execmond [doctor] [<flags>]\n\n"
      "Exports process lifecycle metrics (execs, forks, exits, lifetimes) traced with eBPF to "
      "Prometheus.\n\n"
      "  doctor                      Check whether this host can run execmond: one OK, WARN or "
      "FAIL\n"
      "                              line per check, with the fix; exit status 0 only if it "
      "can.\n\nFlags:\n";
  for (const FlagSpec& flag : kFlags) {
    std::string left =
        flag.short_name.empty() ? "      " : "  " + std::string(flag.short_name) + ", ";
    left += flag.name;
    if (flag.default_text != nullptr) left += "=" + flag.default_text();
    // Long flag texts get their help on the next line, as kingpin does.
    out += left.size() + 2 <= kHelpColumn ? left + std::string(kHelpColumn - left.size(), ' ')
                                          : left + "\n" + std::string(kHelpColumn, ' ');
    out += wrap(flag.help, kHelpColumn, kWidth) + "\n";
  }
  return out;
}

Result<Config> resolve_config(const CliOptions& options) {
  struct stat st {};
  // Only a default path that does not exist at all means "no file, use
  // defaults"; any other problem with it (permissions, a directory) is reported.
  bool absent = ::stat(options.config_file.c_str(), &st) != 0 && errno == ENOENT;
  if (!options.config_file_given && absent) return apply_overrides(Config(), options);
  Result<Config> loaded = load_config_file(options.config_file);
  if (!loaded) return loaded;
  return apply_overrides(std::move(loaded).value(), options);
}

Result<Config> apply_overrides(Config config, const CliOptions& options) {
  for (const Override& override_flag : kOverrides) {
    const std::optional<std::string>& value = options.*override_flag.value;
    if (!value) continue;
    if (Status set = set_setting(config, override_flag.key, *value); !set) {
      return Error{std::string(override_flag.flag) + ": " + set.error().message};
    }
  }
  return config;
}

}  // namespace execmond
