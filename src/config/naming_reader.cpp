#include "config/naming_reader.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/enum_names.h"
#include "config/values.h"
#include "config/yaml_document.h"
#include "util/small_file.h"

namespace execmond::detail {
namespace {

constexpr std::string_view kRulesAllowed =
    "use a list of rules, each a map of name, comm, exe and cmdline as in process-exporter's "
    "process_names";
constexpr std::string_view kNameAllowed =
    R"(use a template, e.g. "{{.Comm}}"; a rule without one is named "{{.ExeBase}}")";
constexpr std::string_view kCommAllowed =
    "use a list of command names of 1 to 15 bytes, any of which matches (e.g. [bash, nginx])";
constexpr std::string_view kExeAllowed =
    "use a list of argv[0] base names, or paths argv[0] must equal, any of which matches "
    "(e.g. [postgres, /usr/local/bin/prometheus])";
constexpr std::string_view kCmdlineAllowed =
    R"(use a list of RE2 patterns, each of which must match the arguments joined by spaces )"
    R"((e.g. ['-jar\s+(?P<jar>\S+)']))";
constexpr std::string_view kInterpretersAllowed =
    "use a list of maps of exe and style (e.g. [{exe: python3.13, style: python}])";
constexpr std::string_view kInterpreterExeAllowed =
    R"(use the executable's base name, without "/" (e.g. python3.13))";
constexpr std::string_view kStyleAllowed =
    "use python, java, node, shell, perl, ruby, php or rscript";
constexpr std::string_view kProcessExporterAllowed =
    "name process-exporter's config file, whose process_names holds the rules (a relative path "
    "is relative to this file's directory)";
constexpr const char* kDefaultName = "{{.ExeBase}}";
constexpr std::size_t kMaxCommBytes = 15;  // TASK_COMM_LEN without its NUL

// process-exporter's three selectors.
enum class SelectorKind { Comm, Exe, Cmdline };
struct Selector {
  std::string_view name;
  SelectorKind kind;
  std::string_view allowed;
  std::vector<std::string> NamingRule::*list;
};
constexpr Selector kSelectors[] = {
    {"comm", SelectorKind::Comm, kCommAllowed, &NamingRule::comm},
    {"exe", SelectorKind::Exe, kExeAllowed, &NamingRule::exe},
    {"cmdline", SelectorKind::Cmdline, kCmdlineAllowed, &NamingRule::cmdline},
};

std::string indexed(const std::string& key, std::size_t index) {
  return key + "[" + std::to_string(index) + "]";
}

// The keys of `map` must be plain names among `known`, each given once.
Status check_keys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                  const std::string& key, std::string_view what, const std::string& source) {
  std::string allowed = "allowed keys in " + std::string(what) + ":";
  for (std::string_view name : known)
    allowed += (allowed.back() == ':' ? " " : ", ") + std::string(name);
  std::set<std::string> seen;
  for (const auto& entry : map) {
    if (!entry.first.IsScalar()) {
      return yaml_error(source, entry.first.Mark(), key,
                        problem("a key is " + kind_of(entry.first) + ", not a name", allowed));
    }
    const std::string& name = entry.first.Scalar();
    const std::string shown = key + "." + shown_key(name);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return yaml_error(source, entry.first.Mark(), shown, problem("unknown key", allowed));
    }
    if (!seen.insert(name).second) {
      return yaml_error(source, entry.first.Mark(), shown, "duplicate key; give each key once");
    }
  }
  return {};
}

std::size_t pattern_count(const std::vector<NamingRule>& rules) {
  std::size_t count = 0;
  for (const NamingRule& rule : rules) count += rule.cmdline.size();
  return count;
}

// Reads rules from one file, inline or process-exporter's, after the ones
// already read.
class RuleReader {
 public:
  RuleReader(const std::string& source, std::vector<NamingRule>& rules)
      : source_(source), rules_(rules), patterns_(pattern_count(rules)) {}

  // `list_key` names the list in messages: naming.rules or process_names.
  Status read(const YAML::Node& key, const YAML::Node& list, const std::string& list_key) {
    if (!list.IsSequence()) {
      const std::string found =
          list.IsNull() ? "no value" : "expected a list, found " + kind_of(list);
      return error(mark_of(key, list), list_key, problem(found, kRulesAllowed));
    }
    std::size_t index = 0;
    for (const YAML::Node& item : list) {
      const std::string item_key = indexed(list_key, index++);
      if (rules_.size() == kMaxNamingRules) {
        return error(mark_of(key, item), item_key,
                     "more than " + std::to_string(kMaxNamingRules) +
                         " rules in naming.rules and process_names together; merge rules, "
                         "e.g. list several command names under one comm");
      }
      Result<NamingRule> rule = read_rule(key, item, item_key);
      if (!rule) return rule.error();
      rules_.push_back(std::move(rule).value());
    }
    return {};
  }

 private:
  Result<NamingRule> read_rule(const YAML::Node& list_key, const YAML::Node& item,
                               const std::string& key) {
    if (!item.IsMap()) {
      return error(mark_of(list_key, item), key,
                   problem("expected a map, found " + kind_of(item), kRulesAllowed));
    }
    if (Status keys = check_keys(item, {"name", "comm", "exe", "cmdline"}, key, "a rule", source_);
        !keys) {
      return keys.error();
    }
    NamingRule rule;
    rule.source = source_;
    rule.line = item.Mark().line + 1;
    for (const auto& entry : item) {
      const std::string& name = entry.first.Scalar();
      std::string field_key = key + ".";
      field_key += name;
      Status read = {};
      if (name == "name") {
        read = read_name(entry.first, entry.second, field_key, rule.name);
      } else {
        const Selector& selector = *std::find_if(std::begin(kSelectors), std::end(kSelectors),
                                                 [&](const Selector& s) { return s.name == name; });
        read = read_strings(entry.first, entry.second, field_key, selector, rule.*selector.list);
      }
      if (!read) return read.error();
    }
    if (rule.comm.empty() && rule.exe.empty() && rule.cmdline.empty()) {
      return error(item.Mark(), key,
                   "no selector, so it would name every process; give comm, exe or cmdline "
                   "(lists of strings), which must all match");
    }
    if (rule.name.empty()) rule.name = kDefaultName;  // process-exporter's default
    return rule;
  }

  Status read_name(const YAML::Node& key, const YAML::Node& value, const std::string& field_key,
                   std::string& name) {
    if (!value.IsScalar()) {
      const std::string found =
          value.IsNull() ? "no value" : "expected a template, found " + kind_of(value);
      return error(mark_of(key, value), field_key, problem(found, kNameAllowed));
    }
    name = value.Scalar();
    return {};
  }

  // A selector: a list of strings, each checked by what it is matched against.
  Status read_strings(const YAML::Node& key, const YAML::Node& list, const std::string& field_key,
                      const Selector& selector, std::vector<std::string>& out) {
    if (!list.IsSequence()) {
      const std::string found =
          list.IsNull() ? "no value" : "expected a list of strings, found " + kind_of(list);
      return error(mark_of(key, list), field_key, problem(found, selector.allowed));
    }
    if (list.size() == 0) {
      return error(mark_of(key, list), field_key,
                   problem("an empty list, which matches nothing", selector.allowed));
    }
    for (const YAML::Node& item : list) {
      const std::string item_key = indexed(field_key, out.size());
      if (!item.IsScalar()) {
        return error(mark_of(key, item), item_key,
                     problem("expected a string, found " + kind_of(item), selector.allowed));
      }
      if (Status checked = check_item(item.Scalar(), selector.kind); !checked) {
        return error(item.Mark(), item_key, problem(checked.error().message, selector.allowed));
      }
      if (selector.kind == SelectorKind::Cmdline && ++patterns_ > kMaxCmdlinePatterns) {
        return error(item.Mark(), item_key,
                     "more than " + std::to_string(kMaxCmdlinePatterns) +
                         " cmdline patterns in all rules together, each compiled within its own "
                         "memory budget; merge patterns, or select by comm or exe");
      }
      out.push_back(item.Scalar());
    }
    return {};
  }

  // comm and exe entries that could never match are mistakes: say why. The
  // naming library compiles the patterns.
  static Status check_item(const std::string& text, SelectorKind kind) {
    if (kind == SelectorKind::Cmdline) return {};
    if (text.empty()) return Error{"\"\" is empty"};
    if (kind == SelectorKind::Comm && text.size() > kMaxCommBytes) {
      return Error{quote(text) + " is " + std::to_string(text.size()) +
                   " bytes long and can never match: the kernel keeps the first 15 bytes of a "
                   "command name, " +
                   quote(text.substr(0, kMaxCommBytes))};
    }
    return {};
  }

  Error error(const YAML::Mark& mark, const std::string& key, const std::string& message) const {
    return yaml_error(source_, mark, key, message);
  }

  const std::string& source_;
  std::vector<NamingRule>& rules_;
  std::size_t patterns_;  // cmdline patterns in all the rules so far
};

Result<Interpreter> read_interpreter(const YAML::Node& list_key, const YAML::Node& item,
                                     const std::string& key, const std::string& source) {
  if (!item.IsMap()) {
    return yaml_error(source, mark_of(list_key, item), key,
                      problem("expected a map, found " + kind_of(item), kInterpretersAllowed));
  }
  if (Status keys = check_keys(item, {"exe", "style"}, key, "an interpreter", source); !keys) {
    return keys.error();
  }
  const YAML::Node exe = item["exe"];
  const YAML::Node style = item["style"];
  if (!exe) {
    return yaml_error(source, item.Mark(), key, problem("no exe", kInterpreterExeAllowed));
  }
  if (!style) return yaml_error(source, item.Mark(), key, problem("no style", kStyleAllowed));
  Interpreter interpreter;
  if (!exe.IsScalar()) {
    const std::string found = exe.IsNull() ? "no value" : "expected a name, found " + kind_of(exe);
    return yaml_error(source, mark_of(item, exe), key + ".exe",
                      problem(found, kInterpreterExeAllowed));
  }
  const std::string& name = exe.Scalar();
  if (name.empty() || name.find('/') != std::string::npos) {
    const std::string wrong = name.empty() ? "\"\" is empty" : quote(name) + " has a \"/\"";
    return yaml_error(source, exe.Mark(), key + ".exe", problem(wrong, kInterpreterExeAllowed));
  }
  interpreter.exe = name;
  const std::optional<InterpreterStyle> named =
      style.IsScalar() ? value_in(kInterpreterStyleNames, style.Scalar()) : std::nullopt;
  if (!named) {
    const std::string wrong = style.IsScalar()
                                  ? quote(style.Scalar()) + " is not an interpreter style"
                              : style.IsNull() ? "no value"
                                               : "expected a style, found " + kind_of(style);
    return yaml_error(source, mark_of(item, style), key + ".style", problem(wrong, kStyleAllowed));
  }
  interpreter.style = *named;
  return interpreter;
}

// A relative path names a file beside the config that names it.
std::string beside(const std::string& source, const std::string& path) {
  const std::size_t slash = source.rfind('/');
  if (path.starts_with('/') || slash == std::string::npos) return path;
  return source.substr(0, slash + 1) + path;
}

// The process_names list of process-exporter's file; the rest of it is
// process-exporter's own business.
Status read_process_names(const std::string& path, const std::string& text,
                          std::vector<NamingRule>& rules, const Error& no_process_names) {
  const YamlDocument document = load_single_document(text);
  if (document.second) {
    return yaml_error(path, *document.second, "top level",
                      "a second YAML document; put process_names in the first");
  }
  std::optional<std::pair<YAML::Node, YAML::Node>> found;
  if (document.root.IsMap()) {
    for (const auto& entry : document.root) {
      if (!entry.first.IsScalar() || entry.first.Scalar() != "process_names") continue;
      if (found) {
        return yaml_error(path, entry.first.Mark(), "process_names",
                          "duplicate key; give each key once");
      }
      found.emplace(entry.first, entry.second);
    }
  }
  if (!found) return no_process_names;
  // process-exporter takes an empty list as no rules: so does this.
  if (found->second.IsNull()) return {};
  return RuleReader(path, rules).read(found->first, found->second, "process_names");
}

}  // namespace

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Status read_process_exporter_config(Config& config, const NodeInput& input) {
  const std::string key = "naming.process_exporter_config";
  if (!input.value.IsScalar()) {
    const std::string found = input.value.IsNull()
                                  ? "no value"
                                  : "expected a single value, found " + kind_of(input.value);
    return yaml_error(input.source, mark_of(input.key, input.value), key,
                      problem(found, kProcessExporterConfigAllowed));
  }
  const std::string& path = input.value.Scalar();
  if (has_control(path)) {
    return yaml_error(
        input.source, input.value.Mark(), key,
        problem(quote(path) + " has control characters", kProcessExporterConfigAllowed));
  }
  config.naming.process_exporter_config = path;
  return {};
}

Status read_naming_rules(Config& config, const NodeInput& input) {
  std::vector<NamingRule> rules;
  if (Status read = RuleReader(input.source, rules).read(input.key, input.value, "naming.rules");
      !read) {
    return read;
  }
  config.naming.rules = std::move(rules);
  return {};
}

Status read_interpreters(Config& config, const NodeInput& input) {
  const std::string key = "naming.interpreters";
  if (!input.value.IsSequence()) {
    const std::string found =
        input.value.IsNull() ? "no value" : "expected a list, found " + kind_of(input.value);
    return yaml_error(input.source, mark_of(input.key, input.value), key,
                      problem(found, kInterpretersAllowed));
  }
  std::vector<Interpreter> interpreters;
  for (const YAML::Node& item : input.value) {
    const std::string item_key = indexed(key, interpreters.size());
    Result<Interpreter> interpreter = read_interpreter(input.key, item, item_key, input.source);
    if (!interpreter) return interpreter.error();
    const bool twice = std::any_of(interpreters.begin(), interpreters.end(),
                                   [&](const Interpreter& i) { return i.exe == interpreter->exe; });
    if (twice) {
      return yaml_error(input.source, item["exe"].Mark(), item_key + ".exe",
                        quote(interpreter->exe) + " is given twice; give each executable once");
    }
    interpreters.push_back(std::move(interpreter).value());
  }
  config.naming.interpreters = std::move(interpreters);
  return {};
}

Status append_process_exporter_rules(Config& config, const std::string& source,
                                     const YAML::Mark& mark) {
  std::string& path = config.naming.process_exporter_config;
  if (path.empty()) return {};
  path = beside(source, path);
  const std::string key = "naming.process_exporter_config";
  Result<std::string> text = read_small_file(path, kMaxConfigBytes);
  if (!text) {
    return yaml_error(source, mark, key, problem(text.error().message, kProcessExporterAllowed));
  }
  const Error no_process_names = yaml_error(
      source, mark, key, problem(path + " has no process_names", kProcessExporterAllowed));
  try {
    return read_process_names(path, *text, config.naming.rules, no_process_names);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    return Error{path + ":" + std::to_string(line) + ": YAML syntax error: " + one_line(e.msg)};
  } catch (const std::exception& e) {
    return Error{path + ": cannot parse process-exporter's config file: " + one_line(e.what())};
  }
}

}  // namespace execmond::detail
