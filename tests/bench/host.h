// What the benchmark reads about processes and the machine from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace execmond::bench {

// CPU time of a process's threads (those alive now), in seconds.
double cpu_seconds(pid_t pid);
// Resident set size, bytes (VmRSS).
std::uint64_t rss_bytes(pid_t pid);

// "Debian GNU/Linux 12 (bookworm), kernel 6.18.44, 2 × Intel(R) Xeon(R)
// Processor, 23.5 GiB": for the report.
std::string machine_description();
// The first line a command prints, "" if it cannot run.
std::string first_line_of(const std::string& command);
// The path of an executable found in PATH (or /usr/sbin, /sbin), "" if none.
std::string find_executable(const std::string& name);

}  // namespace execmond::bench
