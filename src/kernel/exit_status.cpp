#include "kernel/exit_status.h"

#include <sys/wait.h>

#include <csignal>
#include <cstring>

#include "execmond.h"

namespace execmond {

std::string signal_name(int signal) {
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
    return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
  }
  if (const char* abbrev = sigabbrev_np(signal); abbrev != nullptr) {
    return std::string("SIG") + abbrev;
  }
  return "SIG" + std::to_string(signal);
}

ExitOutcome decode_wait_status(std::uint32_t status) {
  const int s = static_cast<int>(status);
  if (WIFEXITED(s)) return {"exited", std::to_string(WEXITSTATUS(s))};
  const int sig = s & 0x7f;
  return {WCOREDUMP(s) ? "dumped" : "signaled", signal_name(sig)};
}

ExitOutcome exit_outcome(std::uint32_t status, std::uint8_t oom) {
  ExitOutcome outcome = decode_wait_status(status);
  if (oom != EXECMOND_OOM_NONE && outcome == ExitOutcome{"signaled", "SIGKILL"}) {
    outcome.reason = "oom_killed";
  }
  return outcome;
}

std::string oom_scope(std::uint8_t oom) {
  switch (oom) {
    case EXECMOND_OOM_CGROUP:
      return "cgroup";
    case EXECMOND_OOM_GLOBAL:
      return "global";
    default:
      return "unknown";
  }
}

}  // namespace execmond
