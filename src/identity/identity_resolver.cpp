#include "identity/identity_resolver.h"

#include <bpf/bpf.h>

#include "execmond.h"
#include "identity/cgroup_path.h"
#include "util/label_text.h"

namespace execmond {

SourcesNeeded SourcesNeeded::of(const Config& config) {
  const LabelConfig& l = config.labels;
  auto filters_use = [&](auto member) {
    return !(config.include.*member).empty() || !(config.exclude.*member).empty();
  };
  SourcesNeeded n;
  n.exe = l.uses(LabelSource::Exe) || filters_use(&FilterRules::exe) ||
          filters_use(&FilterRules::exe_regex);
  n.cgroup = l.uses(LabelSource::Cgroup) || l.uses(LabelSource::Unit) ||
             l.uses(LabelSource::ContainerId) || filters_use(&FilterRules::unit) ||
             filters_use(&FilterRules::cgroup_prefix);
  n.user = l.uses(LabelSource::User);
  return n;
}

IdentityResolver::IdentityResolver(int exe_paths_fd, std::size_t max_entries)
    : exe_paths_fd_(exe_paths_fd), max_entries_(max_entries) {}

Identity IdentityResolver::resolve(const ProcessIds& ids) {
  Identity who;
  who.comm = ids.comm;
  who.uid = std::to_string(ids.uid);
  if (needed_.user) who.user = to_valid_utf8(users_.name_of(ids.uid));
  if (needed_.exe) who.exe = exe(ids.exe_ino, ids.exe_dev);
  if (needed_.cgroup) {
    const CgroupInfo& c = cgroup(ids.cgroup_id);
    who.cgroup = c.path;
    who.unit = c.unit;
    who.container_id = c.container_id;
  }
  return who;
}

const IdentityResolver::CgroupInfo& IdentityResolver::cgroup(std::uint64_t id) {
  if (auto it = cgroup_info_.find(id); it != cgroup_info_.end()) return it->second;
  if (cgroup_info_.size() >= max_entries_) cgroup_info_.clear();  // bounded memory
  std::string path = to_valid_utf8(cgroups_.path_of(id));
  CgroupInfo info{path, systemd_unit_of(path), container_id_of(path)};
  // A cgroup removed before we asked stays unknown; ask again next time.
  if (path.empty()) {
    static const CgroupInfo kUnknown;
    return kUnknown;
  }
  return cgroup_info_.emplace(id, std::move(info)).first->second;
}

const std::string& IdentityResolver::exe(std::uint64_t ino, std::uint32_t dev) {
  static const std::string kUnknown;
  if (ino == 0 || exe_paths_fd_ < 0) return kUnknown;
  auto key = std::make_pair(ino, dev);
  if (auto it = exes_.find(key); it != exes_.end()) return it->second;
  execmond_exe_key k{ino, dev, 0};
  execmond_exe_path p{};
  if (bpf_map_lookup_elem(exe_paths_fd_, &k, &p) != 0) return kUnknown;
  if (exes_.size() >= max_entries_) exes_.clear();
  std::string path(p.path, strnlen(p.path, sizeof(p.path)));
  return exes_.emplace(key, to_valid_utf8(path)).first->second;
}

}  // namespace execmond
