#include "app/daemon_metrics.h"

#include <bpf/libbpf.h>
#include <sys/utsname.h>

#include <chrono>
#include <string>

namespace execmond {

namespace {

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

double unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

prometheus::Gauge& register_build_info(prometheus::Registry& registry) {
  prometheus::Gauge& info =
      prometheus::BuildGauge()
          .Name("execmond_build_info")
          .Help(
              "A metric with a constant '1' value labeled by version, libbpf_version and the "
              "running kernel release.")
          .Register(registry)
          .Add({{"version", EXECMOND_VERSION},
                {"libbpf_version", std::to_string(libbpf_major_version()) + "." +
                                       std::to_string(libbpf_minor_version())},
                {"kernel", kernel_release()}});
  info.Set(1);
  return info;
}

prometheus::Gauge& register_gauge(prometheus::Registry& registry, const char* name,
                                  const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

DaemonMetrics::DaemonMetrics(prometheus::Registry& registry)
    : build_info_(register_build_info(registry)),
      reload_successful_(
          register_gauge(registry, "execmond_config_last_reload_successful",
                         "Whether the last configuration reload attempt was successful.")),
      reload_success_time_(
          register_gauge(registry, "execmond_config_last_reload_success_timestamp_seconds",
                         "Timestamp of the last successful configuration reload.")) {
  reload_succeeded();
}

void DaemonMetrics::reload_succeeded() {
  reload_successful_.Set(1);
  reload_success_time_.Set(unix_now());
}

void DaemonMetrics::reload_failed() { reload_successful_.Set(0); }

}  // namespace execmond
