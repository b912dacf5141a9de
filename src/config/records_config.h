// The `records:` section: which exits get a record of their own (records/),
// what a record holds and where it goes. A plain struct: parsed and checked
// in config/, compiled (RE2) and acted on by records/.
#pragma once

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

namespace execmond {

// Processes picked by name: one matches when any list holds its name. Empty
// lists pick nothing.
struct ProcessSelector {
  std::vector<std::string> comm;     // exact command names (the kernel's, at most 15 bytes)
  std::vector<std::string> program;  // exact program names, as naming: gives them
  std::vector<std::string> unit;     // exact systemd unit names, e.g. cron.service
  bool empty() const { return comm.empty() && program.empty() && unit.empty(); }
  bool operator==(const ProcessSelector&) const = default;
};

struct RecordsConfig {
  // Whether any exit is recorded. Restart needed to turn on or off.
  bool enabled = true;
  // Signals whose kill is a crash (kind "crashed"); YAML names as kill -l
  // gives them, with or without SIG, or numbers 1-64. OOM kills and core
  // dumps are always recorded.
  std::vector<int> signals{SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS};
  // Non-zero exit statuses (and kills by any signal) of these: kind "failed".
  ProcessSelector failures_of;
  // Every exit of these, whatever its status: kind "exited" when it is 0.
  ProcessSelector exits_of;
  // Whether records carry the command line (captured at exec; this turns
  // capture on). Restart needed.
  bool cmdline = true;
  // RE2 patterns; each match in a command line argument becomes "***".
  std::vector<std::string> redact;
  // The records GET /exits can return: the most recent ones.
  std::uint32_t keep = 1000;
  // Rate limits, records per second with a burst: all records, and the
  // records of each program. 0 per second: no limit.
  double rate_per_second = 20;
  std::uint32_t burst = 200;
  double program_rate_per_second = 1;
  std::uint32_t program_burst = 20;
  // Outputs. journal: to journald (sd_journal_send), one entry per record.
  bool journal = true;
  // JSON lines: "" none, "-" stdout, else a file opened with O_APPEND and
  // reopened on SIGHUP.
  std::string json_file;
  // The kernel's channel for records (a BPF ring buffer), bytes: a power of
  // two, at least 4096. Restart needed.
  std::uint32_t kernel_buffer_bytes = 256 * 1024;
  bool operator==(const RecordsConfig&) const = default;
};

}  // namespace execmond
