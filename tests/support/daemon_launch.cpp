#include "daemon_launch.h"

#include <fstream>
#include <utility>

#include "config/cli.h"

namespace execmond::test {

std::string config_path(const std::string& dir) { return dir + "/execmond.yaml"; }

std::string write_config(const std::string& dir, const std::string& yaml) {
  const std::string path = config_path(dir);
  std::ofstream(path) << yaml;
  return path;
}

std::unique_ptr<DaemonProcess> spawn_daemon(const BinaryLaunch& launch) {
  std::vector<std::string> args;
  const std::string config_file =
      launch.yaml ? write_config(launch.dir, *launch.yaml) : launch.config_file;
  if (!config_file.empty()) args.push_back("--config.file=" + config_file);
  if (!launch.listen_address.empty()) {
    args.push_back("--web.listen-address=" + launch.listen_address);
  }
  args.insert(args.end(), launch.flags.begin(), launch.flags.end());
  const std::string log_path =
      launch.log_path.empty() ? launch.dir + "/execmond.log" : launch.log_path;
  return std::make_unique<DaemonProcess>(launch.binary, launch.dir, args, launch.env, log_path,
                                         launch.in_child);
}

std::unique_ptr<DaemonProcess> launch_daemon(const BinaryLaunch& launch) {
  std::unique_ptr<DaemonProcess> daemon = spawn_daemon(launch);
  daemon->await_ready();
  return daemon;
}

Result<std::unique_ptr<Daemon>> start_daemon_reading(const std::string& dir,
                                                     const std::string& yaml) {
  CliOptions cli;
  cli.config_file = write_config(dir, yaml);
  cli.config_file_given = true;
  Result<Config> config = resolve_config(cli);
  if (!config) return config.error();
  auto daemon = std::make_unique<Daemon>(cli, std::move(config).value());
  daemon->start();
  return daemon;
}

std::unique_ptr<Daemon> start_daemon_with(const std::string& dir, Config config) {
  CliOptions cli;
  cli.config_file = config_path(dir);
  auto daemon = std::make_unique<Daemon>(cli, std::move(config));
  daemon->start();
  return daemon;
}

}  // namespace execmond::test
