// Loads and attaches the CO-RE tracer (bpf/execmond.bpf.c) through its libbpf
// skeleton, with tp_btf preferred and classic tracepoints as the fallback.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "execmond.h"
#include "kernel/kernel_filters.h"

struct execmond_bpf;
struct bpf_link;

namespace execmond {

// A start-up failure with an actionable one-line message.
class TracerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TracerOptions {
  std::uint32_t max_processes = 32768;
  std::uint32_t max_keys = 8192;
  AttachMode attach_mode = AttachMode::Auto;
  std::vector<double> lifetime_buckets;              // seconds
  bool record_exe = false;                           // resolve executables (exe label or filter)
  std::string btf_path = "/sys/kernel/btf/vmlinux";  // the running kernel's BTF
};

struct ProgramFd {
  std::string name;
  int fd;
};

class Tracer {
 public:
  // Opens, loads and attaches; throws TracerError.
  explicit Tracer(TracerOptions options);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Records the processes already running (BPF task iterator, two passes).
  void seed_running_processes();

  // "tp_btf" or "tracepoint": the program set that is attached.
  const std::string& attach_kind() const { return attach_kind_; }

  // The tables (see bpf/execmond.h), each an array map read and emptied by
  // the drainer; their sizes, and the keys claimed in a generation.
  struct Tables {
    int counts_slots, counts_values, counts_keys, counts_index;
    int procs, procs_dirty, procs_seeded;
    std::uint32_t ncpus, max_keys, key_slots, dirty_words;
  };
  const Tables& tables() const { return tables_; }
  std::uint32_t* keys_claimed(std::uint32_t generation) const;
  int lost_fd() const;
  // -1 unless executables are recorded.
  int exe_paths_fd() const;

  // Replaces the kernel-side filter rules; the programs stay attached.
  void apply_filters(const KernelFilters& filters);
  std::uint32_t max_processes() const { return options_.max_processes; }
  std::uint32_t max_keys() const { return options_.max_keys; }

  // Which counts map the handlers write to; see Drainer.
  std::uint32_t generation() const;
  void set_generation(std::uint32_t generation);

  std::vector<ProgramFd> attached_programs() const;

 private:
  struct SkeletonDeleter {
    void operator()(execmond_bpf* skel) const;
  };
  struct LinkDeleter {
    void operator()(bpf_link* link) const;
  };
  using Skeleton = std::unique_ptr<execmond_bpf, SkeletonDeleter>;
  using Link = std::unique_ptr<bpf_link, LinkDeleter>;

  // Returns an empty string on success, else why it failed.
  std::string try_load_and_attach(AttachMode mode);
  void size_tables();
  void run_seed_pass();

  TracerOptions options_;
  Skeleton skel_;
  std::vector<Link> links_;
  std::vector<ProgramFd> programs_;
  std::string attach_kind_;
  Tables tables_{};
};

// Nanosecond bounds for the kernel side from bucket bounds in seconds.
std::vector<std::uint64_t> lifetime_bounds_ns(const std::vector<double>& seconds);

}  // namespace execmond
