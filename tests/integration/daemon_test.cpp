// The daemon around the tracer: HTTP endpoints, exposition validity, reloads
// and start-up failures, in-process with the real tracer loaded.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "http_client.h"
#include "shell.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

class DaemonTest : public TracedTest {};

// Runs a command with `input` on stdin; returns its exit status and output.
std::pair<int, std::string> run_with_input(const std::string& command, const std::string& input) {
  std::string in_path = "/tmp/execmond-test-input-" + std::to_string(getpid());
  std::ofstream(in_path) << input;
  auto result = run_shell(command + " < " + in_path);
  std::remove(in_path.c_str());
  return result;
}

TEST_F(DaemonTest, ScrapePassesPromtoolCheckMetrics) {
  if (system("command -v promtool >/dev/null") != 0) {
    if (bpf_required()) FAIL() << "promtool is not installed (Debian package prometheus)";
    GTEST_SKIP() << "promtool not installed";
  }
  start_daemon();
  run(workload_as("prom"), {"fork-only", "3"});
  std::string text = scrape_text();
  auto [status, output] = run_with_input("promtool check metrics", text);
  EXPECT_EQ(status, 0) << output << "\n--- scrape ---\n" << text;
}

TEST_F(DaemonTest, EveryFamilyHasHelpAndLostReasonsStartAtZero) {
  start_daemon();
  Exposition m = scrape();
  for (const char* family :
       {"execmond_process_execs_total", "execmond_process_forks_total",
        "execmond_process_exits_total", "execmond_process_lifetime_seconds", "execmond_processes",
        "execmond_events_lost_total", "execmond_oom_mark_waits_total", "execmond_bpf_map_entries",
        "execmond_bpf_map_capacity", "execmond_bpf_map_memory_bytes",
        "execmond_drain_duration_seconds", "execmond_drain_errors_total", "execmond_build_info",
        "process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds"}) {
    EXPECT_FALSE(m.help(family).empty()) << family;
  }
  for (const char* reason : {"exec_counts_map_full", "fork_counts_map_full", "exit_counts_map_full",
                             "procs_map_full", "oom_scope_not_recorded", "reap_costs_map_full",
                             "reap_cost_counts_map_full", "reap_not_seen"}) {
    EXPECT_EQ(m.value("execmond_events_lost_total", {{"reason", reason}}), 0) << reason;
  }
  EXPECT_EQ(m.value("execmond_bpf_map_capacity", {{"map", "procs"}}), 32768);
  EXPECT_EQ(m.value("execmond_bpf_map_capacity", {{"map", "counts"}}), 8192);
  EXPECT_GT(m.value("execmond_bpf_map_entries", {{"map", "procs"}}), 0);  // seeded
  EXPECT_EQ(m.samples("execmond_build_info").size(), 1U);
  EXPECT_GE(m.value("execmond_drain_duration_seconds_count"), 2);  // start-up drain + ours
  EXPECT_EQ(m.value("execmond_drain_errors_total"), 0);
  // A run the kernel skipped is an event never seen: each program is there, at 0.
  for (const char* program : {"tp_btf_fork", "tp_btf_exec", "tp_btf_exit"}) {
    EXPECT_TRUE(m.find("execmond_bpf_program_misses_total", {{"program", program}}).has_value())
        << program;
  }
  EXPECT_EQ(m.sum("execmond_bpf_program_misses_total"), 0);
}

TEST_F(DaemonTest, ProgramRunStatisticsWhenEnabled) {
  Config config = test_config();
  config.bpf_stats = true;
  start_daemon(config);
  run(workload_as("stat"), {"fork-only", "5"});
  Exposition m = scrape();
  EXPECT_GE(m.value("execmond_bpf_program_runs_total", {{"program", "tp_btf_fork"}}), 5);
  EXPECT_GE(m.value("execmond_bpf_program_runs_total", {{"program", "tp_btf_exit"}}), 6);
  EXPECT_GT(m.value("execmond_bpf_program_run_seconds_total", {{"program", "tp_btf_exit"}}), 0);
}

TEST_F(DaemonTest, LandingPageLinksToTelemetryPath) {
  Config config = test_config();
  config.telemetry_path = "/custom-metrics";
  start_daemon(config);
  HttpResponse page = http_get(daemon_->port(), "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.headers["content-type"].find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("href=\"/custom-metrics\""), std::string::npos) << page.body;
  EXPECT_EQ(http_get(daemon_->port(), "/custom-metrics").status, 200);
  EXPECT_EQ(http_get(daemon_->port(), "/nothing-here").status, 404);
}

TEST_F(DaemonTest, ReloadAppliesAGoodFileAndKeepsTheOldConfigOnABadOne) {
  start_daemon_reading("web: {listen_address: \"127.0.0.1:0\"}\ntracer: {drain_interval: 1s}\n");
  const std::uint16_t port = daemon_->port();

  write_config("web: {listen_address: \"127.0.0.1:0\"}\ntracer: {drain_interval: 250ms}\n");
  EXPECT_TRUE(daemon_->reload());
  EXPECT_EQ(daemon_->config().drain_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(scrape().value("execmond_config_last_reload_successful"), 1);

  write_config("tracer: {drain_interval: 5x}\n");
  EXPECT_FALSE(daemon_->reload());
  EXPECT_EQ(daemon_->config().drain_interval, std::chrono::milliseconds(250));
  Exposition m = scrape();  // still serving, on the same port
  EXPECT_EQ(m.value("execmond_config_last_reload_successful"), 0);
  EXPECT_EQ(daemon_->port(), port);

  std::remove(config_file().c_str());
  EXPECT_FALSE(daemon_->reload());

  // A restart-only key is accepted but not applied.
  write_config("web: {listen_address: \"127.0.0.1:1\"}\ntracer: {drain_interval: 2s}\n");
  EXPECT_TRUE(daemon_->reload());
  EXPECT_EQ(daemon_->config().drain_interval, std::chrono::seconds(2));
  EXPECT_EQ(daemon_->config().listen_address, "127.0.0.1:0");
  EXPECT_EQ(daemon_->port(), port);
  EXPECT_EQ(scrape().value("execmond_config_last_reload_successful"), 1);
}

TEST_F(DaemonTest, PortInUseIsAClearStartupError) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(0);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  Config config = test_config();
  config.listen_address = address;
  try {
    start_daemon(config);
    FAIL() << "started on a port in use";
  } catch (const Fatal& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot listen on " + address +
                  ": Address already in use; stop what holds the port or choose another with "
                  "--web.listen-address");
  }
  close(fd);
}

TEST_F(DaemonTest, WithoutCapabilitiesTheDaemonSaysWhichAreMissing) {
  // A copy nobody can reach, wherever the build tree lives.
  const std::string binary = dir_ + "/execmond";
  std::filesystem::copy_file(EXECMOND_DAEMON, binary);
  std::filesystem::permissions(dir_, std::filesystem::perms(0755));
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 2);
    dup2(out[1], 1);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(99);
    execl(binary.c_str(), binary.c_str(), "--web.listen-address=127.0.0.1:0", nullptr);
    _exit(98);
  }
  close(out[1]);
  std::string output;
  char buf[1024];
  ssize_t n = 0;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) output.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_NE(output.find("level=critical msg=missing CAP_BPF and CAP_PERFMON (uid 65534): run as "
                        "root, or grant CAP_BPF and CAP_PERFMON"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace execmond::test
