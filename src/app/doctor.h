// `execmond doctor`: whether this host can run execmond, one line per check
// with the fix, so an operator learns what to change before deploying.
#pragma once

#include <string>
#include <vector>

#include "config/cli.h"

namespace execmond {

enum class Verdict { kOk, kWarn, kFail };

struct Check {
  std::string name;  // "kernel version"
  Verdict verdict = Verdict::kOk;
  std::string detail;  // what was found
  std::string fix;     // for WARN and FAIL: what to do
};

// What the checks read from the host; filled by probe_host(), or by tests.
struct HostFacts {
  std::string kernel_release;      // uname -r
  std::string config_file;         // the configuration checked
  std::string config_problem;      // resolve_config(); "" when the file (or its absence) is fine
  std::string btf_problem;         // check_kernel_btf(); "" when fine
  std::string privilege_problem;   // check_bpf_privileges(); "" when fine
  std::string tp_btf_problem;      // loading and attaching the tp_btf programs; "" when fine
  std::string tracepoint_problem;  // the same for the classic-tracepoint fallback
  bool tracefs = false;            // sched tracepoints listed under tracefs
  std::string lockdown;            // "none", "integrity", "confidentiality"; "" unknown
  int bpf_stats_enabled = -1;      // kernel.bpf_stats_enabled; -1 unknown
  int perf_event_paranoid = -100;  // kernel.perf_event_paranoid; -100 unknown
  std::string cgroup2_mount;       // "" when there is none
  bool running_as_root = false;
};

// Reads the host: kernel, BTF, privileges, and loads and attaches each
// program set once (then detaches it) to see whether it works here.
HostFacts probe_host(const CliOptions& options);

std::vector<Check> evaluate(const HostFacts& facts);
// "OK    kernel version   6.1.0 ...", one line per check.
std::string report(const std::vector<Check>& checks);
// 0 when no check failed (execmond can run here), else 1.
int exit_status(const std::vector<Check>& checks);

// Runs every check and prints the report; returns the exit status.
int run_doctor(const CliOptions& options);

}  // namespace execmond
