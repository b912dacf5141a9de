// The daemon's lifecycle around the pipeline
//   tracer → drainer → aggregator → collector → HTTP
// start-up checks, reloads, systemd notification, shutdown. The drain
// (drain_pipeline.h), the HTTP server across reloads (web_service.h), the
// capabilities kept (capability_policy.h) and the event loop (event_loop.h)
// are their own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "app/daemon_metrics.h"
#include "app/drain_pipeline.h"
#include "app/web_service.h"
#include "config/cli.h"
#include "config/config.h"
#include "identity/identity_resolver.h"
#include "kernel/tracer.h"
#include "metrics/collector.h"
#include "util/error.h"
#include "util/unique_fd.h"
#include "web/web_config.h"

namespace execmond {

class Daemon {
 public:
  Daemon(CliOptions cli, Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Checks the host, loads and attaches the tracer, seeds the running
  // processes, binds HTTP, then (drop_capabilities) gives up every capability
  // it no longer needs. Throws Fatal.
  void start(bool drop_capabilities = false);
  // Reads what the kernel recorded and publishes it for scrapes.
  void drain_once();
  // Re-reads the config file; on error keeps the running config, logs why
  // and returns it.
  Status reload();
  // The event loop: drains on the timer, reloads on SIGHUP, returns on
  // SIGTERM/SIGINT. The caller must have blocked those signals in all
  // threads. Throws Fatal.
  void run();

  std::uint16_t port() const { return web_.port(); }
  const Config& config() const { return config_; }
  const std::string& attach_kind() const { return tracer_->attach_kind(); }

 private:
  std::string status_line() const;
  // Installs the config's filters in the kernel and the aggregator.
  void apply_filters();
  // Turns on BPF run-time statistics when the config asks; a warning if it cannot.
  void enable_bpf_stats();
  // After a failed reload (logged by the caller): the gauge, systemd's
  // status, and the error returned.
  Status reload_failed(const Error& error);

  CliOptions cli_;
  Config config_;
  std::unique_ptr<Tracer> tracer_;
  std::unique_ptr<IdentityResolver> resolver_;
  std::shared_ptr<naming::NameCache> names_;  // command lines and their names
  std::unique_ptr<ExitRecords> records_;      // when records.enabled
  std::unique_ptr<DrainPipeline> pipeline_;
  std::shared_ptr<ProcessCollector> collector_;
  std::shared_ptr<prometheus::Registry> registry_;
  DaemonMetrics metrics_;
  std::shared_ptr<RecordRing> records_ring_;  // what GET /exits shows; null with records off
  WebService web_;
  UniqueFd bpf_stats_fd_;
};

}  // namespace execmond
