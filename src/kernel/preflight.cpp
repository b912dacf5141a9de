#include "kernel/preflight.h"

#include <unistd.h>

#include <array>
#include <cstdint>
#include <fstream>

#include "config/cli.h"
#include "util/capabilities.h"

namespace execmond {

namespace {

constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has(std::uint64_t caps, int cap) { return (caps >> cap) & 1U; }

}  // namespace

Status check_bpf_privileges() {
  std::uint64_t caps = effective_capabilities();
  if (has(caps, kCapSysAdmin)) return {};
  if (has(caps, kCapBpf) && has(caps, kCapPerfmon)) return {};
  std::string missing = has(caps, kCapBpf) ? "CAP_PERFMON" : "CAP_BPF";
  if (!has(caps, kCapBpf) && !has(caps, kCapPerfmon)) missing = "CAP_BPF and CAP_PERFMON";
  return Error{"missing " + missing + " (uid " + std::to_string(geteuid()) +
               "): run as root, or grant CAP_BPF and CAP_PERFMON (AmbientCapabilities= in the "
               "systemd unit)"};
}

Status check_kernel_btf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{"kernel BTF not found at " + path +
                 ": execmond needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, "
                 "RHEL and Fedora kernels have it since 2020)"};
  }
  // A BTF blob starts with the magic 0xeB9F, in either byte order, and version 1.
  std::array<char, 3> header{};
  in.read(header.data(), header.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(header[i]); };
  const bool magic = (byte(0) == 0x9f && byte(1) == 0xeb) || (byte(0) == 0xeb && byte(1) == 0x9f);
  if (!in || !magic || byte(2) != 1) {
    return Error{path +
                 " is not BTF (no BTF header): point --btf.path at the running kernel's BTF, " +
                 kKernelBtfPath};
  }
  return {};
}

}  // namespace execmond
