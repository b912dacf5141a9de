// Fixture for the privileged tests: a Daemon with the real tracer loaded into
// the running kernel, a real HTTP listener on 127.0.0.1:0, and the workload
// program run under unique command names so other activity on the host does
// not touch the series a test asserts on.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "app/daemon.h"
#include "exposition.h"

namespace execmond::test {

// Empty when this host can load the tracer, else why not.
std::string bpf_unavailable();
// CI sets EXECMOND_REQUIRE_BPF=1: there a test that cannot run fails.
bool bpf_required();
// Classic tracepoints are found through tracefs: mounts it where a minimal
// host (or container) has not, as an operator would. Empty, or why not.
std::string ensure_tracefs();

// Lines the workload printed ("exited 7", "signaled SIGKILL"), counted.
using Outcomes = std::map<std::string, int>;

// A running workload whose stdin the test holds; closing it releases `hold` children.
class RunningWorkload {
 public:
  RunningWorkload(pid_t pid, int stdin_fd, int stdout_fd);
  ~RunningWorkload();
  RunningWorkload(const RunningWorkload&) = delete;
  RunningWorkload& operator=(const RunningWorkload&) = delete;
  void close_stdin();
  // Waits for the workload to end; returns its children's outcomes.
  Outcomes wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
};

// How to start a workload: in which cgroup, as which user, from which directory.
struct LaunchOptions {
  std::string cgroup;  // a directory under the cgroup2 mount to move into
  int uid = -1;        // switch to this uid (and its gid) before exec
  std::string cwd;
};

class TracedTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Listen on 127.0.0.1:0; drains happen when a test calls scrape().
  Config test_config() const;
  void start_daemon(Config config);
  void start_daemon() { start_daemon(test_config()); }
  // Drains what the kernel recorded, then scrapes /metrics over HTTP.
  Exposition scrape();
  std::string scrape_text();

  // A symlink to the workload whose file name, hence comm, is unique to this test.
  std::string workload_as(const std::string& role);
  static std::string comm_of(const std::string& path);
  // Runs the workload at `path` (from workload_as) to completion.
  Outcomes run(const std::string& path, const std::vector<std::string>& args,
               const LaunchOptions& options = {});
  std::unique_ptr<RunningWorkload> launch(const std::string& path,
                                          const std::vector<std::string>& args,
                                          const LaunchOptions& options = {});

  std::string dir_;
  std::unique_ptr<Daemon> daemon_;
};

// The workload's outcome lines as (reason, code) label pairs.
std::map<std::pair<std::string, std::string>, int> by_reason_code(const Outcomes& outcomes);

}  // namespace execmond::test
