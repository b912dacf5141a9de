#include "bench.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "daemon_launch.h"
#include "http_client.h"

namespace execmond::bench {

Bench::Bench(BenchOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/execmond-bench-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
}

Bench::~Bench() { std::filesystem::remove_all(dir_); }

std::string Bench::spawnee_as(const std::string& comm) {
  std::string path = dir_ + "/" + comm.substr(0, 15);
  if (!std::filesystem::exists(path)) std::filesystem::create_symlink(options_.spawnee, path);
  return path;
}

StormOptions Bench::storm_of(const std::vector<std::string>& programs,
                             const std::string& storm_comm, double seconds,
                             std::uint64_t count) const {
  StormOptions o;
  o.programs = programs;
  o.workers = std::max(1U, std::thread::hardware_concurrency());
  o.seconds = seconds;
  o.count = count;
  o.comm = storm_comm;
  return o;
}

std::unique_ptr<test::DaemonProcess> Bench::start_execmond(const std::vector<std::string>& extra,
                                                           const std::optional<std::string>& yaml) {
  test::BinaryLaunch launch;
  launch.binary = options_.daemon;
  launch.dir = dir_;
  launch.config_file = options_.config;
  launch.yaml = yaml;
  launch.flags = {"--log.level=warn"};
  launch.flags.insert(launch.flags.end(), extra.begin(), extra.end());
  launch.log_path = dir_ + "/execmond-" + std::to_string(++daemons_started_) + ".log";
  return test::launch_daemon(launch);
}

std::string Bench::default_config_with(const std::string& line,
                                       const std::string& replacement) const {
  std::ifstream in(options_.config);
  std::stringstream text;
  if (in.is_open()) text << in.rdbuf();
  std::string yaml = text.str();
  const std::size_t at = yaml.find(line + "\n");
  if (at == std::string::npos) {
    throw std::runtime_error(options_.config + " has no line \"" + line + "\" to replace");
  }
  return yaml.replace(at, line.size(), replacement);
}

test::Exposition Bench::scrape(std::uint16_t port) const {
  test::HttpResponse r = test::http_get(port, "/metrics", {}, 30000);
  if (r.status != 200) throw std::runtime_error("execmond answered " + std::to_string(r.status));
  return test::Exposition::parse(r.body);
}

test::Exposition Bench::settled(std::uint16_t port, const std::string& name,
                                const test::Exposition::LabelMap& labels, double expected,
                                double tolerance, int patience_s) const {
  // The default drain interval is 1 s; 0.5 s steps see every drain.
  test::Exposition m = scrape(port);
  double last = m.find(name, labels).value_or(0);
  for (int unchanged = 0; std::abs(last - expected) > tolerance && unchanged < 2 * patience_s;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    m = scrape(port);
    const double now = m.find(name, labels).value_or(0);
    unchanged = now == last ? unchanged + 1 : 0;
    last = now;
  }
  return m;
}

void Bench::expect(bool ok, const std::string& what) {
  if (ok) return;
  std::printf("  CHECK FAILED: %s\n", what.c_str());
  failures_.push_back(what);
}

}  // namespace execmond::bench
