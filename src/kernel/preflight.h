// Checks made before loading the tracer, so a host that cannot run execmond
// gets one line saying what to change instead of a libbpf error.
#pragma once

#include <string>

namespace execmond {

// Empty when the process may load and attach tracing programs, else the fix.
std::string check_bpf_privileges();
// Empty when `path` holds BTF (the kernel's, unless --btf.path says otherwise), else the fix.
std::string check_kernel_btf(const std::string& path = "/sys/kernel/btf/vmlinux");

}  // namespace execmond
