// Which capabilities the daemon keeps once it is attached and serving: the
// rest go (util/capabilities.h drops them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"

namespace execmond {

struct KeptCapability {
  int number;        // CAP_*
  const char* name;  // "CAP_DAC_READ_SEARCH", for the log
};

// What to keep with `config`, serving on `port`, when binds below
// `unprivileged_port_start` need a capability and `held` is the effective set:
//   - CAP_DAC_READ_SEARCH when cgroup ids are turned into names (unit, cgroup
//     and container_id labels or filters): open_by_handle_at() names them;
//     without it the resolver walks the cgroup tree instead, as it also does
//     for such filters added by a reload;
//   - CAP_NET_BIND_SERVICE, when held, for a port below the start: a reload
//     that changes TLS settings binds the port again.
std::vector<KeptCapability> capabilities_to_keep(const Config& config, std::uint16_t port,
                                                 std::uint64_t unprivileged_port_start,
                                                 unsigned long long held);

// " but CAP_A and CAP_B" (nothing when `kept` is empty), for "dropped all capabilities".
std::string but_kept(const std::vector<KeptCapability>& kept);

// Drops every capability capabilities_to_keep() does not name, for this
// process serving on `port`; logs what it did, or (a warning: the daemon
// runs on) why it could not.
void drop_unneeded_capabilities(const Config& config, std::uint16_t port);

}  // namespace execmond
