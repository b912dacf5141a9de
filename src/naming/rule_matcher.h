// One naming rule, compiled: its selectors (process-exporter's comm, exe and
// cmdline matchers) and its name template.
//   comm:    the kernel's command name equals one of the entries.
//   exe:     an entry without a '/' matches argv[0]'s base name; an entry
//            with one is looked up by its base name and then must equal all
//            of argv[0]. Entries are kept by base name, the later one
//            winning, as process-exporter keeps them in a map: [/a/x, x]
//            matches any x. No argv: no match.
//   cmdline: every pattern must match somewhere in the arguments joined by
//            single spaces (argv[0] included); the named groups fill
//            .Matches, a later pattern's group replacing an earlier one of
//            the same name, a group that took no part giving "".
// Every selector the rule gives must match. A rule with none is an error,
// as it is for process-exporter.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "config/naming_config.h"
#include "naming/match_text.h"
#include "naming/name_template.h"
#include "util/error.h"

namespace execmond::naming {

// One process as the rules read it. The joined command line is made the
// first time a cmdline pattern needs it, once for all the rules.
class RuleInput {
 public:
  RuleInput(std::string_view comm, std::span<const std::string> argv, std::string_view username)
      : comm_(comm), argv_(argv), username_(username) {}
  std::string_view comm() const { return comm_; }
  std::span<const std::string> argv() const { return argv_; }
  std::string_view username() const { return username_; }
  const MatchText& joined() const;

 private:
  std::string_view comm_;
  std::span<const std::string> argv_;
  std::string_view username_;
  mutable std::optional<MatchText> joined_;
};

class RuleMatcher {
 public:
  // `key` is where the rule stands, for errors: "naming.rules[2]".
  static Result<RuleMatcher> compile(const NamingRule& rule, const std::string& key);

  // The rule's name for the process, or nullopt when the rule does not match.
  std::optional<std::string> name(const RuleInput& input) const;

 private:
  struct Pattern {
    std::shared_ptr<const RE2> re;
    std::vector<std::pair<int, std::size_t>> groups;  // RE2 group index, slot in .Matches
    int submatches = 0;  // how many RE2 must report: 0 or 1 + max index
  };
  bool has_comm_ = false;
  std::unordered_set<std::string> comms_;
  bool has_exe_ = false;
  std::unordered_map<std::string, std::string> exes_;  // base name -> full path, "" for any
  std::vector<Pattern> patterns_;
  std::size_t slots_ = 0;
  NameTemplate template_;
};

}  // namespace execmond::naming
