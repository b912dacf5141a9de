#include "naming/namer.h"

#include <utility>
#include <vector>

#include "naming/name_length.h"
#include "naming/rule_matcher.h"
#include "naming/script_detector.h"

namespace execmond::naming {

struct Namer::Compiled {
  std::vector<RuleMatcher> rules;
  ScriptDetector scripts;
  Unmatched unmatched = Unmatched::Comm;
  std::string unmatched_name;
};

Namer::Namer(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

Result<Namer> Namer::compile(const NamingConfig& config) {
  auto compiled = std::make_shared<Compiled>();
  std::size_t patterns = 0;
  std::size_t from_file = 0;  // the process-exporter file's rules, counted on their own
  for (std::size_t i = 0; i < config.rules.size(); ++i) {
    const NamingRule& rule = config.rules[i];
    const bool in_file =
        !config.process_exporter_config.empty() && rule.source == config.process_exporter_config;
    const std::string key = in_file ? "process_names[" + std::to_string(from_file++) + "]"
                                    : "naming.rules[" + std::to_string(i - from_file) + "]";
    patterns += rule.cmdline.size();
    if (patterns > kMaxNamingPatterns) {
      return Error{
          (rule.source.empty() ? "" : rule.source + ":" + std::to_string(rule.line) + ": ") + key +
          ".cmdline: more than " + std::to_string(kMaxNamingPatterns) +
          " cmdline patterns in all the rules; merge rules, or select by comm or exe"};
    }
    auto matcher = RuleMatcher::compile(rule, key);
    if (!matcher) return matcher.error();
    compiled->rules.push_back(std::move(*matcher));
  }
  compiled->scripts = ScriptDetector(config.interpreters);
  compiled->unmatched = config.unmatched;
  compiled->unmatched_name = config.unmatched_name;
  cut_to_name_length(compiled->unmatched_name);
  return Namer(std::move(compiled));
}

Names Namer::name(const ProcessFacts& facts) const {
  Names names;
  names.script = compiled_->scripts.script(facts.comm, facts.argv);
  const RuleInput input(facts.comm, facts.argv, facts.username);
  for (const auto& rule : compiled_->rules) {
    if (auto program = rule.name(input)) {
      names.program = std::move(*program);
      return names;
    }
  }
  switch (compiled_->unmatched) {
    case Unmatched::Comm:
      names.program = facts.comm;
      break;
    case Unmatched::Script:
      names.program = names.script.empty() ? std::string(facts.comm) : names.script;
      break;
    case Unmatched::Fixed:
      names.program = compiled_->unmatched_name;
      break;
  }
  cut_to_name_length(names.program);
  return names;
}

}  // namespace execmond::naming
