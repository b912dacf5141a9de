#include "app/daemon.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <utility>

#include "app/capability_policy.h"
#include "app/event_loop.h"
#include "app/logging.h"
#include "app/notify.h"
#include "identity/label_resolver.h"
#include "kernel/kernel_filters.h"
#include "kernel/preflight.h"
#include "records/record_json.h"
#include "util/capabilities.h"

namespace execmond {

Daemon::Daemon(CliOptions cli, Config config)
    : cli_(std::move(cli)),
      config_(std::move(config)),
      collector_(std::make_shared<ProcessCollector>(
          AggregatorOptions{config_.labels, config_.lifetime_buckets, config_.max_series_per_family,
                            resource_bits(config_.resources), config_.peak_rss_buckets})),
      registry_(std::make_shared<prometheus::Registry>()),
      metrics_(*registry_),
      records_ring_(config_.records.enabled ? std::make_shared<RecordRing>(config_.records.keep)
                                            : nullptr),
      web_(HttpOptions{config_.listen_address,
                       config_.telemetry_path,
                       config_.max_requests,
                       {},
                       {records_ring_, records_ring_ ? record_json : RecordEncoder{}}},
           {collector_, registry_}) {}

Daemon::~Daemon() {
  web_.stop();  // stop answering before the tracer goes away
  pipeline_.reset();
  records_.reset();
  tracer_.reset();
}

void Daemon::enable_bpf_stats() {
  if (!config_.bpf_stats) return;
  const int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0) {
    spdlog::warn("cannot enable BPF run-time statistics: {}", std::strerror(-fd));
    return;
  }
  bpf_stats_fd_.reset(fd);
}

void Daemon::start(bool drop_capabilities) {
  if (Status privileges = check_bpf_privileges(); !privileges) {
    throw Fatal(privileges.error().message);
  }
  if (Status btf = check_kernel_btf(cli_.btf_path); !btf) throw Fatal(btf.error().message);
  enable_bpf_stats();
  Result<naming::Namer> namer = naming::Namer::compile(config_.naming);
  if (!namer) throw Fatal(namer.error().message);
  names_ =
      std::make_shared<naming::NameCache>(std::make_shared<const naming::Namer>(std::move(*namer)));
  Result<std::unique_ptr<Tracer>> tracer = Tracer::load(tracer_options(config_, cli_.btf_path));
  if (!tracer) throw Fatal(tracer.error().message);
  tracer_ = std::move(*tracer);
  resolver_ = std::make_unique<IdentityResolver>(tracer_->exe_paths_fd());
  apply_filters();
  if (Status seeded = tracer_->seed_running_processes(); !seeded) {
    throw Fatal(seeded.error().message);
  }
  pipeline_ = std::make_unique<DrainPipeline>(*tracer_, *resolver_, *collector_, *registry_,
                                              bpf_stats_fd_.valid());
  pipeline_->name_with(names_);
  pipeline_->set_filter(std::make_shared<const Filter>(config_.include, config_.exclude));
  if (config_.records.enabled) {
    records_ = std::make_unique<ExitRecords>(config_.records, records_ring_, host_name(),
                                             tracer_->resources(), names_, *registry_);
    pipeline_->record_exits_with(records_.get());
  }
  // After the cgroup tracepoints are attached, so that no cgroup falls between.
  spdlog::debug("{} cgroups already present", resolver_->seed_cgroups());
  drain_once();  // the live gauge is right from the first scrape
  spdlog::info("tracing execs, forks and exits with {} programs; {} processes already running",
               tracer_->attach_kind(), pipeline_->last().procs_entries);
  Result<WebConfig> web = web_config_of(config_);
  if (!web) throw Fatal(web.error().message);
  if (Status served = web_.serve(*web); !served) throw Fatal(served.error().message);
  spdlog::info("serving metrics on {} at {}, {} (port {})", config_.listen_address,
               config_.telemetry_path, describe(*web), port());
  if (drop_capabilities) drop_unneeded_capabilities(config_, port());
}

void Daemon::apply_filters() {
  SourcesNeeded needed = SourcesNeeded::of(config_);
  if (needed.exe && tracer_->exe_paths_fd() < 0) {
    spdlog::warn("exe filters take effect after a restart: executables are not being recorded");
    needed.exe = false;
  }
  resolver_->set_needed(needed);
  resolver_->set_runtime_state(config_.runtime_state);
  // A container's state may be gone by the next drain: read it as its cgroup appears.
  std::atomic_ref<std::uint32_t>(*tracer_->globals().cgroup_mkdir_wakeup)
      .store(needed.runtime_names() ? 1 : 0, std::memory_order_relaxed);
  auto filter = std::make_shared<const Filter>(config_.include, config_.exclude);
  collector_->update([&](Aggregator& a) { a.set_filter(*filter); });
  if (pipeline_ != nullptr) pipeline_->set_filter(filter);
  Status placed = apply_kernel_filters(
      *tracer_, compile_kernel_filters(config_, CgroupResolver::find_cgroup2_mount(), getpid(),
                                       tracer_->exe_paths_fd() >= 0));
  if (!placed) spdlog::warn("{}", placed.error().message);
}

void Daemon::drain_once() { pipeline_->drain(config_); }

Status Daemon::reload_failed(const Error& error) {
  metrics_.reload_failed();
  notify::ready(status_line());
  return error;
}

Status Daemon::reload() {
  notify::reloading();
  // logrotate's SIGHUP: the JSON file is opened anew whether the config reads or not.
  if (records_ != nullptr) records_->reopen_outputs();
  Result<Config> loaded = resolve_config(cli_);
  if (!loaded) {
    spdlog::error("reload failed, keeping the running configuration: {}", loaded.error().message);
    return reload_failed(loaded.error());
  }
  Config wanted = std::move(loaded).value();
  Result<WebConfig> web = web_config_of(wanted);
  if (!web) {
    spdlog::error("reload failed, keeping the running configuration: {}", web.error().message);
    return reload_failed(web.error());
  }
  if (Status served = web_.reload(*web); !served) {
    spdlog::error("reload failed, keeping the running web configuration: {}",
                  served.error().message);
    web_.serve_again();
    return reload_failed(served.error());
  }
  // New rules name what runs from now on; bad ones keep the old.
  Result<naming::Namer> namer = naming::Namer::compile(wanted.naming);
  if (!namer) {
    spdlog::error("reload failed, keeping the running configuration: {}", namer.error().message);
    return reload_failed(namer.error());
  }
  for (const std::string& key : restart_only_differences(config_, wanted)) {
    spdlog::warn("reload: {} changed; it takes effect after a restart", key);
  }
  Config next = take_reloadable(config_, wanted);
  if (records_ != nullptr) {
    if (Status records = records_->configure(next.records); !records) {
      spdlog::error("reload failed, keeping the running configuration: {}",
                    records.error().message);
      return reload_failed(records.error());
    }
    pipeline_->record_exits_with(records_.get());
  }
  config_ = std::move(next);
  names_->set_namer(std::make_shared<const naming::Namer>(std::move(*namer)));
  set_log_level(config_.log_level);
  apply_filters();
  metrics_.reload_succeeded();
  spdlog::info("configuration reloaded from {}", cli_.config_file);
  notify::ready(status_line());
  return {};
}

std::string Daemon::status_line() const {
  const DrainResult& last = pipeline_->last();
  std::uint64_t lost = 0;
  for (std::uint64_t n : last.lost_total) lost += n;
  const std::string serving = web_.serving() ? "serving " + config_.listen_address + " (port " +
                                                   std::to_string(port()) + ")"
                                             : "not serving (" + web_.not_serving() + ")";
  return "Tracing with " + tracer_->attach_kind() + ", " + serving + "; " +
         std::to_string(last.procs_entries) + " processes, " + std::to_string(lost) +
         " events lost";
}

void Daemon::run() {
  EventLoop loop;
  auto drain_interval = std::chrono::microseconds(config_.drain_interval);
  loop.set_drain_interval(drain_interval);
  loop.watch_cgroup_changes(pipeline_->cgroup_changes_fd());
  auto watchdog_interval = notify::watchdog_ping_interval();
  if (watchdog_interval) loop.set_watchdog_interval(*watchdog_interval);

  notify::ready(status_line());
  if (watchdog_interval) notify::watchdog();
  for (;;) {
    switch (loop.next()) {
      case LoopEvent::Watchdog:
        notify::watchdog();
        break;
      case LoopEvent::Drain:
        drain_once();
        web_.serve_again();
        notify::status(status_line());
        break;
      case LoopEvent::Check:
        if (pipeline_->counts_half_full()) {
          drain_once();
          web_.serve_again();
          loop.set_drain_interval(drain_interval);  // the next drain a whole interval from now
        }
        break;
      case LoopEvent::CgroupChanges:
        // Now rather than at the next drain: a container's state goes with it.
        pipeline_->read_cgroup_changes();
        break;
      case LoopEvent::Reload:
        (void)reload();  // logged, counted and notified there
        if (std::chrono::microseconds(config_.drain_interval) != drain_interval) {
          drain_interval = config_.drain_interval;
          loop.set_drain_interval(drain_interval);
        }
        break;
      case LoopEvent::Stop:
        spdlog::info("received {}, shutting down", strsignal(loop.stop_signal()));
        notify::stopping();
        return;
    }
  }
}

}  // namespace execmond
