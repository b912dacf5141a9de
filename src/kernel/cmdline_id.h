// A command line's id as the kernel side computes it at exec
// (bpf/cmdline_hash.h), for the command lines the daemon reads itself:
// /proc/PID/cmdline of the processes that ran before it started.
#pragma once

#include <cstdint>
#include <string_view>

namespace execmond {

// What the kernel keeps of a command line read up to `max_bytes`: all of it
// when it fits, else up to its last NUL within the bound (the end of the
// last whole argument), or the bound's bytes if there is none.
struct KeptCmdline {
  std::string_view args;
  bool truncated = false;
};
KeptCmdline keep_cmdline(std::string_view args, std::uint32_t max_bytes);

// The id the kernel gives `args` (at most EXECMOND_CMDLINE_MAX bytes); never 0.
std::uint64_t cmdline_id_of(std::string_view args, bool truncated);

}  // namespace execmond
