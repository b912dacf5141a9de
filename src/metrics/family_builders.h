// The pieces every collector builds its prometheus-cpp families from: a
// family, its samples, its label names and values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include "config/config.h"
#include "metrics/aggregator.h"

namespace execmond {

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type);

using Labels = std::vector<prometheus::ClientMetric::Label>;

void add_counter(prometheus::MetricFamily& f, Labels labels, double value);
void add_gauge(prometheus::MetricFamily& f, Labels labels, double value);

// Names paired with values, as many as both have.
Labels label_pairs(const std::vector<std::string>& names, const LabelValues& values);

// A family's configured label names, then the ones it adds itself (exits:
// reason and code; cpu: mode; io: direction; faults and switches: type;
// OOM kills: scope), in the order the aggregator keys its series.
std::vector<std::string> label_names(const LabelConfig& config, Family f);

// A counter family of the series in `totals`, each value times `scale`
// (1e-9 turns nanoseconds into seconds).
prometheus::MetricFamily counter_family(const SeriesMap<std::uint64_t>& totals,
                                        const std::vector<std::string>& names, std::string name,
                                        std::string help, double scale = 1);

// A histogram family of the series in `totals`, with the buckets' upper bounds.
prometheus::MetricFamily histogram_family(const SeriesMap<HistogramTotal>& totals,
                                          const std::vector<std::string>& names,
                                          const std::vector<double>& bounds, std::string name,
                                          std::string help);

}  // namespace execmond
