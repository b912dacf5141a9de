// The families of what exited processes cost (CPU, peak memory, I/O, page
// faults, context switches) and of OOM kills, defined beside their builder.
#pragma once

#include <cstdint>
#include <vector>

#include <prometheus/metric_family.h>

#include "config/config.h"
#include "metrics/aggregator.h"

namespace execmond {

// `resources` (enum execmond_resource bits) are the ones the kernel side
// accounts: a family of another resource is left out rather than shown at 0.
void append_exit_cost_families(const LabelConfig& labels, std::uint32_t resources,
                               const std::vector<double>& peak_rss_bounds, const Totals& totals,
                               std::vector<prometheus::MetricFamily>& out);

}  // namespace execmond
