// Who a process is, as label values: what the kernel recorded as ids, turned
// into names by the IdentityResolver. Filters and labels read this.
#pragma once

#include <string>

#include "config/config.h"

namespace execmond {

struct Identity {
  std::string comm;
  std::string exe;           // absolute path; "" when unknown
  std::string cgroup;        // cgroup v2 path, "/" for the root; "" when unknown
  std::string unit;          // systemd unit from the cgroup path; "" outside units
  std::string container_id;  // from the cgroup path; "" outside containers
  std::string uid;           // decimal
  std::string user;          // NSS name, or the uid when it has none

  const std::string& value(LabelSource source) const {
    switch (source) {
      case LabelSource::Comm:
        return comm;
      case LabelSource::Exe:
        return exe;
      case LabelSource::Unit:
        return unit;
      case LabelSource::Cgroup:
        return cgroup;
      case LabelSource::ContainerId:
        return container_id;
      case LabelSource::Uid:
        return uid;
      case LabelSource::User:
        return user;
    }
    return comm;
  }
};

}  // namespace execmond
