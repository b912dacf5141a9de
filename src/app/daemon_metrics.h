// The daemon's own families besides the drain's: execmond_build_info and
// the outcome of configuration reloads, which the daemon fills.
#pragma once

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace execmond {

class DaemonMetrics {
 public:
  // Registers the families; the configuration loaded at start counts as a
  // successful reload.
  explicit DaemonMetrics(prometheus::Registry& registry);

  void reload_succeeded();
  void reload_failed();

 private:
  prometheus::Gauge& build_info_;  // a constant 1
  prometheus::Gauge& reload_successful_;
  prometheus::Gauge& reload_success_time_;
};

}  // namespace execmond
