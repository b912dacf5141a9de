#include "metrics/family_builders.h"

#include <limits>
#include <utility>

namespace execmond {

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

namespace {

ClientMetric labelled(Labels labels) {
  ClientMetric m;
  m.label = std::move(labels);
  return m;
}

}  // namespace

void add_counter(MetricFamily& f, Labels labels, double value) {
  ClientMetric m = labelled(std::move(labels));
  m.counter.value = value;
  f.metric.push_back(std::move(m));
}

void add_gauge(MetricFamily& f, Labels labels, double value) {
  ClientMetric m = labelled(std::move(labels));
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

Labels label_pairs(const std::vector<std::string>& names, const LabelValues& values) {
  Labels labels;
  labels.reserve(names.size());
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    labels.push_back({names[i], values[i]});
  }
  return labels;
}

std::vector<std::string> label_names(const LabelConfig& config, Family f) {
  std::vector<std::string> names;
  for (LabelSource source : config.of(f)) names.push_back(label_name(source));
  switch (f) {
    case Family::Exits:
      names.emplace_back("reason");
      names.emplace_back("code");
      break;
    case Family::Cpu:
      names.emplace_back("mode");
      break;
    case Family::Io:
      names.emplace_back("direction");
      break;
    case Family::PageFaults:
    case Family::ContextSwitches:
      names.emplace_back("type");
      break;
    case Family::OomKills:
      names.emplace_back("scope");
      break;
    case Family::Execs:
    case Family::Forks:
    case Family::Lifetime:
    case Family::Processes:
    case Family::PeakRss:
      break;
  }
  return names;
}

MetricFamily counter_family(const SeriesMap<std::uint64_t>& totals,
                            const std::vector<std::string>& names, std::string name,
                            std::string help, double scale) {
  MetricFamily f = family(std::move(name), std::move(help), MetricType::Counter);
  for (const auto& [values, s] : totals.series) {
    add_counter(f, label_pairs(names, values), static_cast<double>(s.value) * scale);
  }
  return f;
}

MetricFamily histogram_family(const SeriesMap<HistogramTotal>& totals,
                              const std::vector<std::string>& names,
                              const std::vector<double>& bounds, std::string name,
                              std::string help) {
  MetricFamily f = family(std::move(name), std::move(help), MetricType::Histogram);
  for (const auto& [values, series] : totals.series) {
    const HistogramTotal& h = series.value;
    ClientMetric m = labelled(label_pairs(names, values));
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += i < h.bucket_counts.size() ? h.bucket_counts[i] : 0;
      double bound = i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity();
      m.histogram.bucket.push_back({cumulative, bound});
    }
    m.histogram.sample_count = h.count;
    m.histogram.sample_sum = h.sum;
    f.metric.push_back(std::move(m));
  }
  return f;
}

}  // namespace execmond
