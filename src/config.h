// The daemon's configuration: a plain struct, parsed from YAML and validated
// apart from any behaviour, so `--config.check` and reloads share one path.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace execmond {

enum class AttachMode { Auto, TpBtf, Tracepoint };
enum class LogTarget { Stderr, Journal };

struct Config {
  // web:
  std::string listen_address = ":9765";
  std::string telemetry_path = "/metrics";
  // tracer:
  std::chrono::milliseconds drain_interval{1000};
  std::uint32_t max_processes = 32768;  // procs map capacity
  std::uint32_t max_keys = 8192;        // counts map capacity (distinct keys per drain)
  AttachMode attach_mode = AttachMode::Auto;
  bool bpf_stats = false;  // turn on the kernel's BPF run-time statistics
  // metrics:
  std::vector<double> lifetime_buckets;  // seconds, ascending; default_lifetime_buckets()
  // log:
  std::string log_level = "info";  // trace|debug|info|warn|error|off
  LogTarget log_target = LogTarget::Stderr;

  Config();
};

// 1 ms to 1 day on a ×2.5 scale.
std::vector<double> default_lifetime_buckets();

// Result of loading: a config, or one line naming file, line, key and what is allowed.
struct ConfigResult {
  std::optional<Config> config;
  std::string error;
  explicit operator bool() const { return config.has_value(); }
};

// Parses YAML text; `source` names the file in error messages.
ConfigResult parse_config(const std::string& yaml_text, const std::string& source);
// Reads and parses a file; a missing or unreadable file is an error.
ConfigResult load_config_file(const std::string& path);

// Human-readable multi-line summary printed by --config.check.
std::string describe(const Config& config);

// Settings that need a restart to change; lists the ones that differ.
std::vector<std::string> restart_only_differences(const Config& running, const Config& wanted);

// Sets one single-valued setting, named by its dotted YAML key (e.g.
// "web.listen_address"), from text with the same rules as the YAML file, so
// command-line flags validate exactly like file keys. Returns "" when set,
// else one line "<what is wrong>; <what is allowed>" without file or key.
std::string set_setting(Config& config, std::string_view key, const std::string& text);

std::string to_string(AttachMode mode);
std::string to_string(LogTarget target);

}  // namespace execmond
