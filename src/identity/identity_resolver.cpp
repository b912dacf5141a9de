#include "identity/identity_resolver.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <utility>

#include "execmond.h"
#include "identity/cgroup_path.h"
#include "identity/pod_uid.h"
#include "util/label_text.h"

namespace execmond {

SourcesNeeded SourcesNeeded::of_labels(const Config& config) {
  const LabelConfig& l = config.labels;
  auto filters_use = [&](auto member) {
    return !(config.include.*member).empty() || !(config.exclude.*member).empty();
  };
  SourcesNeeded n;
  n.exe = l.uses(LabelSource::Exe) || filters_use(&FilterRules::exe) ||
          filters_use(&FilterRules::exe_regex);
  n.pod_uid = l.uses(LabelSource::PodUid);
  n.pod = l.uses(LabelSource::Pod);
  n.pod_namespace = l.uses(LabelSource::Namespace);
  n.container = l.uses(LabelSource::Container);
  // The runtime's state is found by the container id in the cgroup path.
  n.cgroup = l.uses(LabelSource::Cgroup) || l.uses(LabelSource::Unit) ||
             l.uses(LabelSource::ContainerId) || n.pod_uid || n.runtime_names() ||
             filters_use(&FilterRules::unit) || filters_use(&FilterRules::cgroup_prefix);
  n.cgroup_label = l.uses(LabelSource::Cgroup);
  n.unit = l.uses(LabelSource::Unit);
  n.container_id = l.uses(LabelSource::ContainerId);
  // Naming templates may use {{.Username}}.
  n.user = l.uses(LabelSource::User) || l.uses(LabelSource::Program);
  return n;
}

SourcesNeeded SourcesNeeded::of(const Config& config) {
  SourcesNeeded n = of_labels(config);
  if (config.records.enabled) {
    // A record says who the process was whatever the labels carry, from
    // what needs no privilege. The runtime's names (pod, namespace,
    // container) need its state, read with CAP_DAC_READ_SEARCH, and only
    // where the labels have the daemon keep that.
    n.exe = n.cgroup = n.cgroup_label = n.unit = n.container_id = n.user = n.pod_uid = true;
  }
  return n;
}

IdentityResolver::IdentityResolver(int exe_paths_fd, std::size_t max_entries)
    : IdentityResolver(exe_paths_fd, nullptr, max_entries) {}

IdentityResolver::IdentityResolver(int exe_paths_fd, CgroupPathOf cgroup_path_of,
                                   std::size_t max_entries)
    : exe_paths_fd_(exe_paths_fd),
      max_entries_(max_entries),
      // Given paths leave the host's cgroup2 mount alone.
      cgroups_(cgroup_path_of ? std::string() : CgroupResolver::find_cgroup2_mount()),
      cgroup_path_of_(std::move(cgroup_path_of)),
      directory_(max_entries) {
  if (!cgroup_path_of_) {
    cgroup_path_of_ = [this](std::uint64_t id) { return cgroups_.path_of(id); };
  }
}

void IdentityResolver::set_runtime_state(const RuntimeStatePaths& paths) {
  if (paths == runtime_state_) return;
  runtime_state_ = paths;
  names_.clear();
}

Identity IdentityResolver::resolve(const ProcessIds& ids) {
  Identity who;
  who.comm = ids.comm;
  who.uid = std::to_string(ids.uid);
  if (needed_.user) who.user = to_valid_utf8(users_.name_of(ids.uid));
  if (needed_.exe) who.exe = exe({ids.exe_ino, ids.exe_dev, ids.exe_generation});
  if (needed_.cgroup) {
    const CgroupInfo& c = cgroup(ids.cgroup_id);
    who.cgroup = c.path;
    who.unit = c.unit;
    who.container_id = c.container_id;
    if (needed_.pod_uid) who.pod_uid = c.pod_uid;
    if (needed_.runtime_names() && !c.container_id.empty()) {
      const ContainerNames& n = names(c.container_id);
      who.pod = n.pod;
      who.pod_namespace = n.pod_namespace;
      who.container = n.container;
    }
  }
  return who;
}

std::size_t IdentityResolver::seed_cgroups() { return directory_.seed(cgroups_.mount()); }

void IdentityResolver::cgroup_made(std::uint64_t id, std::uint64_t parent_id,
                                   const std::string& name) {
  directory_.made(id, parent_id, name, cgroup_path_of_);
  if (!needed_.runtime_names()) return;
  const std::optional<std::string> path = directory_.path_of(id);
  if (!path) return;
  const std::string container_id = container_id_of(*path);
  if (container_id.empty() || names_.contains(container_id)) return;
  // Read while the container exists: `podman run --rm` and `ctr run --rm`
  // delete the state with the container. A runtime that has not written it
  // yet is asked again at the drain, which counts the failure.
  Result<KubernetesNames> found = names_of_container(runtime_state_, container_id);
  if (!found) return;
  if (names_.size() >= max_entries_) names_.clear();  // bounded memory
  names_.emplace(container_id,
                 ContainerNames{to_valid_utf8(found->pod), to_valid_utf8(found->pod_namespace),
                                to_valid_utf8(found->container)});
}

void IdentityResolver::cgroup_removed(std::uint64_t id) { directory_.removed(id); }

void IdentityResolver::count_unresolved(std::uint64_t cgroup_id) {
  if (unresolved_cgroups_.size() >= max_entries_) unresolved_cgroups_.clear();  // bounded memory
  if (!unresolved_cgroups_.insert(cgroup_id).second) return;
  spdlog::debug("cgroup {} has no path (removed before it was learned): its labels are empty",
                cgroup_id);
  count_failure(needed_.cgroup_label, LabelSource::Cgroup);
  count_failure(needed_.unit, LabelSource::Unit);
  count_failure(needed_.container_id, LabelSource::ContainerId);
  count_failure(needed_.pod_uid, LabelSource::PodUid);
  count_failure(needed_.pod, LabelSource::Pod);
  count_failure(needed_.pod_namespace, LabelSource::Namespace);
  count_failure(needed_.container, LabelSource::Container);
}

const IdentityResolver::CgroupInfo& IdentityResolver::cgroup(std::uint64_t id) {
  if (auto it = cgroup_info_.find(id); it != cgroup_info_.end()) return it->second;
  if (cgroup_info_.size() >= max_entries_) cgroup_info_.clear();  // bounded memory
  std::optional<std::string> learned = directory_.path_of(id);
  std::string path = to_valid_utf8(learned ? *learned : cgroup_path_of_(id));
  // A cgroup removed before it was learned stays unknown; ask again next time.
  if (path.empty()) {
    count_unresolved(id);
    static const CgroupInfo kUnknown;
    return kUnknown;
  }
  CgroupInfo info{path, systemd_unit_of(path), container_id_of(path), pod_uid_of(path)};
  return cgroup_info_.emplace(id, std::move(info)).first->second;
}

// Read once per container id, at the first drain that sees one of its
// cgroups: a process that has exited by then still gets the names, which the
// runtime keeps while the container exists.
const IdentityResolver::ContainerNames& IdentityResolver::names(const std::string& container_id) {
  if (auto it = names_.find(container_id); it != names_.end()) return it->second;
  if (names_.size() >= max_entries_) names_.clear();  // bounded memory
  ContainerNames names;
  Result<KubernetesNames> found = names_of_container(runtime_state_, container_id);
  if (found) {
    names = {to_valid_utf8(found->pod), to_valid_utf8(found->pod_namespace),
             to_valid_utf8(found->container)};
  } else {
    // Cached empty as well: a container whose state cannot be read is not
    // read again on every drain, and counts once.
    spdlog::warn("pod, namespace and container labels of container {} are empty: {}", container_id,
                 found.error().message);
    count_failure(needed_.pod, LabelSource::Pod);
    count_failure(needed_.pod_namespace, LabelSource::Namespace);
    count_failure(needed_.container, LabelSource::Container);
  }
  return names_.emplace(container_id, std::move(names)).first->second;
}

const std::string& IdentityResolver::exe(const ExeFile& file) {
  static const std::string kUnknown;
  const auto& [ino, dev, generation] = file;
  if (ino == 0 || exe_paths_fd_ < 0) return kUnknown;
  if (auto it = exes_.find(file); it != exes_.end()) return it->second;
  execmond_exe_key k{ino, dev, generation};
  execmond_exe_path p{};
  if (bpf_map_lookup_elem(exe_paths_fd_, &k, &p) != 0) {
    if (exes_unresolved_.size() >= max_entries_) exes_unresolved_.clear();  // bounded memory
    if (exes_unresolved_.insert(file).second) {
      spdlog::warn(
          "exe label of the executable with inode {} on device {}:{} is empty: the kernel's "
          "exe_paths map lacks its path (evicted after more executables ran than it holds, or "
          "not stored: see execmond_bpf_map_update_failures_total)",
          ino, dev >> 20U, dev & 0xfffffU);
      ++failures_[static_cast<std::size_t>(LabelSource::Exe)];
    }
    return kUnknown;
  }
  exes_unresolved_.erase(file);
  if (exes_.size() >= max_entries_) exes_.clear();
  std::string path(p.path, strnlen(p.path, sizeof(p.path)));
  return exes_.emplace(file, to_valid_utf8(path)).first->second;
}

}  // namespace execmond
