#include "identity/runtime_state.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/small_file.h"

namespace execmond {

namespace {

using nlohmann::json;

// State files are a few KiB; anything near this is not one.
constexpr std::size_t kMaxStateBytes = std::size_t{4} << 20;
constexpr std::size_t kContainerIdLength = 64;
constexpr std::size_t kShortIdLength = 12;

// containerd's CRI plugin (pkg/cri/annotations).
constexpr const char* kCriSandboxName = "io.kubernetes.cri.sandbox-name";
constexpr const char* kCriSandboxNamespace = "io.kubernetes.cri.sandbox-namespace";
constexpr const char* kCriContainerName = "io.kubernetes.cri.container-name";
constexpr const char* kCriContainerType = "io.kubernetes.cri.container-type";

// The kubelet's labels, which CRI-O copies into the spec's annotations and
// cri-dockerd into Docker's labels.
constexpr const char* kKubePodName = "io.kubernetes.pod.name";
constexpr const char* kKubePodNamespace = "io.kubernetes.pod.namespace";
constexpr const char* kKubeContainerName = "io.kubernetes.container.name";
// What CRI-O and cri-dockerd label a pod's sandbox (pause) container with: the
// kubelet's "POD", which no real container can be called (container names are
// lowercase DNS labels). Reported as "", as containerd's sandbox is.
constexpr std::string_view kSandboxContainerName = "POD";

bool is_container_id(std::string_view text) {
  return text.size() == kContainerIdLength && std::ranges::all_of(text, [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// True if `path` exists; false if it does not (nor a directory on the way);
// an Error if it cannot be told (a directory the daemon may not search).
Result<bool> is_present(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) return false;
  if (error) return Error{"cannot read " + path + ": " + error.message()};
  return true;
}

// The JSON object in `path`.
Result<json> read_json_object(const std::string& path) {
  auto text = read_small_file(path, kMaxStateBytes);
  if (!text) return text.error();
  json document;
  try {
    document = json::parse(*text);
  } catch (const json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, ...".
    std::string_view why = e.what();
    if (const auto end_of_tag = why.find("] "); end_of_tag != std::string_view::npos) {
      why.remove_prefix(end_of_tag + 2);
    }
    return Error{path + ": not JSON: " + std::string(why)};
  }
  if (!document.is_object()) {
    return Error{path + ": holds a JSON " + document.type_name() + ", not an object"};
  }
  return document;
}

// The object at `key` of `parent` (`where` + `key` names it for errors): an
// empty object when the key is absent or null, an Error when it is something else.
Result<json> optional_object(const json& parent, const char* key, const std::string& where) {
  const auto found = parent.find(key);
  if (found == parent.end() || found->is_null()) return json::object();
  if (!found->is_object()) {
    return Error{where + key + " is a " + found->type_name() + ", not an object"};
  }
  return *found;
}

// The string at `key` of `object`: "" when absent, an Error when not a string.
Result<std::string> optional_string(const json& object, const char* key, const std::string& where) {
  const auto found = object.find(key);
  if (found == object.end()) return std::string();
  if (!found->is_string()) {
    return Error{where + " \"" + key + "\" is a " + found->type_name() + ", not a string"};
  }
  return found->get<std::string>();
}

// The three names under the given keys of `object`.
Result<KubernetesNames> names_at(const json& object, const std::array<const char*, 3>& keys,
                                 const std::string& where) {
  auto pod = optional_string(object, keys[0], where);
  if (!pod) return pod.error();
  auto pod_namespace = optional_string(object, keys[1], where);
  if (!pod_namespace) return pod_namespace.error();
  auto container = optional_string(object, keys[2], where);
  if (!container) return container.error();
  return KubernetesNames{std::move(*pod), std::move(*pod_namespace), std::move(*container)};
}

// The OCI spec's annotations (optional in the spec, so absent is empty).
Result<json> annotations_of_spec(const std::string& path) {
  auto spec = read_json_object(path);
  if (!spec) return spec.error();
  return optional_object(*spec, "annotations", path + ": ");
}

Result<KubernetesNames> names_from_containerd(const std::string& path) {
  auto annotations = annotations_of_spec(path);
  if (!annotations) return annotations.error();
  const std::string where = path + ": annotations";
  auto names =
      names_at(*annotations, {kCriSandboxName, kCriSandboxNamespace, kCriContainerName}, where);
  if (!names) return names;
  auto type = optional_string(*annotations, kCriContainerType, where);
  if (!type) return type.error();
  if (*type == "sandbox") names->container.clear();
  return names;
}

// The kubelet's labels, as CRI-O, cri-dockerd and (when given) Podman keep them.
Result<KubernetesNames> names_from_kubelet_labels(const json& labels, const std::string& where) {
  auto names = names_at(labels, {kKubePodName, kKubePodNamespace, kKubeContainerName}, where);
  if (names && names->container == kSandboxContainerName) names->container.clear();
  return names;
}

Result<KubernetesNames> names_from_crio(const std::string& path) {
  auto annotations = annotations_of_spec(path);
  if (!annotations) return annotations.error();
  return names_from_kubelet_labels(*annotations, path + ": annotations");
}

Result<KubernetesNames> names_from_docker(const std::string& path) {
  auto record = read_json_object(path);
  if (!record) return record.error();
  const auto config = record->find("Config");
  if (config == record->end() || !config->is_object()) {
    return Error{path +
                 ": lacks the object Config; not a Docker container record (config.v2.json)"};
  }
  auto labels = optional_object(*config, "Labels", path + ": Config.");
  if (!labels) return labels.error();
  if (labels->contains(kKubePodName)) {
    return names_from_kubelet_labels(*labels, path + ": Config.Labels");
  }
  // A container Docker ran itself: its name, which Docker writes as "/name".
  auto name = optional_string(*record, "Name", path + ":");
  if (!name) return name.error();
  if (name->starts_with('/')) name->erase(0, 1);
  return KubernetesNames{.pod = "", .pod_namespace = "", .container = std::move(*name)};
}

// Podman keeps a container's name in its database (libpod's state), not in the
// spec, and none of its own annotations (io.podman.annotations.*) carries it;
// reading that database is left out. So a container's names are the kubelet's
// keys when someone set them as annotations (podman run --annotation
// io.kubernetes.pod.name=...), else "".
Result<KubernetesNames> names_from_podman(const std::string& path) {
  auto annotations = annotations_of_spec(path);
  if (!annotations) return annotations.error();
  return names_from_kubelet_labels(*annotations, path + ": annotations");
}

// containerd's state file for `id`: "<root>/<namespace>/<id>/config.json" in
// the first namespace (by name) that has it; "" when none does or there is no root.
Result<std::string> containerd_state_file(const std::string& root, const std::string& id) {
  std::error_code error;
  std::vector<std::string> namespaces;
  // Stepped with increment(error), as a range-for's ++ throws.
  for (std::filesystem::directory_iterator entry(root, error), end; !error && entry != end;
       entry.increment(error)) {
    auto name = entry->path().filename().string();
    // Docker's own: its record in /var/lib/docker has the names, this copy does not.
    if (name != "moby") namespaces.push_back(std::move(name));
  }
  if (error == std::errc::no_such_file_or_directory || error == std::errc::not_a_directory) {
    return std::string();
  }
  if (error) return Error{"cannot list " + root + ": " + error.message()};
  std::ranges::sort(namespaces);
  const std::string in_namespace = "/" + id + "/config.json";
  for (const auto& name : namespaces) {
    std::string path = root + "/";
    path += name;
    path += in_namespace;
    auto found = is_present(path);
    if (!found) return found.error();
    if (*found) return path;
  }
  return std::string();
}

// The state file of `id` under `root` for `runtime`; "" when there is none.
Result<std::string> state_file(ContainerRuntime runtime, const std::string& root,
                               const std::string& id) {
  std::string path;
  switch (runtime) {
    case ContainerRuntime::Containerd:
      return containerd_state_file(root, id);
    case ContainerRuntime::CriO:
    case ContainerRuntime::Podman:
      path = root + "/" + id + "/userdata/config.json";
      break;
    case ContainerRuntime::Docker:
      path = root + "/" + id + "/config.v2.json";
      break;
  }
  auto found = is_present(path);
  if (!found) return found.error();
  return *found ? path : std::string();
}

Result<KubernetesNames> names_from(ContainerRuntime runtime, const std::string& path) {
  switch (runtime) {
    case ContainerRuntime::Containerd:
      return names_from_containerd(path);
    case ContainerRuntime::CriO:
      return names_from_crio(path);
    case ContainerRuntime::Docker:
      return names_from_docker(path);
    case ContainerRuntime::Podman:
      return names_from_podman(path);
  }
  return Error{"unknown container runtime"};
}

}  // namespace

std::string_view to_string(ContainerRuntime runtime) {
  switch (runtime) {
    case ContainerRuntime::Containerd:
      return "containerd";
    case ContainerRuntime::CriO:
      return "cri-o";
    case ContainerRuntime::Docker:
      return "docker";
    case ContainerRuntime::Podman:
      return "podman";
  }
  return "unknown";
}

Result<KubernetesNames> names_of_container(const RuntimeStatePaths& paths, std::string_view id) {
  if (!is_container_id(id)) {
    return Error{"\"" + std::string(id) +
                 "\" is not a container id, which is 64 lowercase hex characters"};
  }
  const std::string container_id(id);
  // In the order of RuntimeStatePaths' members, which is the order documented there.
  const std::array<std::pair<ContainerRuntime, const std::string*>, 4> roots = {{
      {ContainerRuntime::Containerd, &paths.containerd},
      {ContainerRuntime::CriO, &paths.crio},
      {ContainerRuntime::Docker, &paths.docker},
      {ContainerRuntime::Podman, &paths.podman},
  }};
  std::string looked_under;
  for (const auto& [runtime, root] : roots) {
    if (root->empty()) continue;
    auto path = state_file(runtime, *root, container_id);
    if (!path) return path.error();
    if (!path->empty()) {
      auto names = names_from(runtime, *path);
      if (names) names->runtime = runtime;
      return names;
    }
    looked_under += (looked_under.empty() ? "" : ", ") + *root;
  }
  const std::string short_id = container_id.substr(0, kShortIdLength);
  if (looked_under.empty()) {
    return Error{"container " + short_id +
                 ": no runtime state to look in, every root is empty (set identity.runtime_state "
                 "paths)"};
  }
  return Error{"container " + short_id + ": no state under " + looked_under +
               " (set identity.runtime_state paths)"};
}

}  // namespace execmond
