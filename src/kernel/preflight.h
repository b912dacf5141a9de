// Checks made before loading the tracer, so a host that cannot run execmond
// gets one line saying what to change instead of a libbpf error.
#pragma once

#include <string>

#include "util/error.h"

namespace execmond {

// Fails, with the fix, unless the process may load and attach tracing programs.
Status check_bpf_privileges();
// Fails, with the fix, unless `path` holds BTF (the kernel's, unless --btf.path says otherwise).
Status check_kernel_btf(const std::string& path = "/sys/kernel/btf/vmlinux");

}  // namespace execmond
