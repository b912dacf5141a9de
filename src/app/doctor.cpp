#include "app/doctor.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

#include "identity/label_resolver.h"
#include "kernel/preflight.h"
#include "kernel/tracer.h"
#include "util/sysctl.h"

namespace execmond {

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

int sysctl_or(std::string_view name, int unknown) {
  Result<std::int64_t> n = read_sysctl_int(name);
  return n ? static_cast<int>(*n) : unknown;
}

// "[none] integrity confidentiality" → "none".
std::string selected(const std::string& choices) {
  auto open = choices.find('[');
  auto close = choices.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return choices.substr(open + 1, close - open - 1);
}

// Loads and attaches one program set with small tables, then lets it go.
std::string try_attach(AttachMode mode, const std::string& btf_path) {
  TracerOptions options{
      .max_processes = 64,
      .max_keys = 16,
      .attach_mode = mode,
      .lifetime_buckets = default_lifetime_buckets(),
      .btf_path = btf_path,
      // Every resource, so that whatever a config accounts has passed the verifier.
      .resources = resource_bits({Resource::Cpu, Resource::Memory, Resource::Io, Resource::Faults,
                                  Resource::ContextSwitches}),
      .peak_rss_bounds = rss_bounds_bytes(default_peak_rss_buckets()),
  };
  Result<std::unique_ptr<Tracer>> tracer = Tracer::load(options);
  return tracer ? "" : tracer.error().message;
}

bool at_least(const std::string& release, int major, int minor) {
  int ma = 0;
  int mi = 0;
  if (std::sscanf(release.c_str(), "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

Check ok(std::string name, std::string detail) {
  return {std::move(name), Verdict::kOk, std::move(detail), ""};
}
Check warn(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Verdict::kWarn, std::move(detail), std::move(fix)};
}
Check fail(std::string name, std::string detail, std::string fix) {
  return {std::move(name), Verdict::kFail, std::move(detail), std::move(fix)};
}

// The part of a Tracer::load() error after "cannot load the BPF tracer: ".
std::string reason(const std::string& problem) {
  const std::string prefix = "cannot load the BPF tracer: ";
  return problem.rfind(prefix, 0) == 0 ? problem.substr(prefix.size()) : problem;
}

}  // namespace

HostFacts probe_host(const CliOptions& options) {
  HostFacts f;
  utsname u{};
  f.kernel_release = uname(&u) == 0 ? u.release : "";
  f.config_file = options.config_file;
  if (Result<Config> config = resolve_config(options); !config) {
    f.config_problem = config.error().message;
  }
  if (Status btf = check_kernel_btf(options.btf_path); !btf) f.btf_problem = btf.error().message;
  if (Status privileges = check_bpf_privileges(); !privileges) {
    f.privilege_problem = privileges.error().message;
  }
  f.running_as_root = geteuid() == 0;
  f.tracefs = access("/sys/kernel/tracing/events/sched/sched_process_exec", F_OK) == 0 ||
              access("/sys/kernel/debug/tracing/events/sched/sched_process_exec", F_OK) == 0;
  f.lockdown = selected(first_line("/sys/kernel/security/lockdown"));
  f.bpf_stats_enabled = sysctl_or("kernel/bpf_stats_enabled", -1);
  f.perf_event_paranoid = sysctl_or("kernel/perf_event_paranoid", -100);
  f.cgroup2_mount = CgroupResolver::find_cgroup2_mount();
  if (f.btf_problem.empty() && f.privilege_problem.empty()) {
    f.tp_btf_problem = try_attach(AttachMode::TpBtf, options.btf_path);
    f.tracepoint_problem = try_attach(AttachMode::Tracepoint, options.btf_path);
  }
  return f;
}

std::vector<Check> evaluate(const HostFacts& f) {
  std::vector<Check> out;
  if (at_least(f.kernel_release, 5, 13)) {
    out.push_back(ok("kernel version", f.kernel_release + " (5.13 or newer needed)"));
  } else {
    out.push_back(fail("kernel version", f.kernel_release + " is older than 5.13",
                       "run a kernel of 5.13 or newer: the tracer needs BPF atomic "
                       "instructions and BPF callbacks"));
  }
  if (f.config_problem.empty()) {
    out.push_back(ok("configuration", f.config_file + " (or its defaults) is valid"));
  } else {
    out.push_back(fail("configuration", f.config_problem, "correct the file; see execmond(8)"));
  }
  if (f.btf_problem.empty()) {
    out.push_back(ok("kernel BTF", "present"));
  } else {
    out.push_back(fail("kernel BTF", "missing or unusable", f.btf_problem));
  }
  const bool can_load = f.btf_problem.empty() && f.privilege_problem.empty();
  if (f.privilege_problem.empty()) {
    out.push_back(ok("BPF privileges",
                     f.running_as_root ? "root" : "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"));
  } else {
    out.push_back(fail("BPF privileges", "cannot load BPF programs", f.privilege_problem));
  }
  const std::string skipped = "not tried until the failures above are fixed";
  if (!can_load) {
    out.push_back(fail("tp_btf programs", skipped, ""));
  } else if (f.tp_btf_problem.empty()) {
    out.push_back(ok("tp_btf programs", "load and attach (what attach_mode auto uses)"));
  } else if (f.tracepoint_problem.empty()) {
    out.push_back(warn("tp_btf programs", reason(f.tp_btf_problem),
                       "none needed: attach_mode auto falls back to classic tracepoints"));
  } else {
    out.push_back(fail("tp_btf programs", reason(f.tp_btf_problem),
                       "neither program set works on this kernel; run with --log.level=debug "
                       "for the verifier's reason"));
  }
  if (!can_load) {
    out.push_back(fail("tracepoint programs", skipped, ""));
  } else if (f.tracepoint_problem.empty()) {
    out.push_back(ok("tracepoint programs", "load and attach (the fallback)"));
  } else {
    out.push_back(
        warn("tracepoint programs", reason(f.tracepoint_problem),
             f.tp_btf_problem.empty() ? "only needed where tp_btf fails" : "see tp_btf programs"));
  }
  if (f.tracefs) {
    out.push_back(ok("tracefs", "sched tracepoints listed"));
  } else {
    out.push_back(warn("tracefs",
                       "no sched tracepoints under /sys/kernel/tracing (not mounted, or not "
                       "readable by this user): the classic-tracepoint fallback cannot attach",
                       "mount -t tracefs tracefs /sys/kernel/tracing (tp_btf does not need it)"));
  }
  if (f.perf_event_paranoid > 2) {
    out.push_back(
        warn("perf_event_paranoid",
             std::to_string(f.perf_event_paranoid) + ": classic tracepoints need CAP_SYS_ADMIN",
             "sysctl kernel.perf_event_paranoid=2, if the fallback is needed"));
  } else if (f.perf_event_paranoid != -100) {
    out.push_back(ok("perf_event_paranoid", std::to_string(f.perf_event_paranoid)));
  }
  if (f.lockdown == "confidentiality") {
    out.push_back(fail("kernel lockdown", "confidentiality: BPF may not read kernel memory",
                       "boot with lockdown=integrity or none (lockdown= on the kernel command "
                       "line, or Secure Boot policy)"));
  } else if (f.lockdown.empty()) {
    out.push_back(warn("kernel lockdown", "unknown (securityfs not mounted)",
                       "mount -t securityfs securityfs /sys/kernel/security to check"));
  } else {
    out.push_back(ok("kernel lockdown", f.lockdown));
  }
  if (f.bpf_stats_enabled == 1) {
    out.push_back(ok("BPF run statistics", "on: execmond_bpf_program_* metrics are exported"));
  } else {
    out.push_back(ok("BPF run statistics",
                     "off: set tracer.bpf_stats: true to export execmond_bpf_program_*"));
  }
  if (f.cgroup2_mount.empty()) {
    out.push_back(warn("cgroup v2", "not mounted: unit, cgroup and container_id labels are empty",
                       "mount cgroup2 (systemd does, in unified or hybrid mode)"));
  } else {
    out.push_back(ok("cgroup v2", "mounted at " + f.cgroup2_mount));
  }
  out.push_back(ok("locked memory",
                   "no RLIMIT_MEMLOCK needed: BPF memory is charged to the cgroup since 5.11"));
  return out;
}

std::string report(const std::vector<Check>& checks) {
  std::ostringstream out;
  for (const Check& c : checks) {
    const char* label = c.verdict == Verdict::kOk     ? "OK  "
                        : c.verdict == Verdict::kWarn ? "WARN"
                                                      : "FAIL";
    char name[24];
    (void)std::snprintf(name, sizeof(name), "%-21s", c.name.c_str());
    out << label << "  " << name << c.detail;
    if (!c.fix.empty()) out << "; fix: " << c.fix;
    out << "\n";
  }
  return out.str();
}

int exit_status(const std::vector<Check>& checks) {
  for (const Check& c : checks) {
    if (c.verdict == Verdict::kFail) return 1;
  }
  return 0;
}

int run_doctor(const CliOptions& options) {
  // libbpf's own messages would interleave with the report: its reasons are in it.
  spdlog::set_level(spdlog::level::off);
  libbpf_set_print(nullptr);
  std::vector<Check> checks = evaluate(probe_host(options));
  (void)std::fputs(report(checks).c_str(), stdout);
  const int status = exit_status(checks);
  std::printf("%s\n", status == 0
                          ? "execmond can run on this host."
                          : "execmond cannot run on this host until the FAIL lines are fixed.");
  return status;
}

}  // namespace execmond
