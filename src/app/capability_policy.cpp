#include "app/capability_policy.h"

#include <linux/capability.h>
#include <spdlog/spdlog.h>

#include "identity/identity_resolver.h"
#include "util/capabilities.h"
#include "util/sysctl.h"

namespace execmond {

namespace {

// The kernel's default, for a host that does not say.
constexpr std::uint64_t kDefaultUnprivilegedPortStart = 1024;

}  // namespace

std::vector<KeptCapability> capabilities_to_keep(const Config& config, std::uint16_t port,
                                                 std::uint64_t unprivileged_port_start,
                                                 unsigned long long held) {
  std::vector<KeptCapability> keep;
  // Not for the exit records alone: they name a cgroup by the tree walk
  // (CgroupResolver's fallback), so that turning them on keeps the daemon
  // as unprivileged as its labels allow.
  if (SourcesNeeded::of_labels(config).cgroup)
    keep.push_back({CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH"});
  if (port < unprivileged_port_start && ((held >> CAP_NET_BIND_SERVICE) & 1U) != 0) {
    keep.push_back({CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE"});
  }
  return keep;
}

std::string but_kept(const std::vector<KeptCapability>& kept) {
  std::string out;
  for (const KeptCapability& cap : kept)
    out += (out.empty() ? " but " : " and ") + std::string(cap.name);
  return out;
}

void drop_unneeded_capabilities(const Config& config, std::uint16_t port) {
  Result<std::uint64_t> start = read_sysctl_uint("net/ipv4/ip_unprivileged_port_start");
  const std::vector<KeptCapability> kept = capabilities_to_keep(
      config, port, start ? *start : kDefaultUnprivilegedPortStart, effective_capabilities());
  std::vector<int> numbers;
  numbers.reserve(kept.size());
  for (const KeptCapability& cap : kept) numbers.push_back(cap.number);
  if (Status dropped = drop_capabilities_except(numbers); !dropped) {
    spdlog::warn("cannot drop capabilities: {}", dropped.error().message);
  } else {
    spdlog::info("dropped all capabilities{}", but_kept(kept));
  }
}

}  // namespace execmond
