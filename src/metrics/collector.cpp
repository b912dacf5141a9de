#include "metrics/collector.h"

#include <limits>
#include <utility>

#include "metrics/self_metrics.h"

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

std::vector<ClientMetric::Label> label_pairs(const std::vector<std::string>& names,
                                             const LabelValues& values) {
  std::vector<ClientMetric::Label> labels;
  labels.reserve(names.size());
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    labels.push_back({names[i], values[i]});
  }
  return labels;
}

std::vector<std::string> label_names(const LabelConfig& config, Family f) {
  std::vector<std::string> names;
  for (LabelSource source : config.of(f)) names.push_back(label_name(source));
  if (f == Family::Exits) {
    names.emplace_back("reason");
    names.emplace_back("code");
  }
  return names;
}

MetricFamily counter_family(const SeriesMap<std::uint64_t>& totals,
                            const std::vector<std::string>& names, std::string name,
                            std::string help) {
  MetricFamily f = family(std::move(name), std::move(help), MetricType::Counter);
  for (const auto& [values, s] : totals.series) {
    add_counter(f, label_pairs(names, values), static_cast<double>(s.value));
  }
  return f;
}

MetricFamily lifetime_family(const DrainView& s, const Totals& totals) {
  MetricFamily f =
      family("execmond_process_lifetime_seconds",
             "Time from a process's creation (fork) to its exit.", MetricType::Histogram);
  const auto names = label_names(s.labels, Family::Lifetime);
  for (const auto& [values, series] : totals.lifetimes.series) {
    const LifetimeHistogram& h = series.value;
    ClientMetric m = labelled(label_pairs(names, values));
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

MetricFamily live_family(const DrainView& s, const Totals& totals) {
  MetricFamily f = family("execmond_processes", "Processes alive now.", MetricType::Gauge);
  const auto names = label_names(s.labels, Family::Processes);
  for (const auto& [values, series] : totals.live.series) {
    add_gauge(f, label_pairs(names, values), static_cast<double>(series.value));
  }
  return f;
}

MetricFamily overflow_family(const Totals& t) {
  MetricFamily f = family("execmond_series_overflow_events_total",
                          "Events counted in a family's overflow series (label values "
                          "__overflow__) because the family had reached "
                          "cardinality.max_series_per_family.",
                          MetricType::Counter);
  add_counter(f, {{"family", "execs"}}, static_cast<double>(t.execs.overflow_events));
  add_counter(f, {{"family", "forks"}}, static_cast<double>(t.forks.overflow_events));
  add_counter(f, {{"family", "exits"}}, static_cast<double>(t.exits.overflow_events));
  add_counter(f, {{"family", "lifetime"}}, static_cast<double>(t.lifetimes.overflow_events));
  return f;
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
                               "code, or \"signaled\"/\"dumped\" (core dump) with the signal "
                               "name."));
  out.push_back(lifetime_family(s, totals));
  out.push_back(live_family(s, totals));
  out.push_back(overflow_family(totals));
  append_kernel_side(s, out);
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
