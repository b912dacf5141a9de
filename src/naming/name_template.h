// A rule's `name`: the subset of Go's text/template that process-exporter's
// names use. Text is copied; an action `{{ ... }}` holds one field:
//   {{.Comm}}          the kernel's command name
//   {{.ExeBase}}       argv[0]'s base name ({{.Comm}} when there is no argv)
//   {{.ExeFull}}       argv[0] ({{.Comm}} when there is no argv)
//   {{.Username}}      the user's name
//   {{.Matches.NAME}}  what the group (?P<NAME>...) of the rule's cmdline
//                      patterns captured
// Go's trim markers ({{- and -}}) and comments ({{/* ... */}}) are read as
// Go reads them. Everything else is refused when the rule is compiled, not
// when a process is named: {{.PID}} and {{.StartTime}} (a series per
// process), {{.Cgroups}} and {{.Cwd}} (not read at exec), pipes, functions,
// variables, keywords, and a NAME no pattern of the rule defines.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace execmond::naming {

// What a template may show of one process.
struct TemplateValues {
  std::string_view comm;
  std::string_view exe_base;
  std::string_view exe_full;
  std::string_view username;
  // .Matches: the value of each group slot the template was compiled with.
  std::vector<std::string_view> matches;
};

class NameTemplate {
 public:
  // `groups` names the rule's capture groups; .Matches.NAME renders
  // values.matches[the index of NAME in groups]. `where` starts each error:
  // "file:line: naming.rules[2].name".
  static Result<NameTemplate> compile(std::string_view text, const std::vector<std::string>& groups,
                                      const std::string& where);

  // The name, cut to kMaxNameBytes (naming/name_length.h).
  std::string render(const TemplateValues& values) const;

 private:
  enum class Field { Text, Comm, ExeBase, ExeFull, Username, Match };
  struct Piece {
    Field field = Field::Text;
    std::string text;       // Field::Text
    std::size_t group = 0;  // Field::Match
  };
  std::vector<Piece> pieces_;
};

}  // namespace execmond::naming
