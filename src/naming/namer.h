// Names a process the way its operator thinks of it: `program` by the naming
// rules (process-exporter's semantics), `script` by the interpreter table.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "config/naming_config.h"
#include "util/error.h"

namespace execmond::naming {

// Every rule's cmdline patterns together: at kRegexMaxMem each
// (config/regex.h), a hostile or generated file stays under 64 MiB of
// compiled patterns; real configurations have tens.
inline constexpr std::size_t kMaxNamingPatterns = 256;

// A process as the rules see it.
struct ProcessFacts {
  std::string_view comm;
  std::span<const std::string> argv;  // as captured at exec; may be empty
  std::string_view username;          // "" when unknown
};

// Raw bytes from the command line, each cut to kMaxNameBytes (128,
// naming/name_length.h); the label layer makes them valid UTF-8.
struct Names {
  std::string program;  // may be "" when a rule's template renders nothing
  std::string script;   // "" when the process runs no script
  bool operator==(const Names&) const = default;
};

class Namer {
 public:
  // Compiles every rule's patterns (RE2) and template; an Error names the
  // rule's file and line, its key and what to do. A rule whose source is
  // config.process_exporter_config is named process_names[j] (its place in
  // that file), any other naming.rules[i].
  static Result<Namer> compile(const NamingConfig& config);
  // The first matching rule's name, else config.unmatched's; the script by
  // naming/script_detector.h. Safe to call from many threads at once.
  Names name(const ProcessFacts& facts) const;

 private:
  struct Compiled;
  explicit Namer(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace execmond::naming
