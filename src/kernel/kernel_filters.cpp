#include "kernel/kernel_filters.h"

#include <bpf/bpf.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "execmond.h"
#include "kernel/tracer.h"

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

namespace {

// Empties a small hash map key by key (it holds at most a few thousand rules).
template <typename Key>
Status clear_map(int fd) {
  Key key{};
  while (bpf_map_get_next_key(fd, nullptr, &key) == 0) {
    if (bpf_map_delete_elem(fd, &key) != 0) {
      return Error{std::string("cannot remove a kernel filter rule: ") + std::strerror(errno)};
    }
  }
  return {};
}

template <typename Key>
Status put_rule(int fd, const Key& key, std::uint8_t flags) {
  if (bpf_map_update_elem(fd, &key, &flags, BPF_ANY) != 0) {
    return Error{std::string("cannot add a kernel filter rule: ") + std::strerror(errno) +
                 "; the daemon still applies it"};
  }
  return {};
}

// Keeps the first failure and goes on: every rule that can be placed is.
void keep_first(Status& first, Status next) {
  if (first && !next) first = std::move(next);
}

// What the maps can be trusted with once the rules are written.
struct Placed {
  Status status;
  bool cleared = true;          // no rule of an earlier set is left behind
  bool includes_placed = true;  // every include rule is in
};

template <typename Key>
void place(Placed& placed, int fd, const Key& key, std::uint8_t flags) {
  Status put = put_rule(fd, key, flags);
  if (!put && (flags & EXECMOND_FILTER_INCLUDE) != 0) placed.includes_placed = false;
  keep_first(placed.status, std::move(put));
}

// The active bits the maps' contents allow. An include rule that is not in
// a map must not let the kernel drop what only that rule keeps: then the
// kernel leaves includes to the daemon. A rule of the previous set that
// could not be removed may exclude what the new set keeps: then the kernel
// filters nothing and the daemon applies every rule.
std::uint32_t active_for(const KernelFilters& filters, const Placed& placed) {
  if (!placed.cleared) return 0;
  std::uint32_t active = filters.active;
  if (!placed.includes_placed)
    active &= ~static_cast<std::uint32_t>(EXECMOND_FILTER_INCLUDE_IN_KERNEL);
  return active;
}

}  // namespace

Status apply_kernel_filters(const Tracer& tracer, const KernelFilters& filters) {
  const Tracer::Globals& g = tracer.globals();
  const Tracer::FilterMaps& maps = tracer.filter_maps();
  // Off while the maps change, so no handler sees half a rule set.
  __atomic_store_n(g.filter_active, 0U, __ATOMIC_RELEASE);
  Placed placed;
  for (Status cleared : {clear_map<std::array<char, EXECMOND_COMM_LEN>>(maps.comm),
                         clear_map<std::uint32_t>(maps.uid), clear_map<execmond_exe_key>(maps.exe),
                         clear_map<std::uint64_t>(maps.cgroup)}) {
    if (!cleared) placed.cleared = false;
    keep_first(placed.status, std::move(cleared));
  }
  for (const auto& [comm, flags] : filters.comm) {
    std::array<char, EXECMOND_COMM_LEN> key{};
    comm.copy(key.data(), key.size() - 1);
    place(placed, maps.comm, key, flags);
  }
  for (const auto& [uid, flags] : filters.uid) place(placed, maps.uid, uid, flags);
  for (const auto& [file, flags] : filters.exe) {
    place(placed, maps.exe, execmond_exe_key{file.first, file.second, 0}, flags);
  }
  for (const auto& [id, flags] : filters.cgroup) place(placed, maps.cgroup, id, flags);
  __atomic_store_n(g.self_tgid, filters.self_tgid, __ATOMIC_RELEASE);
  __atomic_store_n(g.filter_active, active_for(filters, placed), __ATOMIC_RELEASE);
  return placed.status;
}

}  // namespace execmond
