// The include/exclude rules of the config, compiled. The daemon applies them
// to every record (the authoritative check); the kernel applies the subset it
// can (exact comm, exe and uid, cgroup subtrees) so filtered events cost
// nothing after the handler.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/regex.h"
#include "identity/identity.h"

namespace execmond {

class Filter {
 public:
  Filter() = default;
  Filter(const FilterRules& include, const FilterRules& exclude);

  // Kept when there is no include rule or one matches, and no exclude rule matches.
  bool keeps(const Identity& who) const;
  bool empty() const { return !has_include_ && !has_exclude_; }

 private:
  struct Compiled {
    FilterRules rules;
    std::vector<std::shared_ptr<const RE2>> comm_regex;
    std::vector<std::shared_ptr<const RE2>> exe_regex;
  };
  static Compiled compile(const FilterRules& rules);
  static bool matches(const Compiled& c, const Identity& who);

  Compiled include_;
  Compiled exclude_;
  bool has_include_ = false;
  bool has_exclude_ = false;
};

// Whether `path` is `prefix` or lies under it, comparing whole components:
// "/system.slice" covers "/system.slice/cron.service", not "/system.slice2".
bool cgroup_under(const std::string& path, const std::string& prefix);

}  // namespace execmond
