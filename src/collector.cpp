#include "collector.h"

#include <limits>
#include <set>
#include <utility>

#include "self_metrics.h"

namespace execmond {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

ClientMetric labelled(std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  return m;
}

void add_counter(MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m = labelled(std::move(labels));
  m.counter.value = value;
  f.metric.push_back(std::move(m));
}

void add_gauge(MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m = labelled(std::move(labels));
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

MetricFamily per_comm_counter(const std::map<std::string, std::uint64_t>& totals, std::string name,
                              std::string help) {
  MetricFamily f = family(std::move(name), std::move(help), MetricType::Counter);
  for (const auto& [comm, n] : totals) add_counter(f, {{"comm", comm}}, static_cast<double>(n));
  return f;
}

MetricFamily exits_family(const Totals& t) {
  MetricFamily f = family("execmond_process_exits_total",
                          "Processes that ended, by command name and how: reason=\"exited\" "
                          "with the exit status as code, or \"signaled\"/\"dumped\" (core dump) "
                          "with the signal name.",
                          MetricType::Counter);
  for (const auto& [key, n] : t.exits) {
    add_counter(f, {{"code", key.code}, {"comm", key.comm}, {"reason", key.reason}},
                static_cast<double>(n));
  }
  return f;
}

MetricFamily lifetime_family(const Snapshot& s) {
  MetricFamily f = family("execmond_process_lifetime_seconds",
                          "Time from a process's creation (fork) to its exit, by command name "
                          "at exit.",
                          MetricType::Histogram);
  for (const auto& [comm, h] : s.totals.lifetimes) {
    ClientMetric m = labelled({{"comm", comm}});
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= s.lifetime_bounds.size(); ++i) {
      cumulative += i < h.bucket_counts.size() ? h.bucket_counts[i] : 0;
      double bound = i < s.lifetime_bounds.size() ? s.lifetime_bounds[i]
                                                  : std::numeric_limits<double>::infinity();
      m.histogram.bucket.push_back({cumulative, bound});
    }
    m.histogram.sample_count = h.count;
    m.histogram.sample_sum = h.sum_seconds;
    f.metric.push_back(std::move(m));
  }
  return f;
}

// Every command name seen gets a live series, 0 once its processes are gone,
// so the gauge falls to zero instead of going stale.
MetricFamily live_family(const Totals& t) {
  std::set<std::string> comms;
  for (const auto& [comm, n] : t.live) comms.insert(comm);
  for (const auto& [comm, n] : t.execs) comms.insert(comm);
  for (const auto& [comm, n] : t.forks) comms.insert(comm);
  for (const auto& [key, n] : t.exits) comms.insert(key.comm);
  MetricFamily f =
      family("execmond_processes", "Processes alive now, by command name.", MetricType::Gauge);
  for (const std::string& comm : comms) {
    auto it = t.live.find(comm);
    add_gauge(f, {{"comm", comm}}, it == t.live.end() ? 0.0 : static_cast<double>(it->second));
  }
  return f;
}

void append_kernel_side(const Snapshot& s, std::vector<MetricFamily>& out) {
  MetricFamily lost = family("execmond_events_lost_total",
                             "Events the kernel side could not record, by reason. Non-zero means "
                             "counts are short: raise the named map's capacity.",
                             MetricType::Counter);
  for (std::size_t i = 0; i < s.lost_total.size(); ++i) {
    add_counter(lost, {{"reason", lost_reason_names()[i]}}, static_cast<double>(s.lost_total[i]));
  }
  out.push_back(std::move(lost));

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

std::vector<MetricFamily> build_families(const Snapshot& s) {
  std::vector<MetricFamily> out;
  out.push_back(per_comm_counter(s.totals.execs, "execmond_process_execs_total",
                                 "Successful execve() calls, by the new program's command name."));
  out.push_back(per_comm_counter(s.totals.forks, "execmond_process_forks_total",
                                 "New processes (not threads), by the parent's command name."));
  out.push_back(exits_family(s.totals));
  out.push_back(lifetime_family(s));
  out.push_back(live_family(s.totals));
  append_kernel_side(s, out);
  return out;
}

ProcessCollector::ProcessCollector() : snapshot_(std::make_shared<const Snapshot>()) {}

void ProcessCollector::publish(std::shared_ptr<const Snapshot> snapshot) {
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<const Snapshot> ProcessCollector::current() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::vector<MetricFamily> ProcessCollector::Collect() const {
  std::vector<MetricFamily> out = build_families(*current());
  for (MetricFamily& f : collect_self_metrics()) out.push_back(std::move(f));
  return out;
}

}  // namespace execmond
