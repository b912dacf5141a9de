#include "app/logging.h"

#include <bpf/libbpf.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <string_view>

namespace execmond {

namespace {

int libbpf_to_spdlog(enum libbpf_print_level /*level*/, const char* format, va_list args) {
  if (!spdlog::should_log(spdlog::level::debug)) return 0;
  char line[1024];
  int n = std::vsnprintf(line, sizeof(line), format, args);
  if (n < 0) return n;
  std::string_view text(line);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  spdlog::debug("libbpf: {}", text);
  return n;
}

}  // namespace

void setup_logging(LogTarget target, const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (target == LogTarget::Journal) {
    logger = std::make_shared<spdlog::logger>(
        "execmond", std::make_shared<spdlog::sinks::systemd_sink_mt>("execmond"));
  } else {
    logger = std::make_shared<spdlog::logger>("execmond",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    // logfmt-style, like node_exporter.
    logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%e%z level=%l msg=%v");
  }
  spdlog::set_default_logger(logger);
  set_log_level(level);
  libbpf_set_print(libbpf_to_spdlog);
}

void set_log_level(const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); }

}  // namespace execmond
