// The knobs the loader sets in the tracer's read-only data between open and
// load (declared in kernel/tracer.h): those the kernel's BTF decides, and
// those of command lines, parents and exit records.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "execmond.h"
#include "execmond.skel.h"
#include "kernel/kernel_btf.h"
#include "kernel/tracer.h"

namespace execmond {

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
  set_record_knobs(*btf);
  return {};
}

// The exit probe passes group_dead since 6.16, the change that moved the
// tracepoint before exit_mm(): the process's memory is still there to read.
void Tracer::set_record_knobs(const KernelBtf& btf) {
  const bool records = options_.exit_records_bytes != 0;
  record_reads_mm_ = records && btf.tracepoint_arg_count("sched_process_exit") >= 2;
  if (records && !record_reads_mm_) {
    // Kept from each exec instead, at its cost (docs/benchmarks.md).
    options_.record_exe = true;
    options_.capture_cmdline = options_.capture_cmdline || options_.records_cmdline;
  }
  skel_->rodata->record_reads_mm = record_reads_mm_ ? 1 : 0;
  skel_->rodata->record_cmdline = options_.records_cmdline ? 1 : 0;
}

void Tracer::set_cmdline_knobs() {
  auto* ro = skel_->rodata;
  ro->capture_cmdline = options_.capture_cmdline ? 1 : 0;
  ro->cmdline_max_bytes = options_.cmdline_max_bytes;
  ro->record_parent = options_.record_parent ? 1 : 0;
  ro->keep_origin = options_.capture_cmdline || options_.record_parent ? 1 : 0;
  const bool key_cmdline = options_.capture_cmdline && options_.cmdline_in_keys;
  ro->key_cmdline = key_cmdline ? 1 : 0;
  ro->key_origin = key_cmdline || options_.record_parent ? 1 : 0;
  ro->records_on = options_.exit_records_bytes != 0 ? 1 : 0;
}

int Tracer::exit_records_fd() const {
  return options_.exit_records_bytes != 0 ? bpf_map__fd(skel_->maps.exit_records) : -1;
}

int Tracer::exit_record_drops_fd() const {
  return options_.exit_records_bytes != 0 ? bpf_map__fd(skel_->maps.exit_record_drops) : -1;
}

}  // namespace execmond
