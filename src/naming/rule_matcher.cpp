#include "naming/rule_matcher.h"

#include <algorithm>

#include "config/regex.h"
#include "config/values.h"
#include "naming/command_line.h"

namespace execmond::naming {

const MatchText& RuleInput::joined() const {
  if (!joined_) joined_.emplace(join_arguments(argv_));
  return *joined_;
}

Result<RuleMatcher> RuleMatcher::compile(const NamingRule& rule, const std::string& key) {
  const std::string at =
      (rule.source.empty() ? "" : rule.source + ":" + std::to_string(rule.line) + ": ") + key;
  if (rule.comm.empty() && rule.exe.empty() && rule.cmdline.empty()) {
    return Error{at +
                 ": the rule has no selector, so it would name every process; give it comm, "
                 "exe or cmdline (cmdline: ['.+'] to name every process with a command line)"};
  }
  if (rule.cmdline.size() > kMaxRegexesPerList) {
    return Error{at + ".cmdline: " + std::to_string(rule.cmdline.size()) +
                 " patterns; a rule may have at most " + std::to_string(kMaxRegexesPerList) +
                 ": join them or split the rule"};
  }
  RuleMatcher matcher;
  matcher.has_comm_ = !rule.comm.empty();
  matcher.comms_.insert(rule.comm.begin(), rule.comm.end());
  matcher.has_exe_ = !rule.exe.empty();
  for (const auto& exe : rule.exe) {
    const bool has_slash = exe.find('/') != std::string::npos;
    matcher.exes_.insert_or_assign(std::string(path_base(exe)), has_slash ? exe : std::string());
  }
  std::vector<std::string> groups;  // .Matches' names, a slot each
  for (std::size_t i = 0; i < rule.cmdline.size(); ++i) {
    const std::string& text = rule.cmdline[i];
    auto re = compile_regex(text);
    if (!re) {
      return Error{at + ".cmdline[" + std::to_string(i) + "]: " + detail::quote(text) + ": " +
                   re.error().message + "; write it in RE2 syntax (Go's regexp syntax)"};
    }
    Pattern pattern{*re, {}, 0};
    for (const auto& [name, index] : pattern.re->NamedCapturingGroups()) {
      auto slot = std::find(groups.begin(), groups.end(), name);
      if (slot == groups.end()) slot = groups.insert(groups.end(), name);
      pattern.groups.emplace_back(index, static_cast<std::size_t>(slot - groups.begin()));
      pattern.submatches = std::max(pattern.submatches, index + 1);
    }
    matcher.patterns_.push_back(std::move(pattern));
  }
  matcher.slots_ = groups.size();
  const std::string& text = rule.name.empty() ? std::string("{{.ExeBase}}") : rule.name;
  auto compiled = NameTemplate::compile(text, groups, at + ".name");
  if (!compiled) return compiled.error();
  matcher.template_ = std::move(*compiled);
  return matcher;
}

std::optional<std::string> RuleMatcher::name(const RuleInput& input) const {
  const auto argv = input.argv();
  if (has_comm_ && !comms_.contains(std::string(input.comm()))) return std::nullopt;
  if (has_exe_) {
    if (argv.empty()) return std::nullopt;
    const auto found = exes_.find(std::string(path_base(argv[0])));
    if (found == exes_.end()) return std::nullopt;
    if (!found->second.empty() && found->second != argv[0]) return std::nullopt;
  }
  std::vector<std::string_view> matches(slots_);
  std::vector<re2::StringPiece> captured;
  for (const auto& pattern : patterns_) {
    const MatchText& joined = input.joined();
    const std::string_view text = joined.text();
    captured.assign(static_cast<std::size_t>(pattern.submatches), re2::StringPiece());
    if (!pattern.re->Match(text, 0, text.size(), RE2::UNANCHORED, captured.data(),
                           pattern.submatches)) {
      return std::nullopt;
    }
    for (const auto& [index, slot] : pattern.groups) {
      const auto& piece = captured[static_cast<std::size_t>(index)];
      matches[slot] = joined.original_of(std::string_view(piece.data(), piece.size()));
    }
  }
  // process-exporter's ExeBase and ExeFull: from argv[0], or the comm without one.
  const std::string_view exe_full = argv.empty() ? input.comm() : std::string_view(argv[0]);
  const std::string_view exe_base = argv.empty() ? input.comm() : path_base(argv[0]);
  return template_.render({input.comm(), exe_base, exe_full, input.username(), std::move(matches)});
}

}  // namespace execmond::naming
