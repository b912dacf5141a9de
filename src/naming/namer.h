// Names a process the way its operator thinks of it: `program` by the naming
// rules (process-exporter's semantics), `script` by the interpreter table.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "config/naming_config.h"
#include "util/error.h"

namespace execmond::naming {

// A process as the rules see it.
struct ProcessFacts {
  std::string_view comm;
  std::span<const std::string> argv;  // as captured at exec; may be empty
  std::string_view username;          // "" when unknown
};

struct Names {
  std::string program;
  std::string script;  // "" when the process runs no script
  bool operator==(const Names&) const = default;
};

class Namer {
 public:
  // Compiles every rule's patterns (RE2) and template; an Error names the
  // rule's file and line and what to do.
  static Result<Namer> compile(const NamingConfig& config);
  Names name(const ProcessFacts& facts) const;

 private:
  struct Compiled;
  explicit Namer(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace execmond::naming
