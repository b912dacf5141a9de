#include "metrics/filter.h"

#include <algorithm>
#include <charconv>

namespace execmond {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool any_full_match(const std::vector<std::shared_ptr<const RE2>>& patterns,
                    const std::string& value) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::shared_ptr<const RE2>& re) { return full_match(*re, value); });
}

// The config loader has already compiled every pattern with the same options,
// so failing here is a broken invariant, not bad input.
void compile_into(std::vector<std::shared_ptr<const RE2>>& out,
                  const std::vector<std::string>& patterns) {
  for (const std::string& pattern : patterns) {
    auto compiled = compile_regex(pattern);
    if (!compiled) throw Fatal("filter: " + compiled.error().message);
    out.push_back(std::move(compiled).value());
  }
}

}  // namespace

bool cgroup_under(const std::string& path, const std::string& prefix) {
  std::string p = prefix;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p == "/") return !path.empty();
  if (path.compare(0, p.size(), p) != 0) return false;
  return path.size() == p.size() || path[p.size()] == '/';
}

Filter::Filter(const FilterRules& include, const FilterRules& exclude)
    : include_(compile(include)),
      exclude_(compile(exclude)),
      has_include_(!include.empty()),
      has_exclude_(!exclude.empty()) {}

Filter::Compiled Filter::compile(const FilterRules& rules) {
  Compiled c{rules, {}, {}};
  compile_into(c.comm_regex, rules.comm_regex);
  compile_into(c.exe_regex, rules.exe_regex);
  return c;
}

bool Filter::matches(const Compiled& c, const Identity& who) {
  const FilterRules& r = c.rules;
  if (contains(r.comm, who.comm) || any_full_match(c.comm_regex, who.comm)) return true;
  if (!who.exe.empty() && (contains(r.exe, who.exe) || any_full_match(c.exe_regex, who.exe))) {
    return true;
  }
  if (!who.unit.empty() && contains(r.unit, who.unit)) return true;
  if (!who.cgroup.empty() &&
      std::any_of(r.cgroup_prefix.begin(), r.cgroup_prefix.end(),
                  [&](const std::string& prefix) { return cgroup_under(who.cgroup, prefix); })) {
    return true;
  }
  std::uint32_t uid = 0;
  const char* end = who.uid.data() + who.uid.size();
  if (!who.uid.empty() && std::from_chars(who.uid.data(), end, uid).ptr == end) {
    return std::find(r.uid.begin(), r.uid.end(), uid) != r.uid.end();
  }
  return false;
}

bool Filter::keeps(const Identity& who) const {
  if (has_exclude_ && matches(exclude_, who)) return false;
  return !has_include_ || matches(include_, who);
}

}  // namespace execmond
