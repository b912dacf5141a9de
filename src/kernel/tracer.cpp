#include "kernel/tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <utility>

#include "config/enum_names.h"
#include "execmond.h"
#include "execmond.skel.h"
#include "kernel/kernel_btf.h"
#include "table_layout.h"
#include "util/unique_fd.h"

namespace execmond {

namespace {

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

// Turns a libbpf failure into what an operator can act on.
std::string explain_load_error(int err) {
  err = err < 0 ? -err : err;
  if (err == EPERM || err == EACCES) {
    return "permission denied: run as root or grant CAP_BPF and CAP_PERFMON "
           "(CAP_SYS_ADMIN on kernels before 5.8); the verifier's reason is logged at "
           "--log.level=debug";
  }
  if (err == ESRCH || err == ENOENT) {
    return "the kernel lacks a type or tracepoint the tracer needs (" + errno_text(err) +
           "); check that /sys/kernel/btf/vmlinux exists (CONFIG_DEBUG_INFO_BTF=y)";
  }
  return errno_text(err) + "; rerun with --log.level=debug for the verifier's reason";
}

std::string explain_attach_error(AttachMode mode, int err) {
  err = err < 0 ? -err : err;
  if (mode == AttachMode::Tracepoint && err == ENOENT) {
    return "classic tracepoints need tracefs: mount it with "
           "`mount -t tracefs tracefs /sys/kernel/tracing`, or use attach_mode tp_btf";
  }
  if (mode == AttachMode::Tracepoint && (err == EACCES || err == EPERM)) {
    return "classic tracepoints are attached with perf_event_open(), which "
           "kernel.perf_event_paranoid=3 (Debian's default) allows only with CAP_SYS_ADMIN: "
           "set `sysctl kernel.perf_event_paranoid=2`, grant CAP_SYS_ADMIN, or use tp_btf";
  }
  return explain_load_error(err);
}

struct ProgramSet {
  const char* kind;
  bpf_program* fork;
  bpf_program* exec;
  bpf_program* exit;
};

}  // namespace

std::uint32_t resource_bits(const std::vector<Resource>& resources) {
  // The kernel side's bit of each Resource, in the enum's order.
  constexpr std::uint32_t kBit[] = {EXECMOND_RESOURCE_CPU, EXECMOND_RESOURCE_MEMORY,
                                    EXECMOND_RESOURCE_IO, EXECMOND_RESOURCE_FAULTS,
                                    EXECMOND_RESOURCE_SWITCHES};
  static_assert(std::size(kBit) == std::size(kResourceNames));
  std::uint32_t bits = 0;
  for (Resource r : resources) bits |= kBit[static_cast<std::size_t>(r)];
  return bits;
}

std::vector<std::uint64_t> lifetime_bounds_ns(const std::vector<double>& seconds) {
  std::vector<std::uint64_t> ns;
  ns.reserve(seconds.size());
  for (double s : seconds) {
    ns.push_back(static_cast<std::uint64_t>(std::llround(s * 1e9)));
  }
  return ns;
}

std::vector<std::uint64_t> rss_bounds_bytes(const std::vector<double>& bytes) {
  std::vector<std::uint64_t> whole;
  whole.reserve(bytes.size());
  for (double b : bytes) whole.push_back(static_cast<std::uint64_t>(std::llround(b)));
  return whole;
}

void Tracer::SkeletonDeleter::operator()(execmond_bpf* skel) const { execmond_bpf__destroy(skel); }
void Tracer::LinkDeleter::operator()(bpf_link* link) const { bpf_link__destroy(link); }

Tracer::Tracer(TracerOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<Tracer>> Tracer::load(TracerOptions options) {
  // Not make_unique: the constructor is private.
  std::unique_ptr<Tracer> tracer(new Tracer(std::move(options)));
  if (Status loaded = tracer->load_and_attach(); !loaded) return loaded.error();
  return tracer;
}

Status Tracer::load_and_attach() {
  if (options_.lifetime_buckets.size() > EXECMOND_MAX_BUCKETS) {
    return Error{"at most " + std::to_string(EXECMOND_MAX_BUCKETS) + " lifetime buckets"};
  }
  if (options_.peak_rss_bounds.size() > EXECMOND_MAX_RSS_BUCKETS) {
    return Error{"at most " + std::to_string(EXECMOND_MAX_RSS_BUCKETS) + " peak RSS buckets"};
  }
  if (options_.attach_mode != AttachMode::Auto) {
    Status loaded = try_load_and_attach(options_.attach_mode);
    if (!loaded) return Error{"cannot load the BPF tracer: " + loaded.error().message};
    return {};
  }
  Status loaded = try_load_and_attach(AttachMode::TpBtf);
  if (loaded) return {};
  spdlog::warn("tp_btf tracer unavailable ({}); falling back to classic tracepoints",
               loaded.error().message);
  Status fallback = try_load_and_attach(AttachMode::Tracepoint);
  if (!fallback) return Error{"cannot load the BPF tracer: " + fallback.error().message};
  return {};
}

Tracer::~Tracer() {
  oom_link_.reset();
  links_.clear();  // detach before the skeleton closes the programs
}

Status Tracer::try_load_and_attach(AttachMode mode) {
  oom_link_.reset();
  links_.clear();
  programs_.clear();
  // Relocate against the kernel's own BTF only. Without a path libbpf 1.1
  // also lists the modules' BTF when a type is missing from vmlinux (as
  // trace_event_raw_sched_process_exit::group_dead is before 6.16), which
  // needs CAP_SYS_ADMIN and fails under a unit granting only CAP_BPF and
  // CAP_PERFMON. The tracer reads no module types.
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = options_.btf_path.c_str());
  skel_.reset(execmond_bpf__open_opts(&open_opts));
  if (!skel_) return Error{"cannot open the BPF object: " + errno_text(errno)};

  const std::array<ProgramSet, 2> sets{{
      {"tp_btf", skel_->progs.tp_btf_fork, skel_->progs.tp_btf_exec, skel_->progs.tp_btf_exit},
      {"tracepoint", skel_->progs.raw_tp_fork, skel_->progs.tracepoint_exec,
       skel_->progs.tracepoint_exit},
  }};
  const ProgramSet& chosen = mode == AttachMode::Tracepoint ? sets[1] : sets[0];
  for (const ProgramSet& set : sets) {
    for (bpf_program* prog : {set.fork, set.exec, set.exit}) {
      if (int err = bpf_program__set_autoload(prog, &set == &chosen); err != 0) {
        return Error{std::string("cannot select ") + bpf_program__name(prog) + ": " +
                     errno_text(err)};
      }
    }
  }
  // The iterator runs once, on demand, from seed_running_processes().
  bpf_program__set_autoattach(skel_->progs.seed_procs, false);

  auto bounds = lifetime_bounds_ns(options_.lifetime_buckets);
  for (std::size_t i = 0; i < EXECMOND_MAX_BUCKETS; ++i) {
    skel_->rodata->lifetime_bounds_ns[i] = i < bounds.size() ? bounds[i] : ~0ULL;
  }
  skel_->rodata->lifetime_bucket_count = static_cast<__u32>(bounds.size());
  skel_->rodata->record_exe = options_.record_exe ? 1 : 0;
  if (Status knobs = set_exit_cost_knobs(); !knobs) return knobs;
  if (Status sized = size_tables(); !sized) return sized;

  if (int err = execmond_bpf__load(skel_.get()); err != 0) {
    skel_.reset();
    return Error{std::string(chosen.kind) + " programs failed to load: " + explain_load_error(err)};
  }
  if (Status found = find_maps(); !found) {
    skel_.reset();
    return found;
  }
  for (bpf_program* prog : {chosen.fork, chosen.exec, chosen.exit}) {
    bpf_link* link = bpf_program__attach(prog);
    if (link == nullptr) {
      int err = errno;
      Error why{std::string("cannot attach ") + bpf_program__name(prog) + ": " +
                explain_attach_error(mode, err)};
      links_.clear();
      skel_.reset();
      return why;
    }
    links_.emplace_back(link);
    programs_.push_back({bpf_program__name(prog), bpf_program__fd(prog)});
  }
  attach_oom_victims();
  attach_kind_ = chosen.kind;
  return {};
}

// Knobs the kernel's BTF decides: whether task I/O accounting exists, and
// what the mark_victim tracepoint passes. Set before every load attempt.
Status Tracer::set_exit_cost_knobs() {
  Result<KernelBtf> btf = KernelBtf::open(options_.btf_path);
  if (!btf) return btf.error();
  if ((options_.resources & EXECMOND_RESOURCE_IO) != 0 &&
      !btf->has_member("task_io_accounting", "read_bytes")) {
    spdlog::warn(
        "resource io is not accounted: this kernel has no task I/O accounting "
        "(CONFIG_TASK_IO_ACCOUNTING)");
    options_.resources &= ~static_cast<std::uint32_t>(EXECMOND_RESOURCE_IO);
  }
  auto* ro = skel_->rodata;
  ro->resources = options_.resources;
  const long page = sysconf(_SC_PAGESIZE);
  ro->page_size = page > 0 ? static_cast<__u64>(page) : 4096;
  for (std::size_t i = 0; i < EXECMOND_MAX_RSS_BUCKETS; ++i) {
    ro->rss_bounds_bytes[i] =
        i < options_.peak_rss_bounds.size() ? options_.peak_rss_bounds[i] : ~0ULL;
  }
  ro->rss_bucket_count = static_cast<__u32>(options_.peak_rss_bounds.size());
  // (void *, struct task_struct *victim, uid_t uid) since 6.8; (void *, int pid) before.
  ro->mark_victim_passes_task = btf->tracepoint_arg_count("mark_victim") >= 2 ? 1 : 0;
  return {};
}

// OOM victims are known without it (signal->oom_mm); it only tells the scope.
void Tracer::attach_oom_victims() {
  oom_link_.reset(bpf_program__attach(skel_->progs.raw_tp_oom_victim));
  if (!oom_link_) {
    spdlog::warn(
        "cannot attach to the mark_victim tracepoint ({}): OOM kills are counted "
        "with scope=\"unknown\"",
        errno_text(errno));
    return;
  }
  programs_.push_back({bpf_program__name(skel_->progs.raw_tp_oom_victim),
                       bpf_program__fd(skel_->progs.raw_tp_oom_victim)});
}

// The loaded maps' descriptors, owned by the skeleton, and its mapped .bss.
Status Tracer::find_maps() {
  const auto& m = skel_->maps;
  struct Named {
    bpf_map* map;
    int* fd;
  };
  const std::array<Named, 13> named{{
      {m.counts_slots, &tables_.counts_slots},
      {m.counts_costs, &tables_.counts_costs},
      {m.counts_values, &tables_.counts_values},
      {m.counts_keys, &tables_.counts_keys},
      {m.counts_index, &tables_.counts_index},
      {m.procs, &tables_.procs},
      {m.procs_dirty, &tables_.procs_dirty},
      {m.procs_seeded, &tables_.procs_seeded},
      {m.lost, &tables_.lost},
      {m.filter_comm, &filter_maps_.comm},
      {m.filter_uid, &filter_maps_.uid},
      {m.filter_exe, &filter_maps_.exe},
      {m.filter_cgroup, &filter_maps_.cgroup},
  }};
  for (const Named& n : named) {
    *n.fd = bpf_map__fd(n.map);
    if (*n.fd < 0) {
      return Error{std::string("map ") + bpf_map__name(n.map) +
                   " has no descriptor: " + errno_text(*n.fd)};
    }
  }
  if (skel_->bss == nullptr) return Error{"the BPF object's .bss is not mapped"};
  auto* bss = skel_->bss;
  globals_ = {&bss->generation, bss->keys_claimed, &bss->filter_active, &bss->self_tgid};
  return {};
}

namespace {

std::uint32_t power_of_two_at_least(std::uint64_t n) {
  std::uint64_t p = 1;
  while (p < n) p <<= 1U;
  return static_cast<std::uint32_t>(p);
}

}  // namespace

// Tables at most half full keep probe chains short.
Status Tracer::size_tables() {
  const int cpus = libbpf_num_possible_cpus();
  Tables& t = tables_;
  t.ncpus = cpus > 0 ? static_cast<std::uint32_t>(cpus) : 1;
  t.max_keys = options_.max_keys;
  t.key_slots = power_of_two_at_least(2ULL * options_.max_keys);
  const std::uint32_t procs_slots = power_of_two_at_least(2ULL * options_.max_processes);
  t.dirty_words = execmond_dirty_words(procs_slots);
  t.has_costs = options_.resources != 0;
  auto* ro = skel_->rodata;
  ro->ncpus = t.ncpus;
  ro->max_keys = t.max_keys;
  ro->key_slots = t.key_slots;
  ro->procs_mask = procs_slots - 1;
  ro->dirty_words = t.dirty_words;
  const auto& m = skel_->maps;
  const std::array<std::pair<bpf_map*, std::uint32_t>, 8> sizes{{
      {m.counts_slots, 2 * t.key_slots},
      {m.counts_costs, t.has_costs ? 2 * t.max_keys : 1},
      {m.counts_values, 2 * t.ncpus * t.max_keys},
      {m.counts_keys, 2 * t.max_keys},
      {m.counts_index, 2 * t.max_keys},
      {m.procs, procs_slots},
      {m.procs_dirty, 2 * t.ncpus * t.dirty_words},
      {m.procs_seeded, options_.max_processes},
  }};
  for (const auto& [map, entries] : sizes) {
    if (int err = bpf_map__set_max_entries(map, entries); err != 0) {
      return Error{std::string("cannot size map ") + bpf_map__name(map) + " to " +
                   std::to_string(entries) + " entries: " + errno_text(err)};
    }
  }
  return {};
}

// Two passes: the second catches a process that was being created at the
// moment of the first (see seed_procs in bpf/execmond.bpf.c).
Status Tracer::seed_running_processes() {
  if (Status first = run_seed_pass(); !first) return first;
  return run_seed_pass();
}

Status Tracer::run_seed_pass() {
  Link link(bpf_program__attach_iter(skel_->progs.seed_procs, nullptr));
  if (!link) return Error{"cannot attach the task iterator: " + errno_text(errno)};
  UniqueFd iter(bpf_iter_create(bpf_link__fd(link.get())));
  if (!iter.valid()) return Error{"cannot run the task iterator: " + errno_text(iter.get())};
  // The iterator does its work while being read; it prints nothing.
  std::array<char, 64> buf{};
  ssize_t n = 0;
  while ((n = read(iter.get(), buf.data(), buf.size())) > 0) {
  }
  if (n < 0) return Error{"task iterator failed: " + errno_text(errno)};
  return {};
}

int Tracer::exe_paths_fd() const {
  return options_.record_exe ? bpf_map__fd(skel_->maps.exe_paths) : -1;
}

std::uint64_t Tracer::exe_paths_update_failures() const {
  // Handlers add to it atomically in the mapped .bss.
  return std::atomic_ref(skel_->bss->exe_paths_update_failures).load(std::memory_order_relaxed);
}

std::uint64_t Tracer::exe_paths_rewrites() const {
  // Acquire: the rewritten entries are read after this.
  return std::atomic_ref(skel_->bss->exe_paths_rewrites).load(std::memory_order_acquire);
}

std::vector<ProgramFd> Tracer::attached_programs() const { return programs_; }

}  // namespace execmond
