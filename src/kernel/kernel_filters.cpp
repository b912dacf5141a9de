#include "kernel/kernel_filters.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "execmond.h"

namespace execmond {

namespace {

// The kernel's dev_t (super_block->s_dev) packs major << 20 | minor, unlike
// the st_dev that stat() returns.
std::uint32_t kernel_dev(dev_t dev) {
  return static_cast<std::uint32_t>((major(dev) << 20) | minor(dev));
}

// Adds one side's rules with `flag`; returns false if some rule could not be placed.
bool add_rules(const FilterRules& rules, std::uint8_t flag, const std::string& cgroup2_mount,
               bool exe_recorded, KernelFilters& out) {
  bool all_placed = rules.comm_regex.empty() && rules.exe_regex.empty() && rules.unit.empty();
  for (const std::string& comm : rules.comm) out.comm[comm] |= flag;
  for (std::uint32_t uid : rules.uid) out.uid[uid] |= flag;
  for (const std::string& path : rules.exe) {
    struct stat st {};
    if (!exe_recorded || stat(path.c_str(), &st) != 0) {
      all_placed = false;
      continue;
    }
    out.exe[{st.st_ino, kernel_dev(st.st_dev)}] |= flag;
  }
  for (const std::string& prefix : rules.cgroup_prefix) {
    struct stat st {};
    if (cgroup2_mount.empty() || stat((cgroup2_mount + prefix).c_str(), &st) != 0 ||
        !S_ISDIR(st.st_mode)) {
      all_placed = false;
      continue;
    }
    out.cgroup[st.st_ino] |= flag;  // a cgroup v2 id is its directory's inode number
  }
  return all_placed;
}

}  // namespace

KernelFilters compile_kernel_filters(const Config& config, const std::string& cgroup2_mount,
                                     pid_t self, bool exe_recorded) {
  KernelFilters k;
  const bool include_placed =
      add_rules(config.include, EXECMOND_FILTER_INCLUDE, cgroup2_mount, exe_recorded, k);
  add_rules(config.exclude, EXECMOND_FILTER_EXCLUDE, cgroup2_mount, exe_recorded, k);
  if (!k.comm.empty()) k.active |= EXECMOND_FILTER_COMM;
  if (!k.uid.empty()) k.active |= EXECMOND_FILTER_UID;
  if (!k.exe.empty()) k.active |= EXECMOND_FILTER_EXE;
  if (!k.cgroup.empty()) k.active |= EXECMOND_FILTER_CGROUP;
  if (!config.include.empty() && include_placed) k.active |= EXECMOND_FILTER_INCLUDE_IN_KERNEL;
  if (config.exclude_self) k.self_tgid = static_cast<std::uint32_t>(self);
  return k;
}

}  // namespace execmond
