#include "naming/name_template.h"

#include <algorithm>
#include <array>
#include <utility>

#include "config/values.h"
#include "naming/name_length.h"

namespace execmond::naming {

namespace {

// Go's text/template: the white space a trim marker removes, and what must
// follow "{{-" (or precede "-}}") for the dash to be a trim marker.
constexpr std::string_view kSpaces = " \t\r\n";
bool is_space(char c) { return kSpaces.find(c) != std::string_view::npos; }

constexpr std::string_view kUse =
    "use {{.Comm}}, {{.ExeBase}}, {{.ExeFull}}, {{.Username}} or {{.Matches.NAME}}";

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// ".A.B" as {A, B}; empty when `action` is anything but a chain of fields.
std::vector<std::string_view> field_chain(std::string_view action) {
  std::vector<std::string_view> chain;
  while (!action.empty()) {
    if (action.front() != '.') return {};
    action.remove_prefix(1);
    const auto end = std::find_if_not(action.begin(), action.end(), is_word) - action.begin();
    if (end == 0) return {};
    chain.push_back(action.substr(0, static_cast<std::size_t>(end)));
    action.remove_prefix(static_cast<std::size_t>(end));
  }
  return chain;
}

std::string list(const std::vector<std::string>& groups) {
  std::string out;
  for (const auto& g : groups) out += (out.empty() ? "" : ", ") + g;
  return out;
}

}  // namespace

Result<NameTemplate> NameTemplate::compile(std::string_view text,
                                           const std::vector<std::string>& groups,
                                           const std::string& where) {
  const std::string in = where + ": " + detail::quote(text) + ": ";
  NameTemplate compiled;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) compiled.pieces_.push_back({Field::Text, std::move(literal), 0});
    literal.clear();
  };
  while (!text.empty()) {
    const auto open = text.find("{{");
    if (open == std::string_view::npos) {
      literal += text;
      break;
    }
    std::string_view before = text.substr(0, open);
    std::string_view rest = text.substr(open + 2);
    if (rest.size() >= 2 && rest[0] == '-' && is_space(rest[1])) {  // "{{- "
      const auto keep = before.find_last_not_of(kSpaces);
      before = keep == std::string_view::npos ? std::string_view{} : before.substr(0, keep + 1);
      rest.remove_prefix(2);
    }
    literal += before;
    if (rest.starts_with("/*")) {  // as Go: the comment right after "{{" or "{{- "
      const auto end = rest.find("*/", 2);
      if (end == std::string_view::npos) {
        return Error{in + "a comment opened with {{/* is never closed; end it with */}}"};
      }
      text = rest.substr(end + 2);
      if (text.size() >= 4 && is_space(text[0]) && text.substr(1, 3) == "-}}") {
        const auto keep = text.find_first_not_of(kSpaces, 4);
        text = keep == std::string_view::npos ? std::string_view{} : text.substr(keep);
      } else if (text.starts_with("}}")) {
        text.remove_prefix(2);
      } else {
        return Error{in + "a comment must end with */}} right after its */; close it there"};
      }
      continue;
    }
    const auto close = rest.find("}}");
    if (close == std::string_view::npos) {
      return Error{in + "an action opened with {{ is never closed; end it with }}"};
    }
    std::string_view action = rest.substr(0, close);
    text = rest.substr(close + 2);
    if (action.size() >= 2 && action.back() == '-' && is_space(action[action.size() - 2])) {
      action.remove_suffix(1);  // " -}}"
      const auto keep = text.find_first_not_of(kSpaces);
      text = keep == std::string_view::npos ? std::string_view{} : text.substr(keep);
    }
    const auto first = action.find_first_not_of(kSpaces);
    action = first == std::string_view::npos
                 ? std::string_view{}
                 : action.substr(first, action.find_last_not_of(kSpaces) - first + 1);
    const auto chain = field_chain(action);
    const std::string shown = "{{" + std::string(action) + "}}";
    if (chain.empty()) {
      return Error{in + detail::quote(shown) +
                   " is not a field: names take fields only (no pipes, functions, variables or "
                   "keywords); " +
                   std::string(kUse)};
    }
    static constexpr std::array<std::pair<std::string_view, Field>, 4> kFields{{
        {"Comm", Field::Comm},
        {"ExeBase", Field::ExeBase},
        {"ExeFull", Field::ExeFull},
        {"Username", Field::Username},
    }};
    const auto* known = std::find_if(kFields.begin(), kFields.end(),
                                     [&](const auto& f) { return f.first == chain[0]; });
    if (known != kFields.end() && chain.size() == 1) {
      flush();
      compiled.pieces_.push_back({known->second, {}, 0});
      continue;
    }
    if (chain[0] == "PID" || chain[0] == "StartTime") {
      return Error{in + shown +
                   " makes a series per process, which the process counts do not keep apart; "
                   "name by what ran: " +
                   std::string(kUse)};
    }
    if (chain[0] == "Cgroups" || chain[0] == "Cwd") {
      return Error{in + shown +
                   " is not read when a process starts (the cgroup has its own labels); " +
                   std::string(kUse)};
    }
    if (chain[0] != "Matches" || chain.size() != 2) {
      return Error{in + detail::quote(shown) + " is not a field names may use; " +
                   std::string(kUse)};
    }
    const auto group = std::find(groups.begin(), groups.end(), chain[1]);
    if (group == groups.end()) {
      return Error{
          in + shown + " names a group no cmdline pattern of this rule defines (" +
          (groups.empty() ? std::string("it defines none") : "it defines " + list(groups)) +
          "); add (?P<" + std::string(chain[1]) + ">...) to a cmdline pattern"};
    }
    flush();
    compiled.pieces_.push_back(
        {Field::Match, {}, static_cast<std::size_t>(group - groups.begin())});
  }
  flush();
  return compiled;
}

std::string NameTemplate::render(const TemplateValues& values) const {
  std::string name;
  for (const auto& piece : pieces_) {
    std::string_view value;
    switch (piece.field) {
      case Field::Text:
        value = piece.text;
        break;
      case Field::Comm:
        value = values.comm;
        break;
      case Field::ExeBase:
        value = values.exe_base;
        break;
      case Field::ExeFull:
        value = values.exe_full;
        break;
      case Field::Username:
        value = values.username;
        break;
      case Field::Match:
        if (piece.group < values.matches.size()) value = values.matches[piece.group];
        break;
    }
    // One byte past the cap tells cut_to_name_length where a character ends.
    name.append(value.substr(0, kMaxNameBytes + 1 - std::min(name.size(), kMaxNameBytes + 1)));
  }
  cut_to_name_length(name);
  return name;
}

}  // namespace execmond::naming
