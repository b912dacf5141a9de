// Loads and attaches the CO-RE tracer (bpf/execmond.bpf.c) through its libbpf
// skeleton, with tp_btf preferred and classic tracepoints as the fallback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "execmond.h"
#include "kernel/table_sizes.h"
#include "util/error.h"

struct execmond_bpf;
namespace execmond {
class KernelBtf;
}
struct bpf_link;
struct bpf_object;
struct bpf_program;

namespace execmond {

struct TracerOptions {
  std::uint32_t max_processes = 32768;
  std::uint32_t max_keys = 8192;
  AttachMode attach_mode = AttachMode::Auto;
  std::vector<double> lifetime_buckets;              // seconds
  bool record_exe = false;                           // resolve executables (exe label or filter)
  std::string btf_path = "/sys/kernel/btf/vmlinux";  // the running kernel's BTF
  std::uint32_t resources = 0;                       // enum execmond_resource bits
  std::vector<std::uint64_t> peak_rss_bounds;        // bytes, ascending
  // What ran (bpf/cmdline.bpf.h): each exec's command line, read from the new
  // program's memory up to cmdline_max_bytes (at most EXECMOND_CMDLINE_MAX),
  // its id in the keys and its bytes in the cmdlines ring (CmdlineRing).
  bool capture_cmdline = false;
  std::uint32_t cmdline_max_bytes = 4096;
  bool record_parent = false;  // the comm of the process that forked each one, in its keys
  // Whether the keys carry the command line's id (the naming rules read it);
  // else a captured command line reaches only the exit records.
  bool cmdline_in_keys = true;
  // The exit_records ring's size in bytes (bpf/exit_record.bpf.h); 0: no records.
  std::uint32_t exit_records_bytes = 0;
  // Records carry command lines (and always executables): read at the exit
  // where the kernel traces it before exit_mm() (6.16 on), else the loader
  // turns on capture_cmdline and record_exe to keep them from each exec.
  bool records_cmdline = false;
};

// The tracer's options for `config`: what it counts, what the labels and
// the exit records need the kernel side to read.
TracerOptions tracer_options(const Config& config, const std::string& btf_path);
// The tables the tracer makes with `options` on a host with `ncpus` possible CPUs.
TableSizes plan_tables(const TracerOptions& options, std::uint32_t ncpus);

// The kernel's bits (enum execmond_resource) of the configured resources.
std::uint32_t resource_bits(const std::vector<Resource>& resources);

struct ProgramFd {
  std::string name;
  int fd;
};

class Tracer {
 public:
  // Changes the opened object after the loader sized it and before it is
  // loaded. Tests only: it makes a failure real that this host cannot
  // produce (a map too small for a lookup).
  using BeforeLoad = std::function<void(bpf_object*)>;
  // Opens, loads and attaches. The Error is one line that says why.
  static Result<std::unique_ptr<Tracer>> load(TracerOptions options, BeforeLoad before_load = {});
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Records the processes already running (BPF task iterator, two passes).
  Status seed_running_processes();

  // "tp_btf" or "tracepoint": the program set that is attached.
  const std::string& attach_kind() const { return attach_kind_; }

  // The tables (see bpf/execmond.h), each an array map read and emptied by
  // the drainer, and their sizes.
  struct Tables {
    int counts_slots, counts_values, counts_keys, counts_index;
    int counts_costs;  // one entry per value index when has_costs
    int procs, procs_dirty, procs_seeded;
    int procs_origin;  // one struct execmond_proc_origin per procs slot when keeps_origin
    int lost;
    int reap_costs;  // exits waiting for their reap (bpf/reap_cost.bpf.h)
    std::uint32_t ncpus, max_keys, key_slots, dirty_words;
    bool has_costs;     // some resource is accounted at exit
    bool keeps_origin;  // capture_cmdline or record_parent
    bool keys_cmdline;  // the counts keys carry the command line's id
  };
  const Tables& tables() const { return tables_; }
  // The filter rule maps (bpf/filters.bpf.h), written by apply_kernel_filters().
  struct FilterMaps {
    int comm, uid, exe, cgroup;
  };
  const FilterMaps& filter_maps() const { return filter_maps_; }
  // The handlers' globals the daemon writes or reads, in the tracer's mapped
  // .bss: valid while the Tracer lives; access them atomically.
  struct Globals {
    std::uint32_t* generation;    // which generation handlers write to; see Drainer
    std::uint32_t* keys_claimed;  // [2]: count keys claimed per generation
    std::uint32_t* filter_active;
    std::uint32_t* self_tgid;
    unsigned long long* oom_mark_waits;       // [EXECMOND_OOM_WAIT_OUTCOMES] (__u64), cumulative
    unsigned long long* cgroup_changes_lost;  // records the cgroup_changes ring had no room for
    std::uint32_t* cgroup_mkdir_wakeup;       // 1: wake the daemon at every cgroup made
    // Exit records (bpf/exit_record.bpf.h): the crash signals' bits, and
    // which ordinary exits to hand over (enum execmond_record_candidates).
    unsigned long long* record_signals;
    std::uint32_t* record_candidates;
  };
  const Globals& globals() const { return globals_; }
  // -1 unless executables are recorded.
  int exe_paths_fd() const;
  // The ring of cgroup mkdir and rmdir records (struct execmond_cgroup_change);
  // -1 when the cgroup tracepoints could not be attached.
  int cgroup_changes_fd() const;
  // The command lines' maps (bpf/cmdline.bpf.h); -1 unless capture_cmdline.
  struct CmdlineMaps {
    int ring = -1;    // cmdlines: struct execmond_cmdline_record
    int known = -1;   // cmdlines_known: the ids sent
    int events = -1;  // cmdline_events: per-CPU counts by enum execmond_cmdline_event
  };
  CmdlineMaps cmdline_maps() const;
  // The fill_seeded_cmdline program (bpf/execmond.bpf.c), run with
  // BPF_PROG_RUN by SeededCmdlines; -1 unless capture_cmdline.
  int fill_seeded_cmdline_fd() const;
  bool captures_cmdline() const { return options_.capture_cmdline; }
  // The exit records' ring (struct execmond_exit_record) and the per-CPU
  // count of those it had no room for, by kind; -1 without records.
  int exit_records_fd() const;
  int exit_record_drops_fd() const;
  bool records_parent() const { return options_.record_parent; }
  std::uint32_t cmdline_max_bytes() const { return options_.cmdline_max_bytes; }
  // Executable paths the kernel side could not store in exe_paths.
  std::uint64_t exe_paths_update_failures() const;
  // Paths it resolved anew for a file already in exe_paths: when this grows,
  // the paths read before may be out of date.
  std::uint64_t exe_paths_rewrites() const;

  // The resources accounted at exit (enum execmond_resource bits): the
  // configured ones the kernel can provide.
  std::uint32_t resources() const { return options_.resources; }
  // Whether the mark_victim tracepoint is attached: without it an OOM
  // victim's scope is unknown.
  bool sees_oom_scope() const { return oom_link_ != nullptr; }

  std::uint32_t max_processes() const { return options_.max_processes; }
  std::uint32_t max_keys() const { return options_.max_keys; }

  std::vector<ProgramFd> attached_programs() const;

  // The kernel memory each of the tracer's maps takes, by map name.
  struct MapMemory {
    std::string name;
    std::uint64_t bytes;
  };
  const std::vector<MapMemory>& map_memory() const { return map_memory_; }

 private:
  struct SkeletonDeleter {
    void operator()(execmond_bpf* skel) const;
  };
  struct LinkDeleter {
    void operator()(bpf_link* link) const;
  };
  using Skeleton = std::unique_ptr<execmond_bpf, SkeletonDeleter>;
  using Link = std::unique_ptr<bpf_link, LinkDeleter>;

  explicit Tracer(TracerOptions options);
  Status load_and_attach();
  Status try_load_and_attach(AttachMode mode);
  Status size_tables();
  Status set_exit_cost_knobs();
  void set_cmdline_knobs();
  void set_record_knobs(const KernelBtf& btf);
  void attach_oom_victims();
  void attach_cgroup_changes(bpf_program* mkdir, bpf_program* rmdir);
  Status find_maps();
  void read_map_memory();
  Status run_seed_pass();

  TracerOptions options_;
  BeforeLoad before_load_;
  Skeleton skel_;
  std::vector<Link> links_;
  Link oom_link_;
  std::vector<Link> cgroup_links_;
  std::vector<ProgramFd> programs_;
  std::string attach_kind_;
  Tables tables_{};
  FilterMaps filter_maps_{};
  Globals globals_{};
  bool record_reads_mm_ = false;
  std::uint64_t planned_memory_ = 0;  // what size_tables() worked out for the tables
  std::vector<MapMemory> map_memory_;
};

// Nanosecond bounds for the kernel side from bucket bounds in seconds.
std::vector<std::uint64_t> lifetime_bounds_ns(const std::vector<double>& seconds);
// Whole-byte bounds for the kernel side from bucket bounds in bytes.
std::vector<std::uint64_t> rss_bounds_bytes(const std::vector<double>& bytes);

}  // namespace execmond
