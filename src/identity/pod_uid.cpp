#include "identity/pod_uid.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "util/split.h"

namespace execmond {

namespace {

constexpr std::size_t kUidLength = 36;
constexpr std::array<std::size_t, 4> kUidSeparatorAt = {8, 13, 18, 23};

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The kubelet names a static pod (a manifest file on the node) by the hash of
// its manifest: 32 hex digits with no separators, which its cgroup carries.
constexpr std::size_t kStaticPodUidLength = 32;

bool all_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_lower_hex);
}

// `text` as a canonical UID if it is one with `separator` between its groups,
// or a static pod's hash, else "".
std::string canonical_uid(std::string_view text, char separator) {
  if (text.size() == kStaticPodUidLength) return all_lower_hex(text) ? std::string(text) : "";
  if (text.size() != kUidLength) return {};
  std::string uid(text);
  std::size_t next_separator = 0;
  for (std::size_t i = 0; i < uid.size(); ++i) {
    if (next_separator < kUidSeparatorAt.size() && i == kUidSeparatorAt[next_separator]) {
      if (uid[i] != separator) return {};
      uid[i] = '-';
      ++next_separator;
    } else if (!is_lower_hex(uid[i])) {
      return {};
    }
  }
  return uid;
}

bool is_qos_class(std::string_view name) { return name == "burstable" || name == "besteffort"; }

// The systemd driver's pod slice: "<parent>-pod<uid with '_'>.slice", where the
// parent is the kubepods slice or its QoS child, under any slice prefix
// ("kubelet-kubepods-burstable").
std::string uid_of_systemd_slice(std::string_view name) {
  constexpr std::string_view kSlice = ".slice";
  constexpr std::string_view kPod = "-pod";
  if (!name.ends_with(kSlice)) return {};
  name.remove_suffix(kSlice.size());
  const auto pod_at = name.rfind(kPod);
  if (pod_at == std::string_view::npos) return {};
  std::string_view parent = name.substr(0, pod_at);
  const auto last_dash = parent.rfind('-');
  if (last_dash != std::string_view::npos && is_qos_class(parent.substr(last_dash + 1))) {
    parent = parent.substr(0, last_dash);
  }
  if (parent != "kubepods" && !parent.ends_with("-kubepods")) return {};
  return canonical_uid(name.substr(pod_at + kPod.size()), '_');
}

// The cgroupfs driver's pod directory: "pod<uid>" in "kubepods" or in its QoS child.
std::string uid_of_cgroupfs_dir(const std::vector<std::string_view>& parts, std::size_t at) {
  constexpr std::string_view kPod = "pod";
  if (at == 0 || !parts[at].starts_with(kPod)) return {};
  const bool in_kubepods = parts[at - 1] == "kubepods" ||
                           (at >= 2 && is_qos_class(parts[at - 1]) && parts[at - 2] == "kubepods");
  if (!in_kubepods) return {};
  return canonical_uid(parts[at].substr(kPod.size()), '-');
}

}  // namespace

std::string pod_uid_of(std::string_view cgroup_path) {
  const auto parts = split_nonempty(cgroup_path, '/');
  // Innermost first, as container_id_of does (and for the same reason, not over a reverse_view).
  for (std::size_t i = parts.size(); i > 0; --i) {
    if (auto uid = uid_of_systemd_slice(parts[i - 1]); !uid.empty()) return uid;
    if (auto uid = uid_of_cgroupfs_dir(parts, i - 1); !uid.empty()) return uid;
  }
  return {};
}

}  // namespace execmond
