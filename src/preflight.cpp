#include "preflight.h"

#include <unistd.h>

#include <cstdint>

#include "capabilities.h"

namespace execmond {

namespace {

constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has(std::uint64_t caps, int cap) { return (caps >> cap) & 1U; }

}  // namespace

std::string check_bpf_privileges() {
  std::uint64_t caps = effective_capabilities();
  if (has(caps, kCapSysAdmin)) return {};
  if (has(caps, kCapBpf) && has(caps, kCapPerfmon)) return {};
  std::string missing = has(caps, kCapBpf) ? "CAP_PERFMON" : "CAP_BPF";
  if (!has(caps, kCapBpf) && !has(caps, kCapPerfmon)) missing = "CAP_BPF and CAP_PERFMON";
  return "missing " + missing + " (uid " + std::to_string(geteuid()) +
         "): run as root, or grant CAP_BPF and CAP_PERFMON (AmbientCapabilities= in the "
         "systemd unit)";
}

std::string check_kernel_btf(const std::string& path) {
  if (access(path.c_str(), R_OK) == 0) return {};
  return "kernel BTF not found at " + path +
         ": execmond needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, RHEL "
         "and Fedora kernels have it since 2020)";
}

}  // namespace execmond
