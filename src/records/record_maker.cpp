#include "records/record_maker.h"

#include <unistd.h>

#include <array>
#include <climits>
#include <ctime>
#include <utility>

#include "config/regex.h"
#include "kernel/counts_table.h"
#include "kernel/exit_status.h"

namespace execmond {

namespace {

std::int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The fields of struct exit_usage (bpf/exit_cost.bpf.h), by word.
enum UsageWord : std::size_t {
  kUtime,
  kStime,
  kRuntime,
  kCpuUser,
  kCpuSystem,
  kMaxRssPages,
  kReadBytes,
  kWriteBytes,
  kMinorFaults,
  kMajorFaults,
  kVoluntarySwitches,
  kInvoluntarySwitches,
};
static_assert(kInvoluntarySwitches + 1 == EXECMOND_EXIT_USAGE_WORDS);

}  // namespace

WallClock WallClock::now() {
  // Read as a pair, realtime between two boottime reads: the offset is off
  // by at most the time between them.
  const std::int64_t before = clock_ns(CLOCK_BOOTTIME);
  const std::int64_t real = clock_ns(CLOCK_REALTIME);
  const std::int64_t after = clock_ns(CLOCK_BOOTTIME);
  return {real - (before + (after - before) / 2)};
}

RecordKind record_kind_of(std::uint8_t kernel_kind) {
  switch (kernel_kind) {
    case EXECMOND_RECORD_OOM_KILLED:
      return RecordKind::OomKilled;
    case EXECMOND_RECORD_CORE_DUMPED:
      return RecordKind::CoreDumped;
    case EXECMOND_RECORD_FAILED:
      return RecordKind::Failed;
    case EXECMOND_RECORD_EXITED:
      return RecordKind::Exited;
    default:
      return RecordKind::Crashed;
  }
}

RecordMaker::RecordMaker(std::string host, std::uint32_t resources)
    : host_(std::move(host)), resources_(resources) {
  const long page = sysconf(_SC_PAGESIZE);
  page_size_ = page > 0 ? static_cast<std::uint64_t>(page) : 4096;
}

Status RecordMaker::configure(const RecordsConfig& config) {
  std::vector<std::shared_ptr<const RE2>> compiled;
  for (const std::string& pattern : config.redact) {
    Result<std::shared_ptr<const RE2>> re = compile_regex(pattern);
    if (!re) return Error{"records.redact: " + re.error().message};
    compiled.push_back(std::move(*re));
  }
  redact_ = std::move(compiled);
  with_cmdline_ = config.cmdline;
  return {};
}

std::vector<std::string> RecordMaker::redacted(const std::vector<std::string>& argv) const {
  std::vector<std::string> out = argv;
  for (std::string& arg : out) {
    for (const auto& re : redact_) RE2::GlobalReplace(&arg, *re, "***");
  }
  return out;
}

ExitRecord RecordMaker::make(const execmond_exit_record& k, const Identity& who,
                             const naming::NameCache::Described& what,
                             const WallClock& clock) const {
  ExitRecord r;
  r.kind = record_kind_of(k.kind);
  r.time_ns = clock.real(k.exit_boottime_ns);
  r.start_time_ns = clock.real(k.start_boottime_ns);
  r.lifetime_ns =
      k.exit_boottime_ns > k.start_boottime_ns ? k.exit_boottime_ns - k.start_boottime_ns : 0;
  r.host = host_;
  r.pid = k.tgid;
  r.ppid = k.ppid;
  r.parent_comm = comm_of(k.parent_comm);
  r.comm = who.comm;
  r.exe = who.exe;
  r.program = what.names.program;
  r.script = what.names.script;
  if (with_cmdline_ && what.argv) {
    r.cmdline = redacted(*what.argv);
    r.cmdline_truncated = what.truncated;
  }
  r.uid = k.uid;
  r.user = who.user;
  r.unit = who.unit;
  r.cgroup = who.cgroup;
  r.container_id = who.container_id;
  r.pod = who.pod;
  r.pod_namespace = who.pod_namespace;
  r.container = who.container;
  const ExitOutcome outcome = exit_outcome(k.status, k.oom);
  r.reason = outcome.reason;
  const int status = static_cast<int>(k.status);
  const int signal = status & 0x7f;
  r.code = signal == 0 ? (status >> 8) & 0xff : signal;
  if (signal != 0) r.signal = signal_name(signal);
  r.core_dumped = (status & 0x80) != 0;
  if (k.oom != EXECMOND_OOM_NONE) r.oom_scope = oom_scope(k.oom);
  r.wait_status = k.status;
  const auto& u = k.usage;
  if ((resources_ & EXECMOND_RESOURCE_CPU) != 0) {
    r.cpu_user_ns = u[kCpuUser];
    r.cpu_system_ns = u[kCpuSystem];
  }
  if ((resources_ & EXECMOND_RESOURCE_MEMORY) != 0) r.peak_rss_bytes = u[kMaxRssPages] * page_size_;
  if ((resources_ & EXECMOND_RESOURCE_IO) != 0) {
    r.io_read_bytes = u[kReadBytes];
    r.io_write_bytes = u[kWriteBytes];
  }
  if ((resources_ & EXECMOND_RESOURCE_FAULTS) != 0) {
    r.minor_faults = u[kMinorFaults];
    r.major_faults = u[kMajorFaults];
  }
  if ((resources_ & EXECMOND_RESOURCE_SWITCHES) != 0) {
    r.voluntary_switches = u[kVoluntarySwitches];
    r.involuntary_switches = u[kInvoluntarySwitches];
  }
  return r;
}

std::string host_name() {
  std::array<char, HOST_NAME_MAX + 1> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "";
  return name.data();
}

}  // namespace execmond
