// Reads the naming section's structured values: the rules, in the shape of
// process-exporter's process_names items, inline or from process-exporter's
// own file, and the interpreters. Every rule records where it was written, so
// that the naming library's errors can name file and line too.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/settings.h"
#include "util/error.h"

namespace execmond::detail {

// Every rule is tried on every exec that no rule before it names: their
// number bounds that work.
inline constexpr std::size_t kMaxNamingRules = 1024;
// Each cmdline pattern compiles to an RE2 program and DFA cache of up to
// kRegexMaxMem (256 KiB): their number, over all rules, bounds the memory.
inline constexpr std::size_t kMaxCmdlinePatterns = 256;

inline constexpr std::string_view kProcessExporterConfigAllowed =
    "use the path of process-exporter's config file, absolute or relative to this file's "
    "directory, or \"\" for none";

// True when `text` holds a control character: kept out of paths and names
// that messages and describe() print on one line.
bool has_control(std::string_view text);

// naming.process_exporter_config: the path alone; the file is read by
// append_process_exporter_rules() once the whole config is.
Status read_process_exporter_config(Config& config, const NodeInput& input);

// naming.rules: replaces the inline rules.
Status read_naming_rules(Config& config, const NodeInput& input);

// naming.interpreters: replaces the interpreter list.
Status read_interpreters(Config& config, const NodeInput& input);

// Once the whole config file is read: reads the file that
// naming.process_exporter_config names (a relative path is relative to the
// directory of `source`), stores its resolved path there and appends its
// process_names after the inline rules. `mark` is where the key stands in
// `source`, blamed when the file cannot be read or holds no process_names.
Status append_process_exporter_rules(Config& config, const std::string& source,
                                     const YAML::Mark& mark);

}  // namespace execmond::detail
