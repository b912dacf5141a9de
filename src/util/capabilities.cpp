#include "util/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "util/sysctl.h"

namespace execmond {

namespace {

bool kept(const std::vector<int>& keep, int cap) {
  return std::find(keep.begin(), keep.end(), cap) != keep.end();
}

int last_capability() {
  Result<std::uint64_t> last = read_sysctl_uint("kernel/cap_last_cap");
  return last ? static_cast<int>(*last) : CAP_LAST_CAP;
}

}  // namespace

unsigned long long effective_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  }
  return 0;
}

Status drop_capabilities_except(const std::vector<int>& keep) {
  // Ambient capabilities would survive an exec; there is none, but make sure.
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  // Shrinking the bounding set needs CAP_SETPCAP; without it (a unit or
  // container that grants only what tracing needs) the permitted set below
  // is what counts, and nothing can regain a capability it does not hold.
  if ((effective_capabilities() >> CAP_SETPCAP) & 1U) {
    const int last = last_capability();
    for (int cap = 0; cap <= last; ++cap) {
      if (!kept(keep, cap) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
        return Error{"cannot drop capability " + std::to_string(cap) +
                     " from the bounding set: " + std::strerror(errno)};
      }
    }
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int cap : keep) {
    data[cap / 32].effective |= 1U << (cap % 32);
    data[cap / 32].permitted |= 1U << (cap % 32);
  }
  if (syscall(SYS_capset, &header, data) != 0) {
    return Error{std::string("capset: ") + std::strerror(errno)};
  }
  return {};
}

}  // namespace execmond
