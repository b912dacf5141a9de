// How a process ended, from the wait status and OOM verdict the kernel side
// recorded: the reason and code labels of execmond_process_exits_total, and
// what an exit record says.
#pragma once

#include <cstdint>
#include <string>

namespace execmond {

// How a process ended, as the labels of execmond_process_exits_total.
struct ExitOutcome {
  std::string reason;  // exited | signaled | dumped | oom_killed
  std::string code;    // "0".."255" or a signal name such as "SIGKILL"
  bool operator==(const ExitOutcome&) const = default;
};

// Decodes a wait status the way WIFEXITED/WTERMSIG/WCOREDUMP do.
ExitOutcome decode_wait_status(std::uint32_t status);
// The same, but an OOM victim (`oom`, enum execmond_oom) that died of
// SIGKILL is reason "oom_killed".
ExitOutcome exit_outcome(std::uint32_t status, std::uint8_t oom);
// The scope label of execmond_oom_kills_total: cgroup | global | unknown.
std::string oom_scope(std::uint8_t oom);
// "SIGKILL", "SIGRTMIN+3", or "SIG<n>" for numbers the C library cannot name.
std::string signal_name(int signal);

}  // namespace execmond
