// Readers for the one-value files under /proc/sys (procfs reports size 0:
// they are read to EOF, by read_small_file()).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/error.h"

namespace execmond {

// A sysctl by its /proc/sys path: read_sysctl_uint("net/ipv4/ip_unprivileged_port_start").
Result<std::uint64_t> read_sysctl_uint(std::string_view name);
// For the sysctls that may be negative (kernel/perf_event_paranoid).
Result<std::int64_t> read_sysctl_int(std::string_view name);

// The number a sysctl file holds (one value, a trailing newline allowed);
// `path` names the file in the Error.
Result<std::uint64_t> parse_sysctl_uint(std::string_view text, std::string_view path);
Result<std::int64_t> parse_sysctl_int(std::string_view text, std::string_view path);

}  // namespace execmond
