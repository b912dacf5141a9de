#include "metrics/collector.h"

#include <utility>

#include "execmond.h"
#include "metrics/exit_cost_families.h"
#include "metrics/family_builders.h"
#include "metrics/self_metrics.h"

namespace execmond {

namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily live_family(const DrainView& s, const Totals& totals) {
  MetricFamily f = family("execmond_processes", "Processes alive now.", MetricType::Gauge);
  const auto names = label_names(s.labels, Family::Processes);
  for (const auto& [values, series] : totals.live.series) {
    add_gauge(f, label_pairs(names, values), static_cast<double>(series.value));
  }
  return f;
}

MetricFamily overflow_family(const DrainView& s, const Totals& t) {
  MetricFamily f = family("execmond_series_overflow_events_total",
                          "Events counted in a family's overflow series (label values "
                          "__overflow__) because the family had reached "
                          "cardinality.max_series_per_family.",
                          MetricType::Counter);
  auto add = [&f](const char* name, std::uint64_t events) {
    add_counter(f, {{"family", name}}, static_cast<double>(events));
  };
  add("execs", t.execs.overflow_events);
  add("forks", t.forks.overflow_events);
  add("exits", t.exits.overflow_events);
  add("lifetime", t.lifetimes.overflow_events);
  add("oom_kills", t.oom_kills.overflow_events);
  // The resource families that are shown.
  if ((s.resources & EXECMOND_RESOURCE_CPU) != 0) add("cpu", t.cpu_ns.overflow_events);
  if ((s.resources & EXECMOND_RESOURCE_MEMORY) != 0) add("peak_rss", t.peak_rss.overflow_events);
  if ((s.resources & EXECMOND_RESOURCE_IO) != 0) add("io", t.io_bytes.overflow_events);
  if ((s.resources & EXECMOND_RESOURCE_FAULTS) != 0) {
    add("page_faults", t.page_faults.overflow_events);
  }
  if ((s.resources & EXECMOND_RESOURCE_SWITCHES) != 0) {
    add("context_switches", t.switches.overflow_events);
  }
  return f;
}

// Left out when no family carries a label drawn from cgroups or the runtimes' state.
void append_label_failures(const DrainView& s, std::vector<MetricFamily>& out) {
  MetricFamily f = family("execmond_label_resolution_failures_total",
                          "Label values that could not be found, the label being empty for "
                          "them (each is logged): cgroups whose path could not be found (removed "
                          "before execmond learned it), containers missing from the container "
                          "runtime's state, executables whose path the kernel no longer holds, "
                          "command lines whose record was lost (program and script made of the "
                          "comm alone).",
                          MetricType::Counter);
  for (const auto& [source, failures] : s.label_failures) {
    if (!s.labels.uses(source)) continue;
    add_counter(f, {{"label", label_name(source)}}, static_cast<double>(failures));
  }
  if (!f.metric.empty()) out.push_back(std::move(f));
}

// Only while the kernel side reads command lines (naming).
void append_cmdlines(const DrainView& s, std::vector<MetricFamily>& out) {
  if (!s.captures_cmdline) return;
  const struct {
    const char* name;
    const char* help;
    std::uint64_t value;
  } counters[] = {
      {"execmond_cmdline_truncated_total",
       "Command lines longer than naming.cmdline_max_bytes, cut after their last whole argument.",
       s.cmdline_events.truncated},
      {"execmond_cmdline_read_failures_total",
       "Execs whose command line could not be read: counted, named by their comm.",
       s.cmdline_events.read_failures},
      {"execmond_cmdline_records_lost_total",
       "Command lines read but not handed to the daemon (its ring was full): sent again at their "
       "next exec; the processes that ran them meanwhile are named by their comm.",
       s.cmdline_events.records_lost},
  };
  for (const auto& c : counters) {
    MetricFamily f = family(c.name, c.help, MetricType::Counter);
    add_counter(f, {}, static_cast<double>(c.value));
    out.push_back(std::move(f));
  }
}

void append_kernel_side(const DrainView& s, std::vector<MetricFamily>& out) {
  MetricFamily lost = family("execmond_events_lost_total",
                             "Events the kernel side could not record, by reason. Non-zero means "
                             "counts are short: raise the named map's capacity.",
                             MetricType::Counter);
  for (std::size_t i = 0; i < s.lost_total.size(); ++i) {
    add_counter(lost, {{"reason", lost_reason_names()[i]}}, static_cast<double>(s.lost_total[i]));
  }
  out.push_back(std::move(lost));

  MetricFamily waits = family(
      "execmond_oom_mark_waits_total",
      "SIGKILL exits that waited in the kernel for the OOM killer to mark them (kernels from "
      "6.16), by how the wait ended: marked, unlocked (no kill in progress) or deadline (the "
      "exit counted without the mark: as oom_killed with scope unknown, or as signaled).",
      MetricType::Counter);
  for (std::size_t i = 0; i < s.oom_mark_waits.size(); ++i) {
    add_counter(waits, {{"outcome", oom_wait_outcome_names()[i]}},
                static_cast<double>(s.oom_mark_waits[i]));
  }
  out.push_back(std::move(waits));
  MetricFamily cgroup_changes =
      family("execmond_cgroup_changes_lost_total",
             "Cgroup creations and removals the kernel side had no room to report; a cgroup among "
             "them that is gone before a drain leaves its processes' cgroup labels empty.",
             MetricType::Counter);
  add_counter(cgroup_changes, {}, static_cast<double>(s.cgroup_changes_lost));
  out.push_back(std::move(cgroup_changes));
  if (!s.map_update_failures.empty()) {
    MetricFamily failed = family("execmond_bpf_map_update_failures_total",
                                 "Entries the kernel side could not store in a BPF map, by map "
                                 "(exe_paths: those executables' exe label is empty).",
                                 MetricType::Counter);
    for (const auto& [map, failures] : s.map_update_failures) {
      add_counter(failed, {{"map", map}}, static_cast<double>(failures));
    }
    out.push_back(std::move(failed));
  }

  MetricFamily entries =
      family("execmond_bpf_map_entries",
             "Entries in a BPF map at the last drain (counts: keys drained).", MetricType::Gauge);
  MetricFamily capacity =
      family("execmond_bpf_map_capacity", "Maximum entries of a BPF map.", MetricType::Gauge);
  for (const MapStats& m : s.maps) {
    add_gauge(entries, {{"map", m.name}}, static_cast<double>(m.entries));
    add_gauge(capacity, {{"map", m.name}}, static_cast<double>(m.capacity));
  }
  out.push_back(std::move(entries));
  out.push_back(std::move(capacity));
  MetricFamily memory = family("execmond_bpf_map_memory_bytes",
                               "Kernel memory each BPF map of the tracer takes (its memlock, as "
                               "bpftool shows it); see Sizing in the README.",
                               MetricType::Gauge);
  for (const Tracer::MapMemory& m : s.map_memory) {
    add_gauge(memory, {{"map", m.name}}, static_cast<double>(m.bytes));
  }
  out.push_back(std::move(memory));

  // Counted by the kernel whether or not run statistics are on.
  MetricFamily misses =
      family("execmond_bpf_program_misses_total",
             "Runs of each BPF program the kernel skipped because it was already running on that "
             "CPU: each is an event execmond never saw. Expected to stay 0.",
             MetricType::Counter);
  for (const ProgramStats& p : s.programs) {
    add_counter(misses, {{"program", p.name}}, static_cast<double>(p.recursion_misses));
  }
  out.push_back(std::move(misses));

  if (!s.program_stats_enabled) return;
  MetricFamily runs =
      family("execmond_bpf_program_runs_total",
             "Times each BPF program ran (kernel BPF statistics).", MetricType::Counter);
  MetricFamily seconds =
      family("execmond_bpf_program_run_seconds_total",
             "Time spent in each BPF program (kernel BPF statistics).", MetricType::Counter);
  for (const ProgramStats& p : s.programs) {
    add_counter(runs, {{"program", p.name}}, static_cast<double>(p.run_count));
    add_counter(seconds, {{"program", p.name}}, static_cast<double>(p.run_time_ns) / 1e9);
  }
  out.push_back(std::move(runs));
  out.push_back(std::move(seconds));
}

}  // namespace

std::vector<MetricFamily> build_families(const DrainView& s, const Totals& totals) {
  std::vector<MetricFamily> out;
  out.push_back(counter_family(totals.execs, label_names(s.labels, Family::Execs),
                               "execmond_process_execs_total",
                               "Successful execve() calls, labelled by the new program."));
  out.push_back(counter_family(totals.forks, label_names(s.labels, Family::Forks),
                               "execmond_process_forks_total",
                               "New processes (not threads), labelled by the parent."));
  out.push_back(counter_family(totals.exits, label_names(s.labels, Family::Exits),
                               "execmond_process_exits_total",
                               "Processes that ended: reason=\"exited\" with the exit status as "
                               "code, or \"signaled\"/\"dumped\" (core dump)/\"oom_killed\" "
                               "with the signal name."));
  out.push_back(histogram_family(totals.lifetimes, label_names(s.labels, Family::Lifetime),
                                 s.lifetime_bounds, "execmond_process_lifetime_seconds",
                                 "Time from a process's creation (fork) to its exit."));
  out.push_back(live_family(s, totals));
  append_exit_cost_families(s.labels, s.resources, s.peak_rss_bounds, totals, out);
  out.push_back(overflow_family(s, totals));
  append_kernel_side(s, out);
  append_label_failures(s, out);
  append_cmdlines(s, out);
  return out;
}

ProcessCollector::ProcessCollector(AggregatorOptions options)
    : aggregator_(std::move(options)), view_(std::make_shared<const DrainView>()) {}

void ProcessCollector::update(const std::function<void(Aggregator&)>& change) {
  std::lock_guard lock(mutex_);
  change(aggregator_);
}

void ProcessCollector::publish(std::shared_ptr<const DrainView> view) {
  std::lock_guard lock(mutex_);
  view_ = std::move(view);
}

std::vector<MetricFamily> ProcessCollector::Collect() const {
  std::vector<MetricFamily> out;
  {
    std::lock_guard lock(mutex_);
    out = build_families(*view_, aggregator_.totals());
  }
  for (MetricFamily& f : collect_self_metrics()) out.push_back(std::move(f));
  return out;
}

}  // namespace execmond
