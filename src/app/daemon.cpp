#include "app/daemon.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <utility>

#include "util/capabilities.h"
#include "kernel/kernel_filters.h"
#include "identity/label_resolver.h"
#include "app/logging.h"
#include "app/notify.h"
#include "kernel/preflight.h"

namespace execmond {

namespace {

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void arm_timer(int fd, std::chrono::microseconds interval) {
  itimerspec spec{};
  spec.it_interval.tv_sec = static_cast<time_t>(interval.count() / 1000000);
  spec.it_interval.tv_nsec = static_cast<long>((interval.count() % 1000000) * 1000);
  spec.it_value = spec.it_interval;
  timerfd_settime(fd, 0, &spec, nullptr);
}

void consume_timer(int fd) {
  std::uint64_t expirations = 0;
  [[maybe_unused]] ssize_t n = read(fd, &expirations, sizeof(expirations));
}

bool kernel_bpf_stats_on() {
  std::ifstream f("/proc/sys/kernel/bpf_stats_enabled");
  int on = 0;
  return (f >> on) && on != 0;
}

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

// The lowest port anyone may bind (net.ipv4.ip_unprivileged_port_start).
int unprivileged_port_start() {
  std::ifstream f("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  int start = 1024;
  f >> start;
  return start;
}

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

Daemon::Daemon(CliOptions cli, Config config)
    : cli_(std::move(cli)),
      config_(std::move(config)),
      collector_(std::make_shared<ProcessCollector>(AggregatorOptions{
          config_.labels, config_.lifetime_buckets, config_.max_series_per_family})),
      registry_(std::make_shared<prometheus::Registry>()) {
  register_self_metrics();
}

Daemon::~Daemon() {
  http_.reset();  // stop answering before the tracer goes away
  tracer_.reset();
  if (bpf_stats_fd_ >= 0) close(bpf_stats_fd_);
}

void Daemon::register_self_metrics() {
  using namespace prometheus;
  BuildGauge()
      .Name("execmond_build_info")
      .Help(
          "A metric with a constant '1' value labeled by version, libbpf_version and the "
          "running kernel release.")
      .Register(*registry_)
      .Add({{"version", EXECMOND_VERSION},
            {"libbpf_version",
             std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version())},
            {"kernel", kernel_release()}})
      .Set(1);
  drain_duration_ = &BuildHistogram()
                         .Name("execmond_drain_duration_seconds")
                         .Help("Time taken by each drain of the kernel side's maps.")
                         .Register(*registry_)
                         .Add({}, Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                              0.025, 0.05, 0.1, 0.25, 0.5, 1});
  reload_successful_ = &BuildGauge()
                            .Name("execmond_config_last_reload_successful")
                            .Help("Whether the last configuration reload attempt was successful.")
                            .Register(*registry_)
                            .Add({});
  reload_success_time_ = &BuildGauge()
                              .Name("execmond_config_last_reload_success_timestamp_seconds")
                              .Help("Timestamp of the last successful configuration reload.")
                              .Register(*registry_)
                              .Add({});
  reload_successful_->Set(1);
  reload_success_time_->Set(unix_now());
}

void Daemon::start(bool drop_capabilities) {
  if (std::string why = check_bpf_privileges(); !why.empty()) throw StartupError(why);
  if (std::string why = check_kernel_btf(cli_.btf_path); !why.empty()) throw StartupError(why);
  if (config_.bpf_stats) {
    bpf_stats_fd_ = bpf_enable_stats(BPF_STATS_RUN_TIME);
    if (bpf_stats_fd_ < 0) {
      spdlog::warn("cannot enable BPF run-time statistics: {}", std::strerror(-bpf_stats_fd_));
    }
  }
  try {
    tracer_ = std::make_unique<Tracer>(
        TracerOptions{config_.max_processes, config_.max_keys, config_.attach_mode,
                      config_.lifetime_buckets, SourcesNeeded::of(config_).exe, cli_.btf_path});
    resolver_ = std::make_unique<IdentityResolver>(tracer_->exe_paths_fd());
    apply_filters();
    tracer_->seed_running_processes();
  } catch (const TracerError& e) {
    throw StartupError(e.what());
  }
  drainer_ = std::make_unique<Drainer>(*tracer_);
  drain_once();  // the live gauge is right from the first scrape
  spdlog::info("tracing execs, forks and exits with {} programs; {} processes already running",
               tracer_->attach_kind(), last_drain_.procs_entries);
  std::optional<WebConfig> web = load_web(config_);
  if (!web) throw StartupError(web_error_);
  try {
    serve(*web);
  } catch (const HttpError& e) {
    throw StartupError(e.what());
  }
  spdlog::info("serving metrics on {} at {}, {} (port {})", config_.listen_address,
               config_.telemetry_path, describe(*web), port());
  if (drop_capabilities) {
    // Kept only when cgroup ids are turned into names (unit, cgroup and
    // container_id labels or filters): CAP_DAC_READ_SEARCH lets
    // open_by_handle_at() name them; without it the resolver walks the
    // cgroup tree instead, as it also does for such filters added by a reload.
    std::vector<int> keep;
    std::string kept;  // " but CAP_A and CAP_B", for the log
    auto keep_capability = [&](int cap, const char* name) {
      keep.push_back(cap);
      kept += (kept.empty() ? " but " : " and ") + std::string(name);
    };
    if (SourcesNeeded::of(config_).cgroup)
      keep_capability(CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH");
    // A reload that changes TLS settings binds the port again: below
    // ip_unprivileged_port_start that takes CAP_NET_BIND_SERVICE, kept when held.
    if (port() < unprivileged_port_start() &&
        ((effective_capabilities() >> CAP_NET_BIND_SERVICE) & 1U) != 0) {
      keep_capability(CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE");
    }
    if (std::string why = drop_capabilities_except(keep); !why.empty()) {
      spdlog::warn("cannot drop capabilities: {}", why);
    } else {
      spdlog::info("dropped all capabilities{}", kept);
    }
  }
}

std::uint16_t Daemon::port() const { return http_ ? http_->port() : 0; }

std::optional<WebConfig> Daemon::load_web(const Config& config) {
  if (config.web_config_file.empty()) return WebConfig{};
  WebConfigResult loaded = load_web_config(config.web_config_file);
  web_error_ = loaded.error;
  return loaded.config;
}

void Daemon::serve(const WebConfig& web) {
  http_.reset();  // its port is free again for the new server (and none is left if this throws)
  http_ = std::make_unique<HttpServer>(
      HttpOptions{config_.listen_address, config_.telemetry_path, config_.max_requests, web},
      std::vector<std::weak_ptr<prometheus::Collectable>>{collector_, registry_});
  web_ = web;
}

bool Daemon::reload_web(const WebConfig& web) {
  if (http_ && web.tls == web_.tls) {
    http_->set_basic_auth_users(web.basic_auth_users);
    web_ = web;
    return true;
  }
  // TLS settings are the server's: it is made anew on the same address. Its
  // files were checked as the web config was loaded, so this fails only when
  // something else took the port in the moment it was free.
  try {
    serve(web);
    not_serving_.clear();
    spdlog::info("serving {} since the reload", describe(web));
    return true;
  } catch (const HttpError& e) {
    spdlog::error("reload failed, keeping the running web configuration: {}", e.what());
    not_serving_ = e.what();
    serve_again();
    return false;
  }
}

void Daemon::serve_again() {
  if (http_) return;
  try {
    serve(web_);
    spdlog::info("serving metrics again on {} ({})", config_.listen_address, describe(web_));
    not_serving_.clear();
  } catch (const HttpError& e) {
    // Logged once; counting goes on and every drain tries again.
    if (not_serving_ != e.what()) spdlog::error("not serving metrics: {}; retrying", e.what());
    not_serving_ = e.what();
  }
}

void Daemon::apply_filters() {
  SourcesNeeded needed = SourcesNeeded::of(config_);
  if (needed.exe && tracer_->exe_paths_fd() < 0) {
    spdlog::warn("exe filters take effect after a restart: executables are not being recorded");
    needed.exe = false;
  }
  resolver_->set_needed(needed);
  collector_->update(
      [&](Aggregator& a) { a.set_filter(Filter(config_.include, config_.exclude)); });
  tracer_->apply_filters(compile_kernel_filters(config_, CgroupResolver::find_cgroup2_mount(),
                                                getpid(), tracer_->exe_paths_fd() >= 0));
}

void Daemon::drain_once() {
  auto started = std::chrono::steady_clock::now();
  const double now = std::chrono::duration<double>(started.time_since_epoch()).count();
  last_drain_ = drainer_->drain();
  std::vector<Record> records;
  records.reserve(last_drain_.counts.size());
  for (const CountRecord& c : last_drain_.counts) {
    records.push_back(
        {c.kind, resolver_->resolve(c.ids), c.status, c.bucket, c.count, c.lifetime_ns_sum});
  }
  std::vector<LiveEntry> live;
  live.reserve(last_drain_.live.size());
  for (const auto& [ids, n] : last_drain_.live) live.push_back({resolver_->resolve(ids), n});
  collector_->update([&](Aggregator& a) {
    a.add(records, now);
    a.set_live(live, now);
    a.drop_stale(now, static_cast<double>(config_.drop_stale_after.count()));
  });

  auto view = std::make_shared<DrainView>();
  view->labels = config_.labels;
  view->lifetime_bounds = config_.lifetime_buckets;
  view->lost_total = last_drain_.lost_total;
  view->maps = {{"procs", last_drain_.procs_entries, tracer_->max_processes()},
                {"counts", last_drain_.counts_entries, tracer_->max_keys()}};
  view->programs = last_drain_.programs;
  view->program_stats_enabled = bpf_stats_fd_ >= 0 || kernel_bpf_stats_on();
  collector_->publish(std::move(view));
  drain_duration_->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

bool Daemon::reload() {
  notify::reloading();
  ConfigResult loaded = resolve_config(cli_);
  if (!loaded) {
    spdlog::error("reload failed, keeping the running configuration: {}", loaded.error);
    reload_successful_->Set(0);
    notify::ready(status_line());
    return false;
  }
  Config wanted = std::move(*loaded.config);
  std::optional<WebConfig> web = load_web(wanted);
  if (!web || !reload_web(*web)) {
    if (!web) spdlog::error("reload failed, keeping the running configuration: {}", web_error_);
    reload_successful_->Set(0);
    notify::ready(status_line());
    return false;
  }
  for (const std::string& key : restart_only_differences(config_, wanted)) {
    spdlog::warn("reload: {} changed; it takes effect after a restart", key);
  }
  config_ = take_reloadable(config_, wanted);
  set_log_level(config_.log_level);
  apply_filters();
  reload_successful_->Set(1);
  reload_success_time_->Set(unix_now());
  spdlog::info("configuration reloaded from {}", cli_.config_file);
  notify::ready(status_line());
  return true;
}

std::string Daemon::status_line() const {
  std::uint64_t lost = 0;
  for (std::uint64_t n : last_drain_.lost_total) lost += n;
  const std::string serving =
      http_ ? "serving " + config_.listen_address + " (port " + std::to_string(port()) + ")"
            : "not serving (" + not_serving_ + ")";
  return "Tracing with " + tracer_->attach_kind() + ", " + serving + "; " +
         std::to_string(last_drain_.procs_entries) + " processes, " + std::to_string(lost) +
         " events lost";
}

void Daemon::run() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, sig);
  Fd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC));
  Fd drain_timer(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
  Fd watchdog_timer(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
  if (signal_fd.get() < 0 || drain_timer.get() < 0 || watchdog_timer.get() < 0) {
    throw StartupError(std::string("cannot create the event loop's descriptors: ") +
                       std::strerror(errno));
  }
  auto drain_interval = std::chrono::microseconds(config_.drain_interval);
  arm_timer(drain_timer.get(), drain_interval);
  auto watchdog_interval = notify::watchdog_ping_interval();
  if (watchdog_interval) arm_timer(watchdog_timer.get(), *watchdog_interval);

  notify::ready(status_line());
  if (watchdog_interval) notify::watchdog();
  std::array<pollfd, 3> fds{{{signal_fd.get(), POLLIN, 0},
                             {drain_timer.get(), POLLIN, 0},
                             {watchdog_timer.get(), POLLIN, 0}}};
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    if ((fds[2].revents & POLLIN) != 0) {
      consume_timer(watchdog_timer.get());
      notify::watchdog();
    }
    if ((fds[1].revents & POLLIN) != 0) {
      consume_timer(drain_timer.get());
      drain_once();
      serve_again();
      notify::status(status_line());
    }
    if ((fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      if (read(signal_fd.get(), &info, sizeof(info)) != sizeof(info)) continue;
      if (info.ssi_signo == SIGHUP) {
        reload();
        if (std::chrono::microseconds(config_.drain_interval) != drain_interval) {
          drain_interval = config_.drain_interval;
          arm_timer(drain_timer.get(), drain_interval);
        }
        continue;
      }
      spdlog::info("received {}, shutting down", strsignal(static_cast<int>(info.ssi_signo)));
      notify::stopping();
      return;
    }
  }
}

}  // namespace execmond
