// The naming section's rows of the settings table: how each key is read,
// shown and taken on a reload. The rules and interpreters are lists of maps,
// read by naming_reader; the process-exporter file is read once the whole
// config is, so that its rules come after the inline ones wherever the key stands.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/enum_names.h"
#include "config/naming_reader.h"
#include "config/settings.h"
#include "config/values.h"

namespace execmond::detail {
namespace {

constexpr std::string_view kRulesAllowed =
    "use a list of rules, each a map of name, comm, exe and cmdline as in process-exporter's "
    "process_names";
constexpr std::string_view kUnmatchedAllowed =
    "use comm, script, or any other text as a fixed name (e.g. other)";
constexpr std::string_view kInterpretersAllowed =
    "use a list of maps of exe and style (e.g. [{exe: python3.13, style: python}])";
constexpr std::string_view kCmdlineBytesAllowed =
    "use an integer from 64 to 16384: the bytes of each command line read at exec";
constexpr std::uint64_t kMinCmdlineBytes = 64;

// A path or name as describe() prints it: quoted when it would not read back.
std::string shown_text(const std::string& text) {
  return text.empty() || has_space_or_control(text) ? quote(text, kUnlimited) : text;
}

Status apply_unmatched(Config& config, const std::string& text) {
  if (text.empty()) return Error{problem("\"\" is empty", kUnmatchedAllowed)};
  if (has_control(text)) {
    return Error{problem(quote(text) + " has control characters", kUnmatchedAllowed)};
  }
  const std::optional<Unmatched> named = value_in(kUnmatchedNames, text);
  config.naming.unmatched = named.value_or(Unmatched::Fixed);
  config.naming.unmatched_name = named ? "" : text;
  return {};
}

Status apply_cmdline_max_bytes(Config& config, const std::string& text) {
  const std::optional<std::uint64_t> bytes = parse_unsigned(text);
  if (!bytes) return Error{problem(quote(text) + " is not an integer", kCmdlineBytesAllowed)};
  if (*bytes < kMinCmdlineBytes || *bytes > kMaxCmdlineBytes) {
    return Error{problem(quote(text) + " is out of range", kCmdlineBytesAllowed)};
  }
  config.naming.cmdline_max_bytes = static_cast<std::uint32_t>(*bytes);
  return {};
}

std::string show_process_exporter_config(const Config& config) {
  return shown_text(config.naming.process_exporter_config);
}

// How many rules, and from which files: "3 (1 in execmond.yaml, 2 in pe.yml)".
std::string show_rules(const Config& config) {
  const std::vector<NamingRule>& rules = config.naming.rules;
  std::string out = std::to_string(rules.size());
  std::vector<std::pair<std::string, std::size_t>> files;
  for (const NamingRule& rule : rules) {
    if (files.empty() || files.back().first != rule.source) files.emplace_back(rule.source, 0);
    ++files.back().second;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    out += (i == 0 ? " (" : ", ") + std::to_string(files[i].second) + " in " +
           shown_text(files[i].first);
  }
  return files.empty() ? out : out + ")";
}

std::string show_unmatched(const Config& config) {
  if (config.naming.unmatched == Unmatched::Fixed) return shown_text(config.naming.unmatched_name);
  return std::string(name_in(kUnmatchedNames, config.naming.unmatched));
}

std::string show_interpreters(const Config& config) {
  std::string out;
  for (const Interpreter& interpreter : config.naming.interpreters) {
    out += (out.empty() ? "" : ", ") + interpreter.exe + ": " + to_string(interpreter.style);
  }
  return out;
}

std::string show_cmdline_max_bytes(const Config& config) {
  return std::to_string(config.naming.cmdline_max_bytes);
}

template <auto kField>
void take_naming(Config& running, const Config& wanted) {
  running.naming.*kField = wanted.naming.*kField;
}

void take_unmatched(Config& running, const Config& wanted) {
  running.naming.unmatched = wanted.naming.unmatched;
  running.naming.unmatched_name = wanted.naming.unmatched_name;
}

}  // namespace

// The rules change at run time; what the kernel reads for them (command
// lines, how much of each) is set at load: see restart_only_differences().
void add_naming_settings(std::vector<Setting>& table) {
  // Read from the file's node alone: a path set any other way would not be read.
  table.push_back(
      reloadable(structured("naming", "process_exporter_config", kProcessExporterConfigAllowed,
                            Restart::No, read_process_exporter_config, show_process_exporter_config,
                            /*omit_when_empty=*/false),
                 take_naming<&NamingConfig::process_exporter_config>));
  table.push_back(reloadable(structured("naming", "rules", kRulesAllowed, Restart::No,
                                        read_naming_rules, show_rules, /*omit_when_empty=*/false),
                             take_naming<&NamingConfig::rules>));
  table.push_back(reloadable(scalar("naming", "unmatched", kUnmatchedAllowed, Restart::No,
                                    apply_unmatched, show_unmatched),
                             take_unmatched));
  table.push_back(
      reloadable(structured("naming", "interpreters", kInterpretersAllowed, Restart::No,
                            read_interpreters, show_interpreters, /*omit_when_empty=*/true),
                 take_naming<&NamingConfig::interpreters>));
  table.push_back(scalar("naming", "cmdline_max_bytes", kCmdlineBytesAllowed, Restart::Yes,
                         apply_cmdline_max_bytes, show_cmdline_max_bytes));
}

}  // namespace execmond::detail
