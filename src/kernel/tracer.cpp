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
#include "kernel/load_errors.h"
#include "kernel/map_memory.h"
#include "kernel/table_sizes.h"
#include "util/unique_fd.h"

namespace execmond {

namespace {

struct ProgramSet {
  const char* kind;
  bpf_program* fork;
  bpf_program* exec;
  bpf_program* exit;
  bpf_program* free;  // adds what an exit cost after it was counted (bpf/reap_cost.bpf.h)
  bpf_program* cgroup_mkdir;
  bpf_program* cgroup_rmdir;
};

}  // namespace

void Tracer::SkeletonDeleter::operator()(execmond_bpf* skel) const { execmond_bpf__destroy(skel); }
void Tracer::LinkDeleter::operator()(bpf_link* link) const { bpf_link__destroy(link); }

Tracer::Tracer(TracerOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<Tracer>> Tracer::load(TracerOptions options, BeforeLoad before_load) {
  // Not make_unique: the constructor is private.
  std::unique_ptr<Tracer> tracer(new Tracer(std::move(options)));
  tracer->before_load_ = std::move(before_load);
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
  if (options_.cmdline_max_bytes == 0 || options_.cmdline_max_bytes > EXECMOND_CMDLINE_MAX) {
    return Error{"cmdline_max_bytes " + std::to_string(options_.cmdline_max_bytes) +
                 " is out of range; use 1 to " + std::to_string(EXECMOND_CMDLINE_MAX)};
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
  cgroup_links_.clear();
  links_.clear();  // detach before the skeleton closes the programs
}

Status Tracer::try_load_and_attach(AttachMode mode) {
  oom_link_.reset();
  cgroup_links_.clear();
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
      {"tp_btf", skel_->progs.tp_btf_fork, skel_->progs.tp_btf_exec, skel_->progs.tp_btf_exit,
       skel_->progs.tp_btf_free, skel_->progs.tp_btf_cgroup_mkdir,
       skel_->progs.tp_btf_cgroup_rmdir},
      {"tracepoint", skel_->progs.raw_tp_fork, skel_->progs.tracepoint_exec,
       skel_->progs.tracepoint_exit, skel_->progs.raw_tp_free, skel_->progs.raw_tp_cgroup_mkdir,
       skel_->progs.raw_tp_cgroup_rmdir},
  }};
  const ProgramSet& chosen = mode == AttachMode::Tracepoint ? sets[1] : sets[0];
  if (Status knobs = set_exit_cost_knobs(); !knobs) return knobs;
  // Without resources nothing waits for the reap: no program on every task's free.
  const bool reap_costs = options_.resources != 0;
  for (const ProgramSet& set : sets) {
    for (bpf_program* prog :
         {set.fork, set.exec, set.exit, set.free, set.cgroup_mkdir, set.cgroup_rmdir}) {
      const bool load = &set == &chosen && (prog != set.free || reap_costs);
      if (int err = bpf_program__set_autoload(prog, load); err != 0) {
        return Error{std::string("cannot select ") + bpf_program__name(prog) + ": " +
                     errno_text(err)};
      }
    }
  }
  // The iterator runs once, on demand, from seed_running_processes().
  bpf_program__set_autoattach(skel_->progs.seed_procs, false);
  // Run on demand too, and only needed (and only loadable before 5.14) with capture.
  bpf_program__set_autoattach(skel_->progs.fill_seeded_cmdline, false);
  bpf_program__set_autoload(skel_->progs.fill_seeded_cmdline, options_.capture_cmdline);

  auto bounds = lifetime_bounds_ns(options_.lifetime_buckets);
  for (std::size_t i = 0; i < EXECMOND_MAX_BUCKETS; ++i) {
    skel_->rodata->lifetime_bounds_ns[i] = i < bounds.size() ? bounds[i] : ~0ULL;
  }
  skel_->rodata->lifetime_bucket_count = static_cast<__u32>(bounds.size());
  skel_->rodata->record_exe = options_.record_exe ? 1 : 0;
  set_cmdline_knobs();
  if (Status sized = size_tables(); !sized) return sized;
  if (before_load_) before_load_(skel_->obj);

  if (int err = execmond_bpf__load(skel_.get()); err != 0) {
    skel_.reset();
    std::string why = explain_load_error(err);
    if (err == -ENOMEM || err == -E2BIG) {
      why += " (the tables need " + format_bytes(planned_memory_) +
             " of kernel memory: lower tracer.max_keys or tracer.max_processes)";
    }
    return Error{std::string(chosen.kind) + " programs failed to load: " + why};
  }
  if (Status found = find_maps(); !found) {
    skel_.reset();
    return found;
  }
  // The free handler first: an exit waiting for its reap must find it attached.
  for (bpf_program* prog : {chosen.free, chosen.fork, chosen.exec, chosen.exit}) {
    if (prog == chosen.free && !reap_costs) continue;
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
  read_map_memory();
  attach_cgroup_changes(chosen.cgroup_mkdir, chosen.cgroup_rmdir);
  attach_kind_ = chosen.kind;
  return {};
}

int Tracer::fill_seeded_cmdline_fd() const {
  return options_.capture_cmdline ? bpf_program__fd(skel_->progs.fill_seeded_cmdline) : -1;
}

Tracer::CmdlineMaps Tracer::cmdline_maps() const {
  if (!options_.capture_cmdline && !(record_reads_mm_ && options_.records_cmdline)) return {};
  return {bpf_map__fd(skel_->maps.cmdlines), bpf_map__fd(skel_->maps.cmdlines_known),
          bpf_map__fd(skel_->maps.cmdline_events)};
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

// Without them a cgroup's path is still found while it exists (CgroupResolver).
void Tracer::attach_cgroup_changes(bpf_program* mkdir, bpf_program* rmdir) {
  cgroup_links_.clear();
  for (bpf_program* prog : {mkdir, rmdir}) {
    bpf_link* link = bpf_program__attach(prog);
    if (link == nullptr) {
      spdlog::warn(
          "cannot attach {} ({}): cgroups removed before a drain leave their labels empty "
          "(counted in execmond_label_resolution_failures_total)",
          bpf_program__name(prog), errno_text(errno));
      cgroup_links_.clear();
      return;
    }
    cgroup_links_.emplace_back(link);
  }
  for (bpf_program* prog : {mkdir, rmdir}) {
    programs_.push_back({bpf_program__name(prog), bpf_program__fd(prog)});
  }
}

int Tracer::cgroup_changes_fd() const {
  return cgroup_links_.empty() ? -1 : bpf_map__fd(skel_->maps.cgroup_changes);
}

// The loaded maps' descriptors, owned by the skeleton, and its mapped .bss.
Status Tracer::find_maps() {
  const auto& m = skel_->maps;
  struct Named {
    bpf_map* map;
    int* fd;
  };
  const std::array<Named, 15> named{{
      {m.counts_slots, &tables_.counts_slots},
      {m.counts_costs, &tables_.counts_costs},
      {m.counts_values, &tables_.counts_values},
      {m.counts_keys, &tables_.counts_keys},
      {m.counts_index, &tables_.counts_index},
      {m.procs, &tables_.procs},
      {m.procs_dirty, &tables_.procs_dirty},
      {m.procs_seeded, &tables_.procs_seeded},
      {m.procs_origin, &tables_.procs_origin},
      {m.lost, &tables_.lost},
      {m.reap_costs, &tables_.reap_costs},
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
  globals_ = {&bss->generation,          bss->keys_claimed,    &bss->filter_active,
              &bss->self_tgid,           bss->oom_mark_waits,  &bss->cgroup_changes_lost,
              &bss->cgroup_mkdir_wakeup, &bss->record_signals, &bss->record_candidates};
  return {};
}

// Sized from plan_tables(), which works the sizes out in 64 bits and which
// check_table_sizes() has accepted: every count fits the maps' 32-bit sizes.
Status Tracer::size_tables() {
  const int cpus = libbpf_num_possible_cpus();
  const TableSizes plan = plan_tables(options_, cpus > 0 ? static_cast<std::uint32_t>(cpus) : 1);
  if (Status fits = check_table_sizes(plan, host_memory()); !fits) return fits;
  planned_memory_ = plan.memory_bytes();
  Tables& t = tables_;
  t.ncpus = plan.ncpus;
  t.max_keys = plan.max_keys;
  t.key_slots = plan.key_slots;
  t.dirty_words = plan.dirty_words;
  t.has_costs = plan.has_costs;
  t.keeps_origin = plan.keeps_origin;
  t.keys_cmdline = options_.capture_cmdline && options_.cmdline_in_keys;
  auto* ro = skel_->rodata;
  ro->ncpus = t.ncpus;
  ro->max_keys = t.max_keys;
  ro->key_slots = t.key_slots;
  ro->procs_mask = plan.procs_slots - 1;
  ro->dirty_words = t.dirty_words;
  for (const TableSizes::Map& sized : plan.maps()) {
    bpf_map* map = bpf_object__find_map_by_name(skel_->obj, sized.name);
    const auto entries = static_cast<std::uint32_t>(sized.entries);
    if (map == nullptr) return Error{std::string("the BPF object has no map ") + sized.name};
    if (int err = bpf_map__set_max_entries(map, entries); err != 0) {
      return Error{std::string("cannot size map ") + sized.name + " to " + std::to_string(entries) +
                   " entries: " + errno_text(err)};
    }
  }
  return {};
}

// The kernel's own figure for each map (its memlock in fdinfo), read once:
// the tracer's maps are all preallocated, so it does not change.
void Tracer::read_map_memory() {
  map_memory_.clear();
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel_->obj) {
    Result<std::uint64_t> bytes = map_memlock_bytes(bpf_map__fd(map));
    if (!bytes) {
      spdlog::warn("execmond_bpf_map_memory_bytes leaves out map {}: {}", bpf_map__name(map),
                   bytes.error().message);
      continue;
    }
    map_memory_.push_back({bpf_map__name(map), *bytes});
  }
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
  return options_.record_exe || record_reads_mm_ ? bpf_map__fd(skel_->maps.exe_paths) : -1;
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
