#include "naming/script_detector.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "naming/command_line.h"
#include "naming/name_length.h"
#include "naming/script_styles.h"

namespace execmond::naming {

namespace {

struct BuiltIn {
  std::string_view name;
  InterpreterStyle style;
  bool versioned;  // also the name followed by a version: python3.11, php8.2
};

constexpr std::array<BuiltIn, 16> kBuiltIns{{
    {"python", InterpreterStyle::Python, true},
    {"pypy", InterpreterStyle::Python, true},
    {"java", InterpreterStyle::Java, false},
    {"node", InterpreterStyle::Node, false},
    {"nodejs", InterpreterStyle::Node, false},
    {"sh", InterpreterStyle::Shell, false},
    {"bash", InterpreterStyle::Shell, false},
    {"dash", InterpreterStyle::Shell, false},
    {"zsh", InterpreterStyle::Shell, false},
    {"ksh", InterpreterStyle::Shell, false},
    {"mksh", InterpreterStyle::Shell, false},
    {"ash", InterpreterStyle::Shell, false},
    {"perl", InterpreterStyle::Perl, true},
    {"ruby", InterpreterStyle::Ruby, true},
    {"php", InterpreterStyle::Php, true},
    {"Rscript", InterpreterStyle::Rscript, false},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "3", "3.11", "5.36.0", "3.13t" (CPython's free-threaded build), "3m".
bool is_version(std::string_view text) {
  if (text.empty() || !is_digit(text.front())) return false;
  if (text.back() >= 'a' && text.back() <= 'z') text.remove_suffix(1);
  return std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '.'; });
}

std::string_view script_value(std::string_view value) {
  if (value.empty() || value == "-") return {};  // none, or stdin
  return path_base(value);
}

const OptionRule* find(const StyleTable& table, std::string_view spelling) {
  for (const OptionRule& rule : table.options) {
    if (rule.spelling == spelling) return &rule;
  }
  return nullptr;
}

// Walks the arguments with one style's table.
class ArgumentReader {
 public:
  ArgumentReader(const StyleTable& table, std::span<const std::string_view> args)
      : table_(table), args_(args) {}

  std::string_view script() {
    while (at_ < args_.size()) {
      const std::string_view arg = args_[at_++];
      if (const OptionRule* rule = find(table_, arg)) {
        // Spelled in full: its value, if any, is the next argument.
        std::string_view value;
        if (rule->takes == Takes::Next || rule->takes == Takes::AttachedOrNext) value = next();
        if (done(*rule, value)) return found_;
      } else if (arg == "--") {
        return at_ < args_.size() ? script_value(args_[at_]) : std::string_view{};
      } else if (arg == "-") {
        return {};  // the program comes from stdin
      } else if (arg.starts_with("--")) {
        if (long_option(arg)) return found_;
      } else if (table_.at_files && arg.starts_with('@')) {
        continue;
      } else if (arg.size() >= 2 && (arg[0] == '-' || (table_.plus_options && arg[0] == '+'))) {
        if (table_.letters_combine ? letters(arg) : attached(arg)) return found_;
      } else {
        return script_value(arg);
      }
    }
    return {};
  }

 private:
  std::string_view next() { return at_ < args_.size() ? args_[at_++] : std::string_view{}; }

  // Whether `rule`, given `value`, settles the script (in found_).
  bool done(const OptionRule& rule, std::string_view value) {
    switch (rule.means) {
      case Means::Option:
        return false;
      case Means::Script:
        found_ = script_value(value);
        return true;
      case Means::NoScript:
        found_ = {};
        return true;
      case Means::EndOptions:
        found_ = at_ < args_.size() ? script_value(args_[at_]) : std::string_view{};
        return true;
    }
    return false;
  }

  // "--name=value", or "--name" not in the table: a flag.
  bool long_option(std::string_view arg) {
    const auto equals = arg.find('=');
    if (equals == std::string_view::npos) return false;
    const OptionRule* rule = find(table_, arg.substr(0, equals));
    return rule != nullptr && rule->takes != Takes::Nothing && done(*rule, arg.substr(equals + 1));
  }

  // getopt's "-abc": each letter an option, a value taken from the rest of
  // the argument or from the next.
  bool letters(std::string_view arg) {
    for (std::size_t p = 1; p < arg.size();) {
      const std::array<char, 2> spelling{'-', arg[p++]};
      const OptionRule* rule = find(table_, std::string_view(spelling.data(), spelling.size()));
      if (rule == nullptr) continue;
      std::string_view value;
      const std::string_view rest = arg.substr(p);
      switch (rule->takes) {
        case Takes::Nothing:
          break;
        case Takes::Next:
          value = next();
          break;
        case Takes::AttachedOrNext:
          value = rest.empty() ? next() : rest;
          p = arg.size();
          break;
        case Takes::Attached:
          value = rest;
          p = arg.size();
          break;
        case Takes::Digits:
          while (p < arg.size() && is_digit(arg[p])) ++p;
          break;
      }
      if (done(*rule, value)) return true;
    }
    return false;
  }

  // One option per argument, a one-letter one's value maybe attached ("-dk=v").
  bool attached(std::string_view arg) {
    const OptionRule* rule = find(table_, arg.substr(0, 2));
    if (rule == nullptr ||
        (rule->takes != Takes::AttachedOrNext && rule->takes != Takes::Attached)) {
      return false;  // an option the table does not know: a flag
    }
    return done(*rule, arg.substr(2));
  }

  const StyleTable& table_;
  std::span<const std::string_view> args_;
  std::size_t at_ = 0;
  std::string_view found_;
};

// A shebang line gives env at most a few levels of itself to go through;
// -S can split only so often before the line is hostile, not a script's.
constexpr int kMaxEnvHops = 4;
constexpr int kMaxSplits = 8;
constexpr std::string_view kBlanks = " \t\n";

// The command env runs: `args` (env's argv) past env's options and NAME=VALUE
// assignments, with -S's string split into arguments. Empty when env runs nothing.
std::vector<std::string_view> command_of_env(std::vector<std::string_view> args) {
  int splits = 0;
  std::size_t at = 1;
  auto split_in = [&](std::string_view text) {  // -S: its words take its place
    std::vector<std::string_view> words(args.begin(),
                                        args.begin() + static_cast<std::ptrdiff_t>(at));
    for (auto start = text.find_first_not_of(kBlanks); start != std::string_view::npos;) {
      const auto end = text.find_first_of(kBlanks, start);
      words.push_back(text.substr(start, end - start));
      start = end == std::string_view::npos ? end : text.find_first_not_of(kBlanks, end);
    }
    words.insert(words.end(), args.begin() + static_cast<std::ptrdiff_t>(at), args.end());
    args = std::move(words);
  };
  while (at < args.size()) {
    const std::string_view arg = args[at++];
    auto value = [&](std::string_view attached) {
      return !attached.empty() || at >= args.size() ? attached : args[at++];
    };
    if (arg == "--") break;
    if (arg.starts_with("--")) {
      const auto equals = arg.find('=');
      const std::string_view name = arg.substr(0, equals);
      const std::string_view given = equals == std::string_view::npos ? "" : arg.substr(equals + 1);
      if (name == "--split-string") {
        if (++splits > kMaxSplits) return {};
        split_in(value(given));
      } else if (name == "--unset" || name == "--chdir") {
        (void)value(given);
      }
    } else if (arg.starts_with('-')) {
      for (std::size_t p = 1; p < arg.size(); ++p) {
        if (arg[p] != 'u' && arg[p] != 'C' && arg[p] != 'S') continue;  // -i, -0, -v: flags
        const std::string_view taken = value(arg.substr(p + 1));
        if (arg[p] == 'S') {
          if (++splits > kMaxSplits) return {};
          split_in(taken);
        }
        break;
      }
    } else if (arg.find('=') == std::string_view::npos) {
      --at;  // the command
      break;
    }
  }
  args.erase(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(std::min(at, args.size())));
  return args;
}

}  // namespace

ScriptDetector::ScriptDetector(std::span<const Interpreter> interpreters) {
  for (const auto& interpreter : interpreters) {
    configured_.emplace_back(std::string(path_base(interpreter.exe)), interpreter.style);
  }
}

std::optional<InterpreterStyle> ScriptDetector::style_of(std::string_view name) const {
  for (const auto& [exe, style] : configured_) {
    if (exe == name) return style;
  }
  for (const auto& builtin : kBuiltIns) {
    if (name == builtin.name || (builtin.versioned && name.starts_with(builtin.name) &&
                                 is_version(name.substr(builtin.name.size())))) {
      return builtin.style;
    }
  }
  return std::nullopt;
}

std::string ScriptDetector::script(std::string_view comm, std::span<const std::string> argv) const {
  if (argv.empty()) return {};
  std::vector<std::string_view> args(argv.begin(), argv.end());
  bool through_env = false;
  for (int hop = 0; hop < kMaxEnvHops && !args.empty() && path_base(args[0]) == "env"; ++hop) {
    args = command_of_env(std::move(args));
    through_env = true;
  }
  if (args.empty()) return {};
  auto style = style_of(path_base(args[0]));
  // argv[0] is what the parent chose (`exec -a`); the comm is the file's own
  // name, unless env stands between.
  if (!style && !through_env) style = style_of(comm);
  if (!style) return {};
  std::string script(script_in_arguments(*style, std::span(args).subspan(1)));
  cut_to_name_length(script);
  return script;
}

std::string_view script_in_arguments(InterpreterStyle style,
                                     std::span<const std::string_view> args) {
  return ArgumentReader(style_table(style), args).script();
}

}  // namespace execmond::naming
