// The daemon's lifecycle around the pipeline
//   tracer → drainer → aggregator → collector → HTTP
// start-up checks, the drain timer, reloads, systemd notification, shutdown.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "metrics/aggregator.h"
#include "config/cli.h"
#include "metrics/collector.h"
#include "config/config.h"
#include "kernel/drainer.h"
#include "web/http_server.h"
#include "identity/identity_resolver.h"
#include "kernel/tracer.h"
#include "web/web_config.h"

namespace execmond {

// A start-up failure: one line saying what to fix; main() exits with 1.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Daemon {
 public:
  Daemon(CliOptions cli, Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Checks the host, loads and attaches the tracer, seeds the running
  // processes, binds HTTP, then (drop_capabilities) gives up every capability
  // it no longer needs. Throws StartupError.
  void start(bool drop_capabilities = false);
  // Reads what the kernel recorded and publishes it for scrapes.
  void drain_once();
  // Re-reads the config file; on error keeps the running config. Returns success.
  bool reload();
  // The event loop: drains on the timer, reloads on SIGHUP, returns on
  // SIGTERM/SIGINT. The caller must have blocked those signals in all threads.
  void run();

  std::uint16_t port() const;
  const Config& config() const { return config_; }
  const std::string& attach_kind() const { return tracer_->attach_kind(); }

 private:
  void register_self_metrics();
  std::string status_line() const;
  // Installs the config's filters in the kernel and the aggregator.
  void apply_filters();
  // The web config `config` names (none: plain HTTP); nothing, and web_error_, when it is bad.
  std::optional<WebConfig> load_web(const Config& config);
  // Starts the HTTP server with `web`, replacing a running one; throws HttpError.
  void serve(const WebConfig& web);
  // Applies a reloaded web config; false (and the old one still served) when it cannot.
  bool reload_web(const WebConfig& web);
  // With no server (its port was taken while a reload replaced it): tries to
  // serve web_ again; called after such a reload and on every drain until it works.
  void serve_again();

  CliOptions cli_;
  Config config_;
  std::unique_ptr<Tracer> tracer_;
  std::unique_ptr<Drainer> drainer_;
  std::unique_ptr<IdentityResolver> resolver_;
  DrainResult last_drain_;
  std::shared_ptr<ProcessCollector> collector_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram* drain_duration_ = nullptr;
  prometheus::Gauge* reload_successful_ = nullptr;
  prometheus::Gauge* reload_success_time_ = nullptr;
  std::unique_ptr<HttpServer> http_;
  WebConfig web_;            // the web config in effect, served or to be served
  std::string not_serving_;  // why there is no server; "" while there is one
  std::string web_error_;
  int bpf_stats_fd_ = -1;
};

}  // namespace execmond
