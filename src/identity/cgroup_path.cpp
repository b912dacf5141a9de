#include "identity/cgroup_path.h"

#include <algorithm>
#include <array>
#include <vector>

#include "util/split.h"

namespace execmond {

namespace {

// True if `name` is a non-empty stem followed by `suffix`.
bool has_stem_and_suffix(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() && name.ends_with(suffix);
}

constexpr std::array<std::string_view, 5> kProcessUnitSuffixes = {".service", ".scope", ".socket",
                                                                  ".mount", ".swap"};

bool is_process_unit(std::string_view name) {
  return std::ranges::any_of(kProcessUnitSuffixes, [name](std::string_view suffix) {
    return has_stem_and_suffix(name, suffix);
  });
}

constexpr std::size_t kContainerIdLength = 64;

bool is_container_id(std::string_view text) {
  if (text.size() != kContainerIdLength) return false;
  return std::ranges::all_of(
      text, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

constexpr std::array<std::string_view, 5> kRuntimePrefixes = {"docker-", "cri-containerd-", "crio-",
                                                              "libpod-", "containerd-"};

}  // namespace

std::string systemd_unit_of(std::string_view cgroup_path) {
  for (const auto part : split_nonempty(cgroup_path, '/')) {
    if (is_process_unit(part)) return std::string(part);
    // Units sit directly in slices; anything else means systemd does not own this branch.
    if (!has_stem_and_suffix(part, ".slice")) return {};
  }
  return {};
}

std::string container_id_of(std::string_view cgroup_path) {
  const auto parts = split_nonempty(cgroup_path, '/');
  // Innermost first. (Not a range-for over std::ranges::reverse_view: clang-tidy's
  // clang 14 cannot parse libstdc++ 12's views.)
  for (std::size_t i = parts.size(); i > 0; --i) {
    std::string_view name = parts[i - 1];
    // Podman's cgroupfs driver puts a container's conmon in "conmon" below the
    // container's parent: for a pod's container the pod's cgroup, named by the
    // pod's id, which is not a container's.
    if (name == "conmon") return {};
    if (name.ends_with(".scope")) name.remove_suffix(std::string_view(".scope").size());
    for (const auto prefix : kRuntimePrefixes) {
      if (name.starts_with(prefix)) {
        name.remove_prefix(prefix.size());
        // The conmon monitor of a container, not the container: nothing above it is either.
        if (name.starts_with("conmon-")) return {};
        break;
      }
    }
    if (is_container_id(name)) return std::string(name);
  }
  return {};
}

}  // namespace execmond
