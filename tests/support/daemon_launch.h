// How a test runs execmond on a configuration of its own: the YAML written
// where the daemon reads it, then either the real binary started under a
// fake service manager with READY=1 awaited, or the Daemon started in this
// process. Scraping and the port are the fixture's (tests/integration's
// TracedTest, the benchmark's Bench).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/daemon.h"
#include "config/config.h"
#include "daemon_process.h"
#include "util/error.h"

namespace execmond::test {

// Drains every 100 ms: what a test scraping the real binary waits for is
// counted soon.
inline constexpr const char* kFastDrains = "tracer:\n  drain_interval: 100ms\n";

// `dir`/execmond.yaml: where a test's daemon reads its configuration.
std::string config_path(const std::string& dir);
// Writes `yaml` there, replacing what was; returns the path.
std::string write_config(const std::string& dir, const std::string& yaml);

// The real binary, as a test or the benchmark starts it.
struct BinaryLaunch {
  std::string binary;  // EXECMOND_DAEMON
  std::string dir;     // the notify socket, the configuration and the log go here
  // Written to config_path(dir) and given as --config.file; without it,
  // config_file is given as it is ("" gives none).
  std::optional<std::string> yaml;
  std::string config_file;
  std::string listen_address = "127.0.0.1:0";  // --web.listen-address; "" gives none
  std::vector<std::string> flags;              // given after those
  std::map<std::string, std::string> env;
  std::string log_path;            // stdout and stderr; "" is dir/execmond.log
  std::function<void()> in_child;  // see DaemonProcess
};

// Starts it; the caller awaits READY=1, or the exit of a start that fails.
std::unique_ptr<DaemonProcess> spawn_daemon(const BinaryLaunch& launch);
// Starts it and waits for READY=1; throws std::runtime_error with the
// daemon's log when that never comes.
std::unique_ptr<DaemonProcess> launch_daemon(const BinaryLaunch& launch);

// The Daemon in this process, started, reading `yaml` from config_path(dir)
// as main() does: a reload re-reads that file. The file's error when it does
// not resolve; Fatal as Daemon::start() throws it.
Result<std::unique_ptr<Daemon>> start_daemon_reading(const std::string& dir,
                                                     const std::string& yaml);
// The Daemon in this process, started on `config`; config_path(dir) is the
// file a reload would read. Fatal as Daemon::start() throws it.
std::unique_ptr<Daemon> start_daemon_with(const std::string& dir, Config config);

}  // namespace execmond::test
