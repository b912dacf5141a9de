// Command line in node_exporter's style: --config.file, --web.listen-address, ...
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "util/error.h"

namespace execmond {

inline constexpr const char* kDefaultConfigFile = "/etc/execmond/execmond.yaml";
inline constexpr const char* kKernelBtfPath = "/sys/kernel/btf/vmlinux";

struct CliOptions {
  std::string config_file = kDefaultConfigFile;
  bool config_file_given = false;  // explicitly given: a missing file is an error
  bool check_config = false;       // --config.check
  bool show_version = false;
  bool show_help = false;
  bool doctor = false;                         // `execmond doctor`: check the host and exit
  std::string btf_path = kKernelBtfPath;       // --btf.path
  std::optional<std::string> listen_address;   // --web.listen-address
  std::optional<std::string> telemetry_path;   // --web.telemetry-path
  std::optional<std::string> web_config_file;  // --web.config.file
  std::optional<std::string> max_requests;     // --web.max-requests
  std::optional<std::string> log_level;        // --log.level
  std::optional<std::string> log_target;       // --log.target (stderr|journal)
};

// Accepts both `--flag=value` and `--flag value`, after an optional
// subcommand (`doctor`). The Error is one line and names the flag.
Result<CliOptions> parse_cli(const std::vector<std::string>& args);
std::string usage();

// Loads the config the options point at (built-in defaults when the default
// path is absent) and applies flag overrides, validating them like file keys.
Result<Config> resolve_config(const CliOptions& options);
// Same, re-applying the flags on top of a reloaded file.
Result<Config> apply_overrides(Config config, const CliOptions& options);

}  // namespace execmond
