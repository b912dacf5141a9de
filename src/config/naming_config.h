// The `naming:` section: rules that give a process its `program` label, in
// the shape of process-exporter's `process_names` so that its users can bring
// their file, and the interpreters whose script gives the `script` label.
// A plain struct: parsed here, compiled (RE2, templates) by naming/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace execmond {

// One rule. Every selector it gives must match; the first rule that matches
// names the process with its template.
struct NamingRule {
  std::string name;                  // template; "{{.ExeBase}}" when the rule gives none
  std::vector<std::string> comm;     // exact command names (the kernel's, at most 15 bytes)
  std::vector<std::string> exe;      // argv[0]'s base name, or all of argv[0] when it has a '/'
  std::vector<std::string> cmdline;  // RE2 patterns; each must match the argv joined by spaces
  std::string source;                // the file it was read from,
  int line = 0;                      // and the line: errors name both
  bool operator==(const NamingRule&) const = default;
};

// What `program` is for a process no rule names. YAML: comm, script, or any
// other text, which is then the fixed name.
enum class Unmatched { Comm, Script, Fixed };

// How an interpreter reads its command line, so that the script it runs can
// be found past its options. YAML names: python, java, node, shell, perl,
// ruby, php, rscript.
enum class InterpreterStyle { Python, Java, Node, Shell, Perl, Ruby, Php, Rscript };

// An executable, by the base name of argv[0] (or of the exe), that runs
// scripts in the given style.
struct Interpreter {
  std::string exe;
  InterpreterStyle style = InterpreterStyle::Python;
  bool operator==(const Interpreter&) const = default;
};

struct NamingConfig {
  // process-exporter's config file, read unchanged: its process_names come
  // after the inline rules. "" for none.
  std::string process_exporter_config;
  std::vector<NamingRule> rules;  // inline rules, then the file's, in order
  Unmatched unmatched = Unmatched::Comm;
  std::string unmatched_name;             // the fixed name, for Unmatched::Fixed
  std::vector<Interpreter> interpreters;  // consulted before the built-in table
  // How much of each command line the kernel side reads at exec; cut at an
  // argument boundary.
  std::uint32_t cmdline_max_bytes = 4096;
  bool operator==(const NamingConfig&) const = default;
};

// The most cmdline_max_bytes may be: the kernel side's buffer.
inline constexpr std::uint32_t kMaxCmdlineBytes = 16384;

}  // namespace execmond
