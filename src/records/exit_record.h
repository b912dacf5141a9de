// One notable exit, with everything the daemon knows about the process: what
// the journal, the JSON lines, GET /exits and the landing page show. Built
// by RecordMaker from what the kernel handed over (bpf/exit_record.bpf.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace execmond {

// Why an exit has a record. Names (the `kind` label and JSON value):
// oom_killed, core_dumped, crashed, failed, exited. New kinds go at the end.
enum class RecordKind { OomKilled, CoreDumped, Crashed, Failed, Exited };
inline constexpr std::size_t kRecordKindCount = 5;
inline constexpr std::array<std::string_view, kRecordKindCount> kRecordKindNames = {
    "oom_killed", "core_dumped", "crashed", "failed", "exited"};
inline std::string_view to_string(RecordKind kind) {
  return kRecordKindNames[static_cast<std::size_t>(kind)];
}

// The version of the JSON object (and journal fields) a record is written as.
inline constexpr int kRecordSchemaVersion = 1;

struct ExitRecord {
  std::uint64_t sequence = 0;  // 1, 2, … in the order records were made since start
  RecordKind kind = RecordKind::Crashed;
  std::int64_t time_ns = 0;        // the exit, wall clock, ns since the Unix epoch
  std::int64_t start_time_ns = 0;  // the process's start, the same clock
  std::uint64_t lifetime_ns = 0;
  std::string host;  // the node's host name
  std::uint32_t pid = 0;
  std::uint32_t ppid = 0;   // the parent at exit
  std::string parent_comm;  // its comm
  std::string comm;         // the process's at exit
  std::string exe;          // absolute path; "" when unknown
  std::string program;      // as naming: gives it
  std::string script;       // "" when it ran none
  // argv as captured at exec, matches of records.redact replaced by "***";
  // absent when records.cmdline is off or the command line is unknown.
  std::optional<std::vector<std::string>> cmdline;
  bool cmdline_truncated = false;  // longer than naming.cmdline_max_bytes: cut
  std::uint32_t uid = 0;
  std::string user;
  std::string unit;
  std::string cgroup;
  std::string container_id;
  std::string pod;
  std::string pod_namespace;  // JSON "namespace"
  std::string container;
  // How it ended, as execmond_process_exits_total's reason says it:
  // "exited" (code = the exit status), "signaled" or "dumped" (code = the
  // signal's number, `signal` its name) or "oom_killed" (code 9, SIGKILL).
  std::string reason;
  int code = 0;
  std::string signal;  // "SIGSEGV" when killed by a signal, else ""
  bool core_dumped = false;
  std::string oom_scope;          // "cgroup", "global", "unknown"; "" when not OOM-killed
  std::uint32_t wait_status = 0;  // as waitpid() reports it
  // What the process spent, for the resources accounted (config `resources`);
  // absent for the others.
  std::optional<std::uint64_t> cpu_user_ns, cpu_system_ns;
  std::optional<std::uint64_t> peak_rss_bytes;
  std::optional<std::uint64_t> io_read_bytes, io_write_bytes;
  std::optional<std::uint64_t> minor_faults, major_faults;
  std::optional<std::uint64_t> voluntary_switches, involuntary_switches;
  bool operator==(const ExitRecord&) const = default;
};

}  // namespace execmond
