#include "metrics/exit_cost_families.h"

#include "execmond.h"
#include "metrics/family_builders.h"

namespace execmond {

void append_exit_cost_families(const LabelConfig& labels, std::uint32_t resources,
                               const std::vector<double>& peak_rss_bounds, const Totals& totals,
                               std::vector<prometheus::MetricFamily>& out) {
  if ((resources & EXECMOND_RESOURCE_CPU) != 0) {
    out.push_back(counter_family(
        totals.cpu_ns, label_names(labels, Family::Cpu), "execmond_process_cpu_seconds_total",
        "CPU time of exited processes, all threads, split into user and system as the parent's "
        "wait4() reports it.",
        1e-9));
  }
  if ((resources & EXECMOND_RESOURCE_MEMORY) != 0) {
    out.push_back(
        histogram_family(totals.peak_rss, label_names(labels, Family::PeakRss), peak_rss_bounds,
                         "execmond_process_peak_rss_bytes",
                         "Peak resident memory of each process at its exit (ru_maxrss)."));
  }
  if ((resources & EXECMOND_RESOURCE_IO) != 0) {
    out.push_back(counter_family(
        totals.io_bytes, label_names(labels, Family::Io), "execmond_process_io_bytes_total",
        "Storage I/O of exited processes (read_bytes and write_bytes of task I/O accounting)."));
  }
  if ((resources & EXECMOND_RESOURCE_FAULTS) != 0) {
    out.push_back(counter_family(totals.page_faults, label_names(labels, Family::PageFaults),
                                 "execmond_process_page_faults_total",
                                 "Page faults of exited processes: major ones read from storage."));
  }
  if ((resources & EXECMOND_RESOURCE_SWITCHES) != 0) {
    out.push_back(counter_family(
        totals.switches, label_names(labels, Family::ContextSwitches),
        "execmond_process_context_switches_total",
        "Context switches of exited processes: voluntary (waiting) and involuntary (preempted)."));
  }
  out.push_back(counter_family(
      totals.oom_kills, label_names(labels, Family::OomKills), "execmond_oom_kills_total",
      "Processes the OOM killer chose as victims, labelled by the victim; scope \"cgroup\" when a "
      "memory cgroup was at its limit, \"global\" when the system ran out of memory."));
}

}  // namespace execmond
