// Who a process is, as label values: what the kernel recorded as ids, turned
// into names by the IdentityResolver. Filters and labels read this.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>

#include "config/config.h"
#include "config/enum_names.h"

namespace execmond {

struct Identity {
  std::string comm;
  std::string exe;           // absolute path; "" when unknown
  std::string cgroup;        // cgroup v2 path, "/" for the root; "" when unknown
  std::string unit;          // systemd unit from the cgroup path; "" outside units
  std::string container_id;  // from the cgroup path; "" outside containers
  std::string uid;           // decimal
  std::string user;          // NSS name, or the uid when it has none
  std::string pod_uid;       // from the kubepods cgroup path; "" outside pods
  // From the container runtime's state; "" outside Kubernetes or when not found.
  std::string pod;
  std::string pod_namespace;
  std::string container;  // also a plain Docker container's name
  // What ran, from the naming rules and the interpreter table (naming/).
  std::string program;
  std::string script;  // "" when the process runs no script
  std::string parent;  // the forking process's comm, kept when reparented; "" when unknown

  const std::string& value(LabelSource source) const {
    // Each source's field, in the enum's order.
    static constexpr std::string Identity::*kField[] = {
        &Identity::comm,         &Identity::exe,           &Identity::unit,      &Identity::cgroup,
        &Identity::container_id, &Identity::uid,           &Identity::user,      &Identity::pod_uid,
        &Identity::pod,          &Identity::pod_namespace, &Identity::container, &Identity::program,
        &Identity::script,       &Identity::parent};
    static_assert(std::size(kField) == std::size(kLabelSourceNames));
    return this->*kField[static_cast<std::size_t>(source)];
  }
};

}  // namespace execmond
