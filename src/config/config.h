// The daemon's configuration: a plain struct, parsed from YAML and validated
// apart from any behaviour, so `--config.check` and reloads share one path.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/naming_config.h"
#include "config/records_config.h"
#include "util/error.h"

namespace execmond {

enum class AttachMode { Auto, TpBtf, Tracepoint };
enum class LogTarget { Stderr, Journal };

// Where a label's value comes from. YAML names: comm, exe, unit, cgroup,
// container_id, uid, user, pod_uid, pod, namespace, container, program,
// script, parent. New sources go at the end: the order indexes tables.
enum class LabelSource {
  Comm,
  Exe,
  Unit,
  Cgroup,
  ContainerId,
  Uid,
  User,
  PodUid,     // from the kubepods cgroup path
  Pod,        // this and the next two from the container runtime's state
  Namespace,  // the pod's Kubernetes namespace
  Container,
  Program,  // the name the naming rules give (naming:)
  Script,   // the script an interpreter runs; "" when it runs none
  Parent    // the comm of the process that forked it, kept when reparented
};

// The metric families whose labels are configurable. YAML names: execs,
// forks, exits, lifetime, processes, cpu, peak_rss, io, page_faults,
// context_switches, oom_kills.
enum class Family {
  Execs,
  Forks,
  Exits,
  Lifetime,
  Processes,
  Cpu,
  PeakRss,
  Io,
  PageFaults,
  ContextSwitches,
  OomKills
};
inline constexpr std::size_t kFamilyCount = 11;

// What the exit handler accounts of each process. YAML names: cpu, memory,
// io, faults, context_switches.
enum class Resource { Cpu, Memory, Io, Faults, ContextSwitches };

// Which labels each family carries, in the order given (exits add reason and
// code after them). Default: comm only, everywhere.
struct LabelConfig {
  std::array<std::vector<LabelSource>, kFamilyCount> per_family;
  LabelConfig();
  const std::vector<LabelSource>& of(Family f) const {
    return per_family[static_cast<std::size_t>(f)];
  }
  bool uses(LabelSource source) const;  // by any family
  bool operator==(const LabelConfig&) const = default;
};

// One side (include or exclude) of the filters. Empty lists match nothing.
struct FilterRules {
  std::vector<std::string> comm;           // exact command names
  std::vector<std::string> comm_regex;     // RE2 patterns, whole-name match
  std::vector<std::string> exe;            // exact absolute executable paths
  std::vector<std::string> exe_regex;      // whole-path match
  std::vector<std::string> unit;           // exact systemd unit names, e.g. cron.service
  std::vector<std::string> cgroup_prefix;  // cgroup path prefixes, e.g. /system.slice/
  std::vector<std::uint32_t> uid;
  bool empty() const;
  bool operator==(const FilterRules&) const = default;
};

// Where each container runtime keeps its containers' state, read for the pod,
// namespace and container labels (identity/runtime_state.h); the defaults are
// the runtimes' own, and "" leaves that runtime out.
struct RuntimeStateConfig {
  // <root>/<containerd namespace, "k8s.io" for the CRI>/<id>/config.json: the OCI spec.
  std::string containerd = "/run/containerd/io.containerd.runtime.v2.task";
  // <root>/<id>/userdata/config.json: the OCI spec (CRI-O's run root).
  std::string crio = "/run/containers/storage/overlay-containers";
  // <root>/<id>/config.v2.json: Docker's container record.
  std::string docker = "/var/lib/docker/containers";
  // <root>/<id>/userdata/config.json: the OCI spec, which libpod writes to the
  // container's static dir, `--annotation`s included (seen with Debian 12's
  // podman 4.3). Rootful Podman's; a rootless user's containers are under
  // ~/.local/share/containers/storage/overlay-containers instead.
  std::string podman = "/var/lib/containers/storage/overlay-containers";
  bool operator==(const RuntimeStateConfig&) const = default;
};

struct Config {
  // web:
  std::string listen_address = ":9765";
  std::string telemetry_path = "/metrics";
  std::string web_config_file;      // exporter-toolkit web config (TLS, basic auth); "" none
  std::uint32_t max_requests = 40;  // concurrent scrapes; 0 no limit
  // tracer:
  std::chrono::milliseconds drain_interval{1000};
  std::uint32_t max_processes = 32768;  // procs map capacity
  std::uint32_t max_keys = 8192;        // counts map capacity (distinct keys per drain)
  AttachMode attach_mode = AttachMode::Auto;
  bool bpf_stats = false;  // turn on the kernel's BPF run-time statistics
  // metrics:
  std::vector<double> lifetime_buckets;  // seconds, ascending; default_lifetime_buckets()
  std::vector<Resource> resources{Resource::Cpu, Resource::Memory};  // accounted at exit
  std::vector<double> peak_rss_buckets;  // bytes, ascending; default_peak_rss_buckets()
  // log:
  std::string log_level = "info";  // trace|debug|info|warn|error|off
  LogTarget log_target = LogTarget::Stderr;
  // labels:
  LabelConfig labels;
  // filters: an event is kept when the include rules are empty or one of
  // them matches, and no exclude rule matches.
  FilterRules include;
  FilterRules exclude;
  bool exclude_self = false;  // leave out the daemon's own forks, execs and exits
  // cardinality:
  std::uint32_t max_series_per_family = 10000;
  std::chrono::seconds drop_stale_after{0};  // 0: never drop series
  // identity:
  RuntimeStateConfig runtime_state;
  // naming: the program and script labels (naming/).
  NamingConfig naming;
  // records: which exits get a record (records/).
  RecordsConfig records;

  Config();
  bool operator==(const Config&) const = default;  // every field
};

// 1 ms to 1 day on a ×2.5 scale.
std::vector<double> default_lifetime_buckets();
// 1 MiB to 64 GiB on a ×4 scale.
std::vector<double> default_peak_rss_buckets();

// Parses YAML text; `source` names the file in error messages and in the
// rules it records. The file that naming.process_exporter_config names is read
// too, a relative path beside `source`. The Error is one line naming file,
// line, key and what is allowed.
Result<Config> parse_config(const std::string& yaml_text, const std::string& source);
// Reads and parses a file; a missing or unreadable file is an error.
Result<Config> load_config_file(const std::string& path);
// `text` with control characters written as \xNN: safe inside a one-line message.
std::string one_line(std::string_view text);
// The most a configuration file (the config, the web config) may hold: the
// cap stops a mistaken path (a device, a log) from eating memory.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

// Human-readable multi-line summary printed by --config.check.
std::string describe(const Config& config);

// What the kernel side reads at exec and fork, set when the tracer loads:
// command lines when a family carries script, or carries program and rules
// or `unmatched: script` make it of the command line (`program` by the comm
// alone needs none); the parent's comm when a family carries parent.
bool needs_cmdline(const Config& config);
bool needs_parent(const Config& config);

// Settings that need a restart to change; lists the ones that differ, by key,
// then what the kernel reads (needs_cmdline(), needs_parent()) when that
// would turn on or off: "command-line capture (was off, now on)".
std::vector<std::string> restart_only_differences(const Config& running, const Config& wanted);

// `running` with every setting the table marks reloadable taken from `wanted`:
// what a reload applies at once, the rest waiting for a restart.
Config take_reloadable(const Config& running, const Config& wanted);

// Sets one single-valued setting, named by its dotted YAML key (e.g.
// "web.listen_address"), from text with the same rules as the YAML file, so
// command-line flags validate exactly like file keys. The Error is one line
// "<what is wrong>; <what is allowed>" without file or key: the caller adds them.
Status set_setting(Config& config, std::string_view key, const std::string& text);

std::string to_string(AttachMode mode);
std::string to_string(LogTarget target);
std::string to_string(LabelSource source);
std::string to_string(Family family);
std::string to_string(Resource resource);
std::string to_string(InterpreterStyle style);
// The Prometheus label name of a source (same as its YAML name).
inline std::string label_name(LabelSource source) { return to_string(source); }

}  // namespace execmond
